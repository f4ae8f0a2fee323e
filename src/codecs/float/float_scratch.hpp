#pragma once
// The float codec's buffers, kept by a workspace (lcl/workspace.hpp) from one chunk to the next.
#include <cstdint>
#include <vector>

#include "codecs/float/float_model.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans.hpp"
#include "entropy/rans_tables.hpp"

namespace lcl::float_format {

struct FloatEncodeScratch {
  std::vector<uint32_t> counters;  // the histogram's counters: all zero between chunks
  SymbolCounts merged;             // drain_counters' result before it replaces the histogram
  SymbolCounts widest;             // the histogram of the widest symbols
  std::vector<entropy::EncoderSymbol> by_value;  // coding entry per symbol value
  // Version 3: the elements shifted right by the low bits taken off, and the low bits kept.
  std::vector<uint16_t> shifted16, kept_low16;
  std::vector<uint32_t> shifted32, kept_low32;
  // The x86-64 kernels': escaped element indices, their fields, packed entries, the stream's
  // words and the packed raw bits.
  std::vector<uint64_t> escaped_at;
  std::vector<uint8_t> escape_fields;
  std::vector<uint64_t> kernel_table;
  std::vector<uint16_t> kernel_words;
  std::vector<uint8_t> raw_bits;

  template <class Elem>
  std::vector<Elem>& shifted() {
    if constexpr (sizeof(Elem) == 2)
      return shifted16;
    else
      return shifted32;
  }
  template <class Elem>
  std::vector<Elem>& kept_low() {
    if constexpr (sizeof(Elem) == 2)
      return kept_low16;
    else
      return kept_low32;
  }
};

struct FloatDecodeScratch {
  entropy::DecoderTable decoder;
  entropy::PaddedBytes padded_escapes;
  std::vector<uint8_t> raw_fields;  // a padded copy of the raw section (portable decoders)
};

}  // namespace lcl::float_format
