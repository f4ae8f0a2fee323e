#pragma once
// The delta encoder's AVX2 kernel and the packed tables it gathers from.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/delta/delta_format.hpp"

namespace lcl::delta_format {

// Per (table, symbol), at index first_entry[context] + symbol: the reciprocal and the packed
// fields (freq - 1) | cum << 14 | shift << 28 of entropy::pack_encoder_symbol (precision <= 14).
struct PackedEncoderTables {
  uint32_t precision_bits = 12;
  std::vector<uint32_t> reciprocal, fields;
  uint32_t first_entry[256] = {};
};

// Encodes the whole groups of kLanes symbols below i (a multiple of kLanes), from the top down,
// exactly as entropy::encode_interleaved's per-lane loop; symbol j is symbols[j] under the table
// of context[j]. w has room for 8 words below what is written. Returns 0 (where it stopped).
// Only called when kernels::avx2_available().
size_t encode_groups_avx2(const PackedEncoderTables& tables, const uint8_t* context,
                          const uint16_t* symbols, uint32_t (&x)[kLanes], uint16_t*& w, size_t i);

}  // namespace lcl::delta_format
