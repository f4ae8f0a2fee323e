#pragma once
// Choice of the float codec's model for one chunk: k (mantissa bits inside the symbol), rANS
// precision and which rare symbols take the escape path, all by the measured size they give.
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/float_format.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans.hpp"

namespace lcl::float_format {

// Fixed choices for experiments and tests; negative / zero means "choose by measured size".
struct FloatModelOptions {
  int k = -1;
  int precision_bits = 0;
  int escape_threshold = -1;  // symbols with count <= threshold are escaped (0: none)
};

struct FloatModel {
  uint32_t k = 0;
  entropy::CompactTable table;   // over 2^symbol_bits(k) + 1 symbols, the last is the escape
  std::vector<uint8_t> escaped;  // per symbol value: 1 = coded through the escape
  uint64_t escape_count = 0;     // elements whose symbol is escaped
  double estimated_bytes = 0;    // payload estimate the choice minimised (without the header)
};

// `top16` is the histogram of the top 16 bits of every element (the element itself for 16-bit
// floats), `n` the element count (> 0).
FloatModel choose_float_model(std::span<const uint64_t> top16, const FloatLayout& layout,
                              uint64_t n, const FloatModelOptions& options = {});

// Estimated payload bytes of coding `counts` (symbol histogram at some k) with the given escape
// threshold and precision, also filling `model` when it is not null. Infinity when the present
// symbols do not fit the precision.
double float_model_cost(std::span<const uint64_t> counts, const FloatLayout& layout, uint32_t k,
                        uint64_t n, uint32_t escape_threshold, uint32_t precision_bits,
                        FloatModel* model);

}  // namespace lcl::float_format
