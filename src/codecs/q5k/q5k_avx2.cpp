// AVX2 forms of the Q5_K codec's per-block loops (q5k_simd.hpp): a block's eight sub-blocks'
// context buckets as two vectors of four doubles (the portable loops' operations in the same
// order, so the same roundings), and its values packed into qs and qh, and unpacked from them, 32
// bytes at a time.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <limits>

#include "codecs/fields/anchored_group32_avx2.hpp"
#include "codecs/q5k/q5k_simd.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::q5k_simd {

namespace {

constexpr uint32_t kSubBlocks = 8;

// A block's eight 6-bit values as two vectors of doubles (sub-blocks 0-3, 4-7).
LCL_AVX2_KERNEL inline void load_doubles(const uint16_t* v, __m256d& low, __m256d& high) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v)));
  low = _mm256_cvtepi32_pd(_mm256_castsi256_si128(wide));
  high = _mm256_cvtepi32_pd(_mm256_extracti128_si256(wide, 1));
}

// Eight buckets (doubles holding small integers) as bytes.
LCL_AVX2_KERNEL inline void store_buckets(__m256d low, __m256d high, uint8_t* out) {
  const __m128i words = _mm_packs_epi32(_mm256_cvttpd_epi32(low), _mm256_cvttpd_epi32(high));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(words, words));
}

// Lanes whose value is a finite number.
LCL_AVX2_KERNEL inline __m256d finite(__m256d v) {
  const __m256d magnitude = _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
  return _mm256_cmp_pd(magnitude, _mm256_set1_pd(std::numeric_limits<double>::max()), _CMP_LE_OQ);
}

// zero_point_bucket of four sub-blocks: (dmin * min) / (2 * d * scale) + 0.5, 17 when not
// finite, else 0 below 1 and min(value, 16) truncated.
LCL_AVX2_KERNEL inline __m256d zero_buckets(__m256d d2, __m256d dmin, __m256d scale, __m256d min) {
  const __m256d half_up = _mm256_add_pd(
      _mm256_div_pd(_mm256_mul_pd(dmin, min), _mm256_mul_pd(d2, scale)), _mm256_set1_pd(0.5));
  const __m256d at_least_one = _mm256_cmp_pd(half_up, _mm256_set1_pd(1.0), _CMP_GE_OQ);
  const __m256d clamped = _mm256_and_pd(at_least_one, _mm256_min_pd(half_up, _mm256_set1_pd(16.0)));
  return _mm256_blendv_pd(_mm256_set1_pd(17.0), clamped, finite(half_up));
}

// predicted_min_buckets of four sub-blocks: the number of edges 8k - 0.5 (k = 1..7) at or below
// p = ratio * scale, 8 when p is not finite.
LCL_AVX2_KERNEL inline __m256d predicted_buckets(__m256d ratio, __m256d scale) {
  const __m256d p = _mm256_mul_pd(ratio, scale);
  __m256d bucket = _mm256_setzero_pd();
  for (int k = 1; k < 8; ++k)
    bucket = _mm256_add_pd(
        bucket, _mm256_and_pd(_mm256_cmp_pd(p, _mm256_set1_pd(8.0 * k - 0.5), _CMP_GE_OQ),
                              _mm256_set1_pd(1.0)));
  return _mm256_blendv_pd(_mm256_set1_pd(8.0), bucket, finite(p));
}

}  // namespace

LCL_AVX2_KERNEL void zero_point_buckets_avx2(const uint16_t* d, const uint16_t* dmin,
                                             const uint16_t* scales, const uint16_t* mins,
                                             size_t blocks, uint8_t* buckets) {
  for (size_t b = 0; b < blocks; ++b) {
    const __m256d d2 = _mm256_set1_pd(2.0 * static_cast<double>(ggml::half_to_float(d[b])));
    const __m256d m = _mm256_set1_pd(static_cast<double>(ggml::half_to_float(dmin[b])));
    __m256d scale_low, scale_high, min_low, min_high;
    load_doubles(scales + b * kSubBlocks, scale_low, scale_high);
    load_doubles(mins + b * kSubBlocks, min_low, min_high);
    store_buckets(zero_buckets(d2, m, scale_low, min_low),
                  zero_buckets(d2, m, scale_high, min_high), buckets + b * kSubBlocks);
  }
}

