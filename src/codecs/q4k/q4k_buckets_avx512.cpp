// AVX-512 forms of the Q4_K codec's context buckets (q4k_buckets_simd.hpp): the same IEEE
// operations on the 8 sub-blocks of a block at once (the scalar loops are bound by their
// divisions), so the buckets are identical.
#include <limits>

#include "codecs/q4k/q4k_buckets_simd.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::q4k_simd {
namespace {

constexpr uint32_t kSubBlocks = 8;

// Eight 6-bit fields (held in uint16) as doubles.
LCL_AVX512_KERNEL inline __m512d load8(const uint16_t* p) {
  return _mm512_cvtepi32_pd(
      _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

}  // namespace

LCL_AVX512_KERNEL void zero_point_buckets_avx512(const uint16_t* d_fields,
                                                 const uint16_t* dmin_fields,
                                                 const uint16_t* scales, const uint16_t* mins,
                                                 size_t blocks, uint8_t* c) {
  const __m512d half = _mm512_set1_pd(0.5), one = _mm512_set1_pd(1.0),
                last = _mm512_set1_pd(kZeroBuckets - 2),
                largest = _mm512_set1_pd(std::numeric_limits<double>::max());
  const __m256i not_finite = _mm256_set1_epi32(kZeroBuckets - 1);
  for (size_t b = 0; b < blocks; ++b) {
    const __m512d d = _mm512_set1_pd(ggml::half_to_float(d_fields[b]));
    const __m512d dmin = _mm512_set1_pd(ggml::half_to_float(dmin_fields[b]));
    const __m512d q0 = _mm512_div_pd(_mm512_mul_pd(dmin, load8(mins + b * kSubBlocks)),
                                     _mm512_mul_pd(d, load8(scales + b * kSubBlocks)));
    const __m512d half_up = _mm512_add_pd(q0, half);
    const __mmask8 at_least_one = _mm512_cmp_pd_mask(half_up, one, _CMP_GE_OQ);
    const __mmask8 below_last = _mm512_cmp_pd_mask(half_up, last, _CMP_LT_OQ);
    const __m512d clamped =
        _mm512_maskz_mov_pd(at_least_one, _mm512_mask_blend_pd(below_last, last, half_up));
    const __mmask8 finite = _mm512_cmp_pd_mask(_mm512_abs_pd(q0), largest, _CMP_LE_OQ);
    const __m256i bucket =
        _mm256_mask_blend_epi32(finite, not_finite, _mm512_cvttpd_epi32(clamped));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c + b * kSubBlocks), _mm256_cvtepi32_epi8(bucket));
  }
}

LCL_AVX512_KERNEL void predicted_min_buckets_avx512(const uint16_t* d, const uint16_t* dmin,
                                                    const uint16_t* scales, size_t blocks,
                                                    uint8_t* c) {
  const __m512d largest = _mm512_set1_pd(std::numeric_limits<double>::max());
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i not_finite = _mm256_set1_epi32(kPredictedMinBuckets);
  for (size_t b = 0; b < blocks; ++b) {
    const __m512d p =
        _mm512_mul_pd(_mm512_set1_pd(min_ratio(d[b], dmin[b])), load8(scales + b * kSubBlocks));
    __m256i bucket = _mm256_setzero_si256();
    for (uint32_t k = 1; k < kPredictedMinBuckets; ++k) {
      const __mmask8 reached = _mm512_cmp_pd_mask(p, _mm512_set1_pd(8.0 * k - 0.5), _CMP_GE_OQ);
      bucket = _mm256_mask_add_epi32(bucket, reached, bucket, one);
    }
    const __mmask8 finite = _mm512_cmp_pd_mask(_mm512_abs_pd(p), largest, _CMP_LE_OQ);
    bucket = _mm256_mask_blend_epi32(finite, not_finite, bucket);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c + b * kSubBlocks), _mm256_cvtepi32_epi8(bucket));
  }
}

}  // namespace lcl::q4k_simd
