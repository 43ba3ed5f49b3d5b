// Session: one miner connection's protocol state, independent of the transport (TCP, TLS,
// WebSocket). The transport hands it lines and ticks; it answers through the Sink.
//
// The first decodable line fixes the dialect:
//   V1           mining.configure/subscribe/authorize/submit, set_difficulty + notify
//   XMRig        login / submit / keepalived / getjob; jobs pushed as "job"
//   Coinhive     {"type":"auth"} / submit -> authed / job / hash_accepted / error
//   webminerpool {"identifier":"handshake"} / solved -> job / hashsolved / error
//   EthereumStratum/1.0.0  mining.subscribe [agent,"EthereumStratum/1.0.0"] / authorize /
//                extranonce.subscribe / submit [worker, job, minernonce]; set_difficulty + notify
//   eth-proxy    eth_submitLogin / eth_getWork / eth_submitWork / eth_submitHashrate; work as
//                a reply to eth_getWork and pushed as {"id":0,"result":[...]}
// Stratum V2 (plaintext, standard channels) arrives as binary frames on its own listener
// (OnSv2Frame, session_sv2.cc): SetupConnection, OpenStandardMiningChannel, NewMiningJob +
// SetNewPrevHash + SetTarget, SubmitSharesStandard -> SubmitShares.Success / .Error.
// The XMRig family and the eth dialects mine the same SHA-256d headers as V1 (see README.md): the
// pool picks the extranonce2 for each job it sends, so the miner receives every header byte but
// the nonce (eth dialects: and the version, which is the top half of the 64-bit Ethash nonce).
//
// Abuse handling: junk or oversized lines, floods and a high invalid-share ratio ban the peer
// (PoolCore::bans) and close the session. Not thread-safe: one session belongs to one io thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "lab/pool/ban_policy.h"
#include "lab/pool/pool_core.h"
#include "lab/pool/share_check.h"
#include "lab/pool/vardiff.h"
#include "proto/stratum/stratum_message.h"
#include "proto/sv2/sv2_frame.h"
#include "proto/sv2/sv2_mining.h"

namespace mw::pool {

class Session {
 public:
  using Sink = std::function<void(std::string line)>;  // one encoded line, '\n' included
  Session(PoolCore& core, std::string peer, Sink sink, double now_s);

  // One line from the peer (without the '\n'). False: close the connection now.
  bool OnLine(std::string_view line, double now_s);
  // A line longer than the limit was dropped by the transport.
  bool OnOversizeLine(double now_s);
  // One Stratum V2 frame (the connection came in on the SV2 listener). False: close now.
  bool OnSv2Frame(const sv2::Frame& frame, double now_s);
  // A frame above the transport's limit, or a SetupConnection that does not decode: close.
  bool OnBadSv2Frame(double now_s);
  // A new job from the pool.
  void OnJob(const std::shared_ptr<const PoolJob>& job, double now_s);
  // Periodic housekeeping (vardiff for silent miners, timeouts). False: close.
  bool OnTick(double now_s);

