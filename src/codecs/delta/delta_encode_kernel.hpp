#pragma once
// The delta encoder's AVX2 kernel and the packed tables it gathers from.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/delta/delta_format.hpp"

namespace lcl::delta_format {

// Per (table, symbol), at index first_entry[context] + symbol: the entry of
// entropy::pack_encoder_symbol (precision <= 14): the reciprocal in the low dword, the fields
// (freq - 1) | cum << 14 | shift << 28 in the high one.
struct PackedEncoderTables {
  uint32_t precision_bits = 12;
  std::vector<uint64_t> entries;
  uint32_t first_entry[256] = {};
};

// The symbol pass's outputs and element arithmetic (delta_encode.cpp): per element, its symbol
// and context, and the count of (context, symbol) at counts[context * alphabet + symbol].
struct SymbolPass {
  uint16_t* symbols;
  uint8_t* contexts;
  uint32_t* counts;              // contexts * alphabet + 1 counters (< 2^16 + 1)
  uint32_t exact_bits;           // K
  uint32_t context_shift;        // the mantissa bits
  uint32_t context_mask;         // 2^exponent bits - 1
  uint32_t alphabet;             // contexts * alphabet < 2^16
  std::vector<uint64_t>* large;  // the moves of 2^K units or more (large_move)
};

// A large move as the symbol pass lists it: its position, context and z, so that the caller maps
// it without reading the chunk-sized symbol and context arrays back at scattered places.
inline uint64_t large_move(uint64_t position, uint8_t context, uint16_t z) {
  return position << 24 | uint64_t{context} << 16 | z;
}
inline uint64_t large_move_position(uint64_t move) {
  return move >> 24;
}
inline uint32_t large_move_context(uint64_t move) {
  return move >> 16 & 0xFF;
}
inline uint32_t large_move_z(uint64_t move) {
  return move & 0xFFFF;
}

// The symbol pass over the whole 16-element vectors of n 16-bit elements; returns where it stopped
// (n rounded down to 16). An element whose move z is 2^K or more gets z as its symbol, is not
// counted (its count goes to the spare last counter) and it is appended to *large: the
// caller maps it to its bucket, raw bits and count. Only called when kernels::avx2_available().
uint64_t map_symbols16_avx2(const uint8_t* in, const uint8_t* ref, uint64_t n,
                            const SymbolPass& pass);

// Encodes the whole groups of kLanes symbols below i (a multiple of kLanes), from the top down,
// exactly as entropy::encode_interleaved's per-lane loop; symbol j is symbols[j] under the table
// of context[j]. w has room for 8 words below what is written. Returns 0 (where it stopped).
// Only called when kernels::avx2_available().
size_t encode_groups_avx2(const PackedEncoderTables& tables, const uint8_t* context,
                          const uint16_t* symbols, uint32_t (&x)[kLanes], uint16_t*& w, size_t i);

}  // namespace lcl::delta_format
