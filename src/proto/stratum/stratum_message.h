// Typed messages of every line-based mining dialect: Stratum V1, the XMRig / CryptoNote JSON-RPC
// dialect, EthereumStratum/1.0.0, eth-proxy, and the browser dialects carried over WebSocket
// (Coinhive {"type":...} and webminerpool {"identifier":...}). Wire formats: protocols.md sections
// (a), (b), (c), (e).
//
// A Message is a plain value: its `kind` says what it is and which alternative of `body` it holds
// (see the Kind list and BodyIndexFor below; kinds of different dialects may share a body type,
// e.g. an XMRig job and a Coinhive job are both MinerJob). Hex fields are kept as the strings that
// were sent (validated for length and alphabet by the decoder), so pool, miner and sensor see
// exactly the wire text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace mw::stratum {

enum class Dialect : uint8_t {
  kUnknown,
  kV1,            // Stratum V1 (Bitcoin / SHA-256d), mining.* methods
  kXmrig,         // CryptoNote / RandomX JSON-RPC: login, job, submit, keepalived, getjob
  kEthStratum,    // EthereumStratum/1.0.0 (NiceHash): mining.* methods, ethash shapes
  kEthProxy,      // eth-proxy: eth_submitLogin, eth_getWork, eth_submitWork, eth_submitHashrate
  kCoinhive,      // browser, {"type":..., "params":{...}}
  kWebminerpool,  // browser, {"identifier":..., ...}
};
inline constexpr int kDialectCount = 7;
std::string_view DialectName(Dialect d);  // "v1", "xmrig", "ethstratum", ...

// Who sent a message, when the message itself says so.
enum class Role : uint8_t { kUnknown, kClient, kServer };
std::string_view RoleName(Role r);  // "unknown", "client", "server"

// JSON-RPC id: absent (monostate), null, a number or a string.
using RpcId = std::variant<std::monostate, std::nullptr_t, int64_t, std::string>;

// An error as V1 sends it ([code,"msg",null]) or XMRig / eth-proxy ({"code":c,"message":m}).
struct RpcError {
  int64_t code = 0;
  std::string message;
  bool operator==(const RpcError&) const = default;
};

// ---- Stratum V1 and EthereumStratum/1.0.0 (mining.* methods) ----

