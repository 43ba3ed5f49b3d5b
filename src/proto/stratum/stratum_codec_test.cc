// Encoding (byte-exact against protocols.md lines), round trips of every kind, strictness,
// counters, line splitting, the pre-check, and CryptoNote targets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/stratum/cryptonote_target.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::stratum {
namespace {

// The body alternative, or a test failure (std::get throws, which gtest reports).
template <typename T>
const T& Get(const Message& m) {
  return std::get<T>(m.body);
}

const std::string kH(64, 'e');
const std::string kBlob = "0707d5efb9d605" + std::string(64, 'c') + "00000000" +
                          std::string(64, 'd') + "01";

// Lines of protocols.md (placeholders filled) that are already compact and in the encoder's key
// order: decoding then encoding must give back the same bytes.
std::vector<std::string> CanonicalLines() {
  return {
      R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000","version-rolling.min-bit-count":2}]})",
      R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null})",
      R"({"id":2,"method":"mining.subscribe","params":["cgminer/4.10.0"]})",
      R"({"id":2,"result":[[["mining.set_difficulty","1"],["mining.notify","1"]],"08000002",4],"error":null})",
      R"({"id":3,"method":"mining.authorize","params":["bc1q...worker1","x"]})",
      R"({"id":3,"result":true,"error":null})",
      R"({"id":null,"method":"mining.set_difficulty","params":[1024]})",
      R"({"id":null,"method":"mining.notify","params":["1",")" + kH + R"(","01","02",[")" + kH +
          R"("],"20000004","1705ae3a","647025b5",true]})",
      R"({"id":4,"method":"mining.submit","params":["tb1q...bitaxe3","1","99020000","64b1f10f","2402812d","00006000"]})",
      R"({"id":4,"result":null,"error":[23,"Low difficulty share",null]})",
      R"({"id":5,"method":"mining.extranonce.subscribe","params":[]})",
      R"({"id":6,"method":"mining.suggest_difficulty","params":[0.5]})",
      R"({"id":null,"method":"mining.set_extranonce","params":["08000003",4]})",
      R"({"id":null,"method":"mining.set_version_mask","params":["00003000"]})",
      R"({"id":null,"method":"client.reconnect","params":["127.0.0.1",3334,5]})",
      R"({"id":null,"method":"mining.ping","params":[]})",
      R"({"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"<wallet or user>","pass":"x","agent":"XMRig/6.x (Linux x86_64) libuv/1.x gcc/x","algo":["rx/0","cn/r"],"rigid":"rig1"}})",
      R"({"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"1be0b7b6-0001","job":{"blob":")" + kBlob +
          R"(","job_id":"q7PL","target":"b88d0600","algo":"rx/0","height":3100000,"seed_hash":")" + kH +
          R"("},"extensions":["algo","nicehash","connect","tls","keepalive"],"status":"OK"}})",
      R"({"jsonrpc":"2.0","method":"job","params":{"blob":")" + kBlob +
          R"(","job_id":"4BiG","target":"b88d0600","algo":"rx/0","height":3100001,"seed_hash":")" + kH + R"("}})",
      R"({"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":"1be0b7b6-0001","job_id":"4BiG","nonce":"d0030040","result":")" +
          kH + R"(","algo":"rx/0"}})",
      R"({"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}})",
      R"({"id":2,"jsonrpc":"2.0","error":{"code":-1,"message":"Low difficulty share"}})",
      R"({"id":3,"jsonrpc":"2.0","method":"keepalived","params":{"id":"1be0b7b6-0001"}})",
      R"({"id":4,"jsonrpc":"2.0","method":"getjob","params":{"id":"1be0b7b6-0001"}})",
      R"({"id":1,"method":"mining.subscribe","params":["EthereumMiner/1.0.0","EthereumStratum/1.0.0"]})",
      R"({"id":1,"result":[["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f","EthereumStratum/1.0.0"],"a2eea0"],"error":null})",
      R"({"id":null,"method":"mining.notify","params":["bf0488aa",")" + kH + R"(",")" + kH + R"(",true]})",
      R"({"id":3,"method":"mining.submit","params":["test","bf0488aa","cfae7df760"]})",
      R"({"id":1,"jsonrpc":"2.0","method":"eth_submitLogin","params":["0xb85150eb365e7df0941f0cf08235f987ba91506a"],"worker":"rig-1"})",
      R"({"id":1,"jsonrpc":"2.0","result":true})",
      R"({"id":1,"jsonrpc":"2.0","method":"eth_getWork"})",
      R"({"id":0,"jsonrpc":"2.0","result":["0x)" + kH + R"(","0x)" + kH + R"(","0x00000000ffff"]})",
      R"({"id":1,"jsonrpc":"2.0","method":"eth_submitWork","params":["0x00000000a1b2c3d4","0x)" + kH +
          R"(","0x)" + kH + R"("],"worker":"rig-1"})",
      R"({"id":1,"jsonrpc":"2.0","method":"eth_submitHashrate","params":["0x500000","0x)" + kH + R"("]})",
      R"({"type":"auth","params":{"site_key":"<key>","type":"anonymous","user":null,"goal":0}})",
      R"({"type":"authed","params":{"token":"","hashes":0}})",
      R"({"type":"job","params":{"job_id":"j1","blob":")" + kBlob + R"(","target":"b88d0600"}})",
      R"({"type":"submit","params":{"job_id":"j1","nonce":"0a0b0c0d","result":")" + kH + R"("}})",
      R"({"type":"hash_accepted","params":{"hashes":256}})",
      R"({"type":"error","params":{"error":"invalid_site_key"}})",
      R"({"identifier":"handshake","pool":"moneroocean.stream","login":"<wallet>","password":"","userid":"","version":8})",
      R"({"identifier":"job","job_id":"j7","algo":"cn","variant":1,"blob":")" + kBlob + R"(","target":"b88d0600"})",
      R"({"identifier":"solved","job_id":"j7","nonce":"01020304","result":")" + kH + R"("})",
      R"({"identifier":"hashsolved"})",
      R"({"identifier":"error","param":"invalid wallet"})",
  };
}

