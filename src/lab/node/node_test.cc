#include "lab/node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "chain/keys.h"
#include "core/header_hasher.h"
#include "io/asio.h"
#include "io/http_client.h"
#include "lab/p2p/message.h"

namespace mw::lab::node {
namespace {

using nlohmann::json;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("mw_node_test_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<Node> StartNode(const std::string& name, std::vector<io::HostPort> peers = {}) {
  NodeOptions o;
  o.datadir = TempDir(name);
  o.network = "regtest";
  o.peers = std::move(peers);
  o.longpoll_timeout = std::chrono::seconds(20);
  auto node = Node::Start(o);
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? std::move(*node) : nullptr;
}

// Mines one block on `node`'s template (regtest needs a couple of hashes) and submits it by RPC.
json MineAndSubmit(Node& node, io::JsonRpcClient& rpc, const chain::PubKey& payout) {
  chain::BlockTemplate t = node.chain().CreateTemplate();
  chain::Transaction cb = t.MakeCoinbase(payout, AsBytes("test"));
  for (uint32_t nonce = 0;; ++nonce) {
    chain::BlockHeader h = t.HeaderFor(cb, t.time, nonce);
    if (HashMeetsTarget(h.Hash(), t.target)) {
      chain::Block b = t.Assemble(cb, t.time, nonce);
      auto r = rpc.Call("submitblock", json::array({ToHex(chain::EncodeBlock(b))}));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() ? *r : json("error");
    }
  }
}

bool WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

TEST(NodeTest, SubmittedBlocksReachAPeerAndLongPollWakes) {
  auto a = StartNode("a");
  ASSERT_TRUE(a);
  auto b = StartNode("b", {a->p2p_endpoint()});
  ASSERT_TRUE(b);
  auto key = chain::KeyPair::Generate();
  ASSERT_TRUE(key.ok());
  io::JsonRpcClient rpc(io::HttpUrl{a->rpc_endpoint(), "/"});

  auto first = rpc.Call("getblocktemplate", json::array());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string id = (*first)["longpollid"].get<std::string>();
  // A long-poll with the current id waits for the next block.
  json woke;
  std::thread poller([&] {
    io::JsonRpcClient lp(io::HttpUrl{a->rpc_endpoint(), "/"});
    auto r = lp.Call("getblocktemplate", json::array({{{"longpollid", id}}}),
                     std::chrono::seconds(30));
    if (r.ok()) woke = *r;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(MineAndSubmit(*a, rpc, key->pubkey()).is_null());
  poller.join();
  ASSERT_TRUE(woke.is_object());
  EXPECT_NE(woke["longpollid"], id);
  EXPECT_GE(woke["height"].get<int>(), 2);

  EXPECT_TRUE(WaitUntil([&] { return b->chain().BestHash() == a->chain().BestHash(); }));
  EXPECT_EQ(b->chain().Height(), 3u);
  // A block that is already known is reported as a duplicate, not an error.
  auto dup = a->chain().BlockByHeight(3);
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(rpc.Call("submitblock", json::array({ToHex(chain::EncodeBlock(*dup))})).value_or(""),
            "duplicate");
}

TEST(NodeTest, GarbageOnTheP2pPortDropsThatConnectionOnly) {
  auto a = StartNode("g");
  ASSERT_TRUE(a);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), a->p2p_endpoint().port});
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  // The node answers with its version, then closes: reading ends with EOF.
  std::array<uint8_t, 4096> buf{};
  asio::error_code ec;
  size_t total = 0;
  for (int i = 0; i < 100 && !ec; ++i) total += s.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof);
  io::JsonRpcClient rpc(io::HttpUrl{a->rpc_endpoint(), "/"});
  EXPECT_TRUE(rpc.Call("getbestblockhash", json::array()).ok());
}

TEST(NodeTest, RpcRejectsIllTypedParams) {
  auto a = StartNode("r");
  ASSERT_TRUE(a);
  io::JsonRpcClient rpc(io::HttpUrl{a->rpc_endpoint(), "/"});
  EXPECT_FALSE(rpc.Call("getblock", json::array({true})).ok());
  EXPECT_EQ(rpc.last_rpc_error_code(), -32602);
  EXPECT_FALSE(rpc.Call("getbalance", json::array({"ml1nothex"})).ok());
  EXPECT_EQ(rpc.last_rpc_error_code(), -5);
  EXPECT_FALSE(rpc.Call("sendtransaction", json::array({"0102"})).ok());
  EXPECT_EQ(rpc.last_rpc_error_code(), -26);
  EXPECT_FALSE(rpc.Call("getblock", json::array({999})).ok());
  EXPECT_EQ(rpc.last_rpc_error_code(), -5);
  auto genesis = rpc.Call("getblock", json::array({0}));
  ASSERT_TRUE(genesis.ok());
  EXPECT_EQ((*genesis)["hash"], ToDisplayHex(a->chain().params().genesis_hash));
}

}  // namespace
}  // namespace mw::lab::node