struct Configure {  // mining.configure [[ext...], {"ext.key": value...}]
  std::vector<std::string> extensions;
  std::optional<uint32_t> version_rolling_mask;      // "version-rolling.mask", 8 hex
  std::optional<uint32_t> version_rolling_min_bits;  // "version-rolling.min-bit-count"
  std::optional<double> minimum_difficulty;          // "minimum-difficulty.value"
  bool operator==(const Configure&) const = default;
};
struct ConfigureResult {  // {"version-rolling":true,"version-rolling.mask":"1fffe000"}
  bool version_rolling = false;
  std::optional<uint32_t> version_rolling_mask;
  bool operator==(const ConfigureResult&) const = default;
};
struct Subscribe {  // mining.subscribe [agent, (session id | "EthereumStratum/1.0.0" | ...)]
  std::string agent;
  std::vector<std::string> extra;  // params after the agent, as sent (at most 3)
  bool operator==(const Subscribe&) const = default;
};
struct SubscribeResult {
  // V1: [[["mining.set_difficulty",id],["mining.notify",id]],"en1",en2_size]
  // EthereumStratum: [["mining.notify",id,"EthereumStratum/1.0.0"],"en1"]
  std::vector<std::pair<std::string, std::string>> subscriptions;  // (method, subscription id)
  std::string extranonce1;                 // hex
  std::optional<int> extranonce2_size;     // bytes (V1 only)
  std::string protocol;                    // "EthereumStratum/1.0.0" (EthereumStratum only)
  bool operator==(const SubscribeResult&) const = default;
};
struct Authorize {  // mining.authorize [user, password]
  std::string user;
  std::optional<std::string> password;
  bool operator==(const Authorize&) const = default;
};
struct NoParams {  // mining.extranonce.subscribe [], eth_getWork, hashsolved, ...
  bool operator==(const NoParams&) const = default;
};
struct Difficulty {  // mining.set_difficulty [d] / mining.suggest_difficulty [d]; fractional ok
  double difficulty = 0;
  bool operator==(const Difficulty&) const = default;
};
struct V1Notify {  // mining.notify, 9 params
  std::string job_id;
  std::string prevhash;  // 64 hex
  std::string coinb1;    // hex
  std::string coinb2;    // hex
  std::vector<std::string> merkle_branch;  // 64 hex each
  std::string version;   // 8 hex (big-endian u32)
  std::string nbits;     // 8 hex
  std::string ntime;     // 8 hex
  bool clean_jobs = false;
  bool operator==(const V1Notify&) const = default;
};
struct V1Submit {  // mining.submit [worker, job, en2, ntime, nonce (, version_bits)]
  std::string worker;
  std::string job_id;
  std::string extranonce2;  // hex, even length, at most kMaxExtranonce2Bytes bytes
  std::string ntime;        // 8 hex
  std::string nonce;        // 8 hex
  std::optional<std::string> version_bits;  // 8 hex
  bool operator==(const V1Submit&) const = default;
};
struct SetExtranonce {  // mining.set_extranonce [en1 (, en2_size)]
  std::string extranonce1;
  std::optional<int> extranonce2_size;
  bool operator==(const SetExtranonce&) const = default;
};
struct SetVersionMask {  // mining.set_version_mask ["1fffe000"]
  uint32_t mask = 0;
  bool operator==(const SetVersionMask&) const = default;
};
struct Reconnect {  // client.reconnect [host, port, wait] (all optional)
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<int> wait_seconds;
  bool operator==(const Reconnect&) const = default;
};
struct EthNotify {  // EthereumStratum mining.notify [job, seedhash, headerhash, clean]
  std::string job_id;
  std::string seed_hash;    // 64 hex, no 0x
  std::string header_hash;  // 64 hex, no 0x
  bool clean_jobs = false;
  bool operator==(const EthNotify&) const = default;
};
struct EthSubmit {  // EthereumStratum mining.submit [worker, job, minernonce]
  std::string worker;
  std::string job_id;
  std::string miner_nonce;  // hex, 2..16 digits (8 - len(extranonce) bytes)
  bool operator==(const EthSubmit&) const = default;
};

// ---- XMRig / CryptoNote (also the job body of the browser dialects) ----

struct MinerJob {
  std::string job_id;
  std::string blob;    // hex hashing blob
  std::string target;  // 8 or 16 hex, little-endian (see cryptonote_target.h)
  std::string algo;    // "rx/0", "cn/r", ... (may be empty)
  std::optional<uint64_t> height;
  std::string seed_hash;  // 64 hex or empty (RandomX)
  std::optional<int64_t> variant;  // webminerpool only
  bool operator==(const MinerJob&) const = default;
};
struct XmrLogin {  // login {"login","pass","agent","algo":[...],"rigid"}
  std::string login;
  std::string pass;
  std::string agent;
  std::vector<std::string> algo;
  std::string rigid;
  bool operator==(const XmrLogin&) const = default;
};
struct XmrLoginResult {  // result {"id","job":{...},"extensions":[...],"status"}
  std::string session_id;
  std::optional<MinerJob> job;
  std::vector<std::string> extensions;
  std::string status;
  bool operator==(const XmrLoginResult&) const = default;
};
struct XmrSubmit {  // submit {"id","job_id","nonce","result","algo"}
  std::string session_id;
  std::string job_id;
  std::string nonce;   // 8 hex
  std::string result;  // 64 hex
  std::string algo;
  bool operator==(const XmrSubmit&) const = default;
};
struct XmrSession {  // keepalived {"id"} / getjob {"id"}
  std::string session_id;
  bool operator==(const XmrSession&) const = default;
};
struct XmrStatus {  // result {"status":"OK"} / {"status":"KEEPALIVED"}
  std::string status;
  bool operator==(const XmrStatus&) const = default;
};

