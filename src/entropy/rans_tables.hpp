#pragma once
// Precomputed per-symbol data of the rANS coder (internal to the entropy layer and the codecs that
// drive the coder directly for speed).
//
// Coder parameters: 32-bit state x kept in [kStateLow, 2^32), renormalised 16 bits at a time.
// With precision_bits <= 16 one renormalisation step per symbol is always enough, so encoding
// emits at most one 16-bit word per symbol and decoding reads at most one.
#include <cstdint>
#include <vector>

#include "entropy/rans.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {

inline constexpr uint32_t kStateLow = 1u << 16;

// Encoding divides the state by the frequency. The exact quotient for every 32-bit state comes
// from the 33-bit reciprocal m = ceil(2^(32 + l) / freq), l = ceil(log2 freq)
// (Granlund-Montgomery): q = (x * m) >> (32 + l). With m = 2^32 + m_low that is q = (x + ((x *
// m_low) >> 32)) >> l, which needs one 64-bit multiply instead of a 128-bit product and shift.
struct EncoderSymbol {
  uint32_t reciprocal_low = 0;  // m - 2^32
  uint32_t shift = 0;           // l
  uint32_t renorm_limit = 0;    // emit a word while (x >> 16) >= renorm_limit
  uint32_t cum = 0;             // start of the symbol's slot range
  uint32_t complement = 0;      // (1 << precision) - freq
};

inline EncoderSymbol make_encoder_symbol(uint32_t cum, uint32_t freq, uint32_t precision_bits) {
  EncoderSymbol e;
  uint32_t l = 0;
  while ((1u << l) < freq) ++l;
  e.shift = l;
  const uint64_t m = ((uint64_t{1} << (32 + l)) + freq - 1) / freq;  // in [2^32, 2^33)
  e.reciprocal_low = static_cast<uint32_t>(m - (uint64_t{1} << 32));
  e.renorm_limit = freq << (16 - precision_bits);
  e.cum = cum;
  e.complement = (1u << precision_bits) - freq;
  return e;
}

// An EncoderSymbol at precision <= 14 as one 64-bit entry, the form the SIMD encoders gather or
// permute: low dword the reciprocal, high dword (freq - 1) | cum << 14 | shift << 28.
inline uint64_t pack_encoder_symbol(const EncoderSymbol& e, uint32_t precision_bits) {
  const uint32_t freq = (1u << precision_bits) - e.complement;
  const uint32_t packed = (freq - 1) | (e.cum << 14) | (e.shift << 28);
  return uint64_t{e.reciprocal_low} | uint64_t{packed} << 32;
}

// The EncoderSymbol of an entry written by pack_encoder_symbol at the same precision.
inline EncoderSymbol unpack_encoder_symbol(uint64_t entry, uint32_t precision_bits) {
  const auto packed = static_cast<uint32_t>(entry >> 32);
  const uint32_t freq = (packed & 0x3FFF) + 1;
  EncoderSymbol e;
  e.reciprocal_low = static_cast<uint32_t>(entry);
  e.shift = packed >> 28;
  e.renorm_limit = freq << (16 - precision_bits);
  e.cum = (packed >> 14) & 0x3FFF;
  e.complement = (1u << precision_bits) - freq;
  return e;
}

inline uint32_t divide_by_frequency(uint32_t x, const EncoderSymbol& e) {
  const uint64_t high = (uint64_t{x} * e.reciprocal_low) >> 32;
  return static_cast<uint32_t>((uint64_t{x} + high) >> e.shift);
}

// One encode step: renormalise (at most one word, written downwards at *words) and code.
// Branch-free like the decoder's renormalisation: the word is always stored at words[-1] (the
// caller's buffer must have room below `words`) and the pointer moves only when it was needed.
inline void encode_step(uint32_t& x, const EncoderSymbol& e, uint16_t*& words) {
  const uint32_t need = (x >> 16) >= e.renorm_limit;
  words[-1] = static_cast<uint16_t>(x);
  words -= need;
  x >>= need << 4;
  x += e.cum + divide_by_frequency(x, e) * e.complement;
}

// Encoder table over the whole alphabet; absent symbols have renorm_limit == 0 (marked invalid).
struct EncoderTable {
  uint32_t precision_bits = 12;
  std::vector<EncoderSymbol> symbols;
  std::vector<uint8_t> present;
};

inline EncoderTable make_encoder_table(const FrequencyTable& table) {
  if (table.precision_bits < 8 || table.precision_bits > 16 || table.freq.size() > kMaxAlphabet)
    throw Error(ErrorKind::kUsage, "rANS table: precision outside [8, 16] or alphabet too large");
  uint64_t sum = 0;
  for (uint32_t f : table.freq) sum += f;
  if (sum != 0 && sum != (uint64_t{1} << table.precision_bits))
    throw Error(ErrorKind::kUsage, "frequency table does not sum to 1 << precision_bits");
  EncoderTable t;
  t.precision_bits = table.precision_bits;
  t.symbols.resize(table.freq.size());
  t.present.resize(table.freq.size());
  uint32_t cum = 0;
  for (size_t s = 0; s < table.freq.size(); ++s) {
    if (table.freq[s] == 0) continue;
    t.symbols[s] = make_encoder_symbol(cum, table.freq[s], table.precision_bits);
    t.present[s] = 1;
    cum += table.freq[s];
  }
  return t;
}

// Decoding: one entry per slot of [0, 2^precision): x' = freq * (x >> precision) + offset,
// where offset = (x & mask) - cum is precomputed for the slot.
struct DecoderSlot {
  uint32_t freq;
  uint16_t offset;
  uint16_t symbol;
};

struct DecoderTable {
  uint32_t precision_bits = 12;
  std::vector<DecoderSlot> slots;  // empty for an all-zero table (usable only for 0 symbols)
};

inline DecoderTable make_decoder_table(const FrequencyTable& table) {
  DecoderTable t;
  t.precision_bits = table.precision_bits;
  if (table.freq.size() > kMaxAlphabet) throw_corrupt("rANS table: alphabet too large");
  uint64_t sum = 0;
  for (uint32_t f : table.freq) sum += f;
  if (sum == 0) return t;
  if (table.precision_bits < 8 || table.precision_bits > 16 ||
      sum != (uint64_t{1} << table.precision_bits))
    throw_corrupt("rANS frequency table does not sum to 1 << precision_bits");
  t.slots.resize(sum);
  uint32_t cum = 0;
  for (size_t s = 0; s < table.freq.size(); ++s) {
    const uint32_t f = table.freq[s];
    for (uint32_t j = 0; j < f; ++j)
      t.slots[cum + j] = DecoderSlot{f, static_cast<uint16_t>(j), static_cast<uint16_t>(s)};
    cum += f;
  }
  return t;
}

// One decode step without the renormalisation read.
inline uint16_t decode_symbol(uint32_t& x, const DecoderSlot* slots, uint32_t precision_bits) {
  const DecoderSlot& d = slots[x & ((1u << precision_bits) - 1)];
  x = d.freq * (x >> precision_bits) + d.offset;
  return d.symbol;
}

}  // namespace lcl::entropy
