// SHA-256 with the x86 SHA extensions. The instructions work on the state split into two
// vectors, ABEF and CDGH (lane 3 first), and on four message words per vector.
// Each function here is compiled for the SHA target only; callers check CpuHasShaNi() first.
#include <cpuid.h>
#include <immintrin.h>

#include "core/bytes.h"
#include "core/sha256_compress.h"

#define MW_SHANI __attribute__((target("sha,sse4.1,ssse3")))

namespace mw::sha256 {
namespace {

struct Lanes {
  __m128i abef;
  __m128i cdgh;
};

MW_SHANI inline Lanes LoadState(const uint32_t s[8]) {
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  return {_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0)};
}

// Back to H0..H3 and H4..H7 in lanes 0..3, which are also the message words of a digest.
MW_SHANI inline void UnpackState(const Lanes& l, __m128i& dcba, __m128i& hgfe) {
  __m128i feba = _mm_shuffle_epi32(l.abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(l.cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
}

MW_SHANI inline __m128i LoadMessage(const uint8_t* p) {
  const __m128i kByteSwapWords = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), kByteSwapWords);
}

// N independent compressions advanced in lock step, so that the CPU overlaps their latencies.
// kSkipFirstPair: the caller already ran rounds 0-1 (they depend only on words 0-1), so st[j]
// holds {ABEF before, ABEF after rounds 0-1} and `saved` the state to add at the end.
// kStopAfterRound61: stop after round 61 without the final addition; the caller only needs
// the last state word, which is then lane 0 of abef (see TopWordTwoNoncesShaNi).
template <int N, bool kSkipFirstPair = false, bool kStopAfterRound61 = false>
MW_SHANI inline void CompressLanes(Lanes (&st)[N], __m128i (&w)[N][4], const Lanes* saved_in) {
  Lanes saved[N];
  for (int j = 0; j < N; ++j) saved[j] = saved_in ? *saved_in : st[j];
#pragma GCC unroll 16
  for (int group = 0; group < 16; ++group) {
    const __m128i k =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * group]));
    const int cur = group & 3;
    for (int j = 0; j < N; ++j) {
      __m128i m = _mm_add_epi32(w[j][cur], k);
      if (!(kSkipFirstPair && group == 0)) {
        st[j].cdgh = _mm_sha256rnds2_epu32(st[j].cdgh, st[j].abef, m);
      }
      if (kStopAfterRound61 && group == 15) {
        st[j].abef = st[j].cdgh;  // ABEF after round 61: lane 1 = e61, lane 0 = e60
        continue;
      }
      m = _mm_shuffle_epi32(m, 0x0E);
      st[j].abef = _mm_sha256rnds2_epu32(st[j].abef, st[j].cdgh, m);
    }
    if (group < 12) {
      // W[4g+16 .. 4g+19] from the four previous vectors; it replaces the one just used.
      for (int j = 0; j < N; ++j) {
        __m128i next = _mm_sha256msg1_epu32(w[j][cur], w[j][(cur + 1) & 3]);
        next = _mm_add_epi32(next, _mm_alignr_epi8(w[j][(cur + 3) & 3], w[j][(cur + 2) & 3], 4));
        w[j][cur] = _mm_sha256msg2_epu32(next, w[j][(cur + 3) & 3]);
      }
    }
  }
  if (kStopAfterRound61) return;
  for (int j = 0; j < N; ++j) {
    st[j].abef = _mm_add_epi32(st[j].abef, saved[j].abef);
    st[j].cdgh = _mm_add_epi32(st[j].cdgh, saved[j].cdgh);
  }
}

// The second block of an 80-byte header for two nonces: the last 16 header bytes (the tail's 12 and
// the nonce), the 0x80 pad and the length (640 bits).
MW_SHANI inline void HeaderBlock2(const uint8_t tail[12], uint32_t nonce0, uint32_t nonce1,
                                  __m128i (&w)[2][4]) {
  const uint32_t t0 = ReadBE32(tail), t1 = ReadBE32(tail + 4), t2 = ReadBE32(tail + 8);
  w[0][0] = _mm_set_epi32(int(__builtin_bswap32(nonce0)), int(t2), int(t1), int(t0));
  w[1][0] = _mm_set_epi32(int(__builtin_bswap32(nonce1)), int(t2), int(t1), int(t0));
  for (int j = 0; j < 2; ++j) {
    w[j][1] = _mm_set_epi32(0, 0, 0, int(0x80000000u));
    w[j][2] = _mm_setzero_si128();
    w[j][3] = _mm_set_epi32(640, 0, 0, 0);
  }
}

