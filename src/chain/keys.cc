#include "chain/keys.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cctype>

namespace mw::chain {
namespace {

// One signing context per process, randomised once at creation and only read afterwards
// (libsecp256k1 allows concurrent use of a context through const API calls).
const secp256k1_context* SigningContext() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    if (RAND_bytes(seed, sizeof(seed)) == 1) {
      // Randomisation only hardens against side channels; an unrandomised context still works.
      const int randomized = secp256k1_context_randomize(c, seed);
      (void)randomized;
    }
    OPENSSL_cleanse(seed, sizeof(seed));
    return c;
  }();
  return ctx;
}

std::array<uint8_t, 4> Checksum(const PubKey& key) {
  const Hash256 h = Sha256d(key);
  return {h[0], h[1], h[2], h[3]};
}

}  // namespace

std::string EncodeAddress(const PubKey& key) {
  const auto sum = Checksum(key);
  return std::string(kAddressPrefix) + ToHex(key) + ToHex(sum);
}

bool IsValidPubKey(const PubKey& key) {
  secp256k1_xonly_pubkey parsed;
  return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &parsed, key.data()) == 1;
}

Result<PubKey> ParseAddress(std::string_view address) {
  if (address.size() < kAddressPrefix.size() ||
      !(std::tolower(static_cast<unsigned char>(address[0])) == 'm' &&
        std::tolower(static_cast<unsigned char>(address[1])) == 'l' && address[2] == '1')) {
    return Status::InvalidArgument("address must start with ml1");
  }
  if (address.size() != kAddressLength) {
    return Status::InvalidArgument("address must be 75 characters");
  }
  const std::string_view body = address.substr(kAddressPrefix.size());
  if (!IsHex(body)) return Status::InvalidArgument("address is not hex");
  auto bytes = FromHexExact(body, 36);
  if (!bytes.ok()) return Status::InvalidArgument("address is not hex");
  PubKey key{};
  std::copy(bytes->begin(), bytes->begin() + 32, key.begin());
  const auto sum = Checksum(key);
  if (!std::equal(sum.begin(), sum.end(), bytes->begin() + 32)) {
    return Status::InvalidArgument("address checksum mismatch");
  }
  if (!IsValidPubKey(key)) return Status::InvalidArgument("address key is not a valid curve point");
  return key;
}

bool VerifySignature(const PubKey& key, const Hash256& msg, const Signature& sig) {
  secp256k1_xonly_pubkey parsed;
  if (secp256k1_xonly_pubkey_parse(secp256k1_context_static, &parsed, key.data()) != 1) {
    return false;
  }
  return secp256k1_schnorrsig_verify(secp256k1_context_static, sig.data(), msg.data(), msg.size(),
                                     &parsed) == 1;
}

KeyPair::~KeyPair() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

Result<KeyPair> KeyPair::Generate() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::array<uint8_t, 32> secret{};
    if (RAND_bytes(secret.data(), int(secret.size())) != 1) {
      return Status::Internal("RAND_bytes failed");
    }
    auto key = FromSecret(secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    if (key.ok()) return key;
  }
  return Status::Internal("could not generate a valid secret key");
}

Result<KeyPair> KeyPair::FromSecret(ByteSpan secret32) {
  if (secret32.size() != 32) return Status::InvalidArgument("secret key must be 32 bytes");
  secp256k1_keypair kp;
  if (secp256k1_keypair_create(SigningContext(), &kp, secret32.data()) != 1) {
    return Status::InvalidArgument("secret key is out of range");
  }
  secp256k1_xonly_pubkey xonly;
  if (secp256k1_keypair_xonly_pub(secp256k1_context_static, &xonly, nullptr, &kp) != 1) {
    return Status::Internal("keypair_xonly_pub failed");
  }
  KeyPair out;
  std::copy(secret32.begin(), secret32.end(), out.secret_.begin());
  (void)secp256k1_xonly_pubkey_serialize(secp256k1_context_static, out.pubkey_.data(), &xonly);
  OPENSSL_cleanse(&kp, sizeof(kp));
  return out;
}

Result<KeyPair> KeyPair::FromSecretHex(std::string_view hex) {
  auto bytes = FromHexExact(hex, 32);
  if (!bytes.ok()) return Status::InvalidArgument("secret key must be 64 hex digits");
  auto key = FromSecret(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

std::string KeyPair::SecretHex() const { return ToHex(secret_); }

Result<Signature> KeyPair::Sign(const Hash256& msg) const {
  secp256k1_keypair kp;
  if (secp256k1_keypair_create(SigningContext(), &kp, secret_.data()) != 1) {
    return Status::Internal("keypair_create failed");
  }
  unsigned char aux[32];
  if (RAND_bytes(aux, sizeof(aux)) != 1) {
    OPENSSL_cleanse(&kp, sizeof(kp));
    return Status::Internal("RAND_bytes failed");
  }
  Signature sig{};
  const int ok = secp256k1_schnorrsig_sign32(SigningContext(), sig.data(), msg.data(), &kp, aux);
  OPENSSL_cleanse(&kp, sizeof(kp));
  if (ok != 1) return Status::Internal("schnorrsig_sign32 failed");
  return sig;
}

}  // namespace mw::chain
