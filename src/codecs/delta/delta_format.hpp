#pragma once
// The delta codec's payload format (codec id 12) and the element arithmetic shared by its encoder
// and decoder. A chunk of a fine-tune is coded given the base model's bytes at the same place of
// the same tensor (the "reference"), which the container supplies to the decoder.
//
// Payload (integers little-endian, varints LEB128):
//   u8 version (2 written; 1 is read too, without mode 2), u8 mode, varint reference file (index
//   in the archive's base list), varint reference offset (the reference is the chunk's size of
//   bytes from there)
//   mode 0 (identical): nothing more; the chunk equals its reference.
//   mode 2 (ggml blocks): a ggml-blocks payload (codec 6) of the block differences of the chunk
//     from its reference (delta_blocks.hpp), to the end.
//   mode 1 (float): u8 kind (0 BF16, 1 F16, 2 F32), varint n (elements), varint tail length
//     (< element bytes) + tail bytes (a ragged end, verbatim); if n > 0:
//     u8 K, u8 M (1 <= M < K <= 8), u8 precision (10..14)
//     varint table count T (1..256); varint first context c0, varint context count C
//     (c0 + C <= 2^exponent bits), C bytes: the table of contexts c0 .. c0 + C - 1 (< T); every
//     other context uses table 0
//     T compact frequency tables (entropy/compact_table.hpp) over A = 2^K + (bits - K) 2^M symbols
//     varint raw byte count + raw bits (LSB-first, in element order)
//     rANS stream of the n symbols (32 lanes, entropy/rans_interleaved.hpp), to the end.
//
// Element i: b = reference element, v = chunk element (bits as unsigned integers). Both map to
// their ordered code ord() (increasing with the float's value, -0 just below +0), and
// d = ord(v) - ord(b) modulo 2^bits, read as a signed integer; z = zigzag(d). The context is b's
// exponent field; its table codes the symbol of z: z itself when z < 2^K, otherwise, with
// w = bit width of z (> K), 2^K + (w - K - 1) 2^M + the M bits of z below its top bit, and the
// w - 1 - M bits below those go to the raw bits. A fine-tune moves most weights by a few units in
// the last place, and how many depends on the weight's magnitude: the base exponent separates
// those distributions (measured on a real pair: 3.10 bits per bf16 weight given the exponent,
// 3.80 without, 4.27 for the XOR of the two words).
#include <bit>
#include <cstdint>

#include "codecs/float/float_format.hpp"

namespace lcl::delta_format {

inline constexpr uint8_t kVersion = 2;
inline constexpr uint8_t kVersionWithoutBlocks = 1;
inline constexpr int kLanes = 32;
inline constexpr uint32_t kMaxTables = 256;

enum class Mode : uint8_t { kIdentical = 0, kFloat = 1, kBlocks = 2 };

using float_format::FloatLayout;

inline uint32_t exponent_bits(const FloatLayout& layout) {
  return layout.sign_exp_bits - 1;
}

// Symbols of the alphabet for `bits`-wide elements.
constexpr uint32_t alphabet_size(uint32_t bits, uint32_t k, uint32_t m) {
  return (1u << k) + (bits - k) * (1u << m);
}

template <class Elem>
constexpr Elem sign_mask() {
  return static_cast<Elem>(Elem{1} << (8 * sizeof(Elem) - 1));
}

// Sign-magnitude to an unsigned code that increases with the value: negatives inverted.
template <class Elem>
constexpr Elem ordered(Elem x) {
  const Elem negative = static_cast<Elem>(x & sign_mask<Elem>() ? ~Elem{0} : sign_mask<Elem>());
  return static_cast<Elem>(x ^ negative);
}

template <class Elem>
constexpr Elem from_ordered(Elem o) {
  const Elem flip = static_cast<Elem>(o & sign_mask<Elem>() ? sign_mask<Elem>() : ~Elem{0});
  return static_cast<Elem>(o ^ flip);
}

template <class Elem>
constexpr Elem zigzag(Elem d) {  // d read as two's complement
  const Elem negative = static_cast<Elem>(d & sign_mask<Elem>() ? ~Elem{0} : 0);
  return static_cast<Elem>(static_cast<Elem>(d << 1) ^ negative);
}

template <class Elem>
constexpr Elem unzigzag(Elem z) {
  return static_cast<Elem>((z >> 1) ^ static_cast<Elem>(Elem{0} - (z & 1)));
}

// Symbol and raw bits of z (see the format above).
struct Bucketed {
  uint32_t symbol;
  uint32_t raw;
  uint32_t raw_bits;
};

inline Bucketed bucket(uint32_t z, uint32_t k, uint32_t m) {
  if (z < (1u << k)) return {z, 0, 0};
  const uint32_t w = static_cast<uint32_t>(std::bit_width(z));
  const uint32_t raw_bits = w - 1 - m;
  const uint32_t top = (z >> raw_bits) & ((1u << m) - 1);
  return {(1u << k) + ((w - k - 1) << m) + top, z & ((1u << raw_bits) - 1), raw_bits};
}

}  // namespace lcl::delta_format
