// The fp8 decoder's AVX2 kernel: the lanes as vectors of 8 states (four for version 1's 32 lanes,
// eight for version 2's 64). Per vector the packed slots by scalar loads, the state update, and the
// renormalisation of the lanes below 2^16 from the next words of the stream in lane order (a
// permutation per mask of needy lanes).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

struct Constants {
  __m256i slot_mask, field12, one, byte;
  __m128i precision;
};

LCL_AVX2_KERNEL inline __m256i decode_step(__m256i x, const uint32_t* slots, const Constants& c,
                                           __m256i& symbols) {
  const __m256i slot = rans_avx2::load_lanes(slots, _mm256_and_si256(x, c.slot_mask));
  const __m256i freq =
      _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(slot, 8), c.field12), c.one);
  const __m256i offset = _mm256_srli_epi32(slot, 20);
  symbols = _mm256_and_si256(slot, c.byte);
  return _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.precision)), offset);
}

// The 32 bytes of four vectors' symbols in lane order: the packs interleave 128-bit halves, the
// permutation undoes it.
LCL_AVX2_KERNEL inline void store_bytes(uint8_t* out, const __m256i* s) {
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i bytes =
      _mm256_packus_epi16(_mm256_packus_epi32(s[0], s[1]), _mm256_packus_epi32(s[2], s[3]));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(bytes, order));
}

// The kernel for L lanes (defined here without an earlier declaration, so that its target
// attribute holds for its instantiations).
template <int L>
LCL_AVX2_KERNEL size_t decode_groups(const PackedSlots& table, uint32_t (&xs)[L], const uint8_t*& p,
                                     const uint8_t* end, uint8_t* out, size_t n) {
  static_assert(L % 32 == 0, "whole sets of four vectors of eight lanes");
  constexpr int kVectors = L / 8;
  const Constants c{_mm256_set1_epi32((1 << table.precision_bits) - 1), _mm256_set1_epi32(0xFFF),
                    _mm256_set1_epi32(1), _mm256_set1_epi32(0xFF),
                    _mm_cvtsi32_si128(static_cast<int>(table.precision_bits))};
  const uint32_t* slots = table.slots.data();
  __m256i x[kVectors];
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    x[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8 * v));
  size_t i = 0;
  // A group reads at most 2 * L bytes; each vector's 16-byte load stays inside them.
  while (n - i >= L && end - p >= 2 * L) {
    __m256i s[kVectors];
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) x[v] = decode_step(x[v], slots, c, s[v]);
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) x[v] = rans_avx2::renormalize(x[v], p);
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; v += 4) store_bytes(out + i + 8 * v, s + v);
    i += L;
  }
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8 * v), x[v]);
  return i;
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&x)[kLanesV1],
                                          const uint8_t*& p, const uint8_t* end, uint8_t* out,
                                          size_t n) {
  return decode_groups<kLanesV1>(table, x, p, end, out, n);
}

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&x)[kLanesV2],
                                          const uint8_t*& p, const uint8_t* end, uint8_t* out,
                                          size_t n) {
  return decode_groups<kLanesV2>(table, x, p, end, out, n);
}

}  // namespace lcl::fp8_format
#endif