TEST(Encode, CanonicalLinesAreReproducedByteForByte) {
  std::vector<bool> kinds_seen(kKindCount, false);
  for (const std::string& line : CanonicalLines()) {
    auto m = DecodeLine(line);
    ASSERT_TRUE(m.ok()) << line << ": " << m.status().ToString();
    kinds_seen[static_cast<size_t>(m->kind)] = true;
    auto encoded = Encode(*m);
    ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
    EXPECT_EQ(*encoded, line + "\n");
  }
  for (int k = 0; k < kKindCount; ++k) {
    EXPECT_TRUE(kinds_seen[static_cast<size_t>(k)]) << "no line for " << KindName(Kind(k));
  }
}

TEST(Encode, RoundTripKeepsEveryField) {
  for (const std::string& line : CanonicalLines()) {
    auto m = DecodeLine(line);
    ASSERT_TRUE(m.ok());
    auto again = DecodeLine(*Encode(*m));
    ASSERT_TRUE(again.ok()) << line;
    EXPECT_EQ(again->kind, m->kind);
    EXPECT_EQ(again->dialect, m->dialect);
    EXPECT_EQ(again->id, m->id);
    EXPECT_EQ(again->body, m->body) << line;
  }
}

TEST(Encode, BuiltMessages) {
  V1Notify n;
  n.job_id = "genesis";
  n.prevhash = std::string(64, '0');
  n.coinb1 = "01";
  n.coinb2 = "02";
  n.version = "00000001";
  n.nbits = "1d00ffff";
  n.ntime = "495fab29";
  n.clean_jobs = true;
  EXPECT_EQ(*Encode(MakeMessage(Kind::kV1Notify, nullptr, n)),
            R"({"id":null,"method":"mining.notify","params":["genesis",")" + std::string(64, '0') +
                R"(","01","02",[],"00000001","1d00ffff","495fab29",true]})"
                "\n");
  EXPECT_EQ(*Encode(MakeMessage(Kind::kV1SetDifficulty, nullptr, Difficulty{0.001})),
            "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[0.001]}\n");
  EXPECT_FALSE(Encode(MakeMessage(Kind::kV1SetDifficulty, nullptr, Difficulty{-1})).ok());
  EXPECT_FALSE(Encode(MakeMessage(Kind::kV1Notify, 1, Difficulty{1})).ok());  // body mismatch
  EXPECT_EQ(*Encode(MakeMessage(Kind::kXmrKeepalived, int64_t{7}, XmrSession{"s"})),
            "{\"id\":7,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"s\"}}\n");
  EXPECT_EQ(Encode(MakeMessage(Kind::kXmrSubmit, std::string("x"), XmrSubmit{}))->substr(0, 8),
            "{\"id\":\"x");
  EXPECT_EQ(EncodeV1Error(int64_t{9}, 21, "Job not found"),
            "{\"id\":9,\"result\":null,\"error\":[21,\"Job not found\",null]}\n");
  EXPECT_EQ(EncodeJsonRpcError(int64_t{9}, -1, "Invalid job id"),
            "{\"id\":9,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,\"message\":\"Invalid job id\"}}\n");
  EXPECT_EQ(EncodeV1True(int64_t{3}), "{\"id\":3,\"result\":true,\"error\":null}\n");
  EXPECT_EQ(EncodeJsonRpcTrue(int64_t{3}), "{\"id\":3,\"jsonrpc\":\"2.0\",\"result\":true}\n");
  // Strings are escaped, never break the line.
  auto line = Encode(MakeMessage(Kind::kV1Authorize, 1, Authorize{"a\"b\nc", std::nullopt}));
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->find('\n'), line->size() - 1);
  EXPECT_EQ(Get<Authorize>(*DecodeLine(*line)).user, "a\"b\nc");
}

