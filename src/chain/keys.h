// Keys, BIP340 Schnorr signatures and printable addresses.
//
// A payer/payee is identified by a BIP340 x-only public key (32 bytes). Addresses are
//   "ml1" + 64 lower-case hex digits of the x-only key + 8 hex digits of checksum
// where the checksum is the first 4 bytes of SHA-256d(key bytes). Parsing accepts either case
// and checks, in order: prefix, length, hex, checksum, and that the key is a curve point.
//
// Signing and verification use libsecp256k1 (schnorrsig module). Contexts are created once per
// process and only read afterwards, so every function here is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/sha256.h"
#include "core/status.h"

namespace mw::chain {

using PubKey = std::array<uint8_t, 32>;     // BIP340 x-only public key
using Signature = std::array<uint8_t, 64>;  // BIP340 Schnorr signature

inline constexpr std::string_view kAddressPrefix = "ml1";
inline constexpr size_t kAddressLength = 3 + 64 + 8;

std::string EncodeAddress(const PubKey& key);
// Errors (kInvalidArgument) name the failed check: "address must start with ml1", "address must
// be 75 characters", "address is not hex", "address checksum mismatch", "address key is not a
// valid curve point".
Result<PubKey> ParseAddress(std::string_view address);
// True when `key` parses as a BIP340 x-only public key.
bool IsValidPubKey(const PubKey& key);

// BIP340 verification of `sig` over the 32-byte message `msg`.
bool VerifySignature(const PubKey& key, const Hash256& msg, const Signature& sig);

// A secret key and its x-only public key. Copyable value; the secret is wiped on destruction.
// Serialise for a wallet file with SecretHex() / FromSecretHex().
class KeyPair {
 public:
  // A fresh key from OpenSSL RAND_bytes.
  static Result<KeyPair> Generate();
  // From 32 secret bytes; kInvalidArgument when the bytes are not a valid secret key.
  static Result<KeyPair> FromSecret(ByteSpan secret32);
  static Result<KeyPair> FromSecretHex(std::string_view hex);

  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  ~KeyPair();

  const PubKey& pubkey() const { return pubkey_; }
  std::string address() const { return EncodeAddress(pubkey_); }
  const std::array<uint8_t, 32>& secret() const { return secret_; }
  std::string SecretHex() const;

  // BIP340 signature with fresh 32-byte aux randomness from RAND_bytes. Fails only if the
  // random source or libsecp256k1 fails.
  Result<Signature> Sign(const Hash256& msg) const;

 private:
  KeyPair() = default;
  std::array<uint8_t, 32> secret_{};
  PubKey pubkey_{};
};

}  // namespace mw::chain
