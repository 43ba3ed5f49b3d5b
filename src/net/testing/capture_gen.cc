#include "net/testing/capture_gen.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "net/testing/packet_builder.h"

namespace mw::net::testing {
namespace {

constexpr uint8_t kSyn = 0x02, kFin = 0x01, kAck = 0x10, kPsh = 0x08;

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

class Generator {
 public:
  explicit Generator(const MixedCaptureOptions& o) : o_(o), rng_(o.seed) {
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
  uint32_t Uniform(uint32_t lo, uint32_t hi) { return lo + static_cast<uint32_t>(rng_() % (hi - lo + 1)); }
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
        f.steps.push_back({true, 0, Filler(Uniform(30, 60))});
        f.steps.push_back({false, 0, Filler(Uniform(60, 260))});
        break;
      }
      case Kind::kWeb: {
        f.server_port = (rng_() % 4) != 0 ? 443 : 80;
        Handshake(f);
        f.steps.push_back({true, kAck | kPsh, "\x16\x03\x01" + Filler(Uniform(200, 600))});
        const uint32_t segments = Uniform(1, 5);
        for (uint32_t i = 0; i < segments; ++i) {
          const bool last = i + 1 == segments;
          f.steps.push_back({false, static_cast<uint8_t>(kAck | (last ? kPsh : 0)),
                             Filler(last ? Uniform(100, 1448) : 1448)});
          if (i % 2 == 1 || last) f.steps.push_back({true, kAck, ""});
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