// ---- strictness ----

DecodeFailure FailureOf(const std::string& line) {
  DecodeFailure why = DecodeFailure::kNone;
  auto m = DecodeLine(line, &why);
  EXPECT_FALSE(m.ok()) << line;
  return why;
}

TEST(Strict, RejectsWithNamedReasons) {
  EXPECT_EQ(FailureOf("not json"), DecodeFailure::kMalformedJson);
  EXPECT_EQ(FailureOf("[1,2]"), DecodeFailure::kMalformedJson);
  EXPECT_EQ(FailureOf(R"({"id":1,"method":"mining.subscribe")"), DecodeFailure::kMalformedJson);
  EXPECT_EQ(FailureOf(R"({"id":1,"method":"mining.frobnicate","params":[]})"),
            DecodeFailure::kUnknownMethod);
  EXPECT_EQ(FailureOf(R"({"type":"frob","params":{}})"), DecodeFailure::kUnknownMethod);
  EXPECT_EQ(FailureOf(R"({"hello":1})"), DecodeFailure::kUnknownMethod);
  // sizes and counts
  EXPECT_EQ(FailureOf(R"({"id":4,"method":"mining.submit","params":["w","1","9902000","64b1f10f","2402812d"]})"),
            DecodeFailure::kBadParams);  // odd extranonce2
  EXPECT_EQ(FailureOf(R"({"id":4,"method":"mining.submit","params":["w","1","99020000","64b1f10f","2402812"]})"),
            DecodeFailure::kBadParams);  // 7-hex nonce
  EXPECT_EQ(FailureOf(R"({"id":4,"method":"mining.submit","params":["w","1","99020000","64b1f10g","2402812d"]})"),
            DecodeFailure::kBadParams);  // not hex
  EXPECT_EQ(FailureOf(R"({"id":4,"method":"mining.submit","params":["w","1","99","64b1f10f","2402812d","0","1"]})"),
            DecodeFailure::kBadParams);  // 7 params
  EXPECT_EQ(FailureOf(R"({"id":4,"method":"mining.submit","params":["w",")" + std::string(65, 'j') +
                      R"(","99020000","64b1f10f","2402812d"]})"),
            DecodeFailure::kBadParams);  // job id > 64
  EXPECT_EQ(FailureOf(R"({"id":null,"method":"mining.set_difficulty","params":["1024"]})"),
            DecodeFailure::kBadParams);
  EXPECT_EQ(FailureOf(R"({"id":null,"method":"mining.set_difficulty","params":[0]})"),
            DecodeFailure::kBadParams);
  EXPECT_EQ(FailureOf(R"({"id":null,"method":"mining.notify","params":["1","00","01","02",[],"1","2","3",true]})"),
            DecodeFailure::kBadParams);
  EXPECT_EQ(FailureOf(R"({"id":1,"jsonrpc":"2.0","method":"login","params":["wallet"]})"),
            DecodeFailure::kBadParams);  // XMRig params are objects
  EXPECT_EQ(FailureOf(R"({"type":"job","params":{"job_id":"j","blob":"00","target":"b88d0600"}})"),
            DecodeFailure::kBadParams);  // blob too short to hold a nonce
  EXPECT_EQ(FailureOf(R"({"type":"job","params":{"job_id":"j","blob":")" + kBlob +
                      R"(","target":"b88d06"}})"),
            DecodeFailure::kBadParams);  // 6-hex target
  EXPECT_EQ(FailureOf(R"({"id":1,"jsonrpc":"2.0","method":"eth_submitWork","params":["00000000a1b2c3d4","0x)" +
                      kH + R"(","0x)" + kH + R"("]})"),
            DecodeFailure::kBadParams);  // missing 0x
  EXPECT_EQ(FailureOf(R"({"id":1.5,"method":"mining.subscribe","params":[]})"),
            DecodeFailure::kBadParams);  // fractional id
  EXPECT_EQ(FailureOf(R"({"id":1,"method":"mining.authorize","params":[1,2]})"),
            DecodeFailure::kBadParams);
  EXPECT_EQ(FailureOf(std::string(kMaxLineBytes + 1, ' ')), DecodeFailure::kOversize);
  // Generic replies: finite numbers, bounded nesting.
  EXPECT_EQ(FailureOf(R"({"id":1,"result":[1e999],"error":null})"),
            DecodeFailure::kMalformedJson);  // the parser refuses out-of-range numbers
  EXPECT_EQ(FailureOf(R"({"id":1,"result":)" + std::string(40, '[') + std::string(40, ']') + "}"),
            DecodeFailure::kBadParams);
}