LCL_AVX2_KERNEL void predicted_min_buckets_avx2(const uint16_t* d, const uint16_t* dmin,
                                                const uint16_t* scales, size_t blocks,
                                                uint8_t* buckets) {
  for (size_t b = 0; b < blocks; ++b) {
    const double ratio =
        16.0 * ggml::half_to_float(d[b]) / static_cast<double>(ggml::half_to_float(dmin[b]));
    const __m256d r = _mm256_set1_pd(ratio);
    __m256d scale_low, scale_high;
    load_doubles(scales + b * kSubBlocks, scale_low, scale_high);
    store_buckets(predicted_buckets(r, scale_low), predicted_buckets(r, scale_high),
                  buckets + b * kSubBlocks);
  }
}

namespace {

// One block's values, sub-block j's 32 as the bytes of sub[j] (each below 32), into its qs (128
// bytes at block + 48) and qh (32 bytes at block + 16).
LCL_AVX2_KERNEL inline void pack_block(const __m256i (&sub)[kSubBlocks], uint8_t* block) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  // qs: sub-block 2g's low nibbles, 2g + 1's as high nibbles.
  for (uint32_t g = 0; g < 4; ++g) {
    const __m256i high = _mm256_slli_epi16(_mm256_and_si256(sub[2 * g + 1], low4), 4);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 48 + 32 * g),
                        _mm256_or_si256(_mm256_and_si256(sub[2 * g], low4), high));
  }
  // qh: bit j of byte l is bit 4 of sub-block j's value l.
  __m256i qh = _mm256_setzero_si256();
  for (uint32_t j = 0; j < kSubBlocks; ++j) {
    const __m256i bit4 = _mm256_and_si256(sub[j], _mm256_set1_epi8(0x10));
    const __m256i moved = j <= 4 ? _mm256_srli_epi16(bit4, static_cast<int>(4 - j))
                                 : _mm256_slli_epi16(bit4, static_cast<int>(j - 4));
    qh = _mm256_or_si256(qh, moved);
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 16), qh);
}

// 32 values in two vectors of 16-bit lanes (each below 256) as 32 bytes in order.
LCL_AVX2_KERNEL inline __m256i value_bytes(__m256i low, __m256i high) {
  return _mm256_permute4x64_epi64(_mm256_packus_epi16(low, high), 0xD8);
}

}  // namespace

LCL_AVX2_KERNEL void pack_q5k_quants_avx2(const uint16_t* values, size_t blocks, uint8_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint16_t* v = values + b * 256;
    __m256i sub[kSubBlocks];
    for (uint32_t j = 0; j < kSubBlocks; ++j)
      sub[j] = value_bytes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 32 * j)),
                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 32 * j + 16)));
    pack_block(sub, out + b * ggml::kQ5KBlockBytes);
  }
}

LCL_AVX2_KERNEL bool restore_pack_q5k_avx2(const uint16_t* others, const uint16_t* minima,
                                           const uint16_t* positions, size_t blocks, uint8_t* out) {
  __m256i bad = _mm256_setzero_si256();
  for (size_t b = 0; b < blocks; ++b) {
    __m256i sub[kSubBlocks];
    for (uint32_t j = 0; j < kSubBlocks; ++j) {
      const size_t g = b * kSubBlocks + j;
      __m256i low, high;
      quant::anchored_simd::restore_group32(others + g * 31, minima[g], positions[g], low, high,
                                            bad);
      sub[j] = value_bytes(low, high);
    }
    pack_block(sub, out + b * ggml::kQ5KBlockBytes);
  }
  return _mm256_testz_si256(bad, bad);
}

LCL_AVX2_KERNEL void unpack_q5k_quants_avx2(const uint8_t* in, size_t blocks, uint16_t* values) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* block = in + b * ggml::kQ5KBlockBytes;
    uint16_t* v = values + b * 256;
    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16));
    for (uint32_t g = 0; g < 4; ++g) {
      const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 48 + 32 * g));
      const __m256i nibbles[2] = {_mm256_and_si256(qs, low4),
                                  _mm256_and_si256(_mm256_srli_epi16(qs, 4), low4)};
      for (uint32_t h = 0; h < 2; ++h) {
        const uint32_t j = 2 * g + h;  // sub-block: bit j of qh is its values' bit 4
        const __m256i mask = _mm256_set1_epi8(static_cast<char>(1u << j));
        const __m256i high =
            _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, mask), mask), bit4);
        const __m256i bytes = _mm256_or_si256(nibbles[h], high);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(v + 32 * j),
                            _mm256_cvtepu8_epi16(_mm256_castsi256_si128(bytes)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(v + 32 * j + 16),
                            _mm256_cvtepu8_epi16(_mm256_extracti128_si256(bytes, 1)));
      }
    }
  }
}

}  // namespace lcl::q5k_simd
#endif
