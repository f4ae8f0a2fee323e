#pragma once
// Fast coding of 6-bit quant values in groups of 16 that share a scale (Q6_K's scale groups).
//
// The model is quant_anchored.hpp's with three minimum classes (0, 1, 2 and above): each group
// codes its minimum (in the group's caller-given context), the position of the minimum's first
// occurrence (in the context of the minimum's class), and the other values as residuals above
// the minimum, in a context of group context, minimum class and whether they lie before the
// anchor (where they cannot equal the minimum). The layout of the residual stream is made for
// SIMD, as in nibble_lanes.hpp: 64 interleaved rANS lanes, lane l coding value l % 16 of group
// 4s + l / 16 at step s (so value i is in lane i % 64), each 16-lane vector one group; the
// anchor's lane takes an identity step. With 64 symbols a context's table does not fit in
// registers, so the AVX-512 kernels gather each lane's slot (decoder) or coding entry (encoder).
//
// The last 10 groups (160 values, 960 bits) are not coded but ride in the lanes' initial states,
// 16 bits per lane (lanes 0-59; lanes 60-63 carry 0), which the decoder gets back as its final
// states, when there are at least 20 groups: the 64 states would otherwise cost small chunks
// dearly.
//
// Payload: the minima (a quant field), the positions (a quant field), the residual tables
// (quant_fields' table format, 6 * contexts contexts: (context * 3 + class) * 2 + before), the
// varint size of the rANS stream and the stream (entropy/rans_interleaved.hpp layout, 64 lanes,
// starting from kStateLow plus the carried words); minima, positions and stream cover the coded
// groups only.
#include <cstdint>
#include <span>

#include "util/byte_io.hpp"

namespace lcl::quant {

inline constexpr uint32_t kValueGroupSize = 16;

// values: 16 per group, each < 64; one context per group, every context < contexts <= 42.
void write_value_groups(ByteWriter& out, std::span<const uint8_t> values,
                        std::span<const uint8_t> group_contexts, uint32_t contexts);
// Reads what write_value_groups wrote with the same group contexts into values (its size as
// written). Throws lcl::Error(kCorruptInput) on a payload that is not well-formed; never reads or
// writes outside the spans.
void read_value_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                       std::span<uint8_t> values);

}  // namespace lcl::quant
