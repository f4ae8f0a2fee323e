#pragma once
// Static rANS entropy coder: the contract every format-aware codec builds on.
// (Interface fixed here so the float and quantized codecs can be written in parallel; the
// implementation lives in rans.cpp, frequency.cpp and friends in this folder.)
//
// Usage: count symbols -> normalize_frequencies() -> write_frequency_table() into the payload ->
// rans_encode(). The decoder reads the table back and calls rans_decode() with the symbol count it
// stored itself. Several tables can be used in one stream, the table of each symbol picked by a
// context the decoder can recompute (rans_encode_contexts / rans_decode_contexts).
#include <cstdint>
#include <span>
#include <vector>

#include "util/byte_io.hpp"

namespace lcl::entropy {

inline constexpr uint32_t kMaxAlphabet = 1u << 16;  // symbols are uint16_t

struct FrequencyTable {
  uint32_t precision_bits = 12;  // sum of freq == 1 << precision_bits
  std::vector<uint32_t> freq;    // per symbol, alphabet size = freq.size(); 0 = absent
};

// Scales counts to sum 1 << precision_bits (precision_bits in [8, 16]) keeping every symbol with
// a non-zero count at frequency >= 1 and minimising the coding cost; an all-zero histogram gives
// an all-zero table (only valid for empty streams). A single present symbol gets the full range.
FrequencyTable normalize_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits);
// The same on the present symbols alone: `counts` (all > 0) are those of the present symbols in
// symbol order, `freq` receives one frequency per entry, equal to what normalize_frequencies gives
// those symbols. For callers that keep their histograms sparse (the float codec's model search).
void normalize_present_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits,
                                   std::vector<uint32_t>& freq);

// log2((f + 1) / f) for f in [1, 2^16], exactly as std::log2 computes it from those doubles (values
// up to 2^14 come from a table built once): the marginal cost normalize_frequencies ranks by.
double log2_step(uint32_t f);

// Serialisation as present symbols and their frequencies, for the benchmark's baseline methods
// only: no .lcl payload uses it (the codecs use compact_table.hpp and the quant fields' tables,
// both fixed by docs/FORMAT.md), so a baseline can change it freely. read_frequency_table
// validates: alphabet <= max_alphabet, frequencies sum exactly to 1 << precision_bits.
void write_frequency_table(const FrequencyTable& table, ByteWriter& out);
FrequencyTable read_frequency_table(ByteReader& in, uint32_t max_alphabet);

// Codes `symbols` (each must have freq > 0 in `table`) and appends the bytes to `out`.
void rans_encode(std::span<const uint16_t> symbols, const FrequencyTable& table,
                 std::vector<uint8_t>& out);
// Decodes exactly symbols.size() symbols from `in`, which must be exactly what rans_encode wrote.
// Throws lcl::Error(kCorruptInput) on inconsistent input; never reads outside `in`.
void rans_decode(std::span<const uint8_t> in, const FrequencyTable& table,
                 std::span<uint16_t> symbols);

// The same with one table per context: symbol i is coded with tables[contexts[i]].
void rans_encode_contexts(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                          std::span<const FrequencyTable> tables, std::vector<uint8_t>& out);
void rans_decode_contexts(std::span<const uint8_t> in, std::span<const uint8_t> contexts,
                          std::span<const FrequencyTable> tables, std::span<uint16_t> symbols);

// Shannon entropy in bits of a histogram (sum over p log2 1/p), for planners and bounds.
double entropy_bits(std::span<const uint64_t> counts);

}  // namespace lcl::entropy
