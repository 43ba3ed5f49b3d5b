#include "chain/block_store.h"

#include <sqlite3.h>

#include <cstring>

namespace mw::chain {
namespace {

// Finalises a prepared statement when it goes out of scope.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return s_; }

  void Blob(int i, ByteSpan b) {
    sqlite3_bind_blob(s_, i, b.data(), int(b.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Text(int i, const std::string& t) {
    sqlite3_bind_text(s_, i, t.data(), int(t.size()), SQLITE_TRANSIENT);
  }
  int Step() { return sqlite3_step(s_); }
  Bytes ColBlob(int i) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, i));
    const int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? Bytes{} : Bytes(p, p + n);
  }
  bool ColNull(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  int64_t ColInt(int i) const { return sqlite3_column_int64(s_, i); }

 private:
  sqlite3_stmt* s_;
};

bool ToHash(const Bytes& b, Hash256& out) {
  if (b.size() != out.size()) return false;
  std::memcpy(out.data(), b.data(), out.size());
  return true;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blocks(hash BLOB PRIMARY KEY, height INTEGER NOT NULL,
  header BLOB NOT NULL, data BLOB, invalid INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS blocks_by_height ON blocks(height);
CREATE TABLE IF NOT EXISTS best_chain(height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS undo(hash BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS accounts(key BLOB PRIMARY KEY, balance INTEGER NOT NULL,
  next_nonce INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS txindex(txid BLOB PRIMARY KEY, block_hash BLOB NOT NULL,
  height INTEGER NOT NULL);
)sql";

}  // namespace

Result<std::unique_ptr<BlockStore>> BlockStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IoError("open " + path + ": " + msg);
  }
  std::unique_ptr<BlockStore> store(new BlockStore(db));
  sqlite3_busy_timeout(db, 5000);
  MW_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  MW_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  MW_RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=OFF"));
  MW_RETURN_IF_ERROR(store->Exec(kSchema));
  return store;
}

BlockStore::~BlockStore() { sqlite3_close(db_); }

Status BlockStore::Error(const char* what) {
  return Status::IoError(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status BlockStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return Status::IoError(std::string("sqlite: ") + msg);
  }
  return Status::Ok();
}

Result<sqlite3_stmt*> BlockStore::Prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) return Error("prepare");
  return s;
}

#define MW_STMT(name, sql)                      \
  MW_ASSIGN_OR_RETURN(sqlite3_stmt* name##_raw, Prepare(sql)); \
  Stmt name(name##_raw)

Status BlockStore::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status BlockStore::Commit() { return Exec("COMMIT"); }
void BlockStore::Rollback() {
  if (sqlite3_get_autocommit(db_) == 0) (void)Exec("ROLLBACK");
}

Result<std::optional<Bytes>> BlockStore::GetMeta(const std::string& key) {
  MW_STMT(s, "SELECT value FROM meta WHERE key=?");
  s.Text(1, key);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return Error("get meta");
  return std::optional<Bytes>(s.ColBlob(0));
}

Status BlockStore::PutMeta(const std::string& key, ByteSpan value) {
  MW_STMT(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  s.Text(1, key);
  s.Blob(2, value);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put meta");
}

Result<std::vector<BlockStore::IndexRow>> BlockStore::LoadIndex() {
  MW_STMT(s, "SELECT hash, height, header, data IS NOT NULL, invalid FROM blocks "
             "ORDER BY height, rowid");
  std::vector<IndexRow> rows;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    IndexRow row;
    if (!ToHash(s.ColBlob(0), row.hash)) return Status::Corruption("blocks: bad hash");
    const int64_t height = s.ColInt(1);
    if (height < 0 || height > int64_t(UINT32_MAX)) return Status::Corruption("blocks: height");
    row.height = uint32_t(height);
    auto header = BlockHeader::Decode(s.ColBlob(2));
    if (!header.ok() || header->Hash() != row.hash) {
      return Status::Corruption("blocks: header does not match its hash");
    }
    row.header = *header;
    row.has_data = s.ColInt(3) != 0;
    row.invalid = s.ColInt(4) != 0;
    rows.push_back(row);
  }
  if (rc != SQLITE_DONE) return Error("load index");
  return rows;
}

Status BlockStore::PutBlock(const Hash256& hash, uint32_t height, const BlockHeader& header,
                            const Bytes* data) {
  const auto hdr = header.Encode();
  if (data == nullptr) {
    MW_STMT(s, "INSERT OR IGNORE INTO blocks(hash, height, header, data, invalid) "
               "VALUES(?, ?, ?, NULL, 0)");
    s.Blob(1, hash);
    s.Int(2, height);
    s.Blob(3, hdr);
    return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put header");
  }
  MW_STMT(s, "INSERT INTO blocks(hash, height, header, data, invalid) VALUES(?, ?, ?, ?, 0) "
             "ON CONFLICT(hash) DO UPDATE SET data=excluded.data");
  s.Blob(1, hash);
  s.Int(2, height);
  s.Blob(3, hdr);
  s.Blob(4, *data);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put block");
}

Status BlockStore::MarkInvalid(const Hash256& hash) {
  MW_STMT(s, "UPDATE blocks SET invalid=1 WHERE hash=?");
  s.Blob(1, hash);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("mark invalid");
}

Result<std::optional<Bytes>> BlockStore::GetBlockData(const Hash256& hash) {
  MW_STMT(s, "SELECT data FROM blocks WHERE hash=?");
  s.Blob(1, hash);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return Error("get block");
  if (s.ColNull(0)) return std::optional<Bytes>();
  return std::optional<Bytes>(s.ColBlob(0));
}

Status BlockStore::PutUndo(const Hash256& hash, ByteSpan undo) {
  MW_STMT(s, "INSERT OR REPLACE INTO undo(hash, data) VALUES(?, ?)");
  s.Blob(1, hash);
  s.Blob(2, undo);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put undo");
}

Result<std::optional<Bytes>> BlockStore::GetUndo(const Hash256& hash) {
  MW_STMT(s, "SELECT data FROM undo WHERE hash=?");
  s.Blob(1, hash);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return Error("get undo");
  return std::optional<Bytes>(s.ColBlob(0));
}

Status BlockStore::DeleteUndo(const Hash256& hash) {
  MW_STMT(s, "DELETE FROM undo WHERE hash=?");
  s.Blob(1, hash);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("delete undo");
}

Result<std::vector<Hash256>> BlockStore::LoadBestChain() {
  MW_STMT(s, "SELECT height, hash FROM best_chain ORDER BY height");
  std::vector<Hash256> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    Hash256 h{};
    if (s.ColInt(0) != int64_t(out.size()) || !ToHash(s.ColBlob(1), h)) {
      return Status::Corruption("best_chain: rows not contiguous");
    }
    out.push_back(h);
  }
  if (rc != SQLITE_DONE) return Error("load best chain");
  return out;
}

Status BlockStore::SetBestChainEntry(uint32_t height, const Hash256& hash) {
  MW_STMT(s, "INSERT OR REPLACE INTO best_chain(height, hash) VALUES(?, ?)");
  s.Int(1, height);
  s.Blob(2, hash);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("set best chain");
}

Status BlockStore::TruncateBestChain(uint32_t first_removed_height) {
  MW_STMT(s, "DELETE FROM best_chain WHERE height >= ?");
  s.Int(1, first_removed_height);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("truncate best chain");
}

Result<Ledger> BlockStore::LoadAccounts() {
  MW_STMT(s, "SELECT key, balance, next_nonce FROM accounts");
  Ledger ledger;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    PubKey key{};
    if (!ToHash(s.ColBlob(0), key)) return Status::Corruption("accounts: bad key");
    ledger.Set(key, Account{uint64_t(s.ColInt(1)), uint64_t(s.ColInt(2))});
  }
  if (rc != SQLITE_DONE) return Error("load accounts");
  return ledger;
}

Status BlockStore::PutAccount(const PubKey& key, const Account& account) {
  MW_STMT(s, "INSERT OR REPLACE INTO accounts(key, balance, next_nonce) VALUES(?, ?, ?)");
  s.Blob(1, key);
  s.Int(2, int64_t(account.balance));  // bit pattern kept; read back as uint64
  s.Int(3, int64_t(account.next_nonce));
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put account");
}

Status BlockStore::DeleteAccount(const PubKey& key) {
  MW_STMT(s, "DELETE FROM accounts WHERE key=?");
  s.Blob(1, key);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("delete account");
}

Status BlockStore::PutTx(const Hash256& txid, const Hash256& block_hash, uint32_t height) {
  MW_STMT(s, "INSERT OR REPLACE INTO txindex(txid, block_hash, height) VALUES(?, ?, ?)");
  s.Blob(1, txid);
  s.Blob(2, block_hash);
  s.Int(3, height);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("put tx");
}

Status BlockStore::DeleteTx(const Hash256& txid) {
  MW_STMT(s, "DELETE FROM txindex WHERE txid=?");
  s.Blob(1, txid);
  return s.Step() == SQLITE_DONE ? Status::Ok() : Error("delete tx");
}

Result<std::optional<BlockStore::TxRow>> BlockStore::FindTx(const Hash256& txid) {
  MW_STMT(s, "SELECT block_hash, height FROM txindex WHERE txid=?");
  s.Blob(1, txid);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<TxRow>();
  if (rc != SQLITE_ROW) return Error("find tx");
  TxRow row;
  if (!ToHash(s.ColBlob(0), row.block_hash)) return Status::Corruption("txindex: bad hash");
  row.height = uint32_t(s.ColInt(1));
  return std::optional<TxRow>(row);
}

}  // namespace mw::chain
