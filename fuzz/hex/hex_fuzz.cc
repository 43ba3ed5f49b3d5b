// Hex parsing, header hashing and share difficulty on arbitrary input (the `minelab hash` path).
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/header_hasher.h"
#include "core/sha256.h"
#include "core/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bytes = mw::FromHex(text);
  if (!bytes.ok()) return 0;
  if (mw::ToHex(*bytes).size() != text.size()) __builtin_trap();
  auto hasher = mw::HeaderHasher::Create(*bytes);
  if (hasher.ok()) {
    const uint32_t nonce = mw::ReadLE32(bytes->data() + 76);
    if (hasher->Hash(nonce) != mw::Sha256d(*bytes)) __builtin_trap();
    (void)mw::DifficultyFromHash(hasher->Hash(nonce));
  }
  if (bytes->size() >= 4) (void)mw::TargetFromCompact(mw::ReadLE32(bytes->data()));
  return 0;
}