// ---- eth-proxy ----

struct EthSubmitLogin {  // eth_submitLogin [login (, password)], "worker" beside params
  std::string login;
  std::optional<std::string> password;
  std::string worker;
  bool operator==(const EthSubmitLogin&) const = default;
};
struct EthWork {  // eth_getWork result ["0x header","0x seed","0x target"(,"0x height")]
  std::string header_hash;  // all four with their 0x prefix, as sent
  std::string seed_hash;
  std::string target;
  std::optional<std::string> block_number;
  bool operator==(const EthWork&) const = default;
};
struct EthSubmitWork {  // eth_submitWork ["0x nonce","0x header","0x mix"], "worker"
  std::string nonce;
  std::string header_hash;
  std::string mix_hash;
  std::string worker;
  bool operator==(const EthSubmitWork&) const = default;
};
struct EthSubmitHashrate {  // eth_submitHashrate ["0x rate","0x id"]
  std::string rate;
  std::string id;
  bool operator==(const EthSubmitHashrate&) const = default;
};

// ---- Coinhive ----

struct CoinhiveAuth {  // auth {"site_key","type","user","goal"}
  std::string site_key;
  std::string type;
  std::optional<std::string> user;  // null when absent
  int64_t goal = 0;
  bool operator==(const CoinhiveAuth&) const = default;
};
struct CoinhiveAuthed {  // authed {"token","hashes"}
  std::string token;
  int64_t hashes = 0;
  bool operator==(const CoinhiveAuthed&) const = default;
};
struct ShareSolution {  // coinhive submit / webminerpool solved {"job_id","nonce","result"}
  std::string job_id;
  std::string nonce;   // 8 hex
  std::string result;  // 64 hex
  bool operator==(const ShareSolution&) const = default;
};
struct HashAccepted {  // hash_accepted {"hashes"}
  int64_t hashes = 0;
  bool operator==(const HashAccepted&) const = default;
};
struct TextError {  // coinhive error {"error"} / webminerpool error {"param"}
  std::string text;
  bool operator==(const TextError&) const = default;
};

// ---- webminerpool ----

struct WmpHandshake {  // handshake {"pool","login","password","userid","version"}
  std::string pool;
  std::string login;
  std::string password;
  std::string userid;
  int64_t version = 0;
  bool operator==(const WmpHandshake&) const = default;
};

// A JSON-RPC reply whose shape says nothing more specific (true, an error, anything else).
struct Response {
  nlohmann::ordered_json result;  // null when absent; keys in the order received
  std::optional<RpcError> error;
  bool operator==(const Response&) const = default;
};

using Body = std::variant<NoParams, Configure, ConfigureResult, Subscribe, SubscribeResult,
                          Authorize, Difficulty, V1Notify, V1Submit, SetExtranonce,
                          SetVersionMask, Reconnect, EthNotify, EthSubmit, MinerJob, XmrLogin,
                          XmrLoginResult, XmrSubmit, XmrSession, XmrStatus, EthSubmitLogin,
                          EthWork, EthSubmitWork, EthSubmitHashrate, CoinhiveAuth,
                          CoinhiveAuthed, ShareSolution, HashAccepted, TextError, WmpHandshake,
                          Response>;

