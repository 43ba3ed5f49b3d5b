#include "lab/node/node.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "lab/node/node_impl.h"
#include "lab/rpc/chain_json.h"

namespace mw::lab::node {

std::string Node::Impl::LongPollId() const {
  return ToDisplayHex(chain->BestHash()) + ":" + std::to_string(event_seq);
}

io::Json Node::Impl::TemplateJson() const {
  return rpc::TemplateToJson(chain->CreateTemplate(), LongPollId());
}

void Node::Impl::OnChainEvent() {
  ++event_seq;
  if (waiters.empty()) return;
  io::Json tmpl = TemplateJson();
  auto ready = std::move(waiters);
  waiters.clear();
  for (auto& w : ready) {
    w->timer->cancel();
    if (w->done) {
      auto done = std::move(w->done);
      w->done = nullptr;
      done(tmpl);
    }
  }
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->log = impl->options.logger ? impl->options.logger : &impl->fallback_logger;
  MW_ASSIGN_OR_RETURN(const chain::ChainParams* params,
                      chain::ChainParams::ByName(impl->options.network));
  std::error_code fs_ec;
  std::filesystem::create_directories(impl->options.datadir, fs_ec);
  if (fs_ec) {
    return Status::IoError("cannot create datadir " + impl->options.datadir + ": " +
                           fs_ec.message());
  }
  MW_ASSIGN_OR_RETURN(impl->chain, chain::Chain::Open(*params, impl->options.datadir));

  Impl* raw = impl.get();
  io::HttpServer::Options http_options;
  http_options.limits.max_body_bytes = 8 * 1024 * 1024;  // submitblock of a full block in hex
  impl->http = std::make_unique<io::HttpServer>(impl->io, http_options);
  io::RpcDispatcher rpc;
  impl->RegisterRpc(rpc);
  impl->http->Route("/", rpc.AsHttpHandler());
  MW_ASSIGN_OR_RETURN(impl->rpc_endpoint, impl->http->Listen(impl->options.rpc_bind));

  PeerManager::Options p2p_options;
  p2p_options.network = params->name;
  p2p_options.peers = impl->options.peers;
  impl->p2p = std::make_unique<PeerManager>(impl->io, *impl->chain, p2p_options, impl->log,
                                            [raw] { raw->OnChainEvent(); });
  MW_ASSIGN_OR_RETURN(impl->p2p_endpoint, impl->p2p->Start(impl->options.p2p_bind));

  {
    const std::string path = impl->options.datadir + "/node.json";
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << io::Json{{"rpc", impl->rpc_endpoint.ToString()},
                    {"p2p", impl->p2p_endpoint.ToString()},
                    {"pid", int(::getpid())}}
               .dump()
        << "\n";
    out.close();
    std::filesystem::rename(path + ".tmp", path, fs_ec);
  }

  impl->work.emplace(asio::make_work_guard(impl->io));
  impl->thread = std::thread([raw] { raw->io.run(); });
  impl->log->Info("node", "chain " + params->name + " height " +
                              std::to_string(impl->chain->Height()) + ", rpc " +
                              impl->rpc_endpoint.ToString() + ", p2p " +
                              impl->p2p_endpoint.ToString());
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

void Node::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  Impl* raw = impl_.get();
  std::promise<void> done;
  asio::post(raw->io, [raw, &done] {
    raw->p2p->Stop();
    raw->http->Stop();
    for (auto& w : raw->waiters) w->timer->cancel();
    raw->waiters.clear();
    done.set_value();
  });
  done.get_future().wait();
  raw->work.reset();
  raw->io.stop();
  if (raw->thread.joinable()) raw->thread.join();
}

const io::HostPort& Node::rpc_endpoint() const { return impl_->rpc_endpoint; }
const io::HostPort& Node::p2p_endpoint() const { return impl_->p2p_endpoint; }
chain::Chain& Node::chain() { return *impl_->chain; }

}  // namespace mw::lab::node
