#include "chain/chain.h"

#include <algorithm>
#include <filesystem>

#include "chain/chain_impl.h"
#include "chain/pow.h"
#include "chain/validation.h"

namespace mw::chain {
namespace {

Verdict StorageFailure(const Status& s) { return {Reject::kStorage, s.ToString()}; }

}  // namespace

// ---- Impl helpers ------------------------------------------------------------------------

std::vector<BlockHeader> Chain::Impl::Ancestors(const IndexEntry* e, size_t n) const {
  std::vector<BlockHeader> out;
  for (; e != nullptr && out.size() < n; e = e->prev) out.push_back(e->header);
  std::reverse(out.begin(), out.end());
  return out;
}

HeaderContext Chain::Impl::ContextAfter(const IndexEntry* parent) const {
  const size_t n = std::max<size_t>(params.retarget_window + 1, params.mtp_window);
  const auto anc = Ancestors(parent, n);
  HeaderContext ctx;
  ctx.height = parent->height + 1;
  ctx.expected_bits = NextBits(params, anc);
  ctx.median_time_past = MedianTimePast(params, anc);
  ctx.now_s = NowSeconds();
  return ctx;
}

Result<Block> Chain::Impl::LoadBlock(const IndexEntry* e) const {
  MW_ASSIGN_OR_RETURN(auto data, store->GetBlockData(e->hash));
  if (!data) return Status::NotFound("block data missing for " + ToDisplayHex(e->hash));
  auto block = DecodeBlock(*data);
  if (!block.ok()) return Status::Corruption("stored block does not decode: " + block.status().message());
  return block;
}

Result<Transaction> Chain::Impl::CoinbaseOf(IndexEntry* e) const {
  if (!e->coinbase) {
    MW_ASSIGN_OR_RETURN(Block b, LoadBlock(e));
    if (b.txs.empty()) return Status::Corruption("stored block has no coinbase");
    e->coinbase = b.txs[0];
  }
  return *e->coinbase;
}

// ---- Open -------------------------------------------------------------------------------

Chain::Chain(const ChainParams& params, std::unique_ptr<Impl> impl)
    : params_(params), impl_(std::move(impl)) {}
Chain::~Chain() = default;

namespace {

// Writes the current ledger value of every account `undo` touched.
Status PersistAccounts(BlockStore& store, const Ledger& ledger, const BlockUndo& undo) {
  for (const auto& e : undo.entries) {
    if (auto acc = ledger.Find(e.key)) {
      MW_RETURN_IF_ERROR(store.PutAccount(e.key, *acc));
    } else {
      MW_RETURN_IF_ERROR(store.DeleteAccount(e.key));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Chain>> Chain::Open(const ChainParams& params, const std::string& datadir,
                                           ChainOptions options) {
  if (options.env == nullptr) options.env = Env::Default();
  std::error_code ec;
  std::filesystem::create_directories(datadir, ec);
  if (ec) return Status::IoError("create " + datadir + ": " + ec.message());
  auto impl = std::make_unique<Impl>(params, options);
  MW_ASSIGN_OR_RETURN(impl->store, BlockStore::Open(datadir + "/chain.sqlite"));
  BlockStore& store = *impl->store;

  MW_ASSIGN_OR_RETURN(auto network, store.GetMeta("network"));
  if (!network) {
    MW_RETURN_IF_ERROR(store.Begin());
    Status s = [&]() -> Status {
      MW_RETURN_IF_ERROR(store.PutMeta("network", AsBytes(params.name)));
      MW_RETURN_IF_ERROR(store.PutMeta("genesis", params.genesis_hash));
      const Bytes data = EncodeBlock(params.genesis);
      MW_RETURN_IF_ERROR(store.PutBlock(params.genesis_hash, 0, params.genesis.header, &data));
      MW_RETURN_IF_ERROR(store.PutUndo(params.genesis_hash, EncodeUndo(BlockUndo{})));
      MW_RETURN_IF_ERROR(store.PutTx(TxId(params.genesis.txs[0]), params.genesis_hash, 0));
      MW_RETURN_IF_ERROR(store.SetBestChainEntry(0, params.genesis_hash));
      return store.Commit();
    }();
    if (!s.ok()) {
      store.Rollback();
      return s;
    }
  } else {
    if (AsString(*network) != params.name) {
      return Status::FailedPrecondition(datadir + " holds network '" +
                                        std::string(AsString(*network)) + "', not '" +
                                        params.name + "'");
    }
    MW_ASSIGN_OR_RETURN(auto genesis, store.GetMeta("genesis"));
    if (!genesis || !std::equal(genesis->begin(), genesis->end(), params.genesis_hash.begin(),
                                params.genesis_hash.end())) {
      return Status::FailedPrecondition(datadir + " has a different genesis block");
    }
  }

  MW_ASSIGN_OR_RETURN(auto rows, store.LoadIndex());
  for (const auto& row : rows) {
    auto e = std::make_unique<IndexEntry>();
    e->hash = row.hash;
    e->header = row.header;
    e->height = row.height;
    e->has_data = row.has_data;
    e->invalid = row.invalid;
    if (row.height == 0) {
      if (row.hash != params.genesis_hash) return Status::Corruption("second block at height 0");
    } else {
      e->prev = impl->Find(row.header.prev_hash);
      if (e->prev == nullptr || e->prev->height + 1 != row.height) {
        return Status::Corruption("block " + ToDisplayHex(row.hash) + " has no stored parent");
      }
      e->invalid = e->invalid || e->prev->invalid;
    }
    e->chain_work = (e->prev ? e->prev->chain_work : U256()) + BlockWork(row.header.bits);
    impl->index.emplace(row.hash, std::move(e));
  }
  MW_ASSIGN_OR_RETURN(auto best, store.LoadBestChain());
  if (best.empty()) return Status::Corruption("best chain is empty");
  for (size_t h = 0; h < best.size(); ++h) {
    IndexEntry* e = impl->Find(best[h]);
    if (e == nullptr || e->height != h || !e->has_data ||
        (h > 0 && e->prev != impl->best.back())) {
      return Status::Corruption("best chain entry " + std::to_string(h) + " is inconsistent");
    }
    impl->best.push_back(e);
  }
  MW_ASSIGN_OR_RETURN(impl->ledger, store.LoadAccounts());
  return std::unique_ptr<Chain>(new Chain(params, std::move(impl)));
}

// ---- Accepting blocks ---------------------------------------------------------------------

namespace {

void MarkInvalid(Chain::Impl& impl, IndexEntry* bad) {
  bad->invalid = true;
  (void)impl.store->MarkInvalid(bad->hash);
  bool changed = true;
  while (changed) {  // descendants of an invalid block are invalid too
    changed = false;
    for (auto& [hash, e] : impl.index) {
      if (!e->invalid && e->prev != nullptr && e->prev->invalid) {
        e->invalid = true;
        (void)impl.store->MarkInvalid(hash);
        changed = true;
      }
    }
  }
}

IndexEntry* BestCandidate(const Chain::Impl& impl) {
  IndexEntry* best = impl.tip();
  for (const auto& [hash, e] : impl.index) {
    if (e->has_data && !e->invalid && e->chain_work > best->chain_work) best = e.get();
  }
  return best;
}

struct SwitchResult {
  Verdict verdict;            // failure of a block on the new branch, or storage
  IndexEntry* failed = nullptr;
  uint32_t disconnected = 0;
  uint32_t connected = 0;
  std::vector<Transaction> returning;  // transfers of disconnected blocks
};

// Moves the best chain to `target` in one SQLite transaction. On any failure memory and store
// are exactly as before and `failed` names the block that did not connect (if any).
SwitchResult SwitchTo(Chain::Impl& impl, IndexEntry* target) {
  SwitchResult r;
  BlockStore& store = *impl.store;
  std::vector<IndexEntry*> path;
  IndexEntry* fork = target;
  while (fork->height >= impl.best.size() || impl.best[fork->height] != fork) {
    path.push_back(fork);
    fork = fork->prev;
  }
  std::reverse(path.begin(), path.end());

  const std::vector<IndexEntry*> saved_best = impl.best;
  const Ledger saved_ledger = impl.ledger;
  auto restore = [&] {
    store.Rollback();
    impl.best = saved_best;
    impl.ledger = saved_ledger;
  };
  if (Status s = store.Begin(); !s.ok()) {
    r.verdict = StorageFailure(s);
    return r;
  }
  Status s = [&]() -> Status {
    while (impl.tip() != fork) {
      IndexEntry* e = impl.tip();
      MW_ASSIGN_OR_RETURN(Block block, impl.LoadBlock(e));
      MW_ASSIGN_OR_RETURN(auto undo_bytes, store.GetUndo(e->hash));
      if (!undo_bytes) return Status::Corruption("undo data missing for " + ToDisplayHex(e->hash));
      MW_ASSIGN_OR_RETURN(BlockUndo undo, DecodeUndo(*undo_bytes));
      DisconnectBlockFromLedger(impl.ledger, undo);
      MW_RETURN_IF_ERROR(PersistAccounts(store, impl.ledger, undo));
      for (const auto& tx : block.txs) MW_RETURN_IF_ERROR(store.DeleteTx(TxId(tx)));
      MW_RETURN_IF_ERROR(store.DeleteUndo(e->hash));
      MW_RETURN_IF_ERROR(store.TruncateBestChain(e->height));
      impl.best.pop_back();
      ++r.disconnected;
      for (auto& tx : block.txs) {
        if (!tx.IsCoinbase()) r.returning.push_back(std::move(tx));
      }
    }
    for (IndexEntry* e : path) {
      MW_ASSIGN_OR_RETURN(Block block, impl.LoadBlock(e));
      std::optional<Transaction> matured;
      if (e->height >= impl.params.coinbase_maturity) {
        MW_ASSIGN_OR_RETURN(matured, impl.CoinbaseOf(impl.best[e->height - impl.params.coinbase_maturity]));
        if (matured->amount == 0) matured.reset();
      }
      BlockUndo undo;
      Verdict v = ConnectBlockToLedger(impl.ledger, block, matured ? &*matured : nullptr, undo);
      if (!v.ok()) {
        r.verdict = v;
        r.failed = e;
        return Status::FailedPrecondition(v.ToString());
      }
      MW_RETURN_IF_ERROR(store.PutUndo(e->hash, EncodeUndo(undo)));
      MW_RETURN_IF_ERROR(PersistAccounts(store, impl.ledger, undo));
      for (const auto& tx : block.txs) MW_RETURN_IF_ERROR(store.PutTx(TxId(tx), e->hash, e->height));
      MW_RETURN_IF_ERROR(store.SetBestChainEntry(e->height, e->hash));
      impl.best.push_back(e);
      ++r.connected;
    }
    return store.Commit();
  }();
  if (!s.ok()) {
    restore();
    if (r.failed == nullptr) r.verdict = StorageFailure(s);
    r.disconnected = r.connected = 0;
    r.returning.clear();
  }
  return r;
}

}  // namespace

// Connects the most-work valid chain, marking blocks that fail as invalid and retrying with the
// next candidate. Returns the verdict for `accepted` if it turned out invalid.
static Verdict ActivateBestChain(Chain::Impl& impl, const IndexEntry* accepted, BlockOutcome& out) {
  Verdict result;
  for (;;) {
    IndexEntry* candidate = BestCandidate(impl);
    if (candidate == impl.tip()) break;
    SwitchResult r = SwitchTo(impl, candidate);
    if (r.failed != nullptr) {
      if (r.failed == accepted) result = r.verdict;
      MarkInvalid(impl, r.failed);
      continue;
    }
    if (!r.verdict.ok()) return r.verdict;  // storage failure; state unchanged
    out.tip_changed = true;
    out.disconnected += r.disconnected;
    out.connected += r.connected;
    impl.mempool.Revalidate(impl.ledger, std::move(r.returning));
  }
  return result;
}

static void AcceptOne(Chain::Impl& impl, const Block& block, BlockOutcome& out) {
  out.hash = block.Hash();
  IndexEntry* existing = impl.Find(out.hash);
  if (existing != nullptr && (existing->has_data || existing->invalid)) {
    out.verdict = {Reject::kDuplicateBlock, existing->invalid ? "known invalid block"
                                                              : "block already stored"};
    return;
  }
  if (impl.orphans.count(out.hash) != 0) {
    out.verdict = {Reject::kOrphan, "already kept as orphan; parent unknown"};
    out.missing_parent = block.header.prev_hash;
    return;
  }
  if (Verdict v = CheckBlock(block, impl.params); !v.ok()) {
    out.verdict = v;
    return;
  }
  IndexEntry* parent = impl.Find(block.header.prev_hash);
  if (parent == nullptr || !parent->has_data) {
    if (parent != nullptr && parent->invalid) {
      out.verdict = {Reject::kBadPrev, "parent is invalid"};
      return;
    }
    while (impl.orphans.size() >= impl.options.max_orphans && !impl.orphan_order.empty()) {
      const Hash256 old = impl.orphan_order.front();
      impl.orphan_order.pop_front();
      auto it = impl.orphans.find(old);
      if (it == impl.orphans.end()) continue;
      auto range = impl.orphans_by_prev.equal_range(it->second.header.prev_hash);
      for (auto p = range.first; p != range.second; ++p) {
        if (p->second == old) {
          impl.orphans_by_prev.erase(p);
          break;
        }
      }
      impl.orphans.erase(it);
    }
    if (impl.options.max_orphans > 0) {
      impl.orphans.emplace(out.hash, block);
      impl.orphans_by_prev.emplace(block.header.prev_hash, out.hash);
      impl.orphan_order.push_back(out.hash);
    }
    out.verdict = {Reject::kOrphan, "parent " + ToDisplayHex(block.header.prev_hash) + " unknown"};
    out.missing_parent = block.header.prev_hash;
    return;
  }
  if (parent->invalid) {
    out.verdict = {Reject::kBadPrev, "parent is invalid"};
    return;
  }
  const HeaderContext ctx = impl.ContextAfter(parent);
  if (Verdict v = CheckHeaderContext(block.header, ctx, impl.params); !v.ok()) {
    out.verdict = v;
    return;
  }
  if (Verdict v = CheckBlockContext(block, ctx, impl.params); !v.ok()) {
    out.verdict = v;
    return;
  }
  const Bytes data = EncodeBlock(block);
  if (Status s = impl.store->PutBlock(out.hash, ctx.height, block.header, &data); !s.ok()) {
    out.verdict = StorageFailure(s);
    return;
  }
  IndexEntry* e = existing;
  if (e == nullptr) {
    auto entry = std::make_unique<IndexEntry>();
    entry->hash = out.hash;
    entry->header = block.header;
    entry->height = ctx.height;
    entry->prev = parent;
    entry->chain_work = parent->chain_work + BlockWork(block.header.bits);
    e = entry.get();
    impl.index.emplace(out.hash, std::move(entry));
  }
  e->has_data = true;
  e->coinbase = block.txs[0];
  out.stored = true;
  out.verdict = ActivateBestChain(impl, e, out);
}

BlockOutcome Chain::AcceptBlock(const Block& block) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  BlockOutcome out;
  AcceptOne(*impl_, block, out);
  if (!out.stored) return out;
  // Orphans waiting for a block stored just now can follow.
  std::vector<Hash256> ready{out.hash};
  while (!ready.empty()) {
    const Hash256 parent = ready.back();
    ready.pop_back();
    auto range = impl_->orphans_by_prev.equal_range(parent);
    std::vector<Hash256> children;
    for (auto it = range.first; it != range.second; ++it) children.push_back(it->second);
    impl_->orphans_by_prev.erase(range.first, range.second);
    for (const Hash256& child : children) {
      auto node = impl_->orphans.extract(child);
      if (node.empty()) continue;
      BlockOutcome child_out;
      AcceptOne(*impl_, node.mapped(), child_out);
      out.tip_changed = out.tip_changed || child_out.tip_changed;
      out.connected += child_out.connected;
      out.disconnected += child_out.disconnected;
      if (child_out.stored) ready.push_back(child);
    }
  }
  return out;
}

BlockOutcome Chain::AcceptBlockBytes(ByteSpan bytes) {
  auto block = DecodeBlock(bytes);
  if (!block.ok()) {
    BlockOutcome out;
    out.verdict = {Reject::kMalformed, block.status().message()};
    return out;
  }
  return AcceptBlock(*block);
}

Verdict Chain::AcceptTxBytes(ByteSpan bytes) {
  auto tx = DecodeTx(bytes);
  if (!tx.ok()) return {Reject::kMalformed, tx.status().message()};
  return AcceptTx(*tx);
}

Verdict Chain::AcceptHeader(const BlockHeader& header) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const Hash256 hash = header.Hash();
  if (IndexEntry* e = impl_->Find(hash)) {
    return {Reject::kDuplicateBlock, e->invalid ? "known invalid header" : "header already known"};
  }
  IndexEntry* parent = impl_->Find(header.prev_hash);
  if (parent == nullptr) return {Reject::kBadPrev, "parent header unknown"};
  if (parent->invalid) return {Reject::kBadPrev, "parent is invalid"};
  if (Verdict v = CheckProofOfWork(header, params_); !v.ok()) return v;
  const HeaderContext ctx = impl_->ContextAfter(parent);
  if (Verdict v = CheckHeaderContext(header, ctx, params_); !v.ok()) return v;
  if (Status s = impl_->store->PutBlock(hash, ctx.height, header, nullptr); !s.ok()) {
    return StorageFailure(s);
  }
  auto entry = std::make_unique<IndexEntry>();
  entry->hash = hash;
  entry->header = header;
  entry->height = ctx.height;
  entry->prev = parent;
  entry->chain_work = parent->chain_work + BlockWork(header.bits);
  impl_->index.emplace(hash, std::move(entry));
  return {};
}

Verdict Chain::AcceptTx(const Transaction& tx) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!tx.IsCoinbase()) {
    auto row = impl_->store->FindTx(TxId(tx));
    if (row.ok() && row->has_value()) return {Reject::kDoubleSpend, "transaction already confirmed"};
  }
  return impl_->mempool.Add(tx, impl_->ledger);
}

}  // namespace mw::chain
