#include "net/testing/capture_gen.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "net/testing/certificate_maker.h"
#include "net/testing/packet_builder.h"

namespace mw::net::testing {
namespace {

constexpr uint8_t kSyn = 0x02, kFin = 0x01, kAck = 0x10, kPsh = 0x08;
constexpr size_t kMss = 1448;

enum class Kind : uint8_t { kWeb, kDns, kStratum };

// One planned packet of a flow: direction, TCP flags, payload bytes.
struct Step {
  bool to_server;
  uint8_t flags;
  std::string payload;
};

struct FlowPlan {
  Kind kind;
  std::string client, server;
  bool v6;
  uint16_t client_port, server_port;
  uint32_t seq[2];  // next sequence number: [0] client, [1] server
  std::vector<Step> steps;
  size_t next = 0;
};

// Wire-format builders for the generated application bytes (big-endian fields).
void Put8(std::string& s, uint32_t v) { s.push_back(static_cast<char>(v & 0xFF)); }
void Put16(std::string& s, uint32_t v) {
  Put8(s, v >> 8);
  Put8(s, v);
}
void Put24(std::string& s, uint32_t v) {
  Put8(s, v >> 16);
  Put16(s, v);
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, v >> 16);
  Put16(s, v);
}
// A 16-bit length, then the bytes.
std::string Vec16(const std::string& body) {
  std::string s;
  Put16(s, static_cast<uint32_t>(body.size()));
  return s + body;
}
std::string TlsExtension(uint16_t type, const std::string& data) {
  std::string s;
  Put16(s, type);
  return s + Vec16(data);
}
std::string TlsRecord(uint8_t type, uint16_t version, const std::string& body) {
  std::string s;
  Put8(s, type);
  Put16(s, version);
  return s + Vec16(body);
}
std::string TlsHandshake(uint8_t type, const std::string& body) {
  std::string s;
  Put8(s, type);
  Put24(s, static_cast<uint32_t>(body.size()));
  return s + body;
}
// A DNS name in labels ("www.site7.example" -> 3www5site77example0).
std::string DnsName(const std::string& name) {
  std::string s;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    Put8(s, static_cast<uint32_t>(dot - start));
    s.append(name, start, dot - start);
    start = dot + 1;
  }
  Put8(s, 0);
  return s;
}

class Generator {
 public:
  explicit Generator(const MixedCaptureOptions& o)
      : o_(o), rng_(o.seed), certs_(o.seed, o.start_us / 1'000'000 - 30 * 86400) {
    filler_.resize(1500);
    for (char& c : filler_) c = static_cast<char>(rng_() & 0xFF);
  }

  template <typename Emit>
  CaptureSummary Run(Emit&& emit) {
    CaptureSummary sum;
    std::vector<FlowPlan> open;
    uint32_t started = 0;
    int64_t ts = o_.start_us;
    while (started < o_.flows || !open.empty()) {
      while (open.size() < o_.concurrent_flows && started < o_.flows) {
        open.push_back(NewFlow(started++, sum));
      }
      const size_t pick = rng_() % open.size();
      FlowPlan& f = open[pick];
      const Step& s = f.steps[f.next++];
      const Bytes frame = Frame(f, s);
      ts += 1 + static_cast<int64_t>(rng_() % 8);
      emit(ts, frame);
      ++sum.packets;
      sum.bytes += frame.size();
      if (f.next == f.steps.size()) {
        open[pick] = std::move(open.back());
        open.pop_back();
      }
    }
    return sum;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  uint32_t Uniform(uint32_t lo, uint32_t hi) { return lo + static_cast<uint32_t>(rng_() % (hi - lo + 1)); }
  std::string Random(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng_() & 0xFF);
    return s;
  }
  // Names under .example (reserved: never a real host), a few thousand of them, as a site mix.
  std::string SiteName() {
    static constexpr const char* kPrefixes[] = {"www", "cdn", "api", "static", "img", "login"};
    const uint32_t site = Uniform(1, 3000);
    return std::string(kPrefixes[site % 6]) + ".site" + std::to_string(site) + ".example";
  }

