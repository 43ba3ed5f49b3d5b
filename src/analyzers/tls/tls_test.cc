#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iterator>
#include <random>
#include <vector>
#include <utility>
#include <string>

#include "analyzers/tls/certificate_cache.h"
#include "analyzers/tls/tls_analyzer.h"
#include "analyzers/tls/tls_certificate.h"
#include "analyzers/tls/tls_hello.h"
#include "analyzers/tls/tls_test_util.h"

namespace mw::analyzers::tls {
namespace {

using namespace testing;  // NOLINT: test builders

// Published fingerprints of a Chrome 143 ClientHello (browserleaks.com output, quoted in
// github:service0427/v2_cp_app tls.md). ChromeLikeClientHelloBody rebuilds a hello with the same
// ciphers, extensions (same order), groups, point formats, signature algorithms and ALPN, so our
// JA3/JA4 code must arrive at the same strings and hashes.
constexpr const char* kChromeJa3 =
    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
    "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0";
constexpr const char* kChromeJa3Md5 = "98487aa16281980e7d1120d399efb6a4";
constexpr const char* kChromeJa4 = "t13d1516h2_8daaf6152771_d8a2da3f94cd";
constexpr const char* kChromeJa4Raw =
    "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
    "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_"
    "0403,0804,0401,0503,0805,0501,0806,0601";

TEST(TlsHello, ParsesChromeLikeClientHelloAndMatchesPublishedFingerprints) {
  ClientHello ch;
  ASSERT_EQ(ParseClientHello(ChromeLikeClientHelloBody("tls.example.test"), ch), HelloError::kOk);
  EXPECT_EQ(ch.sni, "tls.example.test");
  ASSERT_EQ(ch.alpn.size(), 2u);
  EXPECT_EQ(ch.alpn[0], "h2");
  EXPECT_EQ(ch.alpn[1], "http/1.1");
  EXPECT_EQ(ch.cipher_suites.size(), 16u);  // with GREASE
  EXPECT_EQ(ClientMaxVersion(ch), 0x0304);
  EXPECT_EQ(Ja3String(ch), kChromeJa3);
  EXPECT_EQ(Md5Hex(Ja3String(ch)), kChromeJa3Md5);
  EXPECT_EQ(Ja4Raw(ch), kChromeJa4Raw);
  EXPECT_EQ(Ja4(ch), kChromeJa4);
}

TEST(TlsHello, Ja4SectionAVariants) {
  ClientHello ch;
  ch.legacy_version = 0x0303;
  EXPECT_EQ(Ja4(ch), "t12i000000_000000000000_000000000000");
  ch.alpn = {"\xab" "x"};  // non-alphanumeric first byte: first and last hex digit instead
  ch.cipher_suites = {0x0a0a, 0x002f};
  EXPECT_EQ(Ja4(ch).substr(0, 10), "t12i0100a8");
  ch.legacy_version = 0x0301;
  ch.alpn = {"http/1.1"};
  EXPECT_EQ(Ja4(ch).substr(0, 10), "t10i0100h1");
}

TEST(TlsHello, RejectsBadLengthsEverywhere) {
  const Bytes body = ChromeLikeClientHelloBody("a.test");
  ClientHello ch;
  for (size_t cut = 0; cut < body.size(); ++cut) {
    Bytes truncated(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(cut));
    // Cutting between the compression methods and the extensions leaves a valid old-style hello.
    if (ParseClientHello(truncated, ch) == HelloError::kOk) {
      EXPECT_TRUE(ch.extensions.empty()) << cut;
    }
  }
  Bytes odd = body;
  odd[2 + 32 + 1 + 32 + 1] ^= 0x01;  // odd cipher-suite length
  EXPECT_NE(ParseClientHello(odd, ch), HelloError::kOk);
}

TEST(TlsHello, ServerHelloAndJa3s) {
  ServerHello sh;
  ASSERT_EQ(ParseServerHello(ServerHello12Body(0xc02f), sh), HelloError::kOk);
  EXPECT_EQ(sh.cipher_suite, 0xc02f);
  EXPECT_EQ(sh.selected_version, 0x0303);
  EXPECT_EQ(sh.alpn, "h2");
  EXPECT_EQ(Ja3sString(sh), "771,49199,65281-16");
  EXPECT_EQ(Md5Hex(Ja3sString(sh)).size(), 32u);
}

Bytes CertificateMessage(const std::vector<Bytes>& ders) {
  Bytes list;
  for (const Bytes& d : ders) {
    Put24(list, d.size());
    Append(list, d);
  }
  Bytes body;
  Put24(body, list.size());
  Append(body, list);
  return body;
}

TEST(TlsCertificate, SelfSignedFlagBothWays) {
  KeyAndCert self;
  MakeCert("pool.self.test", nullptr, self);
  KeyAndCert ca;
  MakeCert("Test CA", nullptr, ca);
  KeyAndCert leaf;
  MakeCert("pool.ca.test", &ca, leaf);
  KeyAndCert other;
  MakeCert("other", nullptr, other);
  KeyAndCert forged;  // subject == issuer, but signed by someone else's key
  MakeCert("forged.test", nullptr, forged, other.key);

  CertificateInfo info;
  ASSERT_EQ(ParseCertificateMessage(CertificateMessage({CertDer(self)}), info), CertError::kOk);
  EXPECT_TRUE(info.self_signed);
  EXPECT_EQ(info.subject_cn, "pool.self.test");
  EXPECT_EQ(info.subject, info.issuer);
  EXPECT_NE(info.subject.find("CN=pool.self.test"), std::string::npos);
  EXPECT_LE(info.not_before, int64_t(std::time(nullptr)));
  EXPECT_GT(info.not_after, info.not_before + 86400 * 29);

  ASSERT_EQ(ParseCertificateMessage(CertificateMessage({CertDer(leaf), CertDer(ca)}), info),
            CertError::kOk);
  EXPECT_FALSE(info.self_signed);
  EXPECT_FALSE(info.self_issued);
  EXPECT_EQ(info.chain_length, 2u);
  EXPECT_EQ(info.subject_cn, "pool.ca.test");
  EXPECT_NE(info.issuer.find("CN=Test CA"), std::string::npos);

  ASSERT_EQ(ParseCertificateMessage(CertificateMessage({CertDer(forged)}), info), CertError::kOk);
  EXPECT_TRUE(info.self_issued);
  EXPECT_FALSE(info.self_signed);

  Bytes garbage = CertificateMessage({Bytes(40, 0x30)});
  EXPECT_EQ(ParseCertificateMessage(garbage, info), CertError::kBadDer);
  EXPECT_EQ(ParseCertificateMessage(CertificateMessage({}), info), CertError::kEmptyChain);
}

// A CA-signed certificate whose subject has many attribute types, characters RFC 2253 escapes,
// UTF-8, and (with `days` past 2049) a GeneralizedTime validity.
void MakeRichCert(const KeyAndCert& ca, long days, KeyAndCert& out) {
  out.key = EVP_EC_gen("P-256");
  out.cert = X509_new();
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), 1234567);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), 86400L * days);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME* name = X509_get_subject_name(out.cert);
  const std::pair<const char*, const char*> entries[] = {
      {"C", "DE"},           {"ST", "Baden-W\xc3\xbcrttemberg"}, {"L", "Stuttgart"},
      {"O", "Shop, Inc. + Sons"}, {"OU", "#web=\"ops\""},     {"emailAddress", "ops@shop.test"},
      {"CN", "api.shop.test"}};
  for (const auto& [field, value] : entries) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  }
  X509_set_issuer_name(out.cert, X509_get_subject_name(ca.cert));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca.cert, out.cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, "DNS:api.shop.test,DNS:shop.test"},
        std::pair{NID_basic_constraints, "CA:FALSE"}, std::pair{NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(out.cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(out.cert, ca.key, EVP_sha256());
}

void ExpectSameInfo(const CertificateInfo& a, const CertificateInfo& b) {
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.subject_cn, b.subject_cn);
  EXPECT_EQ(a.issuer, b.issuer);
  EXPECT_EQ(a.self_issued, b.self_issued);
  EXPECT_EQ(a.self_signed, b.self_signed);
  EXPECT_EQ(a.not_before, b.not_before);
  EXPECT_EQ(a.not_after, b.not_after);
  EXPECT_EQ(a.der_size, b.der_size);
}

