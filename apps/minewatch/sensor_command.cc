// `minewatch sensor`: network detection over capture files or a live interface.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <csignal>
#include <filesystem>
#include <functional>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "core/counters.h"
#include "core/env.h"
#include "core/privileges.h"
#include "intel/snapshot.h"
#include "minewatch/commands.h"
#include "minewatch/default_intel.h"
#include "net/capture/frame_batch.h"
#include "net/capture/packet_source.h"
#include "net/capture/reopening_live_source.h"
#include "net/flow/flow_table.h"
#include "proto/events/event_sink.h"
#include "sensor/health_event.h"
#include "sensor/sensor_pipeline.h"

namespace mw::minewatch {
namespace {

// The first SIGINT or SIGTERM asks the read loop to stop (its number is kept); the flows seen so
// far are then ended and every event is written. A second one kills the process as usual.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
void OnSignal(int sig) {
  g_stop_signal.store(sig);
  std::signal(sig, SIG_DFL);
}
// SIGHUP (log rotation: logrotate's postrotate, `kill -HUP`) asks for the --eve file to be
// reopened; the read loop does it between batches. (Left at its default, SIGHUP would end the
// sensor and lose the events in the write buffer.)
std::atomic<bool> g_reopen_eve{false};
static_assert(std::atomic<bool>::is_always_lock_free);
void OnHangup(int) { g_reopen_eve.store(true); }
// SIGUSR2 (an intel update: after `minewatch intel import` wrote a new snapshot) asks for the
// snapshot to be loaded again from its file, between batches, without losing the flows.
std::atomic<bool> g_reload_intel{false};
void OnReloadIntel(int) { g_reload_intel.store(true); }

struct SensorArgs {
  std::vector<std::string> pcaps;
  std::string iface;
  std::string bpf;
  std::string eve = "-";
  std::string intel;
  std::string name = "minewatch-sensor";
  std::string flow_events = "mining";
  bool stats = false;
  bool no_intel = false;
  double duration_s = 0;
  uint32_t capture_buffer_mb = 0;  // 0: libpcap's default
  std::string user;                // live: the account to become once the capture is open
  double health_interval_s = 60;
  bool health_interval_given = false;
  uint32_t max_flows = net::FlowTableConfig{}.max_flows;
};

// Most flows tracked at once that --max-flows accepts (each costs a few hundred bytes in the
// table and up to a few KB of analyzer state while it lives).
constexpr uint32_t kMaxFlowsLimit = uint32_t{1} << 22;

void PrintCounters(const CounterSet& counters) {
  for (const auto& [name, value] : counters.Snapshot()) {
    if (value != 0) std::fprintf(stderr, "%-48s %llu\n", name.c_str(),
                                 static_cast<unsigned long long>(value));
  }
}

int RunSensor(const SensorArgs& a) {
  if (a.pcaps.empty() == a.iface.empty()) {
    return cli::UsageError("minewatch sensor", "give either --pcap FILE... or --iface IF");
  }
  if (std::count(a.pcaps.begin(), a.pcaps.end(), "-") > 1) {
    return cli::UsageError("minewatch sensor", "--pcap - (standard input) can be given once");
  }
  if (a.duration_s != 0 && a.iface.empty()) {
    return cli::UsageError("minewatch sensor",
                           "--duration applies to a live capture (--iface); a file is read to its end");
  }
  if (a.capture_buffer_mb != 0 && a.iface.empty()) {
    return cli::UsageError("minewatch sensor",
                           "--capture-buffer applies to a live capture (--iface)");
  }
  std::optional<Account> account;
  if (!a.user.empty()) {
    if (a.iface.empty()) {
      return cli::UsageError("minewatch sensor",
                             "--user applies to a live capture (--iface): read files as that user");
    }
    auto found = LookUpAccount(a.user);
    if (!found.ok()) return cli::UsageError("minewatch sensor", "--user: " + found.status().message());
    account = *found;
  }
  if (a.health_interval_given && a.iface.empty()) {
    return cli::UsageError("minewatch sensor",
                           "--health-interval applies to a live capture (--iface); a file's "
                           "counters are printed by --stats");
  }
  sensor::SensorConfig config;
  config.sensor_name = a.name;
  config.flows.max_flows = a.max_flows;
  if (a.flow_events == "none") config.flow_events = sensor::FlowEvents::kNone;
  else if (a.flow_events == "all") config.flow_events = sensor::FlowEvents::kAll;
  else if (a.flow_events != "mining") {
    return cli::UsageError("minewatch sensor", "--flow-events takes none, mining or all");
  }
  std::unique_ptr<intel::Snapshot> intel;
  // Where the snapshot comes from, and where SIGUSR2 loads it again ("" with --no-intel).
  const std::string intel_path = a.no_intel ? "" : a.intel.empty() ? DefaultIntelPath() : a.intel;
  if (!a.no_intel) {
    std::error_code ec;
    if (!a.intel.empty() || std::filesystem::exists(intel_path, ec)) {
      auto snap = intel::Snapshot::Load(intel_path);
      if (!snap.ok()) {
        return cli::UsageError("minewatch sensor",
                               "intel " + intel_path + ": " + snap.status().message());
      }
      intel = std::make_unique<intel::Snapshot>(std::move(snap).value());
    } else {
      std::cerr << "minewatch sensor: no intel snapshot at " << intel_path
                << " (list-based detection off; see minewatch intel import)\n";
    }
  }
  auto sink = events::JsonLinesSink::Open(a.eve);
  if (!sink.ok()) return cli::UsageError("minewatch sensor", sink.status().message());
  CounterSet counters;
  // Entries of the snapshot in use (0: none), so that --stats and health events say which intel
  // the alerts were matched against.
  counters.Get("intel.entries").Set(intel ? intel->entry_count() : 0);
  auto pipeline_owner =
      std::make_unique<sensor::SensorPipeline>(config, intel.get(), sink->get(), &counters);
  sensor::SensorPipeline& pipeline = *pipeline_owner;

  const bool tty = isatty(STDERR_FILENO) && a.eve != "-";
  int rc = 0;
  std::string live_source;  // set once a live capture has ended: its last health event
  net::CaptureStats capture;  // every source's, summed (exported once, at the end)
  // A live sensor flushes its events as they come; a failed write (disk full, a closed pipe's
  // reader gone) is said at once, not only when the capture stops. When the reader is gone,
  // nothing written can arrive any more: the sensor stops instead of capturing on for nobody
  // (SIGPIPE is ignored, so the write fails with EPIPE).
  bool write_failure_said = false;
  bool reader_gone = false;
  auto flush = [&] {
    const Status st = (*sink)->Flush();
    if (!st.ok() && !write_failure_said) {
      std::cerr << "minewatch sensor: " << st.message()
                << ((*sink)->ReaderGone() ? "; nothing reads them any more: stopping" : "") << "\n";
      write_failure_said = true;
    }
    return st;
  };
  auto reopen = [&] {
    const Status st = (*sink)->Reopen();
    if (!st.ok()) {
      std::cerr << "minewatch sensor: SIGHUP: " << st.message() << "\n";
    } else if (a.eve == "-") {
      std::cerr << "minewatch sensor: SIGHUP: events go to standard output, no file to reopen\n";
    } else {
      std::cerr << "minewatch sensor: SIGHUP: reopened " << a.eve << "\n";
    }
  };
  // An intel update. The new snapshot replaces the old only once it has loaded and checked out;
  // a failed load keeps the one in use (or none) and says why.
  auto reload_intel = [&] {
    if (a.no_intel) {
      std::cerr << "minewatch sensor: SIGUSR2: --no-intel was given, no intel to reload\n";
      return;
    }
    auto snap = intel::Snapshot::Load(intel_path);
    if (!snap.ok()) {
      counters.Get("intel.reload_failures").Inc();
      std::cerr << "minewatch sensor: SIGUSR2: intel " << intel_path << ": "
                << snap.status().message() << "; "
                << (intel ? "the snapshot loaded before stays in use"
                          : "list-based detection stays off")
                << "\n";
      return;
    }
    auto next = std::make_unique<intel::Snapshot>(std::move(snap).value());
    pipeline.SetIntel(next.get());
    intel = std::move(next);  // (the old one is freed: the pipeline no longer reads it)
    counters.Get("intel.reloads").Inc();
    counters.Get("intel.entries").Set(intel->entry_count());
    std::cerr << "minewatch sensor: SIGUSR2: reloaded intel " << intel_path << " ("
              << intel->entry_count() << " entries)\n";
  };
  // A live sensor's heartbeat: a "health" event with every counter, every --health-interval
  // seconds, and one more when the capture stops.
  auto now_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  };
  const int64_t started_us = now_us();
  auto emit_health = [&](const std::string& source, sensor::HealthState state) {
    (*sink)->Emit(sensor::MakeHealthEvent(a.name, source, state, now_us(), started_us, counters));
    (void)flush();
  };
  auto report_health = [&](net::PacketSource& src, sensor::HealthState state) {
    pipeline.ExportCounters();
    src.stats().ExportTo(counters);
    emit_health(src.name(), state);
  };
  // A live interface that disappears (a tap or veth re-created, ppp0 after a reconnect) is
  // waited for, with the flows kept: said in one line when it goes and when it is back, and in
  // a health event at once (state "interface_down" until then).
  bool capture_down = false;
  struct LossListener : net::CaptureLossListener {
    std::function<void(const Status&)> lost;
    std::function<void(int64_t)> back;
    void OnCaptureLost(const Status& why) override { lost(why); }
    void OnCaptureBack(int64_t down_us) override { back(down_us); }
  } loss_listener;
  // Frames are read a batch at a time: the pipeline decodes a group ahead and prefetches each
  // packet's flow before it gets to it. A live batch takes only the frames that are ready, so
  // that no frame waits for a batch to fill.
  auto drain = [&](net::PacketSource& src, bool live) -> bool {
    net::FrameBatch batch;
    uint64_t n = 0;
    bool failed = false;
    const auto t0 = std::chrono::steady_clock::now();
    const bool heartbeat = live && a.health_interval_s > 0;
    const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(heartbeat ? a.health_interval_s : 1.0));
    auto next_health = t0 + interval;
    while (g_stop_signal.load() == 0) {
      if (live && a.duration_s > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= a.duration_s) {
        break;
      }
      const net::NextResult r = batch.Fill(src);
      // (Before the batch is processed: a signal that arrived while the read waited applies to
      // the events of what the wait brought.)
      if (g_reopen_eve.exchange(false)) reopen();
      if (g_reload_intel.exchange(false)) reload_intel();
      if (!batch.empty()) {
        pipeline.ProcessFrames(batch.frames());
        if (tty && ((n + batch.size()) >> 18) != (n >> 18)) {
          std::fprintf(stderr, "\r%s: %llu packets, %llu alerts", src.name().c_str(),
                       static_cast<unsigned long long>(n + batch.size()),
                       static_cast<unsigned long long>(pipeline.alerts()));
        }
        n += batch.size();
        if (live) (void)flush();
        if ((*sink)->ReaderGone()) {
          (void)flush();  // (says so, once)
          reader_gone = true;
          break;
        }
      }
      if (heartbeat && std::chrono::steady_clock::now() >= next_health) {
        report_health(src, capture_down ? sensor::HealthState::kInterfaceDown
                                        : sensor::HealthState::kRunning);
        next_health += interval;
        if (next_health < std::chrono::steady_clock::now()) {
          next_health = std::chrono::steady_clock::now() + interval;  // (a long stall: no burst)
        }
      }
      if (r == net::NextResult::kPacket) continue;
      if (r == net::NextResult::kTimeout) {
        if (batch.empty()) {  // nothing within the read timeout: let flow timeouts fire
          pipeline.Advance(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count());
          (void)flush();
        }
        continue;
      }
      if (r == net::NextResult::kEnd) break;
      failed = true;
      break;
    }
    if (tty && n >= 0x40000) std::fprintf(stderr, "\n");
    capture += src.stats();  // a failed source's counts too (its read errors among them)
    if (failed) std::cerr << "minewatch sensor: " << src.status().message() << "\n";
    return !failed;
  };