  // A browser-like TLS 1.3 ClientHello record (ciphers, groups, ALPN h2 and http/1.1, key share,
  // supported versions, padding to 512 bytes of handshake), naming `sni`.
  std::string ClientHello(const std::string& sni) {
    std::string body;
    Put16(body, 0x0303);
    body += Random(32);
    Put8(body, 32);
    body += Random(32);
    std::string suites;
    for (uint16_t c : {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                       0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}) {
      Put16(suites, c);
    }
    body += Vec16(suites);
    body += std::string("\x01\x00", 2);  // compression: null only
    std::string ext;
    std::string host_name;
    Put8(host_name, 0);
    host_name += Vec16(sni);
    ext += TlsExtension(0, Vec16(host_name));
    ext += TlsExtension(23, "");                            // extended_master_secret
    ext += TlsExtension(0xff01, std::string(1, '\0'));     // renegotiation_info
    std::string groups;
    for (uint16_t g : {0x001d, 0x0017, 0x0018}) Put16(groups, g);
    ext += TlsExtension(10, Vec16(groups));
    ext += TlsExtension(11, std::string("\x01\x00", 2));  // ec_point_formats: uncompressed
    ext += TlsExtension(35, "");                            // session_ticket
    ext += TlsExtension(16, Vec16(std::string("\x02h2\x08http/1.1", 12)));
    ext += TlsExtension(5, std::string("\x01\x00\x00\x00\x00", 5));  // status_request
    std::string sigs;
    for (uint16_t a : {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}) {
      Put16(sigs, a);
    }
    ext += TlsExtension(13, Vec16(sigs));
    ext += TlsExtension(18, "");  // signed_certificate_timestamp
    std::string share;
    Put16(share, 0x001d);
    share += Vec16(Random(32));
    ext += TlsExtension(51, Vec16(share));
    ext += TlsExtension(45, std::string("\x01\x01", 2));  // psk_dhe_ke
    ext += TlsExtension(43, std::string("\x04\x03\x04\x03\x03", 5));
    // padding: the handshake message to 512 bytes
    const size_t so_far = 4 + body.size() + 2 + ext.size() + 4;
    if (so_far < 512) ext += TlsExtension(21, std::string(512 - so_far, '\0'));
    body += Vec16(ext);
    return TlsRecord(22, 0x0301, TlsHandshake(1, body));
  }

  // A ServerHello body up to its extensions: legacy version 1.2, random, a 32-byte session id,
  // `cipher`, no compression.
  std::string ServerHelloStart(uint16_t cipher) {
    std::string body;
    Put16(body, 0x0303);
    body += Random(32);
    Put8(body, 32);
    body += Random(32);
    Put16(body, cipher);
    Put8(body, 0);
    return body;
  }

  // The server's TLS 1.3 first flight: ServerHello, ChangeCipherSpec, then its encrypted
  // handshake (certificate and all) as one application-data record of `encrypted` bytes.
  std::string ServerFlight(size_t encrypted) {
    std::string body = ServerHelloStart(0x1301);
    std::string ext = TlsExtension(43, std::string("\x03\x04", 2));
    std::string share;
    Put16(share, 0x001d);
    share += Vec16(Random(32));
    ext += TlsExtension(51, share);
    body += Vec16(ext);
    return TlsRecord(22, 0x0303, TlsHandshake(2, body)) +
           TlsRecord(20, 0x0303, std::string(1, '\x01')) + TlsRecord(23, 0x0303, Filler(encrypted));
  }

  // The server's TLS 1.2 first flight, one handshake record: ServerHello (ALPN h2), its
  // certificate chain for `host` (leaf, intermediate), an ECDHE ServerKeyExchange (X25519, an
  // ECDSA-sized signature) and ServerHelloDone.
  std::string ServerFlight12(const std::string& host) {
    std::string hello = ServerHelloStart(0xc02f);
    std::string ext = TlsExtension(0xff01, std::string(1, '\0'));
    ext += TlsExtension(11, std::string("\x01\x00", 2));
    ext += TlsExtension(16, Vec16(std::string("\x02h2", 3)));
    ext += TlsExtension(23, "");
    hello += Vec16(ext);
    std::string chain;
    for (const std::string* der : {&certs_.LeafDer(host), &certs_.IntermediateDer()}) {
      Put24(chain, static_cast<uint32_t>(der->size()));
      chain += *der;
    }
    std::string certificate;
    Put24(certificate, static_cast<uint32_t>(chain.size()));
    certificate += chain;
    std::string kex;
    Put8(kex, 3);  // named curve
    Put16(kex, 0x001d);
    Put8(kex, 32);
    kex += Random(32);
    Put16(kex, 0x0403);  // ecdsa_secp256r1_sha256
    kex += Vec16(Random(Uniform(70, 72)));
    return TlsRecord(22, 0x0303,
                     TlsHandshake(2, hello) + TlsHandshake(11, certificate) +
                         TlsHandshake(12, kex) + TlsHandshake(14, ""));
  }