// The fast parse (outer fields located by hand, names and times decoded by OpenSSL) reports what
// decoding the whole certificate with OpenSSL reports.
TEST(TlsCertificate, FastParseEqualsFullDecode) {
  KeyAndCert ca, self, forged, other, leaf, rich, rich2060;
  MakeCert("Test CA", nullptr, ca);
  MakeCert("pool.self.test", nullptr, self);
  MakeCert("other", nullptr, other);
  MakeCert("forged.test", nullptr, forged, other.key);
  MakeCert("pool.ca.test", &ca, leaf);
  MakeRichCert(ca, 30, rich);
  MakeRichCert(ca, 365L * 40, rich2060);  // notAfter past 2049: GeneralizedTime
  for (const KeyAndCert* kc : {&ca, &self, &forged, &leaf, &rich, &rich2060}) {
    const Bytes der = CertDer(*kc);
    CertificateInfo fast, full;
    ASSERT_EQ(ParseCertificateDer(der, fast), CertError::kOk);
    ASSERT_EQ(DecodeCertificateFully(der, full), CertError::kOk);
    ExpectSameInfo(fast, full);
  }
  CertificateInfo info;
  ASSERT_EQ(ParseCertificateDer(CertDer(rich), info), CertError::kOk);
  EXPECT_EQ(info.subject_cn, "api.shop.test");
  EXPECT_NE(info.subject.find("O=Shop\\, Inc. \\+ Sons"), std::string::npos) << info.subject;
  EXPECT_NE(info.issuer.find("CN=Test CA"), std::string::npos);
  EXPECT_FALSE(info.self_issued);
  CertificateInfo far;
  ASSERT_EQ(ParseCertificateDer(CertDer(rich2060), far), CertError::kOk);
  EXPECT_GT(far.not_after, int64_t(2524608000));  // 2050-01-01

  // Every truncation, and every single-byte change of the outer fields' tags and lengths, is
  // refused or parsed without harm; a truncation is always refused.
  const Bytes der = CertDer(rich);
  for (size_t cut = 0; cut < der.size(); ++cut) {
    EXPECT_EQ(ParseCertificateDer(ByteSpan(der).first(cut), info), CertError::kBadDer) << cut;
  }
  for (size_t i = 0; i < 40; ++i) {
    for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      Bytes bad = der;
      bad[i] ^= x;
      (void)ParseCertificateDer(bad, info);
    }
  }
}

