// Model selection of the float codec (see float_model.hpp).
#include "codecs/float/float_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::float_format {

namespace {

// Histograms of the symbols at every k (index k), the widest given, each narrower one by merging
// symbol pairs (a few thousand present symbols each).
std::vector<SymbolCounts> symbol_counts_by_k(const SymbolCounts& widest,
                                             const FloatLayout& layout) {
  const uint32_t max_k = layout.max_k();
  std::vector<SymbolCounts> by_k(max_k + 1);
  by_k[max_k].symbols.assign(widest.symbols.begin(), widest.symbols.end());
  by_k[max_k].counts.assign(widest.counts.begin(), widest.counts.end());
  for (uint32_t k = max_k; k-- > 0;) narrow_symbol_counts(by_k[k + 1], by_k[k]);
  return by_k;
}

// A lower bound of the table's bytes for the symbols coded at an escape threshold: its exact
// header (which depends only on the symbols it holds), then a byte per code (bytewise layout) or
// at least a length byte and one bit per code (smooth layout), whichever is less.
size_t table_bytes(const SymbolCounts& counts, const FloatLayout& layout, uint32_t k,
                   uint32_t escape_threshold, bool escapes, uint32_t precision_bits) {
  std::vector<uint32_t> coded;
  coded.reserve(counts.symbols.size() + 1);
  for (size_t i = 0; i < counts.symbols.size(); ++i)
    if (counts.counts[i] > escape_threshold) coded.push_back(counts.symbols[i]);
  const uint32_t escape = uint32_t{1} << layout.symbol_bits(k);
  if (escapes) coded.push_back(escape);
  return entropy::compact_header_size(precision_bits, size_t{escape} + 1, coded) +
         std::min(coded.size(), 1 + (coded.size() + 7) / 8);
}

// Lower bounds of float_model_cost for every escape threshold of one symbol histogram: coded bits
// at least the empirical entropy of the coded symbols (Gibbs: no table codes them in fewer), plus
// the table's exact size. They let the model search skip the exact (table-building) cost of
// candidates that cannot win: a skipped candidate costs more than the best found, so the choice
// is the exhaustive search's whatever the bounds, and tighter bounds only skip more.
struct ThresholdBounds {
  std::vector<double> bytes;  // per threshold; infinity when the symbols do not fit
};

ThresholdBounds threshold_bounds(const SymbolCounts& symbol_counts, const FloatLayout& layout,
                                 uint32_t k, uint64_t n, std::span<const uint32_t> thresholds,
                                 uint32_t precision_bits) {
  const std::span<const uint64_t> counts = symbol_counts.counts;
  // Symbols with small counts are the only ones thresholds move; tally them by count.
  const uint32_t max_threshold = *std::max_element(thresholds.begin(), thresholds.end());
  std::vector<uint64_t> with_count(max_threshold + 1, 0);
  double sum_c_log_c = 0;
  size_t present = 0;
  for (const uint64_t c : counts) {  // the present symbols' counts (the escape is not among them)
    ++present;
    if (c <= max_threshold) ++with_count[c];
    if (c > 1) sum_c_log_c += static_cast<double>(c) * std::log2(static_cast<double>(c));
  }
  const double n_log_n = static_cast<double>(n) * std::log2(static_cast<double>(n));
  ThresholdBounds b;
  for (uint32_t t : thresholds) {
    uint64_t escaped = 0, escaped_symbols = 0;
    double escaped_c_log_c = 0;
    for (uint32_t c = 1; c <= t && c <= max_threshold; ++c) {
      escaped += c * with_count[c];
      escaped_symbols += with_count[c];
      if (c > 1) escaped_c_log_c += static_cast<double>(c * with_count[c]) * std::log2(double(c));
    }
    const size_t coded_present = present - escaped_symbols + (escaped != 0);
    if (coded_present > (size_t{1} << precision_bits)) {
      b.bytes.push_back(std::numeric_limits<double>::infinity());
      continue;
    }
    double c_log_c = sum_c_log_c - escaped_c_log_c;
    if (escaped > 1) c_log_c += static_cast<double>(escaped) * std::log2(double(escaped));
    // A relative margin keeps rounding in the sums from ever pruning the true optimum.
    const double bits = std::max(0.0, n_log_n - c_log_c) * (1 - 1e-9) +
                        static_cast<double>(escaped) * layout.symbol_bits(k) +
                        static_cast<double>(n) * layout.raw_bits(k);
    b.bytes.push_back(bits / 8 + static_cast<double>(table_bytes(symbol_counts, layout, k, t,
                                                                 escaped != 0, precision_bits)));
  }
  return b;
}

// Precisions tried; above 14 the 32-bit rANS state with 16-bit words starts to lose, below 12 the
// table quantisation does.
constexpr uint32_t kPrecisions[] = {12, 13, 14};
constexpr uint32_t kEscapeThresholds[] = {0, 1, 2, 4, 8, 16};

}  // namespace

