// RandomSeed: 64 fresh bits from the kernel, for hash tables whose keys come from the network
// (flows, DNS answers). A seed the reader of our source cannot know keeps precomputed colliding
// keys (hash flooding) from piling up in one probe run. Not for keys or anything secret.
#pragma once

#include <cstdint>

namespace mw {

// getrandom(2); if the kernel cannot answer (no entropy yet, seccomp), a mix of the clocks, the
// process id and an address: still unknown to someone who prepared a capture in advance.
// Never returns 0, which callers may use for "draw one".
uint64_t RandomSeed();

}  // namespace mw