// Random names of the common shape (one attribute per RDN, ASCII values with every character
// RFC 2253 escapes, spaces at the ends, control characters) in certificates with random
// validity: the hand-read path must print, compare and date them exactly as OpenSSL does.
TEST(TlsCertificate, HandReadNamesAndTimesEqualOpenSsl) {
  KeyAndCert ca;
  MakeCert("Test CA", nullptr, ca);
  const char* fields[] = {"CN", "O", "OU", "C", "L", "ST", "emailAddress", "DC", "serialNumber",
                          "street", "title", "postalCode", "organizationIdentifier",
                          "jurisdictionC", "businessCategory", "UID"};
  const int types[] = {V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
                       V_ASN1_VISIBLESTRING};
  const std::string alphabet = "aZ09 .-,+\"\\<>;#=/\t\x01\x7f*@";
  std::mt19937 rng(11);
  auto random_value = [&] {
    std::string v;
    const size_t n = rng() % 9;
    for (size_t i = 0; i < n; ++i) v += alphabet[rng() % alphabet.size()];
    return v;
  };
  auto add = [&](X509_NAME* name, const char* field, const std::string& v, int type) {
    X509_NAME_add_entry_by_txt(name, field, type, reinterpret_cast<const unsigned char*>(v.data()),
                               int(v.size()), -1, 0);
  };
  size_t self_issued = 0, hand_read = 0;
  for (int n = 0; n < 300; ++n) {
    KeyAndCert kc;
    kc.key = EVP_EC_gen("P-256");
    kc.cert = X509_new();
    X509_set_version(kc.cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(kc.cert), n + 1);
    // Validity anywhere from 1951 to 2099: UTCTime before 2050, GeneralizedTime after.
    time_t base = 0;
    X509_time_adj_ex(X509_getm_notBefore(kc.cert), int(rng() % 36500) - 6900, long(rng() % 86400), &base);
    X509_time_adj_ex(X509_getm_notAfter(kc.cert), int(rng() % 47000) - 6900, long(rng() % 86400), &base);
    X509_set_pubkey(kc.cert, kc.key);
    X509_NAME* subject = X509_get_subject_name(kc.cert);
    std::vector<std::pair<const char*, std::string>> entries;
    const size_t rdns = rng() % 5;
    for (size_t i = 0; i < rdns; ++i) {
      entries.emplace_back(fields[rng() % std::size(fields)], random_value());
      add(subject, entries.back().first, entries.back().second, types[rng() % std::size(types)]);
    }
    if (n % 3 == 0) {
      // An issuer that may equal the subject canonically: same types, values with letters
      // in another case, runs of white space, spaces at the ends, another string type.
      X509_NAME* issuer = X509_NAME_new();
      for (auto [field, v] : entries) {
        if (rng() % 2 == 0) {
          for (char& c : v) c = char(std::toupper(static_cast<unsigned char>(c)));
        }
        if (rng() % 2 == 0) v = " " + v + "\t ";
        add(issuer, field, v, types[rng() % std::size(types)]);
      }
      X509_set_issuer_name(kc.cert, issuer);
      X509_NAME_free(issuer);
    } else {
      X509_set_issuer_name(kc.cert, X509_get_subject_name(ca.cert));
    }
    X509_sign(kc.cert, n % 3 == 0 ? kc.key : ca.key, EVP_sha256());
    const Bytes der = CertDer(kc);
    CertificateInfo fast, full;
    ASSERT_EQ(DecodeCertificateFully(der, full), CertError::kOk) << n;
    ASSERT_EQ(ParseCertificateDer(der, fast), CertError::kOk) << n;
    SCOPED_TRACE(full.subject);
    ExpectSameInfo(fast, full);
    self_issued += full.self_issued;
    hand_read += !full.self_issued;
  }
  EXPECT_GT(self_issued, 20u);  // both paths of the comparison were taken
  EXPECT_GT(hand_read, 150u);
}

