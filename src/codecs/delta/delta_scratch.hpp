#pragma once
// The delta codec's buffers, kept by a workspace (lcl/workspace.hpp) from one chunk to the next.
#include <cstdint>
#include <vector>

#include "codecs/delta/delta_decode_kernel.hpp"
#include "codecs/delta/delta_encode_kernel.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_tables.hpp"
#include "util/byte_buffer.hpp"

namespace lcl::delta_format {

struct DeltaEncodeScratch {
  // Per element: symbol and context (not zeroed when they grow); per context and symbol: counts;
  // the raw bits.
  std::vector<uint16_t, DefaultInitAllocator<uint16_t>> symbols;
  std::vector<uint8_t, DefaultInitAllocator<uint8_t>> context_of;
  std::vector<uint32_t> counts;
  std::vector<uint8_t> raw;
  PackedEncoderTables packed;              // the AVX2 kernel's tables
  std::vector<uint64_t> large_moves;       // the AVX2 symbol pass's elements with raw bits
  std::vector<uint8_t> block_differences;  // mode 2: the chunk minus its reference
};

struct DeltaDecodeScratch {
  std::vector<entropy::DecoderSlot> slots;  // every table's slots, one after the other
  entropy::PaddedBytes padded_raw;
  PackedTables packed;  // the AVX2 kernel's tables
};

}  // namespace lcl::delta_format
