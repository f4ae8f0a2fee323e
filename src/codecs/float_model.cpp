// Model selection of the float codec (see float_model.hpp).
#include "codecs/float_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::float_format {

namespace {

// Histograms of the symbols at every k (index k), each with a trailing zero bin for the escape.
// The widest comes from the top-16-bit histogram, each narrower one by merging bin pairs.
std::vector<std::vector<uint64_t>> symbol_counts_by_k(std::span<const uint64_t> top16,
                                                      const FloatLayout& layout) {
  const uint32_t max_k = layout.max_k();
  std::vector<std::vector<uint64_t>> by_k(max_k + 1);
  const uint32_t widest = layout.symbol_bits(max_k);
  auto& top = by_k[max_k];
  top.assign((size_t{1} << widest) + 1, 0);
  const uint32_t shift = 16 - widest;
  for (size_t v = 0; v < top16.size(); ++v) top[v >> shift] += top16[v];
  for (uint32_t k = max_k; k-- > 0;) {
    const auto& wide = by_k[k + 1];
    auto& narrow = by_k[k];
    narrow.assign((wide.size() - 1) / 2 + 1, 0);
    for (size_t s = 0; s + 1 < wide.size(); s += 2) narrow[s / 2] = wide[s] + wide[s + 1];
  }
  return by_k;
}

// Precisions tried; above 14 the 32-bit rANS state with 16-bit words starts to lose
// (measured in docs/BENCH_FLOAT.md), below 12 the table quantisation does.
constexpr uint32_t kPrecisions[] = {12, 13, 14};
constexpr uint32_t kEscapeThresholds[] = {0, 1, 2, 4, 8, 16};

}  // namespace

double float_model_cost(std::span<const uint64_t> counts, const FloatLayout& layout, uint32_t k,
                        uint64_t n, uint32_t escape_threshold, uint32_t precision_bits,
                        FloatModel* model) {
  const size_t escape = counts.size() - 1;
  std::vector<uint64_t> coded(counts.begin(), counts.end());
  std::vector<uint8_t> escaped(escape, 0);
  uint64_t escape_count = 0;
  size_t present = 0;
  for (size_t s = 0; s < escape; ++s) {
    if (coded[s] == 0) continue;
    if (coded[s] <= escape_threshold) {
      escaped[s] = 1;
      escape_count += coded[s];
      coded[s] = 0;
    } else {
      ++present;
    }
  }
  coded[escape] = escape_count;
  present += escape_count != 0;
  if (present > (size_t{1} << precision_bits)) return std::numeric_limits<double>::infinity();

  entropy::CompactTable table = entropy::make_compact_table(coded, precision_bits);
  double bits = 0;
  for (size_t s = 0; s < coded.size(); ++s)
    if (coded[s])
      bits += static_cast<double>(coded[s]) * (precision_bits - std::log2(table.table.freq[s]));
  bits += static_cast<double>(escape_count) * layout.symbol_bits(k);
  bits += static_cast<double>(n) * layout.raw_bits(k);
  std::vector<uint8_t> table_bytes;
  ByteWriter writer(table_bytes);
  entropy::write_compact_table(table, writer);
  const double bytes = bits / 8 + static_cast<double>(table_bytes.size());
  if (model) {
    model->k = k;
    model->table = std::move(table);
    model->escaped = std::move(escaped);
    model->escape_count = escape_count;
    model->estimated_bytes = bytes;
  }
  return bytes;
}

FloatModel choose_float_model(std::span<const uint64_t> top16, const FloatLayout& layout,
                              uint64_t n, const FloatModelOptions& options) {
  if (top16.size() != 65536)
    throw Error(ErrorKind::kUsage, "float model: histogram must have 65536 bins");
  const uint32_t max_k = layout.max_k();
  if (options.k > static_cast<int>(max_k))
    throw Error(ErrorKind::kUsage, "float model: k beyond the symbol width");
  const auto by_k = symbol_counts_by_k(top16, layout);

  // 1. k by an entropy estimate (exact-probability cost plus ~1 table byte per symbol), which
  //    ranks k reliably; the neighbours of the best k are refined with the exact cost below.
  std::vector<uint32_t> ks;
  if (options.k >= 0) {
    ks.push_back(static_cast<uint32_t>(options.k));
  } else {
    double best = std::numeric_limits<double>::infinity();
    uint32_t best_k = 0;
    for (uint32_t k = 0; k <= max_k; ++k) {
      const auto& counts = by_k[k];
      size_t present = 0;
      for (uint64_t c : counts) present += c != 0;
      double bytes = entropy::entropy_bits(counts) / 8 +
                     static_cast<double>(n) * layout.raw_bits(k) / 8 +
                     1.0 * static_cast<double>(present);
      if (bytes < best) {
        best = bytes;
        best_k = k;
      }
    }
    for (uint32_t k = best_k == 0 ? 0 : best_k - 1; k <= std::min(best_k + 1, max_k); ++k)
      ks.push_back(k);
  }

  // 2. Escape threshold and precision by the exact cost of the quantised table.
  std::vector<uint32_t> thresholds;
  if (options.escape_threshold >= 0)
    thresholds.push_back(static_cast<uint32_t>(options.escape_threshold));
  else
    thresholds.assign(std::begin(kEscapeThresholds), std::end(kEscapeThresholds));
  std::vector<uint32_t> precisions;
  if (options.precision_bits > 0)
    precisions.push_back(static_cast<uint32_t>(options.precision_bits));
  else
    precisions.assign(std::begin(kPrecisions), std::end(kPrecisions));

  struct Choice {
    uint32_t k, threshold, precision;
  };
  Choice best{0, 0, 0};
  double best_bytes = std::numeric_limits<double>::infinity();
  for (uint32_t k : ks) {
    const auto& counts = by_k[k];
    // Thresholds at the widest precision (the cheapest quantisation), then precisions below.
    const uint32_t top_precision = precisions.back();
    for (uint32_t t : thresholds) {
      double bytes = float_model_cost(counts, layout, k, n, t, top_precision, nullptr);
      if (bytes < best_bytes) {
        best_bytes = bytes;
        best = {k, t, top_precision};
      }
    }
  }
  if (precisions.size() > 1) {
    const auto& counts = by_k[best.k];
    for (uint32_t p : precisions) {
      double bytes = float_model_cost(counts, layout, best.k, n, best.threshold, p, nullptr);
      if (bytes < best_bytes) {
        best_bytes = bytes;
        best.precision = p;
      }
    }
  }
  // Nearly uniform data can have more distinct symbols at the best k than any precision holds;
  // smaller k always fit (k = 0 has at most 2^9 + 1 symbols).
  for (uint32_t k = ks.front(); !std::isfinite(best_bytes) && options.k < 0 && k-- > 0;) {
    const auto& counts = by_k[k];
    best_bytes =
        float_model_cost(counts, layout, k, n, thresholds.back(), precisions.back(), nullptr);
    best = {k, thresholds.back(), precisions.back()};
  }
  if (!std::isfinite(best_bytes))
    throw Error(ErrorKind::kUsage, "float model: no precision holds the chunk's symbols");
  FloatModel model;
  const auto& counts = by_k[best.k];
  float_model_cost(counts, layout, best.k, n, best.threshold, best.precision, &model);
  return model;
}

}  // namespace lcl::float_format