TEST(CertificateCache, AnswersRepeatsAndOnlyExactRepeats) {
  KeyAndCert ca, a, b, c;
  MakeCert("Test CA", nullptr, ca);
  MakeCert("a.pool.test", &ca, a);
  MakeCert("b.pool.test", &ca, b);
  MakeCert("c.pool.test", &ca, c);
  const Bytes da = CertDer(a), db = CertDer(b), dc = CertDer(c);
  CertificateCache cache(2);
  CertificateInfo info, direct;
  ASSERT_EQ(cache.Parse(da, info), CertError::kOk);
  EXPECT_EQ(cache.misses(), 1u);
  ASSERT_EQ(cache.Parse(da, info), CertError::kOk);
  EXPECT_EQ(cache.hits(), 1u);
  ASSERT_EQ(ParseCertificateDer(da, direct), CertError::kOk);
  ExpectSameInfo(info, direct);

  // Oldest first out: with room for two, a third certificate replaces the first.
  ASSERT_EQ(cache.Parse(db, info), CertError::kOk);
  ASSERT_EQ(cache.Parse(dc, info), CertError::kOk);
  EXPECT_EQ(info.subject_cn, "c.pool.test");
  EXPECT_EQ(cache.size(), 2u);
  const uint64_t misses = cache.misses();
  ASSERT_EQ(cache.Parse(dc, info), CertError::kOk);
  ASSERT_EQ(cache.Parse(db, info), CertError::kOk);
  EXPECT_EQ(info.subject_cn, "b.pool.test");
  EXPECT_EQ(cache.misses(), misses);
  ASSERT_EQ(cache.Parse(da, info), CertError::kOk);
  EXPECT_EQ(cache.misses(), misses + 1);
  EXPECT_EQ(info.subject_cn, "a.pool.test");

  // Another certificate under the same key (same length, same signature bytes, one letter of
  // the name changed) is parsed, not given the cached answer, and then takes the slot.
  Bytes other = da;
  const auto at = std::search(other.begin(), other.end(), std::begin("a.pool"), std::end("a.pool") - 1);
  ASSERT_NE(at, other.end());
  *at = 'x';
  ASSERT_EQ(CertificateCache::KeyOf(other), CertificateCache::KeyOf(da));
  CertificateCache same_key;
  ASSERT_EQ(same_key.Parse(da, info), CertError::kOk);
  ASSERT_EQ(same_key.Parse(other, info), CertError::kOk);
  EXPECT_EQ(info.subject_cn, "x.pool.test");
  EXPECT_EQ(same_key.hits(), 0u);
  ASSERT_EQ(same_key.Parse(other, info), CertError::kOk);
  EXPECT_EQ(same_key.hits(), 1u);
  ASSERT_EQ(same_key.Parse(da, info), CertError::kOk);
  EXPECT_EQ(info.subject_cn, "a.pool.test");
  EXPECT_EQ(same_key.hits(), 1u);

  // Failures are not kept.
  const Bytes garbage(40, 0x30);
  EXPECT_EQ(same_key.Parse(garbage, info), CertError::kBadDer);
  EXPECT_EQ(same_key.Parse(garbage, info), CertError::kBadDer);
  EXPECT_EQ(same_key.hits(), 1u);
}

