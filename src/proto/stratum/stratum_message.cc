#include "proto/stratum/stratum_message.h"

#include <array>
#include <cassert>
#include <type_traits>

namespace mw::stratum {

namespace {

template <typename T, typename V>
struct VariantIndex;
template <typename T, typename... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr size_t Get() {
    constexpr bool kMatches[] = {std::is_same_v<T, Ts>...};
    for (size_t i = 0; i < sizeof...(Ts); ++i) {
      if (kMatches[i]) return i;
    }
    return sizeof...(Ts);
  }
};

template <typename T>
constexpr size_t IndexOf() {
  constexpr size_t i = VariantIndex<T, Body>::Get();
  static_assert(i < std::variant_size_v<Body>, "not a Body alternative");
  return i;
}

struct KindInfo {
  Kind kind;
  std::string_view name;
  std::string_view wire;
  Dialect dialect;
  Role sender;
  size_t body_index;
};

#define MW_KIND(k, name, wire, dialect, sender, body) \
  KindInfo{Kind::k, name, wire, Dialect::dialect, Role::sender, IndexOf<body>()}

const std::array<KindInfo, kKindCount>& Table() {
  static const std::array<KindInfo, kKindCount> table = {
      MW_KIND(kV1Configure, "v1.configure", "mining.configure", kV1, kClient, Configure),
      MW_KIND(kV1ConfigureResult, "v1.configure_result", "", kV1, kServer, ConfigureResult),
      MW_KIND(kV1Subscribe, "v1.subscribe", "mining.subscribe", kV1, kClient, Subscribe),
      MW_KIND(kV1SubscribeResult, "v1.subscribe_result", "", kV1, kServer, SubscribeResult),
      MW_KIND(kV1Authorize, "v1.authorize", "mining.authorize", kV1, kClient, Authorize),
      MW_KIND(kV1ExtranonceSubscribe, "v1.extranonce_subscribe", "mining.extranonce.subscribe",
              kV1, kClient, NoParams),
      MW_KIND(kV1SuggestDifficulty, "v1.suggest_difficulty", "mining.suggest_difficulty", kV1,
              kClient, Difficulty),
      MW_KIND(kV1SetDifficulty, "v1.set_difficulty", "mining.set_difficulty", kV1, kServer,
              Difficulty),
      MW_KIND(kV1Notify, "v1.notify", "mining.notify", kV1, kServer, V1Notify),
      MW_KIND(kV1Submit, "v1.submit", "mining.submit", kV1, kClient, V1Submit),
      MW_KIND(kV1SetExtranonce, "v1.set_extranonce", "mining.set_extranonce", kV1, kServer,
              SetExtranonce),
      MW_KIND(kV1SetVersionMask, "v1.set_version_mask", "mining.set_version_mask", kV1, kServer,
              SetVersionMask),
      MW_KIND(kV1Reconnect, "v1.reconnect", "client.reconnect", kV1, kServer, Reconnect),
      MW_KIND(kV1Ping, "v1.ping", "mining.ping", kV1, kServer, NoParams),
      MW_KIND(kEthNotify, "ethstratum.notify", "mining.notify", kEthStratum, kServer, EthNotify),
      MW_KIND(kEthSubmit, "ethstratum.submit", "mining.submit", kEthStratum, kClient, EthSubmit),
      MW_KIND(kXmrLogin, "xmrig.login", "login", kXmrig, kClient, XmrLogin),
      MW_KIND(kXmrLoginResult, "xmrig.login_result", "", kXmrig, kServer, XmrLoginResult),
      MW_KIND(kXmrJob, "xmrig.job", "job", kXmrig, kServer, MinerJob),
      MW_KIND(kXmrSubmit, "xmrig.submit", "submit", kXmrig, kClient, XmrSubmit),
      MW_KIND(kXmrKeepalived, "xmrig.keepalived", "keepalived", kXmrig, kClient, XmrSession),
      MW_KIND(kXmrGetJob, "xmrig.getjob", "getjob", kXmrig, kClient, XmrSession),
      MW_KIND(kXmrStatus, "xmrig.status", "", kXmrig, kServer, XmrStatus),
      MW_KIND(kEthSubmitLogin, "ethproxy.submit_login", "eth_submitLogin", kEthProxy, kClient,
              EthSubmitLogin),
      MW_KIND(kEthGetWork, "ethproxy.get_work", "eth_getWork", kEthProxy, kClient, NoParams),
      MW_KIND(kEthWork, "ethproxy.work", "", kEthProxy, kServer, EthWork),
      MW_KIND(kEthSubmitWork, "ethproxy.submit_work", "eth_submitWork", kEthProxy, kClient,
              EthSubmitWork),
      MW_KIND(kEthSubmitHashrate, "ethproxy.submit_hashrate", "eth_submitHashrate", kEthProxy,
              kClient, EthSubmitHashrate),
      MW_KIND(kCoinhiveAuth, "coinhive.auth", "auth", kCoinhive, kClient, CoinhiveAuth),
      MW_KIND(kCoinhiveAuthed, "coinhive.authed", "authed", kCoinhive, kServer, CoinhiveAuthed),
      MW_KIND(kCoinhiveJob, "coinhive.job", "job", kCoinhive, kServer, MinerJob),
      MW_KIND(kCoinhiveSubmit, "coinhive.submit", "submit", kCoinhive, kClient, ShareSolution),
      MW_KIND(kCoinhiveHashAccepted, "coinhive.hash_accepted", "hash_accepted", kCoinhive,
              kServer, HashAccepted),
      MW_KIND(kCoinhiveError, "coinhive.error", "error", kCoinhive, kServer, TextError),
      MW_KIND(kWmpHandshake, "webminerpool.handshake", "handshake", kWebminerpool, kClient,
              WmpHandshake),
      MW_KIND(kWmpJob, "webminerpool.job", "job", kWebminerpool, kServer, MinerJob),
      MW_KIND(kWmpSolved, "webminerpool.solved", "solved", kWebminerpool, kClient, ShareSolution),
      MW_KIND(kWmpHashSolved, "webminerpool.hashsolved", "hashsolved", kWebminerpool, kServer,
              NoParams),
      MW_KIND(kWmpError, "webminerpool.error", "error", kWebminerpool, kServer, TextError),
      MW_KIND(kResponse, "response", "", kUnknown, kServer, Response),
  };
  return table;
}

#undef MW_KIND

const KindInfo& Info(Kind k) {
  const auto i = static_cast<size_t>(k);
  const KindInfo& info = Table()[i < Table().size() ? i : Table().size() - 1];
  assert(info.kind == k);  // the table is in Kind order
  return info;
}

}  // namespace