void narrow_symbol_counts(const SymbolCounts& wide, SymbolCounts& narrow) {
  narrow.clear();
  for (size_t i = 0; i < wide.symbols.size(); ++i) {
    const uint32_t s = wide.symbols[i] >> 1;
    if (!narrow.symbols.empty() && narrow.symbols.back() == s) {
      narrow.counts.back() += wide.counts[i];
    } else {
      narrow.symbols.push_back(s);
      narrow.counts.push_back(wide.counts[i]);
    }
  }
}

namespace {

// One candidate model, kept on the present symbols: only the winner becomes a FloatModel, whose
// tables span the whole alphabet.
struct Evaluation {
  uint32_t k = 0, precision = 0;
  SymbolCounts coded;             // the coded symbols, the escape (if used) last
  std::vector<uint32_t> escaped;  // the escaped symbol values
  uint64_t escape_count = 0;
  std::vector<uint8_t> codes;  // compact table: minifloat per coded symbol
  std::vector<uint32_t> freq;  // and the frequency both sides code with
  bool smooth_table = true;    // the smaller of the two table layouts
  double bytes = std::numeric_limits<double>::infinity();
};

// The cost of float_model_cost, leaving the candidate in `e`.
double evaluate(const SymbolCounts& counts, const FloatLayout& layout, uint32_t k, uint64_t n,
                uint32_t escape_threshold, uint32_t precision_bits, Evaluation& e) {
  const uint32_t escape = uint32_t{1} << layout.symbol_bits(k);
  e.k = k;
  e.precision = precision_bits;
  e.coded.clear();
  e.escaped.clear();
  e.escape_count = 0;
  for (size_t i = 0; i < counts.symbols.size(); ++i) {
    const uint64_t c = counts.counts[i];
    if (c <= escape_threshold) {
      e.escaped.push_back(counts.symbols[i]);
      e.escape_count += c;
    } else {
      e.coded.symbols.push_back(counts.symbols[i]);
      e.coded.counts.push_back(c);
    }
  }
  if (e.escape_count != 0) {
    e.coded.symbols.push_back(escape);
    e.coded.counts.push_back(e.escape_count);
  }
  e.bytes = std::numeric_limits<double>::infinity();
  if (e.coded.symbols.size() > (size_t{1} << precision_bits)) return e.bytes;

  entropy::compact_present_frequencies(e.coded.counts, precision_bits, e.codes, e.freq);
  double bits = 0;
  for (size_t i = 0; i < e.coded.counts.size(); ++i)
    bits += static_cast<double>(e.coded.counts[i]) * (precision_bits - std::log2(e.freq[i]));
  bits += static_cast<double>(e.escape_count) * layout.symbol_bits(k);
  bits += static_cast<double>(n) * layout.raw_bits(k);
  // The codes a byte each, or as the smooth layout's bit string: whichever is smaller (noisy
  // histograms of small chunks can make the differences wider than a byte).
  const size_t header =
      entropy::compact_header_size(precision_bits, size_t{escape} + 1, e.coded.symbols);
  const size_t smooth_codes = entropy::smooth_codes_size(e.codes);
  e.smooth_table = smooth_codes < e.codes.size();
  const size_t table_bytes = header + (e.smooth_table ? smooth_codes : e.codes.size());
  e.bytes = bits / 8 + static_cast<double>(table_bytes);
  return e.bytes;
}

// The candidate as the encoder's model, with tables over the whole alphabet.
FloatModel materialize(const Evaluation& e, const FloatLayout& layout) {
  const size_t escape = size_t{1} << layout.symbol_bits(e.k);
  FloatModel model;
  model.k = e.k;
  model.table.table.precision_bits = e.precision;
  model.table.table.freq.assign(escape + 1, 0);
  for (size_t i = 0; i < e.coded.symbols.size(); ++i)
    model.table.table.freq[e.coded.symbols[i]] = e.freq[i];
  model.table.codes = e.codes;
  model.escaped.assign(escape, 0);
  for (uint32_t s : e.escaped) model.escaped[s] = 1;
  model.escape_count = e.escape_count;
  model.smooth_table = e.smooth_table;
  model.estimated_bytes = e.bytes;
  return model;
}

}  // namespace

double float_model_cost(const SymbolCounts& counts, const FloatLayout& layout, uint32_t k,
                        uint64_t n, uint32_t escape_threshold, uint32_t precision_bits,
                        FloatModel* model) {
  Evaluation e;
  const double bytes = evaluate(counts, layout, k, n, escape_threshold, precision_bits, e);
  if (model && std::isfinite(bytes)) *model = materialize(e, layout);
  return bytes;
}

