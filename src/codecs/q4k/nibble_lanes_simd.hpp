#pragma once
// Internal to nibble_lanes*.cpp: the lane layout's tables and the AVX-512 and AVX2 kernels (run
// only when kernels::avx512_available() / avx2_available(), kernel_dispatch.hpp). Each kernel
// produces exactly the bytes of the portable code it replaces.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::nibble_lanes {

inline constexpr int kLanes = 64;  // two groups of 32 per step
inline constexpr int kSymbols = 16;

// One group context's two residual tables as 32 entries: [0, 16) for values after the anchor,
// [16, 32) for values before it; a context's index into the tables below is its group context.
struct DecodeEntries {
  alignas(64) uint32_t entry[32];  // cum << 16 | freq (freq <= 1 << 12)
};
struct EncodeEntries {
  alignas(64) uint32_t reciprocal[32];  // EncoderSymbol::reciprocal_low
  alignas(64) uint32_t packed[32];      // (freq - 1) | cum << 14 | shift << 28
};

// Per group: its context, minimum and anchor position (< 32).
struct Groups {
  const uint8_t* contexts;
  const uint8_t* minima;
  const uint8_t* positions;
};

// The decode step of one slot of a residual table, for the decoders without AVX-512: the slot's
// symbol (residual), its freq (<= 1 << 12) and the slot's offset in its range (slot - cum), so that
// a lane steps to freq * (x >> precision) + offset with one table load.
inline constexpr uint32_t kStepFreqMask = (1u << 13) - 1;
inline constexpr uint32_t kStepOffsetShift = 13;
inline constexpr uint32_t kStepOffsetMask = (1u << 12) - 1;
inline constexpr uint32_t kStepResidualShift = 25;
constexpr uint32_t slot_step(uint32_t residual, uint32_t freq, uint32_t offset) {
  return freq | offset << kStepOffsetShift | residual << kStepResidualShift;
}

// The AVX2 decoder: pairs [first, pairs) while at least 128 bytes remain at p, with the slot steps
// of every table a group uses (table t at steps + (t << precision)); otherwise as
// decode_pairs_avx512. Returns the pair it stopped at.
size_t decode_pairs_avx2(const uint32_t* steps, const Groups& groups, size_t first, size_t pairs,
                         uint32_t precision, uint32_t (&x)[kLanes], const uint8_t*& p,
                         const uint8_t* end, uint8_t* out, uint32_t pairs_per_row,
                         size_t row_stride, bool& consistent);

// Decodes pairs from the first while at least 128 bytes remain at p (what one pair may read),
// writing their packed bytes (pair k at out + (k / pairs_per_row) * row_stride + (k %
// pairs_per_row) * 32); returns how many. x: the 64 lane states (in and out). consistent
// turns false when a value passes 15 (a damaged stream).
size_t decode_pairs_avx512(const DecodeEntries* entries, const Groups& groups, size_t pairs,
                           uint32_t precision, uint32_t (&x)[kLanes], const uint8_t*& p,
                           const uint8_t* end, uint8_t* out, uint32_t pairs_per_row,
                           size_t row_stride, bool& consistent);

// Codes all pairs, last to first, into the lane states x, storing the words below w (which has 16
// words of room below what it writes), as entropy::encode_interleaved<64> would.
void encode_pairs_avx512(const EncodeEntries* entries, const Groups& groups, const uint8_t* packed,
                         size_t pairs, uint32_t precision, uint32_t (&x)[kLanes], uint16_t*& w);

// The same with AVX2 (8-lane vectors, entries by scalar loads).
void encode_pairs_avx2(const EncodeEntries* entries, const Groups& groups, const uint8_t* packed,
                       size_t pairs, uint32_t precision, uint32_t (&x)[kLanes], uint16_t*& w);

// The residual histogram's counter updates (see residual_histogram in nibble_lanes.cpp): for
// every value of every pair, ++counts[copy + table * 16 + residual], group 2p's values in copies
// 0-3 and group 2p+1's in copies 4-7 (copy_size counters each), value j in copy j % 4 of its
// group's four. The indices are computed 32 at a time; the increments stay scalar.
void count_residuals_avx512(const uint8_t* packed, const Groups& groups, size_t pairs,
                            uint32_t copy_size, uint32_t* counts);

// Minimum and first position of the minimum of both groups of every pair (AVX2, which CPUs with
// AVX-512 run as well: a wider version had nothing to gain).
void split_pairs_avx2(const uint8_t* packed, size_t pairs, uint8_t* minima, uint8_t* positions);

}  // namespace lcl::quant::nibble_lanes
