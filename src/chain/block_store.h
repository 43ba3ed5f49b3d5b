// BlockStore: the SQLite file behind a Chain (<datadir>/chain.sqlite). Internal to src/chain;
// the Chain class is the interface others use.
//
// Why SQLite: one file with atomic multi-row transactions (a block connection touches blocks,
// undo data, accounts and the txid index together and must land all-or-nothing), crash safety
// under SIGKILL with WAL + synchronous=NORMAL, and indexed lookups without writing a storage
// engine. Tables:
//   meta(key TEXT PK, value BLOB)                       network name, genesis hash
//   blocks(hash PK, height, header, data NULL, invalid) every indexed header; data when stored
//   best_chain(height PK, hash)                         the best chain
//   undo(hash PK, data)                                 BlockUndo of connected blocks
//   accounts(key PK, balance, next_nonce)               ledger at the best tip
//   txindex(txid PK, block_hash, height)                best-chain transactions
// Not thread-safe: one owner (the Chain, under its mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/block.h"
#include "chain/ledger.h"
#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mw::chain {

class BlockStore {
 public:
  static Result<std::unique_ptr<BlockStore>> Open(const std::string& path);
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  Status Begin();
  Status Commit();
  void Rollback();  // best effort; safe when no transaction is open

  Result<std::optional<Bytes>> GetMeta(const std::string& key);
  Status PutMeta(const std::string& key, ByteSpan value);

  struct IndexRow {
    Hash256 hash{};
    uint32_t height = 0;
    BlockHeader header;
    bool has_data = false;
    bool invalid = false;
  };
  // Every indexed header, by ascending height.
  Result<std::vector<IndexRow>> LoadIndex();
  // Inserts or updates a header row; `data` empty keeps/sets no data.
  Status PutBlock(const Hash256& hash, uint32_t height, const BlockHeader& header,
                  const Bytes* data);
  Status MarkInvalid(const Hash256& hash);
  Result<std::optional<Bytes>> GetBlockData(const Hash256& hash);

  Status PutUndo(const Hash256& hash, ByteSpan undo);
  Result<std::optional<Bytes>> GetUndo(const Hash256& hash);
  Status DeleteUndo(const Hash256& hash);

  // Best chain rows 0..n-1 in order.
  Result<std::vector<Hash256>> LoadBestChain();
  Status SetBestChainEntry(uint32_t height, const Hash256& hash);
  Status TruncateBestChain(uint32_t first_removed_height);

  Result<Ledger> LoadAccounts();
  Status PutAccount(const PubKey& key, const Account& account);
  Status DeleteAccount(const PubKey& key);

  Status PutTx(const Hash256& txid, const Hash256& block_hash, uint32_t height);
  Status DeleteTx(const Hash256& txid);
  struct TxRow {
    Hash256 block_hash{};
    uint32_t height = 0;
  };
  Result<std::optional<TxRow>> FindTx(const Hash256& txid);

 private:
  explicit BlockStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  Result<sqlite3_stmt*> Prepare(const char* sql);
  Status Error(const char* what);
  sqlite3* db_;
};

}  // namespace mw::chain