  // Files too: an interrupted run still ends its flows and writes whole lines (killed at once,
  // it would lose the events in the write buffer and could leave half a line in an EVE file
  // that the next run appends to).
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnHangup);  // (glibc's signal() restarts the reads it interrupts)
  std::signal(SIGUSR2, OnReloadIntel);
  std::signal(SIGPIPE, SIG_IGN);  // a closed events pipe is a failed write (EPIPE), said and ended
  if (!a.iface.empty()) {
    net::LiveOptions live;
    live.interface = a.iface;
    live.bpf_filter = a.bpf;
    live.buffer_bytes = int(a.capture_buffer_mb << 20);
    auto first = net::OpenLiveInterface(live);
    if (!first.ok()) return cli::UsageError("minewatch sensor", first.status().message());
    auto src = std::make_unique<net::ReopeningLiveSource>(
        std::move(first).value(), [&live] { return net::OpenLiveInterface(live); },
        Env::Default(), &loss_listener, int64_t{live.read_timeout_ms} * 1000);
    loss_listener.lost = [&](const Status& why) {
      capture_down = true;
      std::cerr << "minewatch sensor: " << why.message() << "; waiting for " << a.iface
                << " to come back (flows kept, trying every second)\n";
      if (a.health_interval_s > 0) report_health(*src, sensor::HealthState::kInterfaceDown);
    };
    loss_listener.back = [&](int64_t down_us) {
      capture_down = false;
      std::fprintf(stderr, "minewatch sensor: %s is back after %.1f s; capturing again\n",
                   a.iface.c_str(), double(down_us) / 1e6);
      if (a.health_interval_s > 0) report_health(*src, sensor::HealthState::kRunning);
    };
    if (account) {
      // The capture is open: what comes next, parsing what others send, needs no privilege.
      if (const Status st = DropPrivileges(*account); !st.ok()) {
        return cli::UsageError("minewatch sensor", "--user: " + st.message());
      }
    }
    std::cerr << "minewatch sensor: listening on " << a.iface
              << (account ? " as user " + account->name : std::string())
              << (intel ? "" : " (no intel snapshot: list-based detection off)") << "\n";
    if (!drain(*src, true) || reader_gone) rc = 2;
    live_source = src->name();
  } else {
    for (const std::string& given : a.pcaps) {
      // "-": standard input (a pipe from tcpdump -w - or zcat), read as bytes arrive.
      const std::string path = given == "-" ? "/dev/stdin" : given;
      net::CaptureOptions opts;
      opts.bpf_filter = a.bpf;
      auto src = net::OpenPcapFile(path, opts);
      if (!src.ok()) {
        std::cerr << "minewatch sensor: " << src.status().message() << "\n";
        rc = 2;
        continue;
      }
      if (!drain(**src, false) || reader_gone) rc = 2;
      if (reader_gone) break;
      if (const int sig = g_stop_signal.load(); sig != 0) {
        std::cerr << "minewatch sensor: stopped by signal " << sig << " before " << given
                  << " was read to its end; the events of what was read are written\n";
        rc = 128 + sig;
        break;
      }
    }
  }
  pipeline.Finish();
  capture.ExportTo(counters);
  if (!live_source.empty() && a.health_interval_s > 0) {
    emit_health(live_source, sensor::HealthState::kStopped);
  }
  if (!flush().ok()) rc = 2;
  // A full table evicts the least recently seen flow before it ends: its later packets start a
  // new, mid-session flow, and what was learnt about it so far is judged early. Say so.
  if (const uint64_t evicted = counters.Value("flow.evicted"); evicted > 0) {
    std::cerr << "minewatch sensor: the flow table was full (--max-flows " << a.max_flows
              << "): " << evicted << " flow(s) evicted before they ended; a larger --max-flows"
              << " keeps them (counter flow.evicted)\n";
  }
  // A filter that kept nothing of what was read looks like a clean capture: say so.
  if (!a.bpf.empty() && capture.packets == 0 && capture.filtered > 0) {
    std::cerr << "minewatch sensor: the BPF filter '" << a.bpf << "' kept none of the "
              << capture.filtered << " record(s) read (counter capture.filtered)\n";
  }
  if (a.stats) PrintCounters(counters);
  // The command ends here, and the process with it: the pipeline's flow states (a hundred
  // thousand and more after a large capture, mostly cold in cache) are left to the OS instead
  // of being freed one by one, which took a tenth of `sensor --pcap`'s run time. Everything it
  // wrote is flushed above. Sanitizer builds free them, so that leak checks keep their meaning.
