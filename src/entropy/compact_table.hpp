#pragma once
// A frequency table that costs about one byte per present symbol (write_frequency_table costs
// two to three): the set of present symbols as alternating absent/present run lengths, and each
// frequency as an 8-bit minifloat (exact below 32, 4 mantissa bits above, relative error <= 1/32).
// The decoder's table is rebuilt from the minifloats by an integer-only normalisation, so encoder
// and decoder agree bit for bit on every platform; the encoder codes with that rebuilt table.
// The minifloat rounding costs far less output than the several hundred bytes per table it saves.
#include <cstdint>
#include <span>
#include <vector>

#include "entropy/rans.hpp"
#include "util/byte_io.hpp"

namespace lcl::entropy {

struct CompactTable {
  FrequencyTable table;        // what both sides code with
  std::vector<uint8_t> codes;  // minifloat per present symbol, in symbol order
};

// Normalises `counts` (as normalize_frequencies does), rounds each frequency to a minifloat and
// rebuilds the table the decoder will see. Throws kUsage when more symbols are present than the
// precision has slots.
CompactTable make_compact_table(std::span<const uint64_t> counts, uint32_t precision_bits);
// The same on the present symbols alone (for sparse histograms): `counts` (all > 0) in symbol
// order; `codes` and `freq` receive, per entry, the minifloat and the rebuilt frequency that
// make_compact_table gives that symbol.
void compact_present_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits,
                                 std::vector<uint8_t>& codes, std::vector<uint32_t>& freq);

void write_compact_table(const CompactTable& table, ByteWriter& out);
// Everything write_compact_table writes before the codes, from the present symbols (increasing).
void write_compact_header(uint32_t precision_bits, size_t alphabet,
                          std::span<const uint32_t> present_symbols, ByteWriter& out);
// Bytes write_compact_table writes for a table with these present symbols (increasing).
size_t compact_table_size(uint32_t precision_bits, size_t alphabet,
                          std::span<const uint32_t> present_symbols);
// Bytes of write_compact_header alone.
size_t compact_header_size(uint32_t precision_bits, size_t alphabet,
                           std::span<const uint32_t> present_symbols);
// Validates like read_frequency_table; throws kCorruptInput.
FrequencyTable read_compact_table(ByteReader& in, uint32_t max_alphabet);

// The smooth layout (float payloads 4 and 5): the same header, then the codes as a bit string
// (varint byte length, then its bytes): per present symbol the Elias-gamma code of 1 + the
// zigzagged difference from the previous present symbol's code (the first from 0). Neighbouring
// symbols of a float histogram (adjacent mantissa bins) have close frequencies, so a code takes
// about 2 bits instead of 8: on use-lite's bf16 tensors 26,023 code bytes become ~6,600.
void write_smooth_compact_table(const CompactTable& table, ByteWriter& out);
size_t smooth_compact_table_size(uint32_t precision_bits, size_t alphabet,
                                 std::span<const uint32_t> present_symbols,
                                 std::span<const uint8_t> codes);
// Bytes of the smooth layout's code section (the part after the header).
size_t smooth_codes_size(std::span<const uint8_t> codes);
FrequencyTable read_smooth_compact_table(ByteReader& in, uint32_t max_alphabet);

// The minifloat and the integer normalisation (exposed for tests).
uint8_t frequency_to_code(uint32_t freq);  // freq in [1, 2^16] -> code in [1, 223]
uint32_t code_to_weight(uint8_t code);     // code in [1, 223]
// Frequencies summing to 1 << precision_bits, each >= 1, proportional to `weights` (all > 0);
// requires weights.size() <= 1 << precision_bits.
std::vector<uint32_t> normalize_weights_integer(std::span<const uint32_t> weights,
                                                uint32_t precision_bits);

}  // namespace lcl::entropy
