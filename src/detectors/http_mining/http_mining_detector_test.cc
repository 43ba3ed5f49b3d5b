#include "detectors/http_mining/http_mining_detector.h"

#include <gtest/gtest.h>

namespace mw::detectors {
namespace {

TEST(HttpMiningDetector, EachKindOfEvidence) {
  FlowRecord r;
  r.http = HttpFacts{};
  r.http->host = "node.lab:8332";
  r.http->uri = "/";
  r.http->method = "POST";
  r.http->mining_rpc = true;
  r.http->rpc_methods = {"getblocktemplate"};
  r.http->mining_headers = "X-Mining-Extensions: longpoll midstate";
  r.http->user_agent = "cgminer/4.10.0";
  r.http->miner_agent = "cgminer";
  HttpMiningDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].signature_id, sid::kHttpMiningRpc);
  EXPECT_EQ(out[1].signature_id, sid::kHttpMiningHeaders);
  EXPECT_EQ(out[2].signature_id, sid::kHttpMinerAgent);
}

TEST(HttpMiningDetector, WeakScriptNamesDoNotFire) {
  FlowRecord r;
  r.http = HttpFacts{};
  r.http->uri = "/static/worker.js";
  r.http->web_miner_script = "worker.js";
  r.http->web_miner_script_weak = true;
  HttpMiningDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
  r.http->uri = "/lib/coinhive.min.js";
  r.http->web_miner_script = "coinhive.min.js";
  r.http->web_miner_script_weak = false;
  d.Inspect(r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].signature_id, sid::kWebMinerScript);
}

TEST(HttpMiningDetector, PlainHttpIsQuiet) {
  FlowRecord r;
  r.http = HttpFacts{};
  r.http->host = "example.org";
  r.http->uri = "/index.html";
  HttpMiningDetector d;
  std::vector<Finding> out;
  d.Inspect(r, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mw::detectors
