// The AVX2 decoder and encoder of the nibble lanes (nibble_lanes_simd.hpp), for x86-64 CPUs
// without AVX-512.
// The 64 lanes are eight vectors of 8 states, vectors 0-3 group 2p's values, 4-7 group 2p+1's, so
// a vector's lanes share one group context. Each lane takes its whole step (symbol, freq, offset
// in the symbol's range) by one scalar load (rans_avx2::load_lanes) from its table of slot steps
// (the after- or the before-anchor table, picked per lane); the anchor's lane keeps its state and
// yields the minimum.
// Refill is rans_avx2.hpp's: words in lane order, vector 0's first, as the portable decoder reads.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <bit>

#include "codecs/q4k/nibble_lanes_simd.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::nibble_lanes {

namespace {

// One vector of a group: lanes j = first + 0..7; returns the values (residual + minimum, the
// minimum in the anchor's lane).
LCL_AVX2_KERNEL inline __m256i decode_vector(__m256i& x, const uint32_t* tables, __m256i lane,
                                             __m256i position, __m256i minimum,
                                             __m256i before_offset, __m128i precision,
                                             __m256i slot_mask) {
  const __m256i slot = _mm256_and_si256(x, slot_mask);
  const __m256i before = _mm256_cmpgt_epi32(position, lane);
  const __m256i anchor = _mm256_cmpeq_epi32(position, lane);
  const __m256i index = _mm256_add_epi32(slot, _mm256_and_si256(before, before_offset));
  const __m256i step = rans_avx2::load_lanes(tables, index);
  const __m256i freq = _mm256_and_si256(step, _mm256_set1_epi32(kStepFreqMask));
  const __m256i offset = _mm256_and_si256(_mm256_srli_epi32(step, kStepOffsetShift),
                                          _mm256_set1_epi32(kStepOffsetMask));
  const __m256i next =
      _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, precision)), offset);
  x = _mm256_blendv_epi8(next, x, anchor);
  const __m256i residual = _mm256_andnot_si256(anchor, _mm256_srli_epi32(step, kStepResidualShift));
  return _mm256_add_epi32(residual, minimum);
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_pairs_avx2(const uint32_t* steps, const Groups& groups, size_t first,
                                         size_t pairs, uint32_t precision, uint32_t (&x)[kLanes],
                                         const uint8_t*& p, const uint8_t* end, uint8_t* out,
                                         uint32_t pairs_per_row, size_t row_stride,
                                         bool& consistent) {
  __m256i xs[8];
  for (int v = 0; v < 8; ++v)
    xs[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * v));
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(precision));
  const __m256i slot_mask = _mm256_set1_epi32(static_cast<int>((1u << precision) - 1));
  const __m256i before_offset = _mm256_set1_epi32(static_cast<int>(1u << precision));
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  // packus order (per 128-bit half: vector 0's, 1's, 2's, 3's 4 bytes) back to lane order.
  const __m256i unshuffle = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i byte_mask = _mm256_set1_epi32(0xFF);
  __m256i seen = _mm256_setzero_si256();
  size_t pair = first;
  uint8_t* row = out + (first / pairs_per_row) * row_stride;
  size_t in_row = first % pairs_per_row;
  // A pair reads at most 64 words, each vector's refill loads 16 bytes.
  for (; pair < pairs && end - p >= 2 * kLanes; ++pair) {
    // All eight steps first, then the refills: each refill waits on the one before it (the
    // stream position), the steps do not.
    __m256i values[4];
    for (uint32_t half = 0; half < 2; ++half) {
      const size_t g = 2 * pair + half;
      const uint32_t* tables = steps + ((size_t{groups.contexts[g]} * 2) << precision);
      const __m256i position = _mm256_set1_epi32(groups.positions[g]);
      const __m256i minimum = _mm256_set1_epi32(groups.minima[g]);
      for (int v = 0; v < 4; ++v) {
        const __m256i lane = _mm256_add_epi32(iota, _mm256_set1_epi32(8 * v));
        const __m256i value = decode_vector(xs[4 * half + v], tables, lane, position, minimum,
                                            before_offset, shift, slot_mask);
        seen = _mm256_or_si256(seen, value);
        values[v] = half == 0
                        ? value
                        : _mm256_and_si256(_mm256_or_si256(values[v], _mm256_slli_epi32(value, 4)),
                                           byte_mask);
      }
    }
    for (int v = 0; v < 8; ++v) xs[v] = rans_avx2::renormalize(xs[v], p);
    const __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(values[0], values[1]),
                                              _mm256_packus_epi32(values[2], values[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + in_row * 32),
                        _mm256_permutevar8x32_epi32(bytes, unshuffle));
    if (++in_row == pairs_per_row) {
      in_row = 0;
      row += row_stride;
    }
  }
  for (int v = 0; v < 8; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(x + 8 * v), xs[v]);
  // Values are at most 15 + 15: bit 4 marks one above 15.
  if (!_mm256_testz_si256(seen, _mm256_set1_epi32(0x10))) consistent = false;
  return pair;
}

