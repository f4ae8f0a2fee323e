#pragma once
// What the nibble lanes (Q4_K) and the value lanes (Q6_K) share: the 64-lane rANS stream around
// their kernels (encoder buffer and tail, decoder header and final states, with the carried
// words) and the checks of the residual tables. Internal to nibble_lanes.cpp and value_lanes.cpp,
// and to quant_rans.cpp, whose wide fields' encoder uses the stream framing at 32 lanes.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codecs/kernel_dispatch.hpp"
#include "codecs/quant_fields.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "util/byte_io.hpp"

namespace lcl::quant::anchored_lanes {

inline constexpr int kLanes = 64;

// The stream of n symbols (entropy::encode_interleaved<Lanes>'s layout, lanes starting from
// `initial`; 64 lanes for the nibble and value lanes, 32 for wide fields), in a per-thread buffer
// that stays valid until the next call on this thread with as many lanes (the caller copies it
// once, into its payload). symbol_of(i) is symbol i's EncoderSymbol; kernel(steps, x, w) codes the
// first `steps` whole steps of Lanes symbols, last to first, into the states x, storing the words
// below w (16 words of room below what it writes), as encode_interleaved would. The kernel runs
// only when kernels::avx512_available(); the ragged tail is coded first, one lane at a time.
template <int Lanes, class SymbolOf, class Kernel>
std::span<const uint8_t> encode_stream(size_t n, const uint32_t (&initial)[Lanes],
                                       SymbolOf&& symbol_of, Kernel&& kernel) {
  if (!kernels::avx512_available()) {
    thread_local std::vector<uint8_t> portable;
    portable.clear();
    entropy::encode_interleaved<Lanes>(n, symbol_of, portable, initial);
    return portable;
  }
  if (n == 0) return {};
  // At most one word per symbol plus the final states. Not zero-filled: only the words written
  // (about the compressed size) are ever touched, and a fresh chunk-sized buffer's page faults
  // cost more than the coding of a small file.
  thread_local std::unique_ptr<uint16_t[]> words;
  thread_local size_t capacity = 0;
  const size_t needed = n + 2 * Lanes + 16;
  if (capacity < needed) {
    words.reset(new uint16_t[needed]);
    capacity = needed;
  }
  uint16_t* const end = words.get() + capacity;
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

std::span<const uint8_t> read_stream(ByteReader& in, uint32_t (&x)[kLanes], const uint8_t*& p);

// Checks the decoder's final states: the encoder's initial ones, kStateLow plus a carried word
// in the first `carried_lanes` lanes and kStateLow in the others; returns the words.
void read_carried_words(ByteReader& in, const uint32_t (&x)[kLanes], int carried_lanes,
                        uint16_t (&words)[kLanes]);

// Checks the residual tables against the groups, so that the decoders may rely on them: no
// before-table (odd index) holds residual 0 (a value before the anchor lies above its group's
// minimum), and every table a lane will use is present: the after-table (first_table(g)) unless
// the anchor is last, the before-table (first_table(g) + 1) unless it is first.
template <class FirstTable>
void check_tables(ByteReader& in, const FieldTables& tables, std::span<const uint8_t> positions,
                  uint32_t group_size, FirstTable&& first_table) {
  for (size_t t = 1; t < tables.tables.size(); t += 2) {
    const auto& freq = tables.tables[t].freq;
    if (!freq.empty() && freq[0] != 0)
      in.fail("a value before its group's anchor equals the minimum");
  }
  // Branch-free over the groups: which tables are missing, then one test per group.
  std::vector<uint8_t> missing(tables.tables.size());
  for (size_t t = 0; t < tables.tables.size(); ++t) missing[t] = tables.tables[t].freq.empty();
  uint8_t bad = 0;
  for (size_t g = 0; g < positions.size(); ++g) {
    const uint32_t position = positions[g];
    const uint8_t* table = missing.data() + first_table(g);
    bad |= (table[0] & (position != group_size - 1)) | (table[1] & (position != 0));
  }
  if (bad) in.fail("a residual table is missing");
}

}  // namespace lcl::quant::anchored_lanes
