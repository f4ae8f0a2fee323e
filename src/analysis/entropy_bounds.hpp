#pragma once
// Entropy ceilings of one tensor's bytes (what `lcl atlas` reports). Every number is a plug-in
// entropy of the tensor's own symbols; the "bound_*" values are the compression ratios a coder of
// those symbols would reach at exactly that entropy (original bits / entropy bits).
//
// Float tensors (BF16, F16; F32 by 16-bit halves: h_byte0..3 and h_lower16 / h_upper16 instead of
// h_high / h_low, the byte-marginal bound over its four byte planes):
//   h_high, h_low          entropy of the high and low byte of each element (bits of 8)
//   bound_byte_marginal    16 / (h_high + h_low): byte-plane coding (the reference's Proposition 1)
//   h_u16, bound_iid16     entropy of the whole 16-bit value, and 16 / h_u16: any coder that treats
//                          elements as iid symbols stops here
//   h_exponent             entropy of the exponent field (bits of 8 for BF16/F32, of 5 for F16)
// Q4_K, Q5_K, Q3_K, Q6_K, Q8_0 and MXFP4 blocks (field layouts in FORMATS.md): per-field
// entropies, the conditional entropy of the quant values given what the block header says about
// their sub-block (scale and min; scale; MXFP4: the block's e8m0 exponent), and the
// ratio bounds implied by coding every field at its entropy (iid and conditional).
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lcl/types.hpp"

namespace lcl::analysis {

using Measures = std::vector<std::pair<std::string, double>>;

// The measures for bytes of `type`; empty for types without an analysis. A ragged tail (bytes that
// do not form a whole element or block) is ignored.
Measures measure_bounds(std::span<const uint8_t> data, TypeId type);

Measures measure_float16(std::span<const uint8_t> data, bool is_bf16);
Measures measure_float32(std::span<const uint8_t> data);
Measures measure_q4_k(std::span<const uint8_t> data);
Measures measure_q6_k(std::span<const uint8_t> data);
Measures measure_q8_0(std::span<const uint8_t> data);
Measures measure_q5_k(std::span<const uint8_t> data);
Measures measure_q3_k(std::span<const uint8_t> data);
Measures measure_mxfp4(std::span<const uint8_t> data);

// Q6_K: the 256 6-bit values (0..63) of a block in element order, and the index (0..15) of the
// scale each one uses, from ql[128] and qh[64].
void q6_k_values(const uint8_t* ql, const uint8_t* qh, uint8_t* values, uint8_t* scale_index);

// The value of a named measure, or `fallback` when absent.
double measure_value(const Measures& measures, const std::string& key, double fallback = -1);

}  // namespace lcl::analysis