  // Application data as TLS records of at most 16 KiB (+ 17 bytes of AEAD overhead) each.
  std::string AppRecords(size_t bytes) {
    std::string s;
    while (bytes > 0) {
      const size_t n = std::min<size_t>(bytes, 16401);
      s += TlsRecord(23, 0x0303, Filler(n));
      bytes -= n;
    }
    return s;
  }

  std::string HttpRequest(const std::string& host) {
    static constexpr const char* kPaths[] = {"/", "/index.html", "/static/app.js",
                                             "/images/logo.png", "/api/v1/items?page=2"};
    return std::string("GET ") + kPaths[rng_() % 5] + " HTTP/1.1\r\nHost: " + host +
           "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
           "Gecko) Chrome/120.0 Safari/537.36\r\nAccept: */*\r\nAccept-Encoding: gzip, "
           "deflate\r\nConnection: keep-alive\r\n\r\n";
  }
  std::string HttpResponseHead(size_t body) {
    return "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\n"
           "Content-Length: " + std::to_string(body) + "\r\nCache-Control: max-age=3600\r\n\r\n";
  }

  // A DNS query for `name` (A or AAAA) and its answer with 1-3 addresses, as UDP payloads.
  std::pair<std::string, std::string> DnsExchange(const std::string& name) {
    const uint16_t id = static_cast<uint16_t>(rng_());
    const bool aaaa = rng_() % 4 == 0;
    std::string question = DnsName(name);
    Put16(question, aaaa ? 28 : 1);
    Put16(question, 1);
    std::string query;
    Put16(query, id);
    Put16(query, 0x0100);  // recursion desired
    Put16(query, 1);
    Put32(query, 0);
    Put16(query, 0);
    query += question;
    const uint32_t answers = Uniform(1, 3);
    std::string reply;
    Put16(reply, id);
    Put16(reply, 0x8180);
    Put16(reply, 1);
    Put16(reply, answers);
    Put32(reply, 0);
    reply += question;
    for (uint32_t i = 0; i < answers; ++i) {
      Put16(reply, 0xc00c);  // the question's name
      Put16(reply, aaaa ? 28 : 1);
      Put16(reply, 1);
      Put32(reply, Uniform(30, 3600));
      if (aaaa) {
        Put16(reply, 16);
        reply += std::string("\xfd\x00\x00\x20", 4) + std::string(10, '\0');
        Put16(reply, Uniform(1, 400));
      } else {
        Put16(reply, 4);
        reply += std::string("\xc6\x12", 2);  // 198.18.0.0/15 (benchmarking addresses)
        Put8(reply, Uniform(0, 3));
        Put8(reply, Uniform(1, 254));
      }
    }
    return {query, reply};
  }

  // `bytes` from one side, cut into full-sized segments; the receiver ACKs every second one.
  void Segments(FlowPlan& f, bool to_server, const std::string& bytes) {
    const size_t n = (bytes.size() + kMss - 1) / kMss;
    for (size_t i = 0; i < n; ++i) {
      const bool last = i + 1 == n;
      f.steps.push_back({to_server, static_cast<uint8_t>(kAck | (last ? kPsh : 0)),
                         bytes.substr(i * kMss, kMss)});
      if (i % 2 == 1 || last) f.steps.push_back({!to_server, kAck, ""});
    }
  }

  std::string Filler(size_t n) {
    std::string s;
    while (s.size() < n) s.append(filler_, 0, std::min(filler_.size(), n - s.size()));
    return s;
  }

