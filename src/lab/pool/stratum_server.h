// StratumServer: the pool's listeners (plain TCP, TLS, WebSocket, Stratum V2) on a small pool of
// io threads.
//
// Every connection gets a Session (session.h); the transport only splits lines (TCP/TLS: '\n';
// WebSocket: one text message per line after the RFC 6455 upgrade) or SV2 frames and writes
// what the session sends. Connections are spread round-robin over the io threads; a session only ever runs on its
// thread. Limits: total and per-IP connection caps and the ban list are checked at accept;
// lines are bounded (stratum::kMaxLineBytes); a peer that stops reading (over 1 MiB queued) is
// dropped; sessions are ticked every second (vardiff for silent miners, idle timeouts).
//
// Threading: Listen*/Start before serving; BroadcastJob from any thread; Stop from any thread
// except an io thread (joins them). The PoolCore must outlive the server.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "io/host_port.h"
#include "lab/pool/job_manager.h"
#include "lab/pool/pool_core.h"
#include "lab/pool/tls_cert.h"

namespace mw::pool {

struct ServerOptions {
  int io_threads = 1;
};

class StratumServer {
 public:
  StratumServer(PoolCore& core, ServerOptions options);
  ~StratumServer();
  StratumServer(const StratumServer&) = delete;
  StratumServer& operator=(const StratumServer&) = delete;

  // Each returns the bound endpoint (port 0 picks one).
  Result<io::HostPort> ListenTcp(const io::HostPort& where);
  Result<io::HostPort> ListenTls(const io::HostPort& where, const PemPair& pem);
  Result<io::HostPort> ListenWebSocket(const io::HostPort& where);
  // Stratum V2, plaintext binary frames (what SV2 looks like on a LAN, or after Noise).
  Result<io::HostPort> ListenSv2(const io::HostPort& where);

  void Start();
  void Stop();

  // Pushes a job to every mining session.
  void BroadcastJob(std::shared_ptr<const PoolJob> job);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mw::pool
