// The SHA-256 compression function, in two implementations: portable C++ and x86 SHA-NI.
// Used by the mining path (core/header_hasher.h); everything else should call core/sha256.h.
//
// State words are host-order uint32 (H0..H7); blocks are 64 raw message bytes.
#pragma once

#include <cstdint>

namespace mw::sha256 {

inline constexpr uint32_t kInitState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
extern const uint32_t kRoundConstants[64];

// Processes one 64-byte block into `state`.
void CompressPortable(uint32_t state[8], const uint8_t block[64]);

// True when this CPU has the SHA extensions (and SSE4.1) needed by the SHA-NI functions below.
bool CpuHasShaNi();

// SHA-NI version of CompressPortable. Only call when CpuHasShaNi().
void CompressShaNi(uint32_t state[8], const uint8_t block[64]);

// Mining kernel: for two nonces at once, SHA-256d of an 80-byte header whose first 64 bytes are
// summarised by `midstate`; `tail` holds header bytes 64..75 (merkle tail, time, bits).
// Writes the final state words (host order) of each hash; digest byte i of hash k is the
// big-endian byte of out[k][i/4]. Only call when CpuHasShaNi().
void DoubleHashTwoNoncesShaNi(const uint32_t midstate[8], const uint8_t tail[12], uint32_t nonce0,
                              uint32_t nonce1, uint32_t out0[8], uint32_t out1[8]);

// Fast filter for nonce search. PrepareTailShaNi runs, once per header, the two rounds of the
// second block that do not depend on the nonce. TopWordTwoNoncesShaNi then yields, for two
// nonces, only the last state word H7 of the SHA-256d (the most significant 32 bits of the hash
// read as a little-endian number are its byte swap), skipping the rounds H7 does not need.
// Only call when CpuHasShaNi().
void PrepareTailShaNi(const uint32_t midstate[8], const uint8_t tail[12], uint32_t prepared[4]);
void TopWordTwoNoncesShaNi(const uint32_t midstate[8], const uint32_t prepared[4],
                           const uint8_t tail[12], uint32_t nonce0, uint32_t nonce1,
                           uint32_t last_word[2]);

}  // namespace mw::sha256