TEST(Strict, ReplyDialectsSurviveReencoding) {
  // A reply without "error" or "jsonrpc" is V1-style; browser dialects ignore ids.
  for (const char* line : {R"({"result":"x"})", R"({"id":1,"jsonrpc":"2.0","error":[20,"e"]})",
                           R"({"id":1,"error":{"code":-1,"message":"m"}})",
                           R"({"id":1,"jsonrpc":"2.0","result":{"a":[1,2.5,null]}})"}) {
    auto m = DecodeLine(line);
    ASSERT_TRUE(m.ok()) << line;
    auto again = DecodeLine(*Encode(*m));
    ASSERT_TRUE(again.ok()) << line;
    EXPECT_EQ(again->dialect, m->dialect) << line;
    EXPECT_EQ(again->body, m->body) << line;
  }
  EXPECT_EQ(DecodeLine(R"({"result":"x"})")->dialect, Dialect::kV1);
  auto browser = DecodeLine(R"({"id":"q","identifier":"hashsolved"})");
  ASSERT_TRUE(browser.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(browser->id));
}

TEST(Strict, IdForms) {
  EXPECT_EQ(std::get<std::string>(
                DecodeLine(R"({"id":"a7","method":"mining.ping"})")->id), "a7");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      DecodeLine(R"({"method":"mining.ping","params":[]})")->id));
  EXPECT_EQ(std::get<int64_t>(
                DecodeLine(R"({"id":-9223372036854775808,"method":"mining.ping"})")->id),
            INT64_MIN);
  EXPECT_FALSE(DecodeLine(R"({"id":18446744073709551615,"method":"mining.ping"})").ok());
}

