// The AVX2 decoder and encoder of the value lanes (value_lanes_simd.hpp), for x86-64 CPUs
// without AVX-512.
// The 64 lanes are eight vectors of 8 states, two per group of 16, so a vector's lanes share one
// group's tables. Each lane takes its whole step (symbol, freq, offset in the symbol's range) by
// one scalar load (rans_avx2::load_lanes) from quant_rans' flat slots (the after- or the
// before-anchor table, picked per lane); the anchor's lane keeps its state and yields the minimum.
// Refill is rans_avx2.hpp's: words in lane order, vector 0's first, as the portable decoder
// reads.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/q6k/value_lanes.hpp"
#include "codecs/q6k/value_lanes_simd.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::value_lanes {

LCL_AVX2_KERNEL size_t decode_steps_avx2(const uint32_t* slots, const Groups& groups, size_t first,
                                         size_t steps, uint32_t precision, uint32_t (&x)[kLanes],
                                         const uint8_t*& p, const uint8_t* end, uint8_t* values,
                                         bool& consistent) {
  __m256i xs[8];
  for (int v = 0; v < 8; ++v)
    xs[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * v));
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(precision));
  const __m256i slot_mask = _mm256_set1_epi32(static_cast<int>((1u << precision) - 1));
  const __m256i before_offset = _mm256_set1_epi32(static_cast<int>(1u << precision));
  const __m256i low12 = _mm256_set1_epi32(0xFFF);
  const __m256i low8 = _mm256_set1_epi32(0xFF);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  // packus order (per 128-bit half: vector 0's, 1's, 2's, 3's 4 bytes) back to lane order.
  const __m256i unshuffle = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  __m256i seen = _mm256_setzero_si256();
  size_t step = first;
  // A step reads at most 64 words, each vector's refill loads 16 bytes.
  for (; step < steps && end - p >= 2 * kLanes; ++step) {
    // All eight steps first, then the refills: each refill waits on the one before it (the
    // stream position), the steps do not.
    __m256i out[8];
    for (int v = 0; v < 8; ++v) {
      const size_t g = 4 * step + v / 2;
      const __m256i lane = _mm256_add_epi32(iota, _mm256_set1_epi32(8 * (v % 2)));
      const __m256i position = _mm256_set1_epi32(groups.positions[g]);
      const __m256i before = _mm256_cmpgt_epi32(position, lane);
      const __m256i anchor = _mm256_cmpeq_epi32(position, lane);
      __m256i& state = xs[v];
      const __m256i index = _mm256_add_epi32(_mm256_and_si256(state, slot_mask),
                                             _mm256_and_si256(before, before_offset));
      const uint32_t* table = slots + (size_t{groups.tables[g]} << precision);
      const __m256i slot = rans_avx2::load_lanes(table, index);
      const __m256i freq = _mm256_add_epi32(_mm256_srli_epi32(slot, 20), one);
      const __m256i offset = _mm256_and_si256(_mm256_srli_epi32(slot, 8), low12);
      const __m256i next =
          _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(state, shift)), offset);
      state = _mm256_blendv_epi8(next, state, anchor);
      const __m256i residual = _mm256_andnot_si256(anchor, _mm256_and_si256(slot, low8));
      out[v] = _mm256_add_epi32(residual, _mm256_set1_epi32(groups.minima[g]));
      seen = _mm256_or_si256(seen, out[v]);
    }
    for (int v = 0; v < 8; ++v) xs[v] = rans_avx2::renormalize(xs[v], p);
    for (int half = 0; half < 2; ++half) {
      const __m256i* o = out + 4 * half;
      const __m256i bytes =
          _mm256_packus_epi16(_mm256_packus_epi32(o[0], o[1]), _mm256_packus_epi32(o[2], o[3]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + step * kLanes + 32 * half),
                          _mm256_permutevar8x32_epi32(bytes, unshuffle));
    }
  }
  for (int v = 0; v < 8; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(x + 8 * v), xs[v]);
  // Values are at most 63 + 63: bit 6 marks one above 63.
  if (!_mm256_testz_si256(seen, _mm256_set1_epi32(0x40))) consistent = false;
  return step;
}

// The encoder: each vector of 8 lanes (half a group) loads its lanes' packed entries (reciprocal,
// fields) by scalar loads (rans_avx2::load_entries) from the after- or before-anchor table, the
// anchor's lane an identity step that leaves its state alone; vectors go last to first, so the
// words land in lane order below w as the portable encoder stores them.
LCL_AVX2_KERNEL void encode_steps_avx2(const uint64_t* entries, const Groups& groups,
                                       const uint8_t* values, size_t steps, uint32_t precision,
                                       uint32_t (&x)[kLanes], uint16_t*& w_ref) {
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(precision);
  const rans_avx2::IdentityEntry identity = rans_avx2::identity_entry(precision);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i xs[8];
  for (int v = 0; v < 8; ++v)
    xs[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * v));
  uint16_t* w = w_ref;
  for (size_t step = steps; step-- > 0;) {
    for (int v = 7; v >= 0; --v) {
      const size_t g = 4 * step + static_cast<size_t>(v / 2);
      const int first = 8 * (v % 2);
      const __m256i value = _mm256_cvtepu8_epi32(
          _mm_loadl_epi64(reinterpret_cast<const __m128i*>(values + g * kValueGroupSize + first)));
      const __m256i lane = _mm256_add_epi32(iota, _mm256_set1_epi32(first));
      const __m256i position = _mm256_set1_epi32(groups.positions[g]);
      const __m256i before = _mm256_cmpgt_epi32(position, lane);  // all ones: table + 1
      const __m256i table = _mm256_sub_epi32(_mm256_set1_epi32(groups.tables[g]), before);
      const __m256i entry =
          _mm256_add_epi32(_mm256_slli_epi32(table, 6),
                           _mm256_sub_epi32(value, _mm256_set1_epi32(groups.minima[g])));
      const __m256i anchor = _mm256_cmpeq_epi32(position, lane);
      __m256i reciprocal, fields;
      rans_avx2::load_entries(entries, entry, reciprocal, fields);
      reciprocal = _mm256_blendv_epi8(reciprocal, identity.reciprocal, anchor);
      fields = _mm256_blendv_epi8(fields, identity.fields, anchor);
      rans_avx2::encode_step(c, reciprocal, fields, xs[v], w);
    }
  }
  for (int v = 0; v < 8; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(x + 8 * v), xs[v]);
  w_ref = w;
}

}  // namespace lcl::quant::value_lanes

#endif
