#pragma once
// Interleaved static rANS: symbol i is coded by state i % Lanes, all states share one stream of
// 16-bit words. Independent states let the CPU overlap the dependency chains of consecutive
// symbols (the chain of one state is multiply -> add -> compare per symbol).
//
// Stream layout (little-endian): Lanes final encoder states as u32 (lane 0 first), then the
// renormalisation words in the order the decoder consumes them. An empty symbol sequence is an
// empty stream. The decoder checks that it consumed the stream exactly and that every state ends
// at the encoder's initial value, so truncated or altered streams are detected (with high
// probability; any detected inconsistency throws lcl::Error(kCorruptInput)).
//
// Templates over per-symbol callbacks so that the plain coder, the context coder and the float
// codec share one implementation of the stream logic.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "entropy/rans_tables.hpp"
#include "lcl/error.hpp"
#include "util/byte_buffer.hpp"
#include "util/endian.hpp"

namespace lcl::entropy {

// Upper bound of the bytes encode_interleaved appends for n symbols.
template <int Lanes>
constexpr size_t max_encoded_bytes(size_t n) {
  return n == 0 ? 0 : 2 * n + 4 * Lanes;
}

// The buffer the stream is built in (kept by the caller's workspace: a fresh multi-MiB buffer per
// chunk costs more in page faults than coding). Not zeroed when it grows, huge pages when large
// (util/byte_buffer.hpp).
using StreamWords = std::vector<uint16_t, DefaultInitAllocator<uint16_t>>;

// `symbol_of(i)` returns the EncoderSymbol of symbol i. Appends the stream to `out`, built in
// `words`. The lanes start from `initial` (each in [kStateLow, 2 * kStateLow)), which the decoder
// gets back as its final states: a coder can carry 16 bits per lane there instead of in its
// payload. `bulk(x, w, i)` (i a multiple of Lanes) may encode any number of whole groups below i,
// from the top down, exactly as the per-lane loop would, and returns where it stopped; a
// vectorised encoder uses it, the others pass encode_interleaved's no-op.
template <int Lanes, class SymbolOf, class Bulk>
void encode_interleaved_bulk(size_t n, SymbolOf&& symbol_of, Bulk&& bulk, std::vector<uint8_t>& out,
                             const uint32_t (&initial)[Lanes], StreamWords& words) {
  if (n == 0) return;
  // The 2 * Lanes words below the symbols' words hold the final states; encode_step's
  // unconditional store below its pointer therefore always stays inside the buffer.
  words.resize(std::max(words.size(), n + 2 * Lanes));
  uint16_t* const end = words.data() + n + 2 * Lanes;
  uint16_t* w = end;
  uint32_t x[Lanes];
  for (int l = 0; l < Lanes; ++l) x[l] = initial[l];

  // Encode in reverse so that the decoder runs forwards; the ragged tail (n % Lanes symbols) first.
  size_t i = n;
  while (i % Lanes != 0) {
    --i;
    encode_step(x[i % Lanes], symbol_of(i), w);
  }
  i = bulk(x, w, i);
  while (i != 0) {
    i -= Lanes;
#pragma GCC unroll 16
    for (int l = Lanes - 1; l >= 0; --l) encode_step(x[l], symbol_of(i + l), w);
  }
  for (int l = Lanes - 1; l >= 0; --l) {
    *--w = static_cast<uint16_t>(x[l] >> 16);
    *--w = static_cast<uint16_t>(x[l]);
  }
  const size_t count = static_cast<size_t>(end - w);
  static_assert(std::endian::native == std::endian::little, "words are stored little-endian");
  // insert() copies into spare capacity; resize() + memcpy would zero the bytes first.
  const auto* bytes = reinterpret_cast<const uint8_t*>(w);
  out.insert(out.end(), bytes, bytes + 2 * count);
}

template <int Lanes, class SymbolOf>
void encode_interleaved(size_t n, SymbolOf&& symbol_of, std::vector<uint8_t>& out,
                        const uint32_t (&initial)[Lanes], StreamWords& words) {
  encode_interleaved_bulk<Lanes>(
      n, symbol_of, [](uint32_t(&)[Lanes], uint16_t*&, size_t i) { return i; }, out, initial,
      words);
}

// Lanes starting from kStateLow (the decoder checks that it ends there).
template <int Lanes, class SymbolOf>
void encode_interleaved(size_t n, SymbolOf&& symbol_of, std::vector<uint8_t>& out,
                        StreamWords& words) {
  uint32_t initial[Lanes];
  for (int l = 0; l < Lanes; ++l) initial[l] = kStateLow;
  encode_interleaved<Lanes>(n, symbol_of, out, initial, words);
}
// The same with a buffer of its own for the one call (tests and tools).
template <int Lanes, class SymbolOf>
void encode_interleaved(size_t n, SymbolOf&& symbol_of, std::vector<uint8_t>& out) {
  StreamWords words;
  encode_interleaved<Lanes>(n, symbol_of, out, words);
}

// Renormalises one state after its decode step: branch-free, since whether a lane needs a word
// is data-dependent and unpredictable. The caller guarantees 2 readable bytes at p.
inline void renormalize(uint32_t& x, const uint8_t*& p) {
  const uint32_t v = x;
  // Written as mask arithmetic so the compiler emits no branch: whether a lane needs a word is
  // unpredictable (~40% of symbols), and a mispredicted branch costs more than the whole step.
  const uint32_t need = v < kStateLow;
  const uint32_t mask = 0u - need;
  const uint32_t refilled = (v << 16) | load_u16le(p);
  x = (refilled & mask) | (v & ~mask);
  p += need * 2;
}

// The same where the stream may end: Checked reads a word only if one remains, else throws
// `truncated`; unchecked is renormalize above (the caller guarantees 2 readable bytes at p).
template <bool Checked>
inline void renormalize(uint32_t& x, const uint8_t*& p, const uint8_t* end, const char* truncated) {
  if constexpr (Checked) {
    if (x < kStateLow) {
      if (end - p < 2) throw_corrupt(truncated);
      x = (x << 16) | load_u16le(p);
      p += 2;
    }
  } else {
    renormalize(x, p);
  }
}

// Decodes n symbols. `step(i, x)` decodes symbol i from state x (updating x, without
// renormalisation) and stores it. `group(i, x, p)` decodes the Lanes symbols i .. i + Lanes - 1
// (i a multiple of Lanes) including their renormalisation, with at least 2 * Lanes readable bytes
// at p; specialised decoders pass one to fuse per-group work, the others get the default below.
// `bulk(x, p, end)` runs first: it may decode any number of whole groups from the start (each
// only while at least 2 * Lanes bytes remain at p), consuming the words exactly as the per-lane
// loop would (lane order within a group), and returns how many symbols it decoded; a vectorised
// decoder uses it to keep its states in vector registers across groups. The lanes' final states
// (the encoder's initial ones) go to `final_states`; the caller checks them.
template <int Lanes, class Step, class Group, class Bulk>
void decode_interleaved_bulk(std::span<const uint8_t> in, size_t n, Step&& step, Group&& group,
                             Bulk&& bulk, uint32_t (&final_states)[Lanes]) {
  if (n == 0) {
    if (!in.empty()) throw_corrupt("rANS stream: bytes present for zero symbols");
    for (int l = 0; l < Lanes; ++l) final_states[l] = kStateLow;
    return;
  }
  if (in.size() < 4 * Lanes || in.size() % 2 != 0) throw_corrupt("rANS stream: truncated header");
  const uint8_t* p = in.data();
  const uint8_t* const end = p + in.size();
  uint32_t x[Lanes];
  for (int l = 0; l < Lanes; ++l, p += 4) {
    x[l] = load_u32le(p);
    if (x[l] < kStateLow) throw_corrupt("rANS stream: invalid initial state");
  }
  size_t i = bulk(x, p, end);
  // Fast path: a group of Lanes symbols reads at most Lanes words, so one check covers the group.
  while (n - i >= Lanes && static_cast<size_t>(end - p) >= 2 * Lanes) {
    group(i, x, p);
    i += Lanes;
  }
  for (; i < n; ++i) {
    uint32_t& s = x[i % Lanes];
    step(i, s);
    if (s < kStateLow) {
      if (end - p < 2) throw_corrupt("rANS stream: truncated");
      s = (s << 16) | load_u16le(p);
      p += 2;
    }
  }
  if (p != end) throw_corrupt("rANS stream: trailing bytes");
  for (int l = 0; l < Lanes; ++l) final_states[l] = x[l];
}

// As above for an encoder that started every lane at kStateLow (checked).
template <int Lanes, class Step, class Group, class Bulk>
void decode_interleaved_bulk(std::span<const uint8_t> in, size_t n, Step&& step, Group&& group,
                             Bulk&& bulk) {
  uint32_t x[Lanes];
  decode_interleaved_bulk<Lanes>(in, n, step, group, bulk, x);
  for (int l = 0; l < Lanes; ++l)
    if (x[l] != kStateLow) throw_corrupt("rANS stream: final state mismatch");
}

template <int Lanes, class Step, class Group>
void decode_interleaved(std::span<const uint8_t> in, size_t n, Step&& step, Group&& group) {
  decode_interleaved_bulk<Lanes>(
      in, n, step, group,
      [](uint32_t(&)[Lanes], const uint8_t*&, const uint8_t*) { return size_t{0}; });
}

template <int Lanes, class Step>
void decode_interleaved(std::span<const uint8_t> in, size_t n, Step&& step) {
  decode_interleaved<Lanes>(in, n, step, [&](size_t i, uint32_t(&x)[Lanes], const uint8_t*& p) {
  // Fully unrolled so the states live in registers.
#pragma GCC unroll 16
    for (int l = 0; l < Lanes; ++l) {
      step(i + l, x[l]);
      renormalize(x[l], p);
    }
  });
}

}  // namespace lcl::entropy