std::string_view DialectName(Dialect d) {
  switch (d) {
    case Dialect::kV1: return "v1";
    case Dialect::kXmrig: return "xmrig";
    case Dialect::kEthStratum: return "ethstratum";
    case Dialect::kEthProxy: return "ethproxy";
    case Dialect::kCoinhive: return "coinhive";
    case Dialect::kWebminerpool: return "webminerpool";
    case Dialect::kUnknown: break;
  }
  return "unknown";
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kClient: return "client";
    case Role::kServer: return "server";
    case Role::kUnknown: break;
  }
  return "unknown";
}

std::string_view KindName(Kind k) { return Info(k).name; }
std::string_view WireMethod(Kind k) { return Info(k).wire; }
Dialect DialectOf(Kind k) { return Info(k).dialect; }
Role SenderOf(Kind k) { return Info(k).sender; }
size_t BodyIndexFor(Kind k) { return Info(k).body_index; }

Message MakeMessage(Kind kind, RpcId id, Body body) {
  Message m;
  m.kind = kind;
  m.dialect = DialectOf(kind);
  m.id = std::move(id);
  m.jsonrpc2 = m.dialect == Dialect::kXmrig || m.dialect == Dialect::kEthProxy;
  m.body = std::move(body);
  return m;
}

}  // namespace mw::stratum
