#pragma once
// Fast coding of 4-bit quant values in groups of 32 that share a scale, stored as ggml packs them
// (Q4_K: the 32 bytes of a pair of groups hold group 2p's value j in the low nibble of byte j and
// group 2p+1's value j in the high nibble).
//
// The model is the anchored one of quant_anchored.hpp (each group codes its minimum, the position
// of the minimum's first occurrence, and the other values as residuals above the minimum, in a
// context of the group's caller-given context and of whether they lie before the anchor, where
// they cannot equal the minimum). What differs is the layout of the residual stream, made for
// SIMD: 64 interleaved rANS lanes, lane l coding value l % 32 of group 2p + l / 32, so that one
// step of the lanes is one pair of groups and each 16-lane vector uses one context's tables
// (16 symbols: held in registers, no table gathers). The anchor's lane codes nothing in its step
// (an identity step, which leaves the state as it is). An AVX-512 kernel decodes the pairs
// straight into packed bytes; the portable code produces and reads the same bytes.
//
// The 64 lane states (256 bytes) would cost a small chunk dearly, so the last 4 pairs (128 bytes)
// are not coded but ride in the lanes' initial states, 16 bits each, which the decoder gets back
// as its final states (when there are at least 8 pairs).
//
// Payload: the minima (a quant field, group contexts), the positions (a quant field), the residual
// tables (quant_fields' table format, 2 * contexts contexts: 2c after the anchor, 2c + 1 before
// it), the varint size of the rANS stream and the stream (entropy/rans_interleaved.hpp layout,
// 64 lanes, starting from kStateLow plus the carried words); minima, positions and stream cover
// the coded pairs only.
#include <cstdint>
#include <span>

#include "util/byte_io.hpp"

namespace lcl::quant {

inline constexpr uint32_t kNibbleGroupSize = 32;
inline constexpr uint32_t kNibblePairBytes = 32;  // packed bytes of a pair of groups

// packed: 32 bytes per pair of groups (so group_contexts.size() == packed.size() / 16, even);
// every group context < contexts <= 128.
void write_nibble_groups(ByteWriter& out, std::span<const uint8_t> packed,
                         std::span<const uint8_t> group_contexts, uint32_t contexts);
// Where the decoder puts each pair's 32 bytes: pair p at (p / pairs_per_row) * row_stride +
// row_offset + (p % pairs_per_row) * 32, e.g. straight into Q4_K blocks (4 pairs per 144-byte
// block, from byte 16), which spares a chunk-sized copy that misses the cache.
struct NibblePairPlacement {
  uint32_t pairs_per_row = 1;
  size_t row_stride = kNibblePairBytes;
  size_t row_offset = 0;
};

// Reads what write_nibble_groups wrote with the same group contexts into packed (its size as
// written). Throws lcl::Error(kCorruptInput) on any inconsistency; never reads or writes outside
// the spans.
void read_nibble_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                        std::span<uint8_t> packed);
// The same for `pairs` pairs placed in `out` as `placement` says (all of them inside out, else
// lcl::Error(kUsage)); bytes of out between the pairs are left as they are.
void read_nibble_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                        std::span<uint8_t> out, size_t pairs, const NibblePairPlacement& placement);

}  // namespace lcl::quant