  stratum::Dialect dialect() const { return dialect_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& peer() const { return peer_; }
  double difficulty() const { return state_.difficulty; }
  const ShareMinerState& share_state() const { return state_; }

 private:
  static constexpr size_t kMaxWorkersPerConnection = 64;
  struct BlobJob {  // a job sent to an XMRig-family miner: the pool chose extranonce2
    std::string pool_job_id;
    std::string extranonce2_hex;
    std::string ntime_hex;
    double difficulty = 0;
  };

  struct EthJob {  // a job sent to an eth-dialect miner: the pool chose extranonce2
    std::string pool_job_id;
    std::string extranonce2_hex;
    std::string ntime_hex;
    double difficulty = 0;
  };

  struct Sv2Job {  // a job sent on the SV2 channel: the pool chose extranonce2
    std::string pool_job_id;
    std::string extranonce2_hex;
    std::string ntime_hex;
    uint32_t version = 0;
  };

  bool Ban(BanReason reason, double now_s);
  void Send(const stratum::Message& m);
  void SendRaw(std::string line) { sink_(std::move(line)); }

  bool HandleLine(std::string_view line, double now_s);  // OnLine before FlushRetarget
  bool HandleSv2Frame(const sv2::Frame& frame, double now_s);  // OnSv2Frame before FlushRetarget
  // Sends the job that carries a difficulty changed by a share (after the share's answer).
  void FlushRetarget();
  bool HandleV1(const stratum::Message& m, double now_s);
  bool HandleBlobDialect(const stratum::Message& m, double now_s);
  // session_eth.cc: EthereumStratum/1.0.0 and eth-proxy.
  bool AcceptsKind(const stratum::Message& m) const;  // within the session's dialect
  bool HandleEth(const stratum::Message& m, double now_s);
  bool HandleV1Authorize(const stratum::Message& m, double now_s);  // V1 and EthereumStratum
  void PushEthJob(const PoolJob& job, bool clean, const stratum::RpcId& reply_id);
  ShareOutcome EthShare(const std::string& key, const std::string& nonce64_hex,
                        const std::string& worker, double now_s);
  void PushJob(const PoolJob& job, bool clean);  // in the session's dialect
  // session_sv2.cc
  void PushSv2Job(const PoolJob& job, bool clean);
  void SendSv2(const Result<Bytes>& frame);
  bool HandleSv2Submit(const sv2::SubmitSharesStandard& sub, double now_s);
  bool Authorize(const std::string& user, std::string* account_out);
  void StartMining(double now_s);  // after authorization: difficulty + first job
  void PushV1Job(const PoolJob& job, bool clean);
  void PushBlobJob(const PoolJob& job, bool reply_to_login, const stratum::RpcId& id);
  stratum::MinerJob MakeBlobJob(const PoolJob& job);
  // The header of `job` with the next pool-chosen extranonce2 (blob, eth and SV2 jobs: the miner
  // receives every header byte but the nonce, and the version where its dialect rolls it).
  stratum::Header80 NextPoolHeader(const PoolJob& job, std::string* extranonce2_hex);
  // Share check + accounting + vardiff; returns the outcome.
  ShareOutcome SubmitShare(const ShareSubmit& submit, const std::string& worker, double now_s);
  void ApplyDifficulty(double next, double now_s);

  PoolCore& core_;
  std::string peer_;
  Sink sink_;
  stratum::Dialect dialect_ = stratum::Dialect::kUnknown;
  ConnectionGuard guard_;
  ShareMinerState state_;
  Vardiff vardiff_;
  double created_s_;
  double last_line_s_;
  bool mining_ = false;
  bool difficulty_sent_ = false;
  double sent_difficulty_ = 0;
  std::map<std::string, std::string> workers_;  // authorized user -> account
  std::string account_;   // first authorized account (blob dialects: the only one)
  std::string worker_;    // "account.worker" for stats
  std::string session_id_;
  uint64_t next_extranonce2_ = 1;
  std::deque<std::pair<std::string, BlobJob>> blob_jobs_;  // newest last
  // Eth dialects: keyed by job id (EthereumStratum) or 0x header hash (eth-proxy); newest last.
  std::deque<std::pair<std::string, EthJob>> eth_jobs_;
  std::string eth_extranonce_hex_;  // EthereumStratum: the nonce prefix (3 bytes)
  uint32_t eth_job_seq_ = 0;
  // Stratum V2 (one standard channel per connection).
  bool sv2_ = false;
  bool sv2_setup_ = false;
  uint32_t sv2_channel_ = 0;  // 0: no channel open yet
  uint32_t sv2_next_job_ = 1;
  double sv2_sent_difficulty_ = 0;
  std::deque<std::pair<uint32_t, Sv2Job>> sv2_jobs_;  // newest last
  std::shared_ptr<const PoolJob> last_job_;
  bool retarget_pending_ = false;  // a share moved the difficulty: FlushRetarget after its answer
  uint64_t last_clean_serial_ = 0;
  uint64_t hashes_credited_ = 0;
  std::string close_reason_;
};

}  // namespace mw::pool
