#pragma once
// The fp8 codec's payload (F8_E4M3 and F8_E5M2 elements), shared by encoder and decoder.
//
// An FP8 element is one byte, so the whole element is one symbol of a 256-symbol alphabet and the
// payload reaches the byte's order-0 entropy: no raw bits, no escapes (every byte value fits a
// table of 2^precision >= 256 slots).
//
// Payload, version 1 (integers little-endian, varints LEB128):
//   u8 version (1), u8 kind (Fp8Kind: which FP8 type the bytes were; the coding does not depend
//   on it), varint n (elements = bytes)
//   if n > 0:
//     compact frequency table (entropy/compact_table.hpp) over 256 symbols, precision in
//       [kMinPrecision, kMaxPrecision]
//     rANS stream of the first n - S bytes (kLanes = 32 lanes, entropy/rans_interleaved.hpp) to
//     the end of the payload, S = stashed_bytes(n) = min(2 * kLanes, n - 1); lane l starts from
//     state 2^16 + last-S-bytes 2l, 2l + 1 (little-endian, zero past S), so the decoder's final
//     states return the last S bytes: they ride in the 16 bits per lane that a start at 2^16
//     wastes (~50 bytes per chunk of weights, which a 256 KiB tensor needs to reach 99.8% of
//     its bound).
// 32 lanes are four 8-lane AVX2 vectors: the decoder's table gathers have four independent
// dependency chains to overlap. Precision 14 is what the encoder almost always takes: on the
// block-scaled E4M3 weights of the corpus (253 of 256 byte values present, heavy tails) the
// quantised table costs 0.30-0.39% over the order-0 entropy at precision 12, 0.08-0.12% at 13
// and 0.02-0.04% at 14.
#include <cstdint>

#include "lcl/types.hpp"

namespace lcl::fp8_format {

inline constexpr uint8_t kVersion = 1;
inline constexpr int kLanes = 32;
// Below 10 the 256-symbol alphabet would not always fit; above 14 the 32-bit state with 16-bit
// renormalisation starts to lose what the finer table gains.
inline constexpr uint32_t kMinPrecision = 10;
inline constexpr uint32_t kMaxPrecision = 14;
inline constexpr uint32_t kAlphabet = 256;

// Bytes carried in the lanes' initial states (at least one byte is coded, so the stream exists).
constexpr uint64_t stashed_bytes(uint64_t n) {
  return n == 0 ? 0 : (n - 1 < 2 * kLanes ? n - 1 : 2 * kLanes);
}

enum class Fp8Kind : uint8_t { kE4M3 = 0, kE5M2 = 1 };

inline bool kind_of_type(TypeId type, Fp8Kind& kind) {
  if (type == type::kF8_E4M3) {
    kind = Fp8Kind::kE4M3;
    return true;
  }
  if (type == type::kF8_E5M2) {
    kind = Fp8Kind::kE5M2;
    return true;
  }
  return false;
}

}  // namespace lcl::fp8_format