// Distinct self-issued certificates (each would cost the whole decode and a signature check) get
// that check for the first 64 and then for one in 64 parsed; the rest are assumed self-signed,
// counted, and not kept.
TEST(CertificateCache, BoundsWholeDecodesOfSelfIssuedCertificates) {
  std::vector<Bytes> ders;
  for (int i = 0; i < 100; ++i) {
    KeyAndCert kc;
    MakeCert("self" + std::to_string(i) + ".pool.test", nullptr, kc);
    ders.push_back(CertDer(kc));
  }
  CertificateCache cache;
  size_t checked = 0, assumed = 0;
  for (const Bytes& der : ders) {
    CertificateInfo info;
    ASSERT_EQ(cache.Parse(der, info), CertError::kOk);
    EXPECT_TRUE(info.self_issued);
    EXPECT_TRUE(info.self_signed);
    (info.self_signed_assumed ? assumed : checked) += 1;
  }
  // The 64th parse and later may take one more: 64 + misses / 64 = 65 by the 100th.
  EXPECT_EQ(checked, 65u);
  EXPECT_EQ(assumed, 35u);
  EXPECT_EQ(cache.whole_decodes(), 65u);
  EXPECT_EQ(cache.assumed(), 35u);
  CertificateInfo info;
  ASSERT_EQ(cache.Parse(ders.back(), info), CertError::kOk);  // assumed before: not kept
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_TRUE(info.self_signed_assumed);
  ASSERT_EQ(cache.Parse(ders.front(), info), CertError::kOk);  // checked before: kept
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_FALSE(info.self_signed_assumed);
  // Without a cache nothing is assumed unless asked.
  ASSERT_EQ(ParseCertificateDer(ders.back(), info), CertError::kOk);
  EXPECT_FALSE(info.self_signed_assumed);
  bool whole = false;
  ASSERT_EQ(ParseCertificateDer(ders.back(), info, SelfIssued::kAssume, &whole), CertError::kOk);
  EXPECT_FALSE(whole);
  EXPECT_TRUE(info.self_signed_assumed);
  EXPECT_EQ(info.subject_cn, "self99.pool.test");
}

// Client: one ClientHello record. Server: ServerHello + Certificate + ServerHelloDone, with the
// Certificate message split across two records, then CCS and encrypted data.
struct Conversation {
  Bytes client, server;
};
Conversation MakeTls12Conversation(const KeyAndCert& cert) {
  Conversation c;
  c.client = Record(22, Handshake(1, ChromeLikeClientHelloBody("pool.self.test")));
  Bytes hs = Handshake(2, ServerHello12Body(0xc02f));
  Append(hs, Handshake(11, CertificateMessage({CertDer(cert)})));
  Append(hs, Handshake(14, {}));
  const size_t half = hs.size() / 2;
  Append(c.server, Record(22, Bytes(hs.begin(), hs.begin() + static_cast<std::ptrdiff_t>(half)),
                          0x0303));
  Append(c.server, Record(22, Bytes(hs.begin() + static_cast<std::ptrdiff_t>(half), hs.end()),
                          0x0303));
  Append(c.server, Record(20, {0x01}, 0x0303));
  Append(c.server, Record(22, Bytes(40, 0x99), 0x0303));  // encrypted Finished: not parsed
  Append(c.server, Record(23, {}, 0x0303));  // empty application data record (legal)
  Append(c.server, Record(23, Bytes(100, 0x77), 0x0303));
  return c;
}

TEST(TlsAnalyzer, SplitAtEveryByteBoundary) {
  KeyAndCert self;
  MakeCert("pool.self.test", nullptr, self);
  const Conversation conv = MakeTls12Conversation(self);
  for (size_t cut = 0; cut <= conv.server.size(); cut += 1) {
    CounterSet counters;
    TlsAnalyzer a(&counters);
    const size_t ccut = cut % (conv.client.size() + 1);
    a.Feed(Direction::kToServer, ByteSpan(conv.client).first(ccut));
    a.Feed(Direction::kToServer, ByteSpan(conv.client).subspan(ccut));
    a.Feed(Direction::kToClient, ByteSpan(conv.server).first(cut));
    a.Feed(Direction::kToClient, ByteSpan(conv.server).subspan(cut));
    auto events = a.TakeEvents();
    ASSERT_EQ(events.size(), 3u) << cut;
    const auto* ch = std::get_if<ClientHelloRecord>(&events[0].what);
    ASSERT_NE(ch, nullptr);
    EXPECT_EQ(ch->ja4, kChromeJa4);
    EXPECT_EQ(ch->ja3_md5, kChromeJa3Md5);
    const auto* sh = std::get_if<ServerHelloRecord>(&events[1].what);
    ASSERT_NE(sh, nullptr);
    EXPECT_EQ(sh->hello.alpn, "h2");
    const auto* cert = std::get_if<CertificateInfo>(&events[2].what);
    ASSERT_NE(cert, nullptr);
    EXPECT_TRUE(cert->self_signed);
    EXPECT_EQ(a.application_data_bytes(Direction::kToClient), 100u);
    EXPECT_FALSE(a.NotTls(Direction::kToClient));
    EXPECT_EQ(a.records(Direction::kToClient), 6u);
    EXPECT_EQ(counters.Value("certificate"), 1u);
    EXPECT_EQ(counters.Snapshot().count("malformed.handshake_too_large"), 0u);
  }
}

