#pragma once
// What the nibble lanes (Q4_K) and the value lanes (Q6_K) share: the 64-lane rANS stream around
// their kernels (encoder buffer and tail, decoder header and final states, with the carried
// words) and the checks of the residual tables. Internal to nibble_lanes.cpp and value_lanes.cpp,
// and to quant_rans.cpp, whose wide fields' encoder uses the stream framing at 32 lanes.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_lanes {

inline constexpr int kLanes = 64;

// The stream of n symbols (entropy::encode_interleaved<Lanes>'s layout, lanes starting from
// `initial`; 64 lanes for the nibble and value lanes, 32 for wide fields), in a buffer of the
// workspace's field arrays (quant_scratch.hpp) that stays valid until the next call with as many
// lanes (the caller copies it once, into its payload). symbol_of(i) is symbol i's EncoderSymbol;
// kernel(steps, x, w) codes the first `steps` whole steps of Lanes symbols, last to first, into the
// states x, storing the words below w (16 words of room below what it writes), as
// encode_interleaved would. The kernel runs only when use_kernel (by default when
// kernels::avx512_available()); the ragged tail is coded first, one lane at a time.
template <int Lanes, class SymbolOf, class Kernel>
std::span<const uint8_t> encode_stream(size_t n, const uint32_t (&initial)[Lanes],
                                       SymbolOf&& symbol_of, Kernel&& kernel,
                                       bool use_kernel = kernels::avx512_available()) {
  static_assert(Lanes == 32 || Lanes == 64);
  FieldScratch& scratch = field_scratch();
  entropy::StreamWords& words = Lanes == 32 ? scratch.words32 : scratch.words64;
  if (!use_kernel) {
    std::vector<uint8_t>& portable = Lanes == 32 ? scratch.stream32 : scratch.stream64;
    portable.clear();
    entropy::encode_interleaved<Lanes>(n, symbol_of, portable, initial, words);
    return portable;
  }
  if (n == 0) return {};
  // At most one word per symbol plus the final states. Not zero-filled: only the words written
  // (about the compressed size) are ever touched, and a fresh chunk-sized buffer's page faults
  // cost more than the coding of a small file.
  const size_t needed = n + 2 * Lanes + 16;
  if (words.size() < needed) words.resize(needed);
  uint16_t* const end = words.data() + words.size();
  uint16_t* w = end;
  uint32_t x[Lanes];
  std::copy(std::begin(initial), std::end(initial), x);
  size_t i = n;
  while (i % Lanes != 0) {
    --i;
    entropy::encode_step(x[i % Lanes], symbol_of(i), w);
  }
  kernel(i / Lanes, x, w);
  for (int l = Lanes - 1; l >= 0; --l) {
    *--w = static_cast<uint16_t>(x[l] >> 16);
    *--w = static_cast<uint16_t>(x[l]);
  }
  static_assert(std::endian::native == std::endian::little, "words are stored little-endian");
  const auto* bytes = reinterpret_cast<const uint8_t*>(w);
  return {bytes, reinterpret_cast<const uint8_t*>(end)};
}

// Reads the stream's varint size and its 64 initial decoder states; p is left after them.
std::span<const uint8_t> read_stream(ByteReader& in, uint32_t (&x)[kLanes], const uint8_t*& p);

// Checks the decoder's final states: the encoder's initial ones, kStateLow plus a carried word
// in the first `carried_lanes` lanes and kStateLow in the others; returns the words.
void read_carried_words(ByteReader& in, const uint32_t (&x)[kLanes], int carried_lanes,
                        uint16_t (&words)[kLanes]);

// Checks the residual tables against the groups, so that the decoders may rely on them: no
// before-table (odd index) holds residual 0 (a value before the anchor lies above its group's
// minimum), and every table a lane will use is present: group g's after-table keys[g] << shift
// unless its anchor is last, its before-table (keys[g] << shift) + 1 unless the anchor is first.
// At most 256 tables; shift is 0 or 1 and keys[g] << shift is even (an after-table).
void check_tables(ByteReader& in, const FieldTables& tables, std::span<const uint8_t> positions,
                  uint32_t group_size, std::span<const uint8_t> keys, unsigned shift);

// The per-group test of check_tables, 64 groups at a time (kernel_dispatch.hpp); missing: 256
// flags (1: table absent). Returns true when some group needs an absent table.
bool needs_missing_table_avx512(const uint8_t* missing, const uint8_t* keys, unsigned shift,
                                const uint8_t* positions, size_t groups, uint32_t group_size);

}  // namespace lcl::quant::anchored_lanes
