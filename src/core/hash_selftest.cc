#include "core/hash_selftest.h"

#include <string>

#include "core/header_hasher.h"
#include "core/sha256.h"
#include "core/sha256_compress.h"

namespace mw {
namespace {

struct KnownHeader {
  const char* name;
  const char* header_hex;   // 80 bytes, nonce included
  const char* display_hash;
};

// From ../shared/docs/protocols.md, vectors V1 and V2.
constexpr KnownHeader kKnown[] = {
    {"block 125552",
     "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d7504"
     "23db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695",
     "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d"},
    {"mainnet genesis",
     "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
     "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
     "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
    {"regtest genesis",
     "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
     "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000",
     "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"},
};

}  // namespace

Status RunHashSelfTest() {
  for (const KnownHeader& k : kKnown) {
    auto header = FromHexExact(k.header_hex, 80);
    if (!header.ok()) return Status::Internal(std::string("self-test vector ") + k.name + " is bad");
    const uint32_t nonce = ReadLE32(header->data() + HeaderHasher::kNonceOffset);
    if (ToDisplayHex(Sha256d(*header)) != k.display_hash) {
      return Status::Internal(std::string("SHA-256d self-test failed on ") + k.name);
    }
    for (HashImpl impl : {HashImpl::kPortable, HashImpl::kShaNi}) {
      if (impl == HashImpl::kShaNi && !sha256::CpuHasShaNi()) continue;
      auto hasher = HeaderHasher::Create(*header, impl);
      if (!hasher.ok()) return hasher.status();
      if (ToDisplayHex(hasher->Hash(nonce)) != k.display_hash) {
        return Status::Internal("mining path (" + std::string(HashImplName(impl)) +
                                ") self-test failed on " + k.name);
      }
    }
  }
  return Status::Ok();
}

}  // namespace mw