enum class Kind : uint8_t {
  // Stratum V1 (kV1Subscribe, kV1Authorize, kV1SetDifficulty, kV1ExtranonceSubscribe,
  // kV1SetExtranonce, kV1SubscribeResult are also used by EthereumStratum: see Message::dialect)
  kV1Configure,             // Configure            C->S
  kV1ConfigureResult,       // ConfigureResult      S->C
  kV1Subscribe,             // Subscribe            C->S
  kV1SubscribeResult,       // SubscribeResult      S->C
  kV1Authorize,             // Authorize            C->S
  kV1ExtranonceSubscribe,   // NoParams             C->S
  kV1SuggestDifficulty,     // Difficulty           C->S
  kV1SetDifficulty,         // Difficulty           S->C
  kV1Notify,                // V1Notify             S->C
  kV1Submit,                // V1Submit             C->S
  kV1SetExtranonce,         // SetExtranonce        S->C
  kV1SetVersionMask,        // SetVersionMask       S->C
  kV1Reconnect,             // Reconnect            S->C (client.reconnect)
  kV1Ping,                  // NoParams             S->C (mining.ping)
  // EthereumStratum/1.0.0 shapes
  kEthNotify,               // EthNotify            S->C
  kEthSubmit,               // EthSubmit            C->S
  // XMRig
  kXmrLogin,                // XmrLogin             C->S
  kXmrLoginResult,          // XmrLoginResult       S->C
  kXmrJob,                  // MinerJob             S->C
  kXmrSubmit,               // XmrSubmit            C->S
  kXmrKeepalived,           // XmrSession           C->S
  kXmrGetJob,               // XmrSession           C->S
  kXmrStatus,               // XmrStatus            S->C
  // eth-proxy
  kEthSubmitLogin,          // EthSubmitLogin       C->S
  kEthGetWork,              // NoParams             C->S
  kEthWork,                 // EthWork              S->C (reply to getWork, or a push with id 0)
  kEthSubmitWork,           // EthSubmitWork        C->S
  kEthSubmitHashrate,       // EthSubmitHashrate    C->S
  // Coinhive
  kCoinhiveAuth,            // CoinhiveAuth         B->S
  kCoinhiveAuthed,          // CoinhiveAuthed       S->B
  kCoinhiveJob,             // MinerJob             S->B
  kCoinhiveSubmit,          // ShareSolution        B->S
  kCoinhiveHashAccepted,    // HashAccepted         S->B
  kCoinhiveError,           // TextError            S->B
  // webminerpool
  kWmpHandshake,            // WmpHandshake         B->S
  kWmpJob,                  // MinerJob             S->B
  kWmpSolved,               // ShareSolution        B->S
  kWmpHashSolved,           // NoParams             S->B
  kWmpError,                // TextError            S->B
  // Any dialect's reply without a more specific shape.
  kResponse,                // Response             S->C
};
inline constexpr int kKindCount = static_cast<int>(Kind::kResponse) + 1;

std::string_view KindName(Kind k);  // "v1.subscribe", "xmrig.login", ...
// The method / type / identifier string a kind is sent with ("" for replies).
std::string_view WireMethod(Kind k);
// The dialect a kind belongs to (kV1 for the V1 kinds EthereumStratum shares).
Dialect DialectOf(Kind k);
// Who sends a kind.
Role SenderOf(Kind k);
// The index in Body of the alternative a kind carries.
size_t BodyIndexFor(Kind k);

struct Message {
  Kind kind = Kind::kResponse;
  Dialect dialect = Dialect::kUnknown;
  RpcId id;           // absent for the browser dialects and for XMRig job pushes
  bool jsonrpc2 = false;  // the line carried "jsonrpc":"2.0"
  Body body;

  template <typename T>
  const T* As() const { return std::get_if<T>(&body); }
  template <typename T>
  T* As() { return std::get_if<T>(&body); }
};

// Builds a message whose dialect is DialectOf(kind), with `jsonrpc2` set where that dialect
// uses it (XMRig, eth-proxy). The body must be the alternative the Kind list names
// (BodyIndexFor); Encode reports a mismatch.
Message MakeMessage(Kind kind, RpcId id, Body body);

}  // namespace mw::stratum
