#pragma once
// Internal to value_lanes*.cpp: the AVX-512 and AVX2 kernels of the value lanes (run only when
// kernels::avx512_available() / avx2_available(), kernel_dispatch.hpp). Each produces exactly the
// bytes of the portable code it replaces.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::value_lanes {

inline constexpr int kLanes = 64;  // four groups of 16 per step
inline constexpr uint32_t kSymbols = 64;
inline constexpr uint32_t kMinClasses = 3;

// Per group: its first table ((context * 3 + class) * 2, the after-table; + 1 before the
// anchor), minimum and anchor position (< 16).
struct Groups {
  const uint8_t* tables;
  const uint8_t* minima;
  const uint8_t* positions;
};

// Decodes whole steps (4 groups) from the first while at least 128 bytes remain at p, writing
// their values; returns how many steps. slots: quant_rans' FlatDecodeTable rows (table t at
// t << precision). x: the 64 lane states (in and out). consistent turns false when a value passes
// 63 (a damaged stream).
size_t decode_steps_avx512(const uint32_t* slots, const Groups& groups, size_t steps,
                           uint32_t precision, uint32_t (&x)[kLanes], const uint8_t*& p,
                           const uint8_t* end, uint8_t* values, bool& consistent);

// The AVX2 decoder: steps [first, steps) while at least 128 bytes remain at p; otherwise as
// decode_steps_avx512. Returns the step it stopped at.
size_t decode_steps_avx2(const uint32_t* slots, const Groups& groups, size_t first, size_t steps,
                         uint32_t precision, uint32_t (&x)[kLanes], const uint8_t*& p,
                         const uint8_t* end, uint8_t* values, bool& consistent);

// Codes steps [0, steps), last to first, into the lane states x, storing the words below w (16
// words of room below what it writes), as entropy::encode_interleaved<64> would. entries: per
// (table, residual) at table * 64 + residual, low dword the reciprocal, high dword
// (freq - 1) | cum << 14 | shift << 28.
void encode_steps_avx512(const uint64_t* entries, const Groups& groups, const uint8_t* values,
                         size_t steps, uint32_t precision, uint32_t (&x)[kLanes], uint16_t*& w);
// The same with AVX2 (8-lane vectors, entries by scalar loads).
void encode_steps_avx2(const uint64_t* entries, const Groups& groups, const uint8_t* values,
                       size_t steps, uint32_t precision, uint32_t (&x)[kLanes], uint16_t*& w);

}  // namespace lcl::quant::value_lanes