LCL_AVX2_KERNEL void split_pairs_avx2(const uint8_t* packed, size_t pairs, uint8_t* minima,
                                      uint8_t* positions) {
  const __m256i low_nibble = _mm256_set1_epi8(15);
  for (size_t pair = 0; pair < pairs; ++pair) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(packed + pair * 32));
    const __m256i groups[2] = {_mm256_and_si256(bytes, low_nibble),
                               _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_nibble)};
    for (int h = 0; h < 2; ++h) {
      // The smallest m that a value equals; quantizers put one at 0, so the first test nearly
      // always decides.
      uint32_t minimum = 0;
      auto at = static_cast<uint32_t>(
          _mm256_movemask_epi8(_mm256_cmpeq_epi8(groups[h], _mm256_setzero_si256())));
      while (at == 0)
        at = static_cast<uint32_t>(_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(groups[h], _mm256_set1_epi8(static_cast<char>(++minimum)))));
      minima[2 * pair + h] = static_cast<uint8_t>(minimum);
      positions[2 * pair + h] = static_cast<uint8_t>(std::countr_zero(at));
    }
  }
}

// The encoder: each vector of 8 lanes fetches its lanes' encoder entries by scalar loads
// (rans_avx2::load_lanes, vpgatherdd is slow on Zen 3) from its group context's 32 (after- or
// before-anchor table by lane), the anchor's lane an identity step that leaves its state alone;
// vectors go last to first, so the words land in lane order below w as the portable encoder stores
// them.
LCL_AVX2_KERNEL void encode_pairs_avx2(const EncodeEntries* entries, const Groups& groups,
                                       const uint8_t* packed, size_t pairs, uint32_t precision,
                                       uint32_t (&x)[kLanes], uint16_t*& w_ref) {
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(precision);
  const rans_avx2::IdentityEntry identity = rans_avx2::identity_entry(precision);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i sixteen = _mm256_set1_epi32(16), low_nibble = _mm256_set1_epi32(15);
  __m256i xs[8];
  for (int v = 0; v < 8; ++v)
    xs[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * v));
  uint16_t* w = w_ref;
  for (size_t pair = pairs; pair-- > 0;) {
    const uint8_t* bytes = packed + pair * 32;
    for (int v = 7; v >= 0; --v) {
      // Vectors 0-3: group 2p, the low nibbles of bytes 8v..; 4-7: group 2p+1, the high ones.
      const size_t g = 2 * pair + static_cast<size_t>(v / 4);
      const int first = 8 * (v % 4);
      const __m256i byte =
          _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes + first)));
      const __m256i value = v < 4 ? _mm256_and_si256(byte, low_nibble) : _mm256_srli_epi32(byte, 4);
      const __m256i lane = _mm256_add_epi32(iota, _mm256_set1_epi32(first));
      const __m256i position = _mm256_set1_epi32(groups.positions[g]);
      const __m256i before = _mm256_cmpgt_epi32(position, lane);
      const __m256i index =
          _mm256_add_epi32(_mm256_sub_epi32(value, _mm256_set1_epi32(groups.minima[g])),
                           _mm256_and_si256(before, sixteen));
      const EncodeEntries& e = entries[groups.contexts[g]];
      const __m256i anchor = _mm256_cmpeq_epi32(position, lane);
      const __m256i reciprocal = _mm256_blendv_epi8(rans_avx2::load_lanes(e.reciprocal, index),
                                                    identity.reciprocal, anchor);
      const __m256i fields =
          _mm256_blendv_epi8(rans_avx2::load_lanes(e.packed, index), identity.fields, anchor);
      rans_avx2::encode_step(c, reciprocal, fields, xs[v], w);
    }
  }
  for (int v = 0; v < 8; ++v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(x + 8 * v), xs[v]);
  w_ref = w;
}

}  // namespace lcl::quant::nibble_lanes

#endif
