// SHA-256 and SHA-256d, on the compression function of core/sha256_compress.h (SHA-NI where the
// CPU has it), checked against OpenSSL by the tests.
//
// Hash256 holds a digest in *internal* byte order (as SHA-256 outputs it). Bitcoin-style
// "display" order (block explorers, RPC) is the reverse; use ToDisplayHex/FromDisplayHex.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace mw {

using Hash256 = std::array<uint8_t, 32>;

Hash256 Sha256(ByteSpan data);
// SHA-256 applied twice: Sha256(Sha256(data)).
Hash256 Sha256d(ByteSpan data);
// SHA-256d over the concatenation of two 32-byte hashes (merkle tree nodes).
Hash256 Sha256dPair(const Hash256& left, const Hash256& right);

// Hex of the reversed bytes (how block hashes and txids are printed).
std::string ToDisplayHex(const Hash256& h);
// Parses 64 hex digits in display order back to internal order.
Result<Hash256> FromDisplayHex(std::string_view hex);
// Parses 64 hex digits in internal order.
Result<Hash256> Hash256FromHex(std::string_view hex);

}  // namespace mw
