#pragma once
// Internal to the Q4_K codec: the per-sub-block context buckets the decoder computes from the
// fields it has decoded, and their AVX-512 forms (q4k_buckets_avx512.cpp, run only when
// kernels::avx512_available()), which give exactly the portable code's buckets.
#include <cstddef>
#include <cstdint>

#include "codecs/fields/predicted_min_buckets.hpp"
#include "formats/ggml/ggml_block_fields.hpp"

namespace lcl::q4k_simd {

// Zero point buckets of one quant step over 0..16 (finer ones cost more in tables than they
// gain on the small tensors of real models), one for larger values, one for sub-blocks
// whose q0 is not a finite number (sc == 0, NaN or infinite d).
inline constexpr uint32_t kZeroBuckets = 18;
// Buckets of 8 of the predicted min (one more for a prediction that is not a finite number).
using quant::kPredictedMinBuckets;

// 8*d/dmin: one correctly rounded division in double, the same on every platform; the buckets
// then come from one correctly rounded product and exact comparisons with the bucket edges
// 8k - 0.5 (no sum that a compiler could fuse), so the kernel and the portable loop agree.
inline double min_ratio(uint16_t d, uint16_t dmin) {
  return 8.0 * ggml::half_to_float(d) / static_cast<double>(ggml::half_to_float(dmin));
}

// Per block b of `blocks`: d[b], dmin[b] and the 8 sub-blocks' scales and mins at 8b; writes the
// 8 buckets of each block at c + 8b.
void zero_point_buckets_avx512(const uint16_t* d, const uint16_t* dmin, const uint16_t* scales,
                               const uint16_t* mins, size_t blocks, uint8_t* c);
void predicted_min_buckets_avx512(const uint16_t* d, const uint16_t* dmin, const uint16_t* scales,
                                  size_t blocks, uint8_t* c);

}  // namespace lcl::q4k_simd
