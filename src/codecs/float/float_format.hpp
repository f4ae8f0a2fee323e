#pragma once
// The float codec's view of an element and its payload format (shared by encoder and decoder).
//
// An element's bits are split into a symbol, its top (sign + exponent + k mantissa) bits, which
// is entropy coded, and the low (mantissa - k) bits, which are stored raw: given the exponent the
// low mantissa bits of trained weights are close to uniform, so coding them gains almost nothing
// and costs speed.
//
// Payload, version 2 (all integers little-endian, varints LEB128):
//   u8 version (2), u8 kind (FloatKind), varint n (elements), varint tail length (< element
//   bytes) + tail bytes (a ragged end copied verbatim)
//   if n > 0:
//     u8 k; compact frequency table (entropy/compact_table.hpp) over 2^symbol_bits + 1
//     symbols (the last one is the escape)
//     varint escape count; escaped symbols: escape count fields of symbol_bits, bit-packed
//     raw bits: n fields of raw_bits = total_bits - symbol_bits, bit-packed, without their last
//       S = min(raw bytes, 2 * kLanes) bytes ("stashed", below)
//     rANS stream of the n symbols (kLanes = 32 lanes, entropy/rans_interleaved.hpp), to the end
//     of the payload; lane l starts from state 2^16 + stash bytes 2l, 2l + 1 (little-endian, zero
//     past S), so the decoder's final states return the stashed bytes. Each lane's 32-bit final
//     state costs ~3 bytes beyond what its symbols carry; the 16 stashed bits make 32 lanes cost
//     about what 8 lanes without the stash did.
// Version 3: version 2 for elements whose low t mantissa bits are zero outside a few exponent
// classes (fp16 or fp32 converted from bf16: the low 3 or 16 bits are zero but for subnormals).
// After the tail, if n > 0:
//   u8 t (1 .. mantissa bits); a bitmap of the 2^sign_exp_bits exponent classes (sign and
//   exponent, the element's top bits; bit c of byte c / 8, LSB first): set = "kept", the class's
//   elements keep their low t bits, which are stored below; clear = their low t bits are zero
//   varint kept count (elements of kept classes); kept count fields of t bits, bit-packed, in
//   element order: the low bits of those elements
//   then the version 2 body (from u8 k) coding every element shifted right by t, i.e. as an
//   element of bits - t bits with mantissa_bits - t mantissa bits.
// Version 1 (never released) differed only in coding with 8 lanes. 32 lanes are two 16-lane
// AVX-512 vectors: a vectorised decoder needs two independent dependency chains to hide the
// latency of its table gathers (docs/BENCH_FLOAT.md has the measurements).
// Symbols that occur so rarely that a table entry costs more than it saves are coded as the
// escape symbol followed by their value in the escape field stream.
#include <cstddef>
#include <cstdint>

#include "lcl/types.hpp"

namespace lcl::float_format {

inline constexpr uint8_t kVersion = 2;
inline constexpr uint8_t kVersionLowBits = 3;
inline constexpr int kLanes = 32;
// Symbols have at most 15 bits so that the alphabet plus the escape fits rANS's 16-bit symbols.
inline constexpr uint32_t kMaxSymbolBits = 15;

// Bytes of the raw-bit section carried in the rANS lanes' initial states.
constexpr uint64_t stashed_raw_bytes(uint64_t raw_bytes) {
  return raw_bytes < 2 * kLanes ? raw_bytes : 2 * kLanes;
}

enum class FloatKind : uint8_t { kBF16 = 0, kF16 = 1, kF32 = 2 };

struct FloatLayout {
  FloatKind kind;
  uint32_t bytes;          // element size
  uint32_t bits;           // bytes * 8
  uint32_t sign_exp_bits;  // sign + exponent
  uint32_t mantissa_bits;
  // Largest k: the symbol must fit kMaxSymbolBits.
  uint32_t max_k() const {
    const uint32_t room = kMaxSymbolBits - sign_exp_bits;
    return mantissa_bits < room ? mantissa_bits : room;
  }
  uint32_t symbol_bits(uint32_t k) const { return sign_exp_bits + k; }
  uint32_t raw_bits(uint32_t k) const { return bits - sign_exp_bits - k; }
  uint32_t classes() const { return 1u << sign_exp_bits; }
  // The elements with their low t mantissa bits taken off (payload version 3).
  FloatLayout without_low_bits(uint32_t t) const {
    return {kind, bytes, bits - t, sign_exp_bits, mantissa_bits - t};
  }
};

inline constexpr FloatLayout kBF16{FloatKind::kBF16, 2, 16, 9, 7};
inline constexpr FloatLayout kF16{FloatKind::kF16, 2, 16, 6, 10};
inline constexpr FloatLayout kF32{FloatKind::kF32, 4, 32, 9, 23};

inline const FloatLayout* layout_of_type(TypeId type) {
  switch (type) {
    case type::kBF16:
      return &kBF16;
    case type::kF16:
      return &kF16;
    case type::kF32:
      return &kF32;
    default:
      return nullptr;
  }
}

inline const FloatLayout* layout_of_kind(uint8_t kind) {
  switch (kind) {
    case static_cast<uint8_t>(FloatKind::kBF16):
      return &kBF16;
    case static_cast<uint8_t>(FloatKind::kF16):
      return &kF16;
    case static_cast<uint8_t>(FloatKind::kF32):
      return &kF32;
    default:
      return nullptr;
  }
}

}  // namespace lcl::float_format