  FlowPlan NewFlow(uint32_t n, CaptureSummary& sum) {
    FlowPlan f;
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    f.kind = r < o_.mining_fraction                   ? Kind::kStratum
             : r < o_.mining_fraction + o_.udp_fraction ? Kind::kDns
                                                        : Kind::kWeb;
    f.v6 = std::uniform_real_distribution<double>(0, 1)(rng_) < o_.ipv6_fraction;
    const uint32_t host = n % 60000;
    if (f.v6) {
      f.client = "fd00:10::" + std::to_string(host / 250 + 1) + ":" + std::to_string(host % 250 + 1);
      f.server = "fd00:20::" + std::to_string(Uniform(1, 400));
    } else {
      f.client = "10." + std::to_string(host / 62500) + "." + std::to_string((host / 250) % 250) +
                 "." + std::to_string(host % 250 + 1);
      f.server = "198.18." + std::to_string(Uniform(0, 3)) + "." + std::to_string(Uniform(1, 254));
    }
    f.client_port = static_cast<uint16_t>(1024 + (n * 7919u) % 64000);
    f.seq[0] = static_cast<uint32_t>(rng_());
    f.seq[1] = static_cast<uint32_t>(rng_());
    ++sum.flows;
    switch (f.kind) {
      case Kind::kDns: {
        ++sum.udp_flows;
        f.server_port = 53;
        auto [query, reply] = DnsExchange(SiteName());
        f.steps.push_back({true, 0, std::move(query)});
        f.steps.push_back({false, 0, std::move(reply)});
        break;
      }
      case Kind::kWeb: {
        // HTTPS (hello, server flight, client finished and request, response records) or
        // plain HTTP/1.1.
        const std::string site = SiteName();
        const size_t response = (Uniform(1, 5) - 1) * kMss + Uniform(100, kMss);
        f.server_port = Chance(o_.tls_fraction_of_web) ? 443 : 80;
        Handshake(f);
        if (f.server_port == 443) {
          ++sum.tls_flows;
          f.steps.push_back({true, kAck | kPsh, ClientHello(site)});
          if (Chance(o_.tls12_fraction)) {
            // TLS 1.2: the chain in the clear; the client's key exchange, ChangeCipherSpec and
            // encrypted Finished, then its request; the server's ChangeCipherSpec and Finished.
            ++sum.tls12_flows;
            Segments(f, false, ServerFlight12(site));
            std::string kex;
            Put8(kex, 32);
            kex += Random(32);
            f.steps.push_back({true, kAck | kPsh,
                               TlsRecord(22, 0x0303, TlsHandshake(16, kex)) +
                                   TlsRecord(20, 0x0303, std::string(1, '\x01')) +
                                   TlsRecord(22, 0x0303, Filler(40)) +
                                   TlsRecord(23, 0x0303, Filler(Uniform(60, 400)))});
            f.steps.push_back({false, kAck | kPsh,
                               TlsRecord(20, 0x0303, std::string(1, '\x01')) +
                                   TlsRecord(22, 0x0303, Filler(40))});
          } else {
            Segments(f, false, ServerFlight(Uniform(1800, 4200)));
            f.steps.push_back({true, kAck | kPsh,
                               TlsRecord(20, 0x0303, std::string(1, '\x01')) +
                                   TlsRecord(23, 0x0303, Filler(53)) +
                                   TlsRecord(23, 0x0303, Filler(Uniform(60, 400)))});
          }
          Segments(f, false, AppRecords(response));
        } else {
          ++sum.http_flows;
          f.steps.push_back({true, kAck | kPsh, HttpRequest(site)});
          Segments(f, false, HttpResponseHead(response) + Filler(response));
        }
        Teardown(f);
        break;
      }
      case Kind::kStratum: {
        ++sum.mining_flows;
        f.server_port = (rng_() % 2) != 0 ? 3333 : 4444;
        Handshake(f);
        f.steps.push_back({true, kAck | kPsh,
                           "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5.1\"]}\n"});
        f.steps.push_back({false, kAck | kPsh,
                           "{\"id\":1,\"result\":[[[\"mining.notify\",\"ae6812eb4cd7735a\"]],"
                           "\"08000002\",4],\"error\":null}\n"});
        f.steps.push_back({true, kAck | kPsh,
                           "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"worker1\",\"x\"]}\n"});
        f.steps.push_back({false, kAck | kPsh, "{\"id\":2,\"result\":true,\"error\":null}\n"});
        const uint32_t jobs = Uniform(3, 10);
        for (uint32_t j = 0; j < jobs; ++j) {
          f.steps.push_back({false, kAck | kPsh,
                             "{\"params\":[\"" + std::to_string(j) +
                                 "\",\"4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000\","
                                 "\"01000000010000000000000000000000000000000000000000000000000000000000"
                                 "0000ffffffff20020862062f503253482f04b8864e5008\","
                                 "\"072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688"
                                 "ef9903327048ed988ac00000000\",[],\"00000002\",\"1c2ac4af\",\"504e86b9\",false],"
                                 "\"id\":null,\"method\":\"mining.notify\"}\n"});
          f.steps.push_back({true, kAck, ""});
          f.steps.push_back({true, kAck | kPsh,
                             "{\"params\":[\"worker1\",\"" + std::to_string(j) +
                                 "\",\"00000001\",\"504e86ed\",\"b2957c02\"],\"id\":" +
                                 std::to_string(4 + j) + ",\"method\":\"mining.submit\"}\n"});
          f.steps.push_back({false, kAck | kPsh, "{\"id\":" + std::to_string(4 + j) +
                                                     ",\"result\":true,\"error\":null}\n"});
        }
        Teardown(f);
        break;
      }
    }
    return f;
  }

