#pragma once
// The float codec's view of an element and its payload format (shared by encoder and decoder).
//
// An element's bits are split into a symbol, its top (sign + exponent + k mantissa) bits, which
// is entropy coded, and the low (mantissa - k) bits, which are stored raw: given the exponent the
// low mantissa bits of trained weights are close to uniform, so coding them gains almost nothing
// and costs speed.
//
// The payload (docs/FORMAT.md, float): version, kind, element count, a ragged tail verbatim, k,
// the compact table over 2^symbol_bits + 1 symbols (the last is the escape), the escaped symbols'
// values, the raw bits, and the rANS stream of kLanes lanes, whose final states carry the last
// bytes of the raw bits (the stash). Version 3 (payload versions in docs/FORMAT.md, float) adds,
// before k, the low mantissa bits taken off: fp16 or fp32 converted from bf16 have their low 3
// or 16 mantissa bits zero outside a few exponent classes (fp16 subnormals), and version 3 codes
// the elements shifted right by those bits, storing the bits of the classes that keep them. 32
// lanes are two 16-lane AVX-512 vectors: a vectorised
// decoder needs two independent dependency chains to hide the latency of its table gathers.
// Symbols that occur so rarely that a table entry costs more than it saves are coded as the
// escape symbol followed by their value in the escape field stream.
#include <cstddef>
#include <cstdint>

#include "lcl/types.hpp"

namespace lcl::float_format {

// Versions 2 and 3 store the table's frequency codes a byte each; 4 and 5 are 2 and 3 with the
// smooth table layout (entropy/compact_table.hpp), ~2 bits a code: a chunk of 64K elements has
// ~1,300 present symbols, so its table shrinks by ~1 KB. The encoder writes whichever is smaller.
inline constexpr uint8_t kVersionBytewiseTable = 2;
inline constexpr uint8_t kVersionBytewiseTableLowBits = 3;
inline constexpr uint8_t kVersion = 4;
inline constexpr uint8_t kVersionLowBits = 5;
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
