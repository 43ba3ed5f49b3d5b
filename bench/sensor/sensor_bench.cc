// bench-sensor: packets per second per core of the sensor (its packet layer alone, and the whole
// sensor with analyzers and detectors), next to bare read loops (libpcap's, with its defaults
// and with a 1 MiB stdio buffer, and our own pcap record loop) and ndpiReader (Debian
// libndpi-bin) over the same generated capture, all in one run; plus memory, to show it is
// bounded by the flow limit rather than the input size.
//
//   bench-sensor [--flows N] [--mining-fraction F] [--max-flows N] [--repeat R] [--keep PATH]
//                [--input PCAP] [--intel SNAPSHOT | --no-intel] [--no-ndpi]
//                [--only bare|layer|sensor]
// --keep writes the generated capture to PATH and leaves it; --input measures an existing
// capture instead of generating one (its flow counts are then unknown). The full sensor loads
// the intel snapshot `minewatch sensor` would (the shipped one, <bin>/../rules/intel/
// default.mwintel), or --intel's, so that its pool-name matching is measured too.
//
// The packet layer is RunPipeline(): read -> decode -> flow table -> TCP reassembly -> a
// FlowListener that only touches the delivered bytes. The full sensor is RunFullSensor(): the
// SensorPipeline as `minewatch sensor --pcap` runs it, with events counted instead of written.

#include <pcap/pcap.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ctime>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "intel/snapshot.h"
#include "net/capture/frame_batch.h"
#include "net/capture/packet_source.h"
#include "net/decode/decoder.h"
#include "net/flow/flow_table.h"
#include "net/testing/capture_gen.h"
#include "proto/events/event_sink.h"
#include "sensor/sensor_pipeline.h"

namespace {

using mw::net::Direction;
using mw::net::Flow;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

long PeakRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Stands in for the analyzers: looks at every delivered byte once.
class TouchingConsumer : public mw::net::FlowListener {
 public:
  void OnData(Flow&, Direction, mw::ByteSpan data, int64_t) override {
    bytes += data.size();
    if (!data.empty()) checksum += data[0] + data[data.size() - 1];
  }
  void OnFlowEnd(Flow&, mw::net::EndReason) override { ++flows_ended; }
  uint64_t bytes = 0, checksum = 0, flows_ended = 0;
};

std::unique_ptr<mw::net::FlowListener> MakeConsumer() {
  return std::make_unique<TouchingConsumer>();
}

struct Measure {
  uint64_t packets = 0;
  double cpu_s = 0, wall_s = 0;
  double Mpps() const { return cpu_s > 0 ? double(packets) / cpu_s / 1e6 : 0; }
};

// The bare libpcap read loop: pcap_next_ex over the file. With `big_buffer` the stdio stream
// gets a kFileReadBufferBytes buffer (libpcap's loop at its fastest: the stricter baseline);
// without it, pcap_open_offline's defaults (stdio's 4 KiB buffer), the loop as anyone writes it.
Measure BareLibpcap(const std::string& path, bool big_buffer) {
  Measure m;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  std::vector<char> buffer;
  pcap_t* p = nullptr;
  if (big_buffer) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      std::perror(path.c_str());
      std::exit(1);
    }
    buffer.resize(mw::net::kFileReadBufferBytes);
    std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
    p = pcap_fopen_offline(f, errbuf);
    if (p == nullptr) std::fclose(f);
  } else {
    p = pcap_open_offline(path.c_str(), errbuf);
  }
  if (p == nullptr) {
    std::fprintf(stderr, "bench-sensor: %s\n", errbuf);
    std::exit(1);
  }
  pcap_pkthdr* h = nullptr;
  const u_char* d = nullptr;
  uint64_t sum = 0;
  while (pcap_next_ex(p, &h, &d) == 1) {
    ++m.packets;
    sum += h->caplen + d[0];
  }
  pcap_close(p);
  m.cpu_s = CpuSeconds() - cpu0;
  m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (sum == 0) std::puts("");
  return m;
}

