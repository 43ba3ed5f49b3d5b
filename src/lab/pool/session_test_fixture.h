// Test support shared by session_test.cc and session_eth_test.cc (not part of the library): a
// PoolCore on an easy template, Sessions that write into a vector, and answer accessors.
#ifndef MW_LAB_POOL_SESSION_TEST_FIXTURE_H_
#define MW_LAB_POOL_SESSION_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "chain/keys.h"
#include "core/target.h"
#include "lab/pool/pool_core.h"
#include "lab/pool/session.h"
#include "proto/stratum/stratum_codec.h"

namespace mw::pool::testing {

// A template whose network difficulty (~1.5e-5) a test finds in a few thousand hashes.
inline chain::BlockTemplate EasyTemplate(uint8_t prev) {
  chain::BlockTemplate t;
  t.height = 5;
  t.prev_hash[0] = prev;
  t.prev_hash[31] = 0x5a;
  t.bits = 0x1f00ffff;
  t.target = *TargetFromCompact(t.bits);
  t.time = 1'700'000'000;
  t.min_time = t.time - 100;
  t.max_time = t.time + 60;
  t.coinbase_value = 5000;
  return t;
}

// A pool at share difficulty 1e-6 with one template; blocks it finds land in `blocks`, lines its
// sessions send in `out`. Not thread-safe; the clock is `now`, moved by the test.
struct SessionFixture {
  explicit SessionFixture(int max_junk_lines = 0) {
    PoolOptions o;
    o.jobs.payout = chain::KeyPair::Generate()->pubkey();
    o.start_difficulty = 1e-6;
    if (max_junk_lines > 0) o.bans.max_junk_lines = max_junk_lines;
    core = std::make_unique<PoolCore>(o);
    EXPECT_TRUE(core->jobs().AddTemplate(EasyTemplate(1)).ok());
    address = chain::KeyPair::Generate()->address();
    user = address + ".rig1";
    core->SetBlockSink([this](chain::Block b, std::string) { blocks.push_back(std::move(b)); });
  }
  std::unique_ptr<Session> Open(const std::string& peer = "127.0.0.2") {
    return std::make_unique<Session>(*core, peer, [this](std::string l) { out.push_back(l); }, now);
  }
  // The lines sent since the last Drain, decoded.
  std::vector<stratum::Message> Drain() {
    std::vector<stratum::Message> msgs;
    for (const auto& l : out) {
      auto m = stratum::DecodeLine(l);
      EXPECT_TRUE(m.ok()) << l;
      if (m.ok()) msgs.push_back(*m);
    }
    out.clear();
    return msgs;
  }
  std::unique_ptr<PoolCore> core;
  std::string address, user;
  std::vector<std::string> out;
  std::vector<chain::Block> blocks;
  double now = 1'700'000'000;
};

template <typename T>
T Body(const stratum::Message& m) {
  const T* p = m.As<T>();
  return p ? *p : T{};
}

// The error code of a response, 0 when it has none.
inline int ErrCode(const stratum::Message& m) {
  const stratum::Response r = Body<stratum::Response>(m);
  return r.error ? int(r.error.value_or(stratum::RpcError{}).code) : 0;
}

}  // namespace mw::pool::testing

#endif  // MW_LAB_POOL_SESSION_TEST_FIXTURE_H_