FloatModel choose_float_model(std::span<const uint64_t> top16, const FloatLayout& layout,
                              uint64_t n, const FloatModelOptions& options) {
  if (top16.size() != 65536)
    throw Error(ErrorKind::kUsage, "float model: histogram must have 65536 bins");
  const uint32_t shift = 16 - layout.symbol_bits(layout.max_k());
  SymbolCounts widest;
  for (size_t v = 0; v < top16.size(); ++v) {
    if (top16[v] == 0) continue;
    const uint32_t s = static_cast<uint32_t>(v >> shift);
    if (!widest.symbols.empty() && widest.symbols.back() == s) {
      widest.counts.back() += top16[v];
    } else {
      widest.symbols.push_back(s);
      widest.counts.push_back(top16[v]);
    }
  }
  return choose_float_model(widest, layout, n, options);
}

FloatModel choose_float_model(const SymbolCounts& widest, const FloatLayout& layout, uint64_t n,
                              const FloatModelOptions& options) {
  const uint32_t max_k = layout.max_k();
  if (options.k > static_cast<int>(max_k))
    throw Error(ErrorKind::kUsage, "float model: k beyond the symbol width");
  if (!widest.symbols.empty() && widest.symbols.back() >> layout.symbol_bits(max_k) != 0)
    throw Error(ErrorKind::kUsage, "float model: symbol beyond the widest symbol width");
  const auto& by_k = symbol_counts_by_k(widest, layout);

  // 1. k by an entropy estimate (exact-probability cost plus ~half a table byte per symbol: run
  // lengths and smooth codes), which
  //    ranks k reliably; the neighbours of the best k are refined with the exact cost below.
  std::vector<uint32_t> ks;
  if (options.k >= 0) {
    ks.push_back(static_cast<uint32_t>(options.k));
  } else {
    double best = std::numeric_limits<double>::infinity();
    uint32_t best_k = 0;
    for (uint32_t k = 0; k <= max_k; ++k) {
      // Over the present symbols' counts: the same sum as over the whole histogram.
      const auto& counts = by_k[k].counts;
      const size_t present = counts.size();
      double bytes = entropy::entropy_bits(counts) / 8 +
                     static_cast<double>(n) * layout.raw_bits(k) / 8 +
                     0.5 * static_cast<double>(present);
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
  // Thresholds at the widest precision (the cheapest quantisation), then precisions below. The
  // exact costs are taken in the order of their lower bounds and only where the bound can still
  // beat the best so far; ties go to the earlier candidate of the (k, threshold) order, so the
  // choice is the one an exhaustive search makes.
  const uint32_t top_precision = precisions.back();
  struct Candidate {
    double bound;
    size_t order;
    uint32_t k, threshold;
  };
  std::vector<Candidate> candidates;
  for (uint32_t k : ks) {
    const auto bounds = threshold_bounds(by_k[k], layout, k, n, thresholds, top_precision);
    for (size_t j = 0; j < thresholds.size(); ++j)
      candidates.push_back({bounds.bytes[j], candidates.size(), k, thresholds[j]});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.bound < b.bound; });
  // Each candidate's model is kept while it is the best, so the winner is not built twice.
  Evaluation model, scratch;  // swapped, so each keeps its capacity through the search
  size_t best_order = 0;
  for (const Candidate& c : candidates) {
    if (!std::isfinite(c.bound) || c.bound > best_bytes) break;
    const double bytes = evaluate(by_k[c.k], layout, c.k, n, c.threshold, top_precision, scratch);
    if (bytes < best_bytes || (bytes == best_bytes && c.order < best_order)) {
      best_bytes = bytes;
      best = {c.k, c.threshold, top_precision};
      best_order = c.order;
      std::swap(model, scratch);
    }
  }
  // Lower precisions from the top down, stopping at the first that does not gain: a coarser
  // table only pays where the next finer one already did (the table bytes are the same at every
  // precision, the quantisation loss grows as it falls). A shortcut, not an exact search: on the
  // corpus (479 chunk models) no precision below 14 ever won, and the payloads are unchanged.
  if (precisions.size() > 1 && std::isfinite(best_bytes)) {
    const auto& counts = by_k[best.k];
    for (size_t j = precisions.size() - 1; j-- > 0;) {
      const uint32_t p = precisions[j];
      const double bytes = evaluate(counts, layout, best.k, n, best.threshold, p, scratch);
      if (!(bytes < best_bytes)) break;
      best_bytes = bytes;
      best.precision = p;
      std::swap(model, scratch);
    }
  }
  // Nearly uniform data can have more distinct symbols at the best k than any precision holds;
  // smaller k always fit (k = 0 has at most 2^9 + 1 symbols).
  for (uint32_t k = ks.front(); !std::isfinite(best_bytes) && options.k < 0 && k-- > 0;) {
    const auto& counts = by_k[k];
    best_bytes = evaluate(counts, layout, k, n, thresholds.back(), precisions.back(), model);
  }
  if (!std::isfinite(best_bytes))
    throw Error(ErrorKind::kUsage, "float model: no precision holds the chunk's symbols");
  return materialize(model, layout);
}

}  // namespace lcl::float_format