struct PipelineResult {
  Measure m;
  size_t flow_memory = 0;
  uint64_t peak_active = 0;
  mw::CounterSet counters;
};

// The capture the bench just wrote; a failure to open it ends the bench with its reason.
std::unique_ptr<mw::net::PacketSource> OpenOrExit(const std::string& path) {
  auto source = mw::net::OpenPcapFile(path);
  if (!source.ok()) {
    std::fprintf(stderr, "bench-sensor: %s\n", source.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*source);
}

// How the sensor reads a classic pcap file: our record loop (net/capture/pcap_record_source.h)
// through FrameBatch, touching each frame as the bare loop does.
Measure BareRecordLoop(const std::string& path) {
  Measure m;
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  const std::unique_ptr<mw::net::PacketSource> source = OpenOrExit(path);
  mw::net::FrameBatch batch;
  uint64_t sum = 0;
  mw::net::NextResult r;
  do {
    r = batch.Fill(*source);
    for (const mw::net::RawPacket& f : batch.frames()) sum += f.cap_len + f.data[0];
    m.packets += batch.size();
  } while (r == mw::net::NextResult::kPacket);
  m.cpu_s = CpuSeconds() - cpu0;
  m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (sum == 0) std::puts("");
  return m;
}

void RunPipeline(const std::string& path, const mw::net::FlowTableConfig& config,
                 mw::net::FlowListener& consumer, PipelineResult& out) {
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  const std::unique_ptr<mw::net::PacketSource> source = OpenOrExit(path);
  mw::net::Decoder decoder;
  mw::net::FlowTable table(config, &consumer);
  mw::net::RawPacket raw;
  mw::net::DecodedPacket packet;
  uint64_t n = 0;
  while (source->Next(raw) == mw::net::NextResult::kPacket) {
    ++n;
    if (decoder.Decode(raw.link_type, raw.data, raw.cap_len, raw.wire_len, raw.ts_us, packet) ==
        mw::net::DecodeResult::kIp) {
      table.Process(packet);
    }
    if ((n & 0xFFFF) == 0) out.peak_active = std::max<uint64_t>(out.peak_active, table.active_flows());
  }
  table.Flush();
  out.m.packets = n;
  out.m.cpu_s = CpuSeconds() - cpu0;
  out.m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out.flow_memory = table.MemoryBytes();
  source->stats().ExportTo(out.counters);
  decoder.stats().ExportTo(out.counters);
  table.ExportTo(out.counters);
}

// Keeps only counts: the bench measures detection, not JSON writing to a disk.
struct SensorResult {
  Measure m;
  uint64_t alerts = 0, metadata = 0;
  std::vector<std::pair<std::string, uint64_t>> counters;
};

// Counts events and hands them on: to EVE lines on /dev/null, as `minewatch sensor` writes
// them (serialised, through stdio), when `eve` is given.
class CountingSink : public mw::events::EventSink {
 public:
  explicit CountingSink(mw::events::EventSink* eve = nullptr) : eve_(eve) {}
  void Emit(const mw::events::Event& e) override {
    if (e.alert) ++alerts;
    else ++metadata;
    if (eve_ != nullptr) eve_->Emit(e);
  }
  uint64_t alerts = 0, metadata = 0;

 private:
  mw::events::EventSink* eve_;
};

// The whole sensor: read, decode, flows, reassembly, every analyzer, every detector, events.
// Without `eve`, events are counted, and flows that alerted get no "flow"/"stratum" metadata
// events; with it, the CLI's defaults: metadata for mining flows, every event written as an
// EVE line to /dev/null.
SensorResult RunFullSensor(const std::string& path, const mw::net::FlowTableConfig& flows,
                           const mw::intel::Snapshot* intel, bool eve = false) {
  SensorResult out;
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  const std::unique_ptr<mw::net::PacketSource> source = OpenOrExit(path);
  std::unique_ptr<mw::events::JsonLinesSink> lines;
  if (eve) {
    auto opened = mw::events::JsonLinesSink::Open("/dev/null");
    if (!opened.ok()) {
      std::fprintf(stderr, "bench-sensor: %s\n", opened.status().ToString().c_str());
      std::exit(1);
    }
    lines = std::move(opened).value();
  }
  CountingSink sink(lines.get());
  mw::CounterSet counters;
  mw::sensor::SensorConfig config;
  config.flows = flows;
  config.flow_events = eve ? mw::sensor::FlowEvents::kMining : mw::sensor::FlowEvents::kNone;
  mw::sensor::SensorPipeline pipeline(config, intel, &sink, &counters);
  // As `minewatch sensor` reads files: a batch at a time.
  mw::net::FrameBatch batch;
  uint64_t n = 0;
  mw::net::NextResult r;
  do {
    r = batch.Fill(*source);
    pipeline.ProcessFrames(batch.frames());
    n += batch.size();
  } while (r == mw::net::NextResult::kPacket);
  pipeline.Finish();
  if (lines) (void)lines->Flush();
  out.m.packets = n;
  out.m.cpu_s = CpuSeconds() - cpu0;
  out.m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  source->stats().ExportTo(counters);
  for (const auto& [k, v] : counters.Snapshot()) out.counters.emplace_back(k, v);
  out.alerts = sink.alerts;
  out.metadata = sink.metadata;
  return out;
}

struct NdpiResult {
  bool ran = false;         // exited normally and its packet count and time were read
  bool exited_ok = false;   // exited normally (enough for the start-up run, whose processing
                            // time can print as 0 msec)
  uint64_t packets = 0;
  double processing_s = 0;  // ndpiReader's own "Packet Processing Time"
  double cpu_s = 0;         // user + system CPU of the whole process (setup included)
  std::string error;
};

NdpiResult RunNdpiReader(const std::string& path) {
  NdpiResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execlp("ndpiReader", "ndpiReader", "-i", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t k; (k = read(fds[0], buf, sizeof(buf))) > 0;) out.append(buf, size_t(k));
  close(fds[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "ndpiReader not found"
                                                              : "ndpiReader failed";
    return r;
  }
  r.exited_ok = true;
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  // "IP packets:            4             of 4 packets total"
  const size_t total = out.find("packets total");
  const size_t of = total == std::string::npos ? total : out.rfind(" of ", total);
  if (of != std::string::npos) r.packets = std::strtoull(out.c_str() + of + 4, nullptr, 10);
  const size_t pt = out.find("Packet Processing Time:");
  if (pt != std::string::npos) {
    r.processing_s = std::strtod(out.c_str() + pt + std::strlen("Packet Processing Time:"), nullptr) / 1000.0;
  }
  r.ran = r.packets > 0 && r.processing_s > 0;
  if (!r.ran) r.error = "could not parse ndpiReader's output";
  return r;
}

void Row(const char* name, uint64_t packets, double cpu_s, const char* note) {
  std::printf("  %-44s %10llu %9.3f %10.2f  %s\n", name, static_cast<unsigned long long>(packets),
              cpu_s, cpu_s > 0 ? double(packets) / cpu_s / 1e6 : 0.0, note);
}

}  // namespace

int main(int argc, char** argv) {
  mw::net::testing::MixedCaptureOptions gen;
  gen.flows = 120000;
  mw::net::FlowTableConfig config;
  config.max_flows = 65536;
  int repeat = 3;
  bool ndpi = true, no_intel = false;
  std::string keep, input, only, intel_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--flows" && has_value) gen.flows = uint32_t(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--mining-fraction" && has_value) gen.mining_fraction = std::strtod(argv[++i], nullptr);
    else if (a == "--max-flows" && has_value) config.max_flows = uint32_t(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--repeat" && has_value) repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--keep" && has_value) keep = argv[++i];
    else if (a == "--input" && has_value) input = argv[++i];
    else if (a == "--no-ndpi") ndpi = false;
    else if (a == "--intel" && has_value) intel_path = argv[++i];
    else if (a == "--no-intel") no_intel = true;
    else if (a == "--only" && has_value) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench-sensor [--flows N] [--mining-fraction F] [--max-flows N] "
                           "[--repeat R] [--keep PATH] [--input PCAP] [--intel SNAPSHOT | "
                           "--no-intel] [--no-ndpi] [--only bare|layer|sensor|eve]\n");
      return 2;
    }
  }

  // The intel snapshot `minewatch sensor` loads by default, found the same way.
  std::unique_ptr<mw::intel::Snapshot> intel;
  if (!no_intel) {
    std::error_code ec;
    const bool given = !intel_path.empty();
    if (!given) {
      const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
      intel_path = (exe.parent_path().parent_path() / "rules" / "intel" / "default.mwintel").string();
    }
    if (given || std::filesystem::exists(intel_path, ec)) {
      auto snap = mw::intel::Snapshot::Load(intel_path);
      if (!snap.ok()) {
        std::fprintf(stderr, "bench-sensor: intel %s: %s\n", intel_path.c_str(),
                     snap.status().ToString().c_str());
        return 2;
      }
      intel = std::make_unique<mw::intel::Snapshot>(std::move(snap).value());
      std::printf("intel: %s (%zu entries)\n", intel_path.c_str(), intel->entry_count());
    } else {
      std::printf("intel: none (no snapshot at %s; pool-name matching not measured)\n",
                  intel_path.c_str());
    }
  } else {
    std::printf("intel: none (--no-intel)\n");
  }

  std::string path = !input.empty() ? input : keep;
  if (path.empty()) {
    char tmpl[] = "/tmp/mw-bench-sensor-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) {
      std::perror("mkstemp");
      return 1;
    }
    close(fd);
    path = tmpl;
  }
  const double gen0 = CpuSeconds();
  mw::Result<mw::net::testing::CaptureSummary> summary = mw::net::testing::CaptureSummary{};
  if (input.empty()) summary = mw::net::testing::WriteMixedCaptureFile(gen, path);
  if (!summary.ok()) {
    std::fprintf(stderr, "bench-sensor: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  const long rss_after_gen = PeakRssKiB();
  if (!input.empty()) {
    std::error_code ec;
    summary->bytes = std::filesystem::file_size(path, ec);
    std::printf("capture: %s, %.1f MB (given with --input: flow counts unknown here)\n",
                path.c_str(), double(summary->bytes) / 1e6);
  } else {
    std::printf("capture: %llu flows (%llu TLS, %llu of them TLS 1.2 with certificates; %llu "
                "plain HTTP; %llu DNS over UDP; %llu Stratum), %llu packets, %.1f MB, avg %.0f "
                "B/packet (generated in %.1f s) -> %s\n",
                static_cast<unsigned long long>(summary->flows),
                static_cast<unsigned long long>(summary->tls_flows),
                static_cast<unsigned long long>(summary->tls12_flows),
                static_cast<unsigned long long>(summary->http_flows),
                static_cast<unsigned long long>(summary->udp_flows),
                static_cast<unsigned long long>(summary->mining_flows),
                static_cast<unsigned long long>(summary->packets), double(summary->bytes) / 1e6,
                double(summary->bytes) / double(summary->packets), CpuSeconds() - gen0,
                path.c_str());
  }

  // --only runs one stage (for a profiler); the others then print zeros.
  const auto runs = [&](const char* stage) { return only.empty() || only == stage ? repeat : 0; };
  if (!only.empty()) ndpi = false;
  // The stages run in rounds (each stage once per round, --repeat rounds), not stage after
  // stage: a shared machine's speed drifts over seconds, and the ratios below compare stages,
  // so each stage's best run should come from the same stretch of time as the others'.
  Measure bare, bare_default, own_loop;
  PipelineResult best;
  std::unique_ptr<mw::net::FlowListener> consumer;
  SensorResult full;
  Measure first_full;  // the first run: the process's heap is not yet grown to the flow limit
  SensorResult with_eve;
  for (int r = 0; r < repeat; ++r) {
    if (r < runs("bare")) {
      const Measure m = BareLibpcap(path, /*big_buffer=*/true);
      if (r == 0 || m.cpu_s < bare.cpu_s) bare = m;
      const Measure d = BareLibpcap(path, /*big_buffer=*/false);
      if (r == 0 || d.cpu_s < bare_default.cpu_s) bare_default = d;
      const Measure o = BareRecordLoop(path);
      if (r == 0 || o.cpu_s < own_loop.cpu_s) own_loop = o;
    }
    if (r < runs("layer")) {
      auto result = std::make_unique<PipelineResult>();
      consumer = MakeConsumer();
      RunPipeline(path, config, *consumer, *result);
      if (r == 0 || result->m.cpu_s < best.m.cpu_s) {
        best.m = result->m;
        best.flow_memory = result->flow_memory;
        best.peak_active = result->peak_active;
        for (const auto& [k, v] : result->counters.Snapshot()) best.counters.Get(k).Set(v);
      }
    }
    if (r < runs("sensor")) {
      const SensorResult one = RunFullSensor(path, config, intel.get());
      if (r == 0) first_full = one.m;
      if (r == 0 || one.m.cpu_s < full.m.cpu_s) full = one;
    }
    if (r < runs("eve")) {
      const SensorResult one = RunFullSensor(path, config, intel.get(), /*eve=*/true);
      if (r == 0 || one.m.cpu_s < with_eve.m.cpu_s) with_eve = one;
    }
  }
  const long rss_after_pipeline = PeakRssKiB();
  NdpiResult nd, nd_startup;
  if (ndpi) {
    nd = RunNdpiReader(path);
    // ndpiReader's own processing time is wall-clock; on a shared machine CPU time is fairer.
    // Its fixed start-up CPU is measured on a 10-flow capture and subtracted.
    mw::net::testing::MixedCaptureOptions tiny = gen;
    tiny.flows = 10;
    const std::string tiny_path = path + ".tiny";
    if (mw::net::testing::WriteMixedCaptureFile(tiny, tiny_path).ok()) {
      nd_startup = RunNdpiReader(tiny_path);
      std::remove(tiny_path.c_str());
    }
  }
  const double nd_cpu = nd.cpu_s - (nd_startup.exited_ok ? nd_startup.cpu_s : 0.0);

  const bool ran_bare = runs("bare") > 0, ran_layer = runs("layer") > 0,
             ran_sensor = runs("sensor") > 0;
  std::printf("\n  %-44s %10s %9s %10s\n", "stage (best of runs, CPU time)", "packets", "cpu s",
              "Mpps/core");
  if (ran_bare) {
    Row("bare libpcap read loop, 1 MiB stdio buffer", bare.packets, bare.cpu_s,
        "(libpcap's loop at its fastest)");
    Row("bare libpcap read loop, libpcap defaults", bare_default.packets, bare_default.cpu_s,
        "(pcap_open_offline: 4 KiB stdio buffer)");
    Row("bare read loop, our record loop", own_loop.packets, own_loop.cpu_s,
        "(how the sensor reads a pcap file)");
  }
  if (ran_layer) Row("minewatch read+decode+flow+reassembly", best.m.packets, best.m.cpu_s, "");
  if (ran_sensor) {
    Row("minewatch full sensor (analyzers+detectors)", full.m.packets, full.m.cpu_s, "");
    if (runs("sensor") > 1) {
      // Its flow states and analyzers are allocated, and the kernel zeroes their pages, while
      // the first max_flows flows start; later runs reuse the freed heap. A one-off
      // `minewatch sensor --pcap` run pays this once, a long-running sensor only at start.
      Row("  first run of the full sensor (cold heap)", first_full.packets, first_full.cpu_s,
          "(not the best: heap grown during the run)");
    }
  }
  if (runs("eve") > 0) {
    Row("minewatch full sensor + EVE lines", with_eve.m.packets, with_eve.m.cpu_s,
        "(as the CLI: metadata for mining flows, lines to /dev/null)");
  }
  if (nd.ran) {
    Row("ndpiReader, CPU minus start-up CPU", nd.packets, nd_cpu, "");
    Row("ndpiReader, whole process CPU", nd.packets, nd.cpu_s, "(includes start-up)");
    Row("ndpiReader, its own processing time", nd.packets, nd.processing_s, "(wall clock)");
  } else if (ndpi) {
    std::printf("  ndpiReader: %s\n", nd.error.c_str());
  }
  const double ndpi_mpps = nd.ran ? double(nd.packets) / nd_cpu / 1e6 : 0;
  if (ran_layer) {
    const double ours = best.m.Mpps();
    // The targets are the full sensor's (below); the packet layer's figures show its share.
    std::printf("\n  packet layer %.2f Mpps/core (sensor target >= 3): %s\n", ours,
                ours >= 3 ? "met" : "NOT met");
    if (ran_bare) {
      std::printf("  packet layer = %.0f %% of the 1 MiB libpcap loop, %.0f %% of libpcap's "
                  "default loop (sensor target >= 50 %%)\n",
                  100.0 * ours / bare.Mpps(), 100.0 * ours / bare_default.Mpps());
    }
    if (nd.ran) {
      std::printf("  packet layer / ndpiReader = %.1fx (sensor target >= 3x; per core, "
                  "ndpiReader's start-up excluded): %s\n",
                  ours / ndpi_mpps, ours >= 3 * ndpi_mpps ? "met" : "NOT met");
    }
  }
  if (ran_sensor) {
    const double sensor = full.m.Mpps();
    std::printf("\n  full sensor %.2f Mpps/core (target >= 3): %s\n", sensor,
                sensor >= 3 ? "met" : "NOT met");
    const auto verdict = [&](const Measure& loop) {
      return sensor >= 0.5 * loop.Mpps() ? "met" : "NOT met";
    };
    if (ran_bare) {
      std::printf("  full sensor = %.0f %% of the 1 MiB libpcap loop (target >= 50 %%): %s\n",
                  100.0 * sensor / bare.Mpps(), verdict(bare));
      std::printf("  full sensor = %.0f %% of libpcap's default loop (target >= 50 %%): %s\n",
                  100.0 * sensor / bare_default.Mpps(), verdict(bare_default));
    }
    if (nd.ran) {
      std::printf("  full sensor / ndpiReader = %.1fx (target >= 3x): %s\n", sensor / ndpi_mpps,
                  sensor >= 3 * ndpi_mpps ? "met" : "NOT met");
    }
    if (input.empty()) {
      std::printf("  full sensor raised %llu alerts for %llu Stratum flows in the capture (%llu "
                  "metadata events)\n",
                  static_cast<unsigned long long>(full.alerts),
                  static_cast<unsigned long long>(summary->mining_flows),
                  static_cast<unsigned long long>(full.metadata));
    } else {
      std::printf("  full sensor raised %llu alerts (%llu metadata events)\n",
                  static_cast<unsigned long long>(full.alerts),
                  static_cast<unsigned long long>(full.metadata));
    }
  }
  std::printf("\n  memory: capture file %.1f MB; ", double(summary->bytes) / 1e6);
  if (ran_layer) {
    std::printf("flow table %.1f MB for max_flows %u (peak active %llu); ",
                double(best.flow_memory) / 1e6, config.max_flows,
                static_cast<unsigned long long>(best.peak_active));
  }
  std::printf("peak RSS %.1f MB after generating, %.1f MB after the pipeline runs\n",
              double(rss_after_gen) / 1024, double(rss_after_pipeline) / 1024);
  if (ran_layer) {
    std::printf("\n  counters of the packet layer's best run:\n");
    for (const auto& [k, v] : best.counters.Snapshot()) {
      if (v != 0) std::printf("    %-40s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
    }
  }
  if (ran_sensor) {
    std::printf("\n  counters of the full sensor's best run:\n");
    for (const auto& [k, v] : full.counters) {
      if (v != 0) std::printf("    %-40s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
    }
  }
  if (keep.empty() && input.empty()) std::remove(path.c_str());
  return 0;
}