TEST(DecoderCounters, CountPerDialectAndReason) {
  CounterSet counters("stratum");
  Decoder d(counters);
  EXPECT_TRUE(d.Decode(R"({"id":3,"method":"mining.authorize","params":["u","x"]})").ok());
  EXPECT_FALSE(d.Decode(R"({"id":3,"method":"mining.authorize","params":[]})").ok());
  EXPECT_EQ(d.last_failure(), DecodeFailure::kBadParams);
  EXPECT_FALSE(d.Decode("{{{").ok());
  EXPECT_FALSE(d.Decode(R"({"id":1,"jsonrpc":"2.0","method":"eth_frob"})").ok());
  EXPECT_TRUE(d.Decode(R"({"identifier":"hashsolved"})").ok());
  EXPECT_EQ(counters.Value("v1.lines"), 2u);
  EXPECT_EQ(counters.Value("v1.decoded"), 1u);
  EXPECT_EQ(counters.Value("v1.bad_params"), 1u);
  EXPECT_EQ(counters.Value("unknown.malformed_json"), 1u);
  EXPECT_EQ(counters.Value("ethproxy.unknown_method"), 1u);
  EXPECT_EQ(counters.Value("webminerpool.decoded"), 1u);
  EXPECT_EQ(counters.Snapshot().count("stratum.xmrig.oversize"), 1u);
  d.CountOversizeLine();
  EXPECT_EQ(counters.Value("unknown.oversize"), 1u);
  EXPECT_EQ(d.last_failure(), DecodeFailure::kOversize);
}

// ---- streams ----

TEST(LineSplitter, SplitsAcrossChunksAndStripsCr) {
  LineSplitter s;
  s.Append("{\"a\":1}\r\n{\"b\"");
  auto l = s.Next();
  ASSERT_TRUE(l.has_value() && l->ok());
  EXPECT_EQ(**l, "{\"a\":1}");
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_EQ(s.buffered(), 4u);
  s.Append(":2}\n\n\n");
  l = s.Next();
  ASSERT_TRUE(l.has_value() && l->ok());
  EXPECT_EQ(**l, "{\"b\":2}");
  EXPECT_FALSE(s.Next().has_value());  // empty lines skipped
}

TEST(LineSplitter, OversizeIsReportedOnceAndResyncs) {
  LineSplitter s(16);
  s.Append(std::string(10, 'x'));
  EXPECT_FALSE(s.Next().has_value());
  s.Append(std::string(10, 'x'));  // 20 bytes, no newline: over the limit
  auto l = s.Next();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(s.Next().has_value());
  s.Append(std::string(100, 'y') + "\nok\n");
  l = s.Next();
  ASSERT_TRUE(l.has_value() && l->ok());
  EXPECT_EQ(**l, "ok");
  // A complete over-long line in one chunk.
  s.Append(std::string(17, 'z') + "\nfine\n");
  EXPECT_FALSE(s.Next()->ok());
  EXPECT_EQ(**s.Next(), "fine");
  EXPECT_EQ(s.oversize_lines(), 2u);
}

TEST(LineSplitter, ResetWithResyncDropsThePartialLine) {
  LineSplitter s;
  s.Append("abc");
  s.Reset(/*resync=*/true);
  s.Append("tail of an earlier line\n{\"x\":1}\n");
  EXPECT_EQ(**s.Next(), "{\"x\":1}");
}

