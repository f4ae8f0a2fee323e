#pragma once
// Choice of the float codec's model for one chunk: k (mantissa bits inside the symbol), rANS
// precision and which rare symbols take the escape path, all by the measured size they give.
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/float/float_format.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans.hpp"

namespace lcl::float_format {

// Fixed choices for experiments and tests; negative / zero means "choose by measured size".
struct FloatModelOptions {
  int k = -1;
  int precision_bits = 0;
  int escape_threshold = -1;  // symbols with count <= threshold are escaped (0: none)
  bool take_low_bits = true;  // false: never payload version 3 (to measure what it gains)
};

struct FloatModel {
  uint32_t k = 0;
  entropy::CompactTable table;   // over 2^symbol_bits(k) + 1 symbols, the last is the escape
  std::vector<uint8_t> escaped;  // per symbol value: 1 = coded through the escape
  uint64_t escape_count = 0;     // elements whose symbol is escaped
  bool smooth_table = true;      // the table in the smooth layout (payloads 4, 5), else bytewise
  double estimated_bytes = 0;    // payload estimate the choice minimised (without the header)
};

// A histogram as its present symbols: symbols[i] (increasing) occurs counts[i] > 0 times. The
// model search works on these: a chunk has a few hundred to a few thousand present symbols in an
// alphabet of up to 2^15, and dense passes over the alphabet cost more than the search itself.
struct SymbolCounts {
  std::vector<uint32_t> symbols;
  std::vector<uint64_t> counts;
  void clear() {
    symbols.clear();
    counts.clear();
  }
};

// `widest` is the histogram of the widest symbols (the top symbol_bits(max_k) bits of every
// element), `n` the element count (> 0).
FloatModel choose_float_model(const SymbolCounts& widest, const FloatLayout& layout, uint64_t n,
                              const FloatModelOptions& options = {});
// The same from the histogram of the top 16 bits of every element (the element itself for
// 16-bit floats), 65536 bins.
FloatModel choose_float_model(std::span<const uint64_t> top16, const FloatLayout& layout,
                              uint64_t n, const FloatModelOptions& options = {});

// The histogram one bit narrower: symbols s and s ^ 1 merge into s >> 1 (k to k - 1).
void narrow_symbol_counts(const SymbolCounts& wide, SymbolCounts& narrow);

// Estimated payload bytes of coding `counts` (symbol histogram at k) with the given escape
// threshold and precision, also filling `model` when it is not null. Infinity when the present
// symbols do not fit the precision.
double float_model_cost(const SymbolCounts& counts, const FloatLayout& layout, uint32_t k,
                        uint64_t n, uint32_t escape_threshold, uint32_t precision_bits,
                        FloatModel* model);

}  // namespace lcl::float_format
