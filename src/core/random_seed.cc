#include "core/random_seed.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

namespace mw {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != ssize_t(sizeof seed)) {
    timespec real{}, mono{};
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    const auto here = reinterpret_cast<uintptr_t>(&seed);
    seed = SplitMix64(uint64_t(real.tv_nsec) ^ (uint64_t(real.tv_sec) << 30)) ^
           SplitMix64(uint64_t(mono.tv_nsec) + uint64_t(getpid())) ^ SplitMix64(here);
  }
  return seed != 0 ? seed : 1;
}

}  // namespace mw
