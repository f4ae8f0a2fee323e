#pragma once
// The fp8 codec's payload (F8_E4M3 and F8_E5M2 elements), shared by encoder and decoder.
//
// An FP8 element is one byte, so the whole element is one symbol of a 256-symbol alphabet and the
// payload reaches the byte's order-0 entropy: no raw bits, no escapes (every byte value fits a
// table of 2^precision >= 256 slots).
//
// Payload (integers little-endian, varints LEB128):
//   u8 version (1 or 2), u8 kind (Fp8Kind: which FP8 type the bytes were; the coding does not
//   depend on it), varint n (elements = bytes)
//   if n > 0:
//     compact frequency table (entropy/compact_table.hpp) over 256 symbols, precision in
//       [kMinPrecision, kMaxPrecision]
//     rANS stream of the first n - S bytes (L lanes, entropy/rans_interleaved.hpp: L = 32 in
//     version 1, 64 in version 2) to the end of the payload, S = stashed_bytes(n, L) =
//     min(2 * L, n - 1); lane l starts from state 2^16 + last-S-bytes 2l, 2l + 1 (little-endian,
//     zero past S), so the decoder's final states return the last S bytes: they ride in the 16
//     bits per lane that a start at 2^16 wastes (~50 bytes per chunk of weights, which a 256 KiB
//     tensor needs to reach 99.8% of its bound).
// The lanes are 8-lane AVX2 vectors whose dependency chains (table load, state update,
// renormalisation) the decoder overlaps: version 2's eight chains decode about 1.35x faster than
// version 1's four on AMD Zen 5, for ~64 bytes more per chunk (32 more initial states of 4 bytes,
// of which the stash gives back half); the encoder picks by size (version_for). Precision 14 is
// what the encoder almost always takes: on the block-scaled E4M3 weights of the corpus (253 of 256
// byte values present, heavy tails) the quantised table costs 0.30-0.39% over the order-0 entropy
// at precision 12, 0.08-0.12% at 13 and 0.02-0.04% at 14.
#include <cstdint>

#include "lcl/types.hpp"

namespace lcl::fp8_format {

inline constexpr uint8_t kVersionLanes32 = 1;
inline constexpr uint8_t kVersionLanes64 = 2;
inline constexpr int kLanesV1 = 32;
inline constexpr int kLanesV2 = 64;
// Below 10 the 256-symbol alphabet would not always fit; above 14 the 32-bit state with 16-bit
// renormalisation starts to lose what the finer table gains.
inline constexpr uint32_t kMinPrecision = 10;
inline constexpr uint32_t kMaxPrecision = 14;
inline constexpr uint32_t kAlphabet = 256;

// The version the encoder writes for n bytes: 64 lanes from 512 KiB on, where their 32 more
// states (~64 bytes net of the stash) cost under 0.015%; 32 below, where a 256 KiB tensor needs
// those bytes to stay within 0.2% of its order-0 bound.
inline constexpr uint64_t kLanes64MinBytes = uint64_t{512} << 10;
constexpr uint8_t version_for(uint64_t n) {
  return n >= kLanes64MinBytes ? kVersionLanes64 : kVersionLanes32;
}

// Bytes carried in the initial states of L lanes (at least one byte is coded, so the stream
// exists).
constexpr uint64_t stashed_bytes(uint64_t n, int lanes) {
  const auto room = static_cast<uint64_t>(2 * lanes);
  return n == 0 ? 0 : (n - 1 < room ? n - 1 : room);
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
