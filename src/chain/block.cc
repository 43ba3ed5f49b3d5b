#include "chain/block.h"

#include <cstring>

#include "chain/byte_reader.h"

namespace mw::chain {

std::array<uint8_t, kHeaderBytes> BlockHeader::Encode() const {
  std::array<uint8_t, kHeaderBytes> out{};
  WriteLE32(out.data(), version);
  std::memcpy(out.data() + 4, prev_hash.data(), 32);
  std::memcpy(out.data() + 36, merkle_root.data(), 32);
  WriteLE32(out.data() + 68, time);
  WriteLE32(out.data() + 72, bits);
  WriteLE32(out.data() + 76, nonce);
  return out;
}

Result<BlockHeader> BlockHeader::Decode(ByteSpan bytes) {
  if (bytes.size() != kHeaderBytes) {
    return Status::InvalidArgument("header must be 80 bytes, got " + std::to_string(bytes.size()));
  }
  BlockHeader h;
  h.version = ReadLE32(bytes.data());
  std::memcpy(h.prev_hash.data(), bytes.data() + 4, 32);
  std::memcpy(h.merkle_root.data(), bytes.data() + 36, 32);
  h.time = ReadLE32(bytes.data() + 68);
  h.bits = ReadLE32(bytes.data() + 72);
  h.nonce = ReadLE32(bytes.data() + 76);
  return h;
}

Hash256 BlockHeader::Hash() const { return Sha256d(Encode()); }

void AppendCompactSize(Bytes& out, uint64_t v) {
  if (v < 0xfd) {
    out.push_back(uint8_t(v));
  } else if (v <= 0xffff) {
    out.push_back(0xfd);
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
  } else if (v <= 0xffffffff) {
    out.push_back(0xfe);
    AppendLE32(out, uint32_t(v));
  } else {
    out.push_back(0xff);
    AppendLE64(out, v);
  }
}

Result<uint64_t> ReadCompactSize(ByteSpan bytes, size_t& offset) {
  ByteReader r(bytes, offset);
  uint8_t first = 0;
  if (!r.ReadU8(first)) return Status::InvalidArgument("compact size: truncated");
  uint64_t v = first;
  uint64_t min = 0;
  if (first == 0xfd) {
    if (r.remaining() < 2) return Status::InvalidArgument("compact size: truncated");
    v = ReadLE16(bytes.data() + r.position());
    offset = r.position() + 2;
    min = 0xfd;
  } else if (first == 0xfe) {
    uint32_t v32 = 0;
    if (!r.ReadU32(v32)) return Status::InvalidArgument("compact size: truncated");
    v = v32;
    offset = r.position();
    min = 0x10000;
  } else if (first == 0xff) {
    if (!r.ReadU64(v)) return Status::InvalidArgument("compact size: truncated");
    offset = r.position();
    min = 0x100000000ULL;
  } else {
    offset = r.position();
  }
  if (v < min) return Status::InvalidArgument("compact size: not minimally encoded");
  return v;
}

size_t EncodedBlockSize(const Block& block) {
  Bytes count;
  AppendCompactSize(count, block.txs.size());
  size_t n = kHeaderBytes + count.size();
  for (const auto& tx : block.txs) n += EncodedTxSize(tx);
  return n;
}

Bytes EncodeBlock(const Block& block) {
  Bytes out;
  out.reserve(EncodedBlockSize(block));
  const auto header = block.header.Encode();
  out.insert(out.end(), header.begin(), header.end());
  AppendCompactSize(out, block.txs.size());
  for (const auto& tx : block.txs) AppendTx(out, tx);
  return out;
}

Result<Block> DecodeBlock(ByteSpan bytes) {
  if (bytes.size() > kMaxBlockBytesDecode) {
    return Status::OutOfRange("block: larger than " + std::to_string(kMaxBlockBytesDecode));
  }
  if (bytes.size() < kHeaderBytes) return Status::InvalidArgument("block: shorter than a header");
  Block block;
  MW_ASSIGN_OR_RETURN(block.header, BlockHeader::Decode(bytes.first(kHeaderBytes)));
  size_t offset = kHeaderBytes;
  MW_ASSIGN_OR_RETURN(const uint64_t count, ReadCompactSize(bytes, offset));
  const size_t remaining = bytes.size() - offset;
  if (count > kMaxBlockTxs || count > remaining / kMinTxBytes) {
    return Status::InvalidArgument("block: tx count " + std::to_string(count) +
                                   " exceeds what the remaining bytes can hold");
  }
  block.txs.reserve(size_t(count));
  for (uint64_t i = 0; i < count; ++i) {
    size_t consumed = 0;
    auto tx = DecodeTxPrefix(bytes.subspan(offset), consumed);
    if (!tx.ok()) {
      return Status::InvalidArgument("block: tx " + std::to_string(i) + ": " +
                                     tx.status().message());
    }
    block.txs.push_back(std::move(tx).value());
    offset += consumed;
  }
  if (offset != bytes.size()) {
    return Status::InvalidArgument("block: " + std::to_string(bytes.size() - offset) +
                                   " trailing bytes");
  }
  return block;
}

Hash256 MerkleRoot(std::vector<Hash256> leaves) {
  if (leaves.empty()) return Hash256{};
  while (leaves.size() > 1) {
    if (leaves.size() % 2 == 1) leaves.push_back(leaves.back());
    std::vector<Hash256> next;
    next.reserve(leaves.size() / 2);
    for (size_t i = 0; i < leaves.size(); i += 2) {
      next.push_back(Sha256dPair(leaves[i], leaves[i + 1]));
    }
    leaves = std::move(next);
  }
  return leaves[0];
}

Hash256 BlockMerkleRoot(const Block& block) {
  std::vector<Hash256> ids;
  ids.reserve(block.txs.size());
  for (const auto& tx : block.txs) ids.push_back(TxId(tx));
  return MerkleRoot(std::move(ids));
}

std::vector<Hash256> CoinbaseMerkleBranch(const std::vector<Hash256>& txids) {
  std::vector<Hash256> branch;
  if (txids.size() <= 1) return branch;
  // Level by level, keeping the leftmost node as a placeholder (its value is never needed).
  std::vector<Hash256> level = txids;
  while (level.size() > 1) {
    if (level.size() % 2 == 1) level.push_back(level.back());
    branch.push_back(level[1]);
    std::vector<Hash256> next;
    next.reserve(level.size() / 2);
    next.push_back(Hash256{});  // placeholder for the path node
    for (size_t i = 2; i < level.size(); i += 2) {
      next.push_back(Sha256dPair(level[i], level[i + 1]));
    }
    level = std::move(next);
  }
  return branch;
}

}  // namespace mw::chain