  static void Handshake(FlowPlan& f) {
    f.steps.push_back({true, kSyn, ""});
    f.steps.push_back({false, kSyn | kAck, ""});
    f.steps.push_back({true, kAck, ""});
  }
  static void Teardown(FlowPlan& f) {
    f.steps.push_back({true, kFin | kAck, ""});
    f.steps.push_back({false, kFin | kAck, ""});
    f.steps.push_back({true, kAck, ""});
  }

  Bytes Frame(FlowPlan& f, const Step& s) {
    PacketBuilder b;
    const std::string& src = s.to_server ? f.client : f.server;
    const std::string& dst = s.to_server ? f.server : f.client;
    if (f.v6) b.Ipv6(src, dst); else b.Ipv4(src, dst);
    const uint16_t sport = s.to_server ? f.client_port : f.server_port;
    const uint16_t dport = s.to_server ? f.server_port : f.client_port;
    if (f.kind == Kind::kDns) {
      b.Udp(sport, dport);
    } else {
      const int me = s.to_server ? 0 : 1;
      b.Tcp(sport, dport, f.seq[me], (s.flags & kSyn) != 0 && me == 0 ? 0 : f.seq[1 - me],
            s.flags);
      b.TcpOptions((s.flags & kSyn) != 0 ? 5 : 3);  // MSS/SACK/WS/timestamps-sized options
      f.seq[me] += static_cast<uint32_t>(s.payload.size()) +
                   ((s.flags & (kSyn | kFin)) != 0 ? 1 : 0);
    }
    b.Payload(s.payload);
    return b.Build(1);
  }

  MixedCaptureOptions o_;
  std::mt19937_64 rng_;
  CertificateMaker certs_;
  std::string filler_;
};

}  // namespace

Result<CaptureSummary> WriteMixedCapture(const MixedCaptureOptions& options, FILE* out) {
  PcapWriter writer(1);
  Status status;
  Generator gen(options);
  CaptureSummary sum = gen.Run([&](int64_t ts, const Bytes& frame) {
    writer.Add(ts, frame);
    if (writer.bytes().size() > (1u << 20) && status.ok()) status = writer.Flush(out);
  });
  if (status.ok()) status = writer.Flush(out);
  if (!status.ok()) return status;
  return sum;
}

Result<CaptureSummary> WriteMixedCaptureFile(const MixedCaptureOptions& options,
                                             const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IoError("cannot create " + path);
  auto r = WriteMixedCapture(options, f);
  if (std::fclose(f) != 0 && r.ok()) return Status::IoError("cannot write " + path);
  return r;
}

Bytes MixedCaptureBytes(const MixedCaptureOptions& options, CaptureSummary* summary) {
  PcapWriter writer(1);
  Generator gen(options);
  const CaptureSummary sum =
      gen.Run([&](int64_t ts, const Bytes& frame) { writer.Add(ts, frame); });
  if (summary != nullptr) *summary = sum;
  return writer.bytes();
}

}  // namespace mw::net::testing
