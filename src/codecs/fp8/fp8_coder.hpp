#pragma once
// Encoder and decoder of the fp8 codec's payload (format in fp8_format.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/fp8/fp8_format.hpp"
#include "lcl/workspace.hpp"

namespace lcl::fp8_format {

// Fixed choices for experiments and tests; 0 means "choose by measured size".
struct Fp8Options {
  uint32_t precision_bits = 0;
  uint8_t version = 0;  // 0: by size (version_for), else kVersionLanes32 or kVersionLanes64
};

// Appends the payload of `input` (one element per byte).
void encode_fp8(std::span<const uint8_t> input, Fp8Kind kind, std::vector<uint8_t>& out,
                Workspace& workspace, const Fp8Options& options = {});

// Decodes a payload into exactly out.size() bytes; throws lcl::Error(kCorruptInput) on any
// inconsistency and never reads or writes outside the two spans.
void decode_fp8(std::span<const uint8_t> payload, std::span<uint8_t> out, Workspace& workspace);

// The same with a workspace of their own for the one call (tests and tools).
inline void encode_fp8(std::span<const uint8_t> input, Fp8Kind kind, std::vector<uint8_t>& out,
                       const Fp8Options& options = {}) {
  Workspace workspace;
  encode_fp8(input, kind, out, workspace, options);
}
inline void decode_fp8(std::span<const uint8_t> payload, std::span<uint8_t> out) {
  Workspace workspace;
  decode_fp8(payload, out, workspace);
}

// The decoder's slot table packed for the AVX2 kernel: per slot, symbol | (freq - 1) << 8 |
// offset << 20, which holds every table whose frequencies are at most 2^12 (at precision 14:
// no byte value has probability above 1/4; the others take the portable loop).
inline constexpr uint32_t kMaxPackedFrequency = 1u << 12;
struct PackedSlots {
  uint32_t precision_bits = 12;
  std::vector<uint32_t> slots;
};

// The AVX2 kernel, one overload per lane count L (the states' array): decodes whole groups of L
// bytes while at least 2 * L stream bytes remain at p, consuming the words exactly as the portable
// loop does; returns the symbols decoded. Only called when kernels::avx2_available().
size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&x)[kLanesV1], const uint8_t*& p,
                          const uint8_t* end, uint8_t* out, size_t n);
size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&x)[kLanesV2], const uint8_t*& p,
                          const uint8_t* end, uint8_t* out, size_t n);

// The encoder's table for the AVX2 kernel: per byte value its entropy::pack_encoder_symbol entry
// (precision <= 14, which kMaxPrecision keeps).
struct PackedEntries {
  uint32_t precision_bits = 12;
  alignas(64) uint64_t entries[kAlphabet] = {};
};

// The AVX2 kernel, one overload per lane count L (the states' array): codes the whole groups of
// L bytes below i (a multiple of L), from the top down, into the states x and the words below w
// (8 words of room below what it writes), as entropy::encode_interleaved's per-lane loop does;
// returns 0. Only called when kernels::avx2_available().
size_t encode_groups_avx2(const PackedEntries& table, const uint8_t* data, uint32_t (&x)[kLanesV1],
                          uint16_t*& w, size_t i);
size_t encode_groups_avx2(const PackedEntries& table, const uint8_t* data, uint32_t (&x)[kLanesV2],
                          uint16_t*& w, size_t i);

}  // namespace lcl::fp8_format