TEST(TlsAnalyzer, Tls13HidesTheCertificate) {
  Bytes sh_body = ServerHello12Body(0x1301);
  // Append supported_versions = TLS 1.3 to the extensions block.
  Bytes ext;
  PutExt(ext, 43, {0x03, 0x04});
  const size_t ext_len_at = 2 + 32 + 1 + 2 + 1;
  const size_t old_len = ReadBE16(sh_body.data() + ext_len_at);
  sh_body[ext_len_at] = uint8_t((old_len + ext.size()) >> 8);
  sh_body[ext_len_at + 1] = uint8_t(old_len + ext.size());
  Append(sh_body, ext);
  KeyAndCert self;
  MakeCert("x", nullptr, self);
  Bytes server = Record(22, Handshake(2, sh_body), 0x0303);
  // Even if a Certificate handshake appeared in clear after a 1.3 ServerHello, it is ignored.
  Append(server, Record(22, Handshake(11, CertificateMessage({CertDer(self)})), 0x0303));
  TlsAnalyzer a;
  a.Feed(Direction::kToClient, server);
  auto events = a.TakeEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ServerHelloRecord>(events[0].what).hello.selected_version, 0x0304);
}

TEST(TlsAnalyzer, NotTlsIsDecidedOnTheFirstBytes) {
  CounterSet counters;
  TlsAnalyzer a(&counters);
  a.Feed(Direction::kToServer, AsBytes("{\"id\":1,\"method\":\"mining.subscribe\"}\n"));
  EXPECT_TRUE(a.NotTls(Direction::kToServer));
  EXPECT_FALSE(a.IsTls());
  EXPECT_EQ(counters.Value("not_tls"), 1u);
  TlsAnalyzer b;
  b.Feed(Direction::kToServer, Bytes{0x17, 0x03, 0x03, 0x00, 0x10});  // app data first
  EXPECT_TRUE(b.NotTls(Direction::kToServer));
  TlsAnalyzer c;
  c.Feed(Direction::kToServer, Bytes{0x16, 0x03, 0x01, 0xff, 0xff});  // record too long
  EXPECT_TRUE(c.NotTls(Direction::kToServer));
}

// Left to the caller, the fingerprints are not computed, and computing them later from the
// event's hello gives what the analyzer would have given.
TEST(TlsAnalyzer, FingerprintsLeftToTheCallerMatchComputedOnes) {
  const Bytes hello = Record(22, Handshake(1, ChromeLikeClientHelloBody("a.test")));
  const Bytes server = Record(22, Handshake(2, ServerHello12Body(0xc02f)));
  TlsAnalyzer computed;
  TlsAnalyzer lazy(nullptr, TlsAnalyzer::Fingerprints::kLeaveToCaller);
  for (TlsAnalyzer* a : {&computed, &lazy}) {
    a->Feed(Direction::kToServer, hello);
    a->Feed(Direction::kToClient, server);
  }
  const auto want = computed.TakeEvents();
  const auto got = lazy.TakeEvents();
  ASSERT_EQ(want.size(), 2u);
  ASSERT_EQ(got.size(), 2u);
  const auto& ch_want = std::get<ClientHelloRecord>(want[0].what);
  const auto& ch_got = std::get<ClientHelloRecord>(got[0].what);
  EXPECT_TRUE(ch_got.ja3.empty() && ch_got.ja3_md5.empty() && ch_got.ja4.empty() &&
              ch_got.ja4_raw.empty());
  EXPECT_EQ(ch_got.hello.sni, "a.test");
  EXPECT_EQ(Ja3String(ch_got.hello), ch_want.ja3);
  EXPECT_EQ(Ja4(ch_got.hello), ch_want.ja4);
  EXPECT_EQ(Ja4Raw(ch_got.hello), ch_want.ja4_raw);
  const auto& sh_want = std::get<ServerHelloRecord>(want[1].what);
  const auto& sh_got = std::get<ServerHelloRecord>(got[1].what);
  EXPECT_TRUE(sh_got.ja3s.empty());
  EXPECT_EQ(Md5Hex(Ja3sString(sh_got.hello)), sh_want.ja3s_md5);
}

