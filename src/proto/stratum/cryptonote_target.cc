#include "proto/stratum/cryptonote_target.h"

#include <limits>

namespace mw::stratum {

namespace {
constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
}  // namespace

Result<uint64_t> CryptonoteTarget64(std::string_view target_hex) {
  if (target_hex.size() != 8 && target_hex.size() != 16) {
    return Status::InvalidArgument("target must be 8 or 16 hex digits, got " +
                                   std::to_string(target_hex.size()));
  }
  MW_ASSIGN_OR_RETURN(Bytes raw, FromHex(target_hex));
  uint64_t t64 = 0;
  if (raw.size() == 4) {
    const uint64_t t32 = ReadLE32(raw.data());
    if (t32 == 0) return Status::InvalidArgument("zero target");
    t64 = kMax64 / (kMax32 / t32);
  } else {
    t64 = ReadLE64(raw.data());
  }
  if (t64 == 0) return Status::InvalidArgument("zero target");
  return t64;
}

uint64_t CryptonoteDifficulty(uint64_t target64) {
  return target64 == 0 ? 0 : kMax64 / target64;
}

std::string CryptonoteTargetHex(uint64_t difficulty) {
  if (difficulty == 0) difficulty = 1;
  if (difficulty <= kMax32) {
    uint8_t b[4];
    WriteLE32(b, static_cast<uint32_t>(kMax32 / difficulty));
    return ToHex(b);
  }
  uint8_t b[8];
  WriteLE64(b, kMax64 / difficulty);
  return ToHex(b);
}

uint64_t CryptonoteHashValue(ByteSpan hash) {
  if (hash.size() != 32) return kMax64;
  return ReadLE64(hash.data() + 24);
}

}  // namespace mw::stratum
