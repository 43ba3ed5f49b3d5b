#include "proto/stratum/v1_job.h"

#include <algorithm>
#include <cstdio>

namespace mw::stratum {

Result<uint32_t> ParseU32Hex(std::string_view hex) {
  MW_ASSIGN_OR_RETURN(Bytes b, FromHexExact(hex, 4));
  return ReadBE32(b.data());
}

std::string U32Hex(uint32_t v) {
  uint8_t b[4];
  WriteBE32(b, v);
  return ToHex(ByteSpan(b, 4));
}

Result<V1Job> V1JobFromHex(std::string_view job_id, std::string_view prevhash,
                           std::string_view coinb1, std::string_view coinb2,
                           const std::vector<std::string>& merkle_branch,
                           std::string_view version, std::string_view nbits,
                           std::string_view ntime, bool clean_jobs) {
  V1Job job;
  job.job_id = std::string(job_id);
  MW_ASSIGN_OR_RETURN(job.prevhash_wire, Hash256FromHex(prevhash));
  MW_ASSIGN_OR_RETURN(job.coinb1, FromHex(coinb1));
  MW_ASSIGN_OR_RETURN(job.coinb2, FromHex(coinb2));
  for (const std::string& b : merkle_branch) {
    MW_ASSIGN_OR_RETURN(Hash256 h, Hash256FromHex(b));
    job.merkle_branch.push_back(h);
  }
  MW_ASSIGN_OR_RETURN(job.version, ParseU32Hex(version));
  MW_ASSIGN_OR_RETURN(job.nbits, ParseU32Hex(nbits));
  MW_ASSIGN_OR_RETURN(job.ntime, ParseU32Hex(ntime));
  job.clean_jobs = clean_jobs;
  return job;
}

Bytes BuildCoinbase(const V1Job& job, ByteSpan extranonce1, ByteSpan extranonce2) {
  Bytes out;
  out.reserve(job.coinb1.size() + extranonce1.size() + extranonce2.size() + job.coinb2.size());
  Append(out, job.coinb1);
  Append(out, extranonce1);
  Append(out, extranonce2);
  Append(out, job.coinb2);
  return out;
}

Hash256 MerkleRootFromBranch(const Hash256& coinbase_hash, const std::vector<Hash256>& branch) {
  Hash256 h = coinbase_hash;
  for (const Hash256& b : branch) h = Sha256dPair(h, b);
  return h;
}

Header80 BuildHeader(const V1Job& job, const Hash256& merkle_root, uint32_t version,
                     uint32_t ntime, uint32_t nonce) {
  Header80 h{};
  WriteLE32(h.data(), version);
  std::copy(job.prevhash_wire.begin(), job.prevhash_wire.end(), h.begin() + 4);
  SwapWords32(std::span<uint8_t>(h.data() + 4, 32));
  std::copy(merkle_root.begin(), merkle_root.end(), h.begin() + 36);
  WriteLE32(h.data() + 68, ntime);
  WriteLE32(h.data() + 72, job.nbits);
  WriteLE32(h.data() + 76, nonce);
  return h;
}

}  // namespace mw::stratum