// A listener receives, in order, what the event queue would have held, and nothing is queued.
TEST(TlsAnalyzer, ListenerGetsWhatTheEventsWouldHold) {
  struct Recorder final : TlsListener {
    std::vector<std::string> calls;
    void OnClientHello(Direction dir, ClientHello& h) override {
      calls.push_back("client_hello " + h.sni + " " + Ja4(h) + DirName(dir));
    }
    void OnServerHello(Direction dir, ServerHello& h) override {
      calls.push_back("server_hello " + h.alpn + " " + Md5Hex(Ja3sString(h)) + DirName(dir));
    }
    void OnCertificate(Direction dir, CertificateInfo& c) override {
      calls.push_back("certificate " + c.subject + " / " + c.issuer +
                      (c.self_signed ? " self-signed" : "") + DirName(dir));
    }
    static std::string DirName(Direction d) {
      return d == Direction::kToServer ? " >" : " <";
    }
  };
  KeyAndCert self;
  MakeCert("pool.self.test", nullptr, self);
  const Conversation conv = MakeTls12Conversation(self);
  for (size_t cut = 0; cut <= conv.server.size(); cut += 7) {
    TlsAnalyzer queued;
    Recorder rec;
    TlsAnalyzer heard(nullptr, TlsAnalyzer::Fingerprints::kLeaveToCaller, nullptr, &rec);
    for (TlsAnalyzer* a : {&queued, &heard}) {
      a->Feed(Direction::kToServer, conv.client);
      a->Feed(Direction::kToClient, ByteSpan(conv.server).first(cut));
      a->Feed(Direction::kToClient, ByteSpan(conv.server).subspan(cut));
    }
    EXPECT_FALSE(heard.has_events());
    std::vector<std::string> want;
    for (auto& ev : queued.TakeEvents()) {
      if (auto* ch = std::get_if<ClientHelloRecord>(&ev.what)) {
        want.push_back("client_hello " + ch->hello.sni + " " + ch->ja4 + Recorder::DirName(ev.dir));
      } else if (auto* sh = std::get_if<ServerHelloRecord>(&ev.what)) {
        want.push_back("server_hello " + sh->hello.alpn + " " + sh->ja3s_md5 +
                       Recorder::DirName(ev.dir));
      } else if (auto* c = std::get_if<CertificateInfo>(&ev.what)) {
        want.push_back("certificate " + c->subject + " / " + c->issuer +
                       (c->self_signed ? " self-signed" : "") + Recorder::DirName(ev.dir));
      }
    }
    ASSERT_EQ(want.size(), 3u);
    EXPECT_EQ(rec.calls, want) << cut;
  }
}

// A hello parsed into a used ClientHello (the sensor reuses one flow after flow) is the hello
// parsed into a fresh one; ResetClientHello leaves a fresh one.
TEST(TlsHello, ParsingIntoAUsedHelloEqualsAFreshOne) {
  ClientHello used;
  ASSERT_EQ(ParseClientHello(ChromeLikeClientHelloBody("a-rather-long-server-name.example"),
                             used), HelloError::kOk);
  ASSERT_FALSE(used.alpn.empty());
  // A minimal hello: no extensions at all.
  Bytes minimal;
  Put16(minimal, 0x0303);
  minimal.resize(minimal.size() + 32, 0x11);
  Put8(minimal, 0);
  Put16(minimal, 2);
  Put16(minimal, 0x002f);
  Put8(minimal, 1);
  Put8(minimal, 0);
  ClientHello fresh;
  ASSERT_EQ(ParseClientHello(minimal, fresh), HelloError::kOk);
  ASSERT_EQ(ParseClientHello(minimal, used), HelloError::kOk);
  EXPECT_EQ(used, fresh);
  EXPECT_TRUE(used.sni.empty() && used.alpn.empty() && !used.has_sni);
  ASSERT_EQ(ParseClientHello(ChromeLikeClientHelloBody("x.test"), used), HelloError::kOk);
  ResetClientHello(used);
  EXPECT_EQ(used, ClientHello{});
}

// A listener that offers its own ClientHello gets the hello parsed into it; a hello that fails
// to parse leaves it reset, not half filled.
TEST(TlsAnalyzer, ListenerTargetTakesTheHelloOrIsLeftReset) {
  struct Target final : TlsListener {
    ClientHello mine;
    const ClientHello* got = nullptr;
    ClientHello* ClientHelloTarget() override { return &mine; }
    void OnClientHello(Direction, ClientHello& h) override { got = &h; }
    void OnServerHello(Direction, ServerHello&) override {}
    void OnCertificate(Direction, CertificateInfo&) override {}
  };
  Target t;
  TlsAnalyzer a(nullptr, TlsAnalyzer::Fingerprints::kLeaveToCaller, nullptr, &t);
  a.Feed(Direction::kToServer, Record(22, Handshake(1, ChromeLikeClientHelloBody("t.test"))));
  EXPECT_EQ(t.got, &t.mine);
  EXPECT_EQ(t.mine.sni, "t.test");
  // A truncated hello (its extensions block cut short) after a good one, in another analyzer.
  Bytes body = ChromeLikeClientHelloBody("u.test");
  body.resize(body.size() - 10);
  t.got = nullptr;
  CounterSet counters;
  TlsAnalyzer b(&counters, TlsAnalyzer::Fingerprints::kLeaveToCaller, nullptr, &t);
  b.Feed(Direction::kToServer, Record(22, Handshake(1, body)));
  EXPECT_EQ(t.got, nullptr);
  EXPECT_EQ(t.mine, ClientHello{});
  EXPECT_EQ(counters.Snapshot().size(), 1u);  // one malformed.<reason> counter
}