// The second hash's only block, from the first hash's states: the 32-byte digest, the pad and the
// length (256 bits); the states restart from the IV.
MW_SHANI inline void SecondHashInput(Lanes (&st)[2], __m128i (&w)[2][4]) {
  const Lanes iv = LoadState(kInitState);
  for (int j = 0; j < 2; ++j) {
    UnpackState(st[j], w[j][0], w[j][1]);
    w[j][2] = _mm_set_epi32(0, 0, 0, int(0x80000000u));
    w[j][3] = _mm_set_epi32(256, 0, 0, 0);
    st[j] = iv;
  }
}

}  // namespace

bool CpuHasShaNi() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = (c & (1u << 9)) != 0;
  const bool sse41 = (c & (1u << 19)) != 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = (b & (1u << 29)) != 0;
  return ssse3 && sse41 && sha;
}

MW_SHANI void CompressShaNi(uint32_t state[8], const uint8_t block[64]) {
  Lanes st[1] = {LoadState(state)};
  __m128i w[1][4] = {{LoadMessage(block), LoadMessage(block + 16), LoadMessage(block + 32),
                      LoadMessage(block + 48)}};
  CompressLanes<1>(st, w, nullptr);
  __m128i lo, hi;
  UnpackState(st[0], lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), lo);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), hi);
}

MW_SHANI void DoubleHashTwoNoncesShaNi(const uint32_t midstate[8], const uint8_t tail[12],
                                       uint32_t nonce0, uint32_t nonce1, uint32_t out0[8],
                                       uint32_t out1[8]) {
  const Lanes mid = LoadState(midstate);
  Lanes st[2] = {mid, mid};
  __m128i w[2][4];
  HeaderBlock2(tail, nonce0, nonce1, w);
  CompressLanes<2>(st, w, nullptr);
  SecondHashInput(st, w);
  CompressLanes<2>(st, w, nullptr);
  __m128i lo, hi;
  UnpackState(st[0], lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out0), lo);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out0 + 4), hi);
  UnpackState(st[1], lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out1), lo);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out1 + 4), hi);
}

MW_SHANI void PrepareTailShaNi(const uint32_t midstate[8], const uint8_t tail[12],
                                uint32_t prepared[4]) {
  const Lanes mid = LoadState(midstate);
  const __m128i w0 = _mm_set_epi32(0, 0, int(ReadBE32(tail + 4)), int(ReadBE32(tail)));
  const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[0]));
  const __m128i after = _mm_sha256rnds2_epu32(mid.cdgh, mid.abef, _mm_add_epi32(w0, k));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(prepared), after);
}

MW_SHANI void TopWordTwoNoncesShaNi(const uint32_t midstate[8], const uint32_t prepared[4],
                                    const uint8_t tail[12], uint32_t nonce0, uint32_t nonce1,
                                    uint32_t last_word[2]) {
  const Lanes mid = LoadState(midstate);
  const Lanes start = {mid.abef, _mm_loadu_si128(reinterpret_cast<const __m128i*>(prepared))};
  Lanes st[2] = {start, start};
  __m128i w[2][4];
  HeaderBlock2(tail, nonce0, nonce1, w);
  CompressLanes<2, true>(st, w, &mid);
  SecondHashInput(st, w);
  CompressLanes<2, false, true>(st, w, nullptr);
  // The final H7 is IV7 + e60, and e60 sits in lane 0 (F) of ABEF after round 61.
  last_word[0] = uint32_t(_mm_cvtsi128_si32(st[0].abef)) + kInitState[7];
  last_word[1] = uint32_t(_mm_cvtsi128_si32(st[1].abef)) + kInitState[7];
}

}  // namespace mw::sha256
