#pragma once
// What a frequency table costs a histogram, for tests of the table builders.
#include <cmath>
#include <cstdint>
#include <span>

#include "entropy/rans.hpp"

namespace lcl::entropy::test {

// Bits the table spends on the histogram: sum count * log2(total / freq).
inline double coded_bits(std::span<const uint64_t> counts, const FrequencyTable& t) {
  double bits = 0;
  for (size_t s = 0; s < counts.size(); ++s)
    if (counts[s]) bits += counts[s] * std::log2(double(1u << t.precision_bits) / t.freq[s]);
  return bits;
}

}  // namespace lcl::entropy::test