// The static first-header verdict (the sensor asks it before building an analyzer) agrees
// with Feed() on every kind of first header, both directions, and bumps the same counters.
TEST(TlsAnalyzer, FirstHeaderVerdictMatchesFeed) {
  const Bytes hello = Record(22, Handshake(1, ChromeLikeClientHelloBody("a.test")));
  auto text = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
  const Bytes firsts[] = {
      hello,
      Bytes{0x16, 0x03, 0x01, 0xff, 0xff},                  // too long
      Bytes{0x16, 0x03, 0x01, 0x48, 0x00, 0x01},            // just above the limit
      Bytes{0x16, 0x03, 0x05, 0x00, 0x10},                  // minor version 5
      Bytes{0x16, 0x02, 0x01, 0x00, 0x10},                  // major version 2
      Bytes{0x17, 0x03, 0x03, 0x00, 0x10},                  // application data first
      Bytes{0x17, 0x03, 0x03, 0x00, 0x00},                  // empty application data
      Bytes{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28},      // an alert
      Bytes{0x16, 0x03, 0x03, 0x00, 0x00},                  // empty handshake record
      Bytes{0x13, 0x03, 0x03, 0x00, 0x10},                  // content type 19
      Bytes{0x19, 0x03, 0x03, 0x00, 0x10},                  // content type 25
      text("\x16\x03\x01{\"id\":1,\"method\":\"mining.subscribe\"}\n"),
      text("GET / HTTP/1.1\r\n"),
  };
  for (const Direction dir : {Direction::kToServer, Direction::kToClient}) {
    for (const Bytes& first : firsts) {
      CounterSet fed, asked;
      TlsAnalyzer a(&fed);
      a.Feed(dir, first);
      const bool ruled_out = TlsAnalyzer::RuledOutByFirstHeader(dir, first, &asked);
      EXPECT_EQ(ruled_out, a.NotTls(dir)) << ToHex(first) << " dir " << int(dir);
      if (ruled_out) {
        EXPECT_EQ(asked.Snapshot(), fed.Snapshot()) << ToHex(first);
      } else {
        EXPECT_TRUE(asked.Snapshot().empty()) << ToHex(first);
      }
    }
  }
  // Fewer than a header's bytes: undecided, nothing counted.
  CounterSet none;
  EXPECT_FALSE(
      TlsAnalyzer::RuledOutByFirstHeader(Direction::kToServer, Bytes{0x16, 0x03, 0x01, 0xff}, &none));
  EXPECT_TRUE(none.Snapshot().empty());
}

// Where the bytes stop being TLS records, in the call that found it out.
TEST(TlsAnalyzer, NotTlsOffsetPointsAtTheRecordHeaderThatFailed) {
  TlsAnalyzer first;
  first.Feed(Direction::kToServer, AsBytes("GET / HTTP/1.1\r\n"));
  ASSERT_TRUE(first.NotTls(Direction::kToServer));
  EXPECT_EQ(first.NotTlsOffset(Direction::kToServer), 0u);

  // A whole record, then plaintext in the same bytes: the failing header starts after it.
  Bytes decoy = Record(22, Handshake(1, ChromeLikeClientHelloBody("a.test")));
  const size_t record_bytes = decoy.size();
  Append(decoy, AsBytes("{\"id\":1}\n"));
  TlsAnalyzer same;
  same.Feed(Direction::kToServer, decoy);
  ASSERT_TRUE(same.NotTls(Direction::kToServer));
  EXPECT_EQ(same.NotTlsOffset(Direction::kToServer), record_bytes);
  EXPECT_EQ(same.TakeEvents().size(), 1u);  // the ClientHello still counts

  // A header split across calls: it began in the earlier one.
  TlsAnalyzer split;
  split.Feed(Direction::kToServer, Record(22, Handshake(1, ChromeLikeClientHelloBody("a.test"))));
  split.Feed(Direction::kToServer, AsBytes("{\""));
  EXPECT_FALSE(split.NotTls(Direction::kToServer));
  split.Feed(Direction::kToServer, AsBytes("id\":1}\n"));
  ASSERT_TRUE(split.NotTls(Direction::kToServer));
  EXPECT_EQ(split.NotTlsOffset(Direction::kToServer), 0u);
}

TEST(TlsAnalyzer, OversizedHandshakeMessageIsDroppedNotBuffered) {
  CounterSet counters;
  TlsAnalyzer a(&counters);
  Bytes body = {1, 0x10, 0x00, 0x00};  // ClientHello claiming 1 MiB
  body.resize(1000, 0);
  a.Feed(Direction::kToServer, Record(22, body));
  EXPECT_EQ(counters.Value("malformed.handshake_too_large"), 1u);
  EXPECT_TRUE(a.TakeEvents().empty());
  EXPECT_TRUE(a.IsTls());
}

}  // namespace
}  // namespace mw::analyzers::tls
