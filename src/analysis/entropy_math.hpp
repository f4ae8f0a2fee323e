#pragma once
// Plug-in (empirical) entropies of histograms. These are the numbers the atlas reports as
// ceilings: the cost of coding each symbol with the measured distribution of its own tensor,
// models not counted, so no static per-tensor coder of the same symbols can beat them.
#include <cstdint>
#include <span>
#include <vector>

#include "entropy/rans.hpp"

namespace lcl::analysis {

// Shannon entropy in bits per symbol of a histogram (0 for an empty one).
inline double entropy_of_counts(std::span<const uint64_t> counts) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  return total == 0 ? 0.0 : entropy::entropy_bits(counts) / static_cast<double>(total);
}

// H(symbol | context) from a joint histogram laid out as counts[context * alphabet + symbol]:
// the average over contexts of each context's entropy, weighted by how often the context occurs.
inline double conditional_entropy(std::span<const uint64_t> joint, size_t alphabet) {
  uint64_t total = 0;
  double bits = 0;
  for (size_t start = 0; start + alphabet <= joint.size(); start += alphabet) {
    auto row = joint.subspan(start, alphabet);
    uint64_t row_total = 0;
    for (uint64_t c : row) row_total += c;
    if (!row_total) continue;
    bits += entropy_of_counts(row) * static_cast<double>(row_total);
    total += row_total;
  }
  return total ? bits / static_cast<double>(total) : 0.0;
}

}  // namespace lcl::analysis