TEST(LooksLikeStratum, AcceptsDialectsRejectsOthers) {
  EXPECT_TRUE(LooksLikeStratum(AsBytes(R"({"id":1,"method":"mining.subscribe")")));
  EXPECT_TRUE(LooksLikeStratum(AsBytes(" \r\n{ \"params\" : [")));
  EXPECT_TRUE(LooksLikeStratum(AsBytes(R"({"type":"auth","params":{)")));
  EXPECT_TRUE(LooksLikeStratum(AsBytes(R"({"identifier":"handshake")")));
  EXPECT_FALSE(LooksLikeStratum(AsBytes("GET / HTTP/1.1\r\n")));
  EXPECT_FALSE(LooksLikeStratum(AsBytes("\x16\x03\x01\x02\x00")));
  EXPECT_FALSE(LooksLikeStratum(AsBytes(R"({"name":"x","value":1})")));
  EXPECT_FALSE(LooksLikeStratum(AsBytes("")));
}

// ---- CryptoNote targets ----

TEST(CryptonoteTarget, WorkedExample) {
  auto t64 = CryptonoteTarget64("b88d0600");
  ASSERT_TRUE(t64.ok());
  EXPECT_EQ(*t64, 0x00068db8bac710cbULL);
  EXPECT_EQ(CryptonoteDifficulty(*t64), 10000u);
  EXPECT_EQ(CryptonoteTargetHex(10000), "b88d0600");
}

TEST(CryptonoteTarget, SixtyFourBitFormsAndErrors) {
  const std::string hex = CryptonoteTargetHex(5000000000ULL);  // above 2^32: 16 hex digits
  ASSERT_EQ(hex.size(), 16u);
  // 2^64-1 / (2^64-1 / d) rounds to d or d + 1.
  EXPECT_NEAR(double(CryptonoteDifficulty(*CryptonoteTarget64(hex))), 5e9, 1.0);
  EXPECT_EQ(*CryptonoteTarget64("ffffffffffffffff"), UINT64_MAX);
  EXPECT_FALSE(CryptonoteTarget64("00000000").ok());
  EXPECT_FALSE(CryptonoteTarget64("b88d06").ok());
  EXPECT_FALSE(CryptonoteTarget64("b88d060g").ok());
  // 8-hex targets quantise: the error grows like d^2 / 2^32 (pools accept this).
  for (uint64_t d : {1ULL, 2ULL, 1000ULL, 10000ULL, 65536ULL, 1000000ULL}) {
    const uint64_t back = CryptonoteDifficulty(*CryptonoteTarget64(CryptonoteTargetHex(d)));
    EXPECT_NEAR(double(back), double(d), double(d) * double(d) / 4294967296.0 + 1) << d;
  }
  EXPECT_EQ(CryptonoteTargetHex(4000000000ULL), "01000000");  // t32 = 1
  EXPECT_EQ(CryptonoteDifficulty(*CryptonoteTarget64("01000000")), 4294967295ULL);
}

TEST(CryptonoteTarget, HashValueFromTheDocExample) {
  // A result whose high 64 bits (bytes 24..31, little-endian) are 0x0001b4cd6a04e0c0.
  Bytes hash(32, 0x11);
  WriteLE64(hash.data() + 24, 0x0001b4cd6a04e0c0ULL);
  EXPECT_EQ(CryptonoteHashValue(hash), 0x0001b4cd6a04e0c0ULL);
  EXPECT_EQ(CryptonoteDifficulty(CryptonoteHashValue(hash)), 38409u);
  EXPECT_TRUE(CryptonoteHashMeetsTarget(hash, *CryptonoteTarget64("b88d0600")));
  EXPECT_FALSE(CryptonoteHashMeetsTarget(hash, *CryptonoteTarget64(CryptonoteTargetHex(40000))));
}

}  // namespace
}  // namespace mw::stratum
