#pragma once
// A decoder specialised for the quantized codecs' fields: the same stream as the entropy layer's
// 8-lane interleaved rANS (entropy/rans_interleaved.hpp; the encoder there writes it), but with
// every context's decode table flattened into one array of 32-bit slots, so that one symbol
// costs one load, one multiply-add and a branch-free renormalisation. The generic decoder looks
// up a table object per symbol and unpacks 8-byte slots, which made it the largest cost of the
// quantized codecs' decode. The fields use small alphabets (<= 256 symbols) and table precisions
// of at most 12 bits, which is what lets a slot fit in 32 bits.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "entropy/rans.hpp"

namespace lcl::quant {

inline constexpr uint32_t kMaxFlatPrecision = 12;
inline constexpr int kFieldLanes = 8;  // the lanes of entropy/rans.cpp's streams

// Decode tables of all contexts of one field, context c at [c << precision, (c + 1) << precision).
// A slot holds symbol (bits 0-7), offset of the slot inside the symbol's range (bits 8-19) and
// frequency - 1 (bits 20-31).
class FlatDecodeTable {
 public:
  // tables: one per context, each summing to 1 << precision, or empty for a context no symbol
  // uses (its row is left undefined; flat_decode must never see that context). Throws
  // lcl::Error(kCorruptInput) when a table is inconsistent.
  FlatDecodeTable(std::span<const entropy::FrequencyTable> tables, uint32_t precision);

  uint32_t precision() const { return precision_; }
  const uint32_t* slots() const { return slots_.get(); }

 private:
  uint32_t precision_;
  std::unique_ptr<uint32_t[]> slots_;
};

// Encodes symbols (symbol i with tables[contexts[i]], or tables[0] when contexts is empty) into the
// stream flat_decode reads, appended to out. Every symbol must have a non-zero frequency in its
// table and every table must have `alphabet` entries (the caller built them from these symbols).
void flat_encode(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                 std::span<const entropy::FrequencyTable> tables, uint32_t alphabet,
                 std::vector<uint8_t>& out);

// Decodes symbols.size() symbols; symbol i uses context contexts[i] (every context must be below
// the table's context count: the caller checks) or context 0 when contexts is empty. Throws
// lcl::Error(kCorruptInput) when the stream is not exactly one the encoder wrote.
void flat_decode(std::span<const uint8_t> in, const FlatDecodeTable& table,
                 std::span<const uint8_t> contexts, std::span<uint16_t> symbols);

}  // namespace lcl::quant
