// ClientProtocol: the miner's side of each pool dialect, without sockets or threads.
//
// It says what to send after connecting (Hello), turns every pool line into events (new work,
// answers to submits), makes work units for the hashing threads (V1: a fresh extranonce2 per
// unit; XMRig family: the pool's 80-byte header blob), and encodes found nonces as submits.
// Wire shapes are the real programs' (protocols.md): cgminer-style V1 with the agent string in
// mining.subscribe, XMRig login/submit/keepalived, Coinhive auth/submit, webminerpool
// handshake/solved, ethminer-style EthereumStratum/1.0.0 (subscribe with the protocol name,
// extranonce.subscribe, authorize, 3-param submit) and eth-proxy (eth_submitLogin with a "worker"
// member, eth_getWork, eth_submitWork with 0x-prefixed nonce/header/mix), both sending
// eth_submitHashrate as their keep-alive. How a SHA-256d header travels in the Ethash fields:
// src/lab/pool/README.md ("Eth dialects"). With `sv2` set the miner speaks Stratum V2 instead
// (plaintext frames, one standard channel: client_protocol_sv2.cc): Hello() is SetupConnection,
// pool frames go to OnFrame(), and units roll the BIP320 version bits.
//
// Not thread-safe: the miner's io thread owns it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "lab/miner/hash_workers.h"
#include "proto/stratum/stratum_message.h"
#include "proto/stratum/v1_job.h"
#include "proto/sv2/sv2_frame.h"

namespace mw::lab::stratum_miner {

struct ClientOptions {
  stratum::Dialect dialect = stratum::Dialect::kV1;
  std::string user;      // "ADDRESS.worker"
  std::string password = "x";
  std::string agent;     // empty: the dialect's usual agent string
  bool version_rolling = false;  // V1: ask for BIP310 (the miner does not roll; shows on the wire)
  bool sv2 = false;              // Stratum V2 frames instead of a JSON dialect
  double nominal_hash_rate = 1e6;  // SV2 OpenStandardMiningChannel: what the miner expects to do
};

// The agent string each dialect's reference program sends.
std::string DefaultAgent(stratum::Dialect d);
// SV2: the SetupConnection firmware field when no agent is given.
inline constexpr std::string_view kSv2Firmware = "minelab-sv2/0.1";

struct ClientEvents {
  bool new_work = false;     // call NextWork()
  bool clean = false;        // drop the current unit now
  int accepted = 0;
  int rejected = 0;
  std::string reject_reason;
  bool fatal = false;        // the pool refused us (e.g. unauthorized): reconnect elsewhere
  std::string fatal_reason;
  std::vector<std::string> send;  // lines to send now (eth dialects: the first hash-rate report)

  // Records the pool's answer `r` to a request of `method`: a share answer when `is_share`, a
  // refusal that ends the session when `refusal_is_fatal` (login, authorize, subscribe).
  void RecordAnswer(const stratum::Response& r, const std::string& method, bool is_share,
                    bool refusal_is_fatal);
};

class ClientProtocol {
 public:
  explicit ClientProtocol(ClientOptions options);

  // Lines to send right after the connection is up (each ends in '\n').
  std::vector<std::string> Hello();
  // One line from the pool.
  ClientEvents OnLine(std::string_view line);
  // One Stratum V2 frame from the pool (options.sv2).
  ClientEvents OnFrame(const sv2::Frame& frame);
  // The next work unit for the current job; nullopt when there is none (or, for blob dialects,
  // when the pool's unit was already handed out).
  std::optional<miner::WorkUnit> NextWork();
  // The submit line for a found nonce of unit `unit_id`; nullopt when the unit is stale.
  std::optional<std::string> Submit(const miner::FoundNonce& found);
  // A keep-alive line, when the dialect has one (XMRig keepalived; eth dialects
  // eth_submitHashrate reporting `hashes_per_second`).
  std::optional<std::string> KeepAlive(double hashes_per_second = 0);

  bool ready() const { return has_job_; }
  double difficulty() const { return difficulty_; }
  uint64_t submitted() const { return submitted_; }

 private:
  struct UnitInfo {
    std::string job_id;
    std::string extranonce2_hex;
    std::string ntime_hex;
    uint32_t version = 0;  // eth dialects: the top half of the 64-bit nonce
  };
  struct EthJob {  // an eth job: the header without version and nonce, and its share target
    std::string key;  // job id (EthereumStratum) or 0x header hash (eth-proxy)
    std::array<uint8_t, 80> header{};
    Hash256 target{};
  };
  ClientEvents OnV1(const stratum::Message& m);
  ClientEvents OnBlob(const stratum::Message& m);
  ClientEvents OnEth(const stratum::Message& m);
  std::string TakePending(const stratum::Message& m);  // the method a reply answers
  std::optional<miner::WorkUnit> NextEthWork();
  std::optional<std::string> EthSubmit(const UnitInfo& unit, const miner::FoundNonce& found);
  std::optional<std::string> EthHashrate(double hashes_per_second);
  void FirstReport(ClientEvents& ev);
  void SetBlobJob(const stratum::MinerJob& job);
  // client_protocol_sv2.cc
  std::vector<std::string> Sv2Hello();
  std::optional<miner::WorkUnit> NextSv2Work();
  std::optional<std::string> Sv2Submit(const UnitInfo& unit, const miner::FoundNonce& found);
  uint64_t AddUnit(UnitInfo info);

  ClientOptions options_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::string> pending_;  // request id -> method
  // V1 state
  std::string extranonce1_hex_;
  Bytes extranonce1_;
  size_t extranonce2_size_ = 4;
  std::optional<stratum::V1Job> job_;
  double difficulty_ = 1;
  double pending_difficulty_ = 0;  // applies at the next notify
  uint64_t extranonce2_ = 0;
  // Blob state
  std::string session_id_;
  std::optional<stratum::MinerJob> blob_job_;
  bool blob_unit_given_ = false;
  Hash256 blob_target_{};
  // Eth state
  std::string eth_extranonce_hex_;  // EthereumStratum nonce prefix
  std::optional<EthJob> eth_job_;
  uint32_t eth_version_counter_ = 0;
  bool eth_reported_ = false;  // the first eth_submitHashrate went out with the first work
  // SV2 state
  struct Sv2Job {
    uint32_t version = 0;
    std::array<uint8_t, 32> merkle_root{};
  };
  uint32_t sv2_channel_ = 0;  // 0: not open
  Hash256 sv2_target_{};
  std::map<uint32_t, Sv2Job> sv2_jobs_;  // future and active jobs of the current prev-hash
  std::optional<uint32_t> sv2_active_;   // the job being mined
  std::array<uint8_t, 32> sv2_prev_hash_{};
  uint32_t sv2_nbits_ = 0;
  uint32_t sv2_ntime_ = 0;
  bool sv2_has_prev_ = false;
  uint32_t sv2_roll_ = 0;     // BIP320 version bits of the next unit
  uint32_t sv2_sequence_ = 0;
  // Both
  bool has_job_ = false;
  uint64_t next_unit_ = 1;
  std::map<uint64_t, UnitInfo> units_;  // the last few units
  uint64_t submitted_ = 0;
};

}  // namespace mw::lab::stratum_miner
