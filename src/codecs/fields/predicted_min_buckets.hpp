#pragma once
// The predicted-min context of the Q4_K and Q5_K codecs: weights centre on zero, so a sub-block's
// min m is close to p = ratio * sc (ratio a codec's multiple of d / dmin, which the decoder knows
// before the mins). p is one correctly rounded product compared exactly with the bucket edges
// 8k - 0.5 (no sum a compiler could fuse), so every platform computes the same buckets.
#include <cmath>
#include <cstdint>
#include <limits>

namespace lcl::quant {

// Buckets of 8 of p over 0..63, and one more for a p that is not a finite number.
inline constexpr uint32_t kPredictedMinBuckets = 8;

// The buckets of one block's 8 sub-blocks from their scales.
inline void predicted_min_buckets(double ratio, const uint16_t* scales, uint8_t* buckets) {
  for (uint32_t j = 0; j < 8; ++j) {
    const double p = ratio * scales[j];
    uint32_t bucket = 0;
    for (uint32_t k = 1; k < kPredictedMinBuckets; ++k) bucket += p >= 8.0 * k - 0.5;
    const bool finite = std::fabs(p) <= std::numeric_limits<double>::max();  // false for NaN
    buckets[j] = static_cast<uint8_t>(finite ? bucket : kPredictedMinBuckets);
  }
}

}  // namespace lcl::quant