#ifndef MW_SANITIZED
  (void)pipeline_owner.release();
#endif
  return rc;
}

}  // namespace

void AddSensorCommand(CLI::App& app, cli::Action& action) {
  auto a = std::make_shared<SensorArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sensor", "Network detection: read capture files or a live interface, write EVE-JSON alerts");
  cmd->add_option("--pcap", a->pcaps, "pcap or pcapng file(s) to read; - reads standard input");
  cmd->add_option("--iface", a->iface, "Live capture from this interface (e.g. lo)");
  cmd->add_option("--bpf", a->bpf, "BPF filter expression applied to the capture");
  cmd->add_option("--eve", a->eve, "Where events go: a file (appended; SIGHUP reopens it) or - for stdout")
      ->capture_default_str();
  cmd->add_option("--intel", a->intel,
                  "Compiled intel snapshot (minewatch intel import); default: the shipped one; "
                  "SIGUSR2 loads it again");
  cmd->add_flag("--no-intel", a->no_intel, "Do not load any intel snapshot");
  cmd->add_option("--name", a->name, "Sensor name written into every event")->capture_default_str();
  cmd->add_option("--flow-events", a->flow_events,
                  "Metadata events: none, mining (flows that alerted or spoke a mining dialect), all")
      ->capture_default_str();
  cmd->add_option("--duration", a->duration_s, "Live capture: stop after this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--capture-buffer", a->capture_buffer_mb,
                  "Live capture: the kernel's capture buffer in MiB (default: libpcap's, 2 MiB); "
                  "larger when capture.kernel_dropped grows")
      ->check(CLI::Range(1, 2048));
  cmd->add_option("--user", a->user,
                  "Live capture started as root: become this account once the capture and the "
                  "EVE file are open (its groups too; no capability is kept)");
  cmd->add_option("--health-interval", a->health_interval_s,
                  "Live capture: a \"health\" event with every counter this often, in seconds, "
                  "and one when the capture stops (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber)
      ->each([a](const std::string&) { a->health_interval_given = true; });
  cmd->add_option("--max-flows", a->max_flows,
                  "Flows tracked at once; when full, the least recently seen one is evicted")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{1}, kMaxFlowsLimit));
  cmd->add_flag("--stats", a->stats, "Print every stage's counters to stderr at the end");
  cmd->callback([&action, a] { action = [a] { return RunSensor(*a); }; });
}

}  // namespace mw::minewatch
