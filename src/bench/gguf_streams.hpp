#pragma once
// The stream split of ggml blocks that the reference's GGUF methods use, shared by the per-tensor
// baseline (gguf_baselines.cpp) and the whole-file decomposer (gguf_decomposer.cpp): each block's
// header bytes (scales, d) and its quant bytes go to separate streams; the header stream can be
// byte-grouped (byte i of every block together) so that equal high bytes of the f16 scales line up.
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/types.hpp"
#include "util/byte_io.hpp"

namespace lcl::bench::gguf_streams {

// Q4_K (d, dmin, scales | qs), Q6_K (scales, d | ql, qh), Q8_0 (d | qs).
struct StreamSplit {
  TypeId type;
  uint32_t block_bytes;
  uint32_t header_offset, header_bytes;  // the header part of a block
};

const StreamSplit* find_split(TypeId type);  // nullptr for the types the reference kept whole

// A zstd frame at `level`, preceded by its varint size; and its inverse into exactly `out`.
void write_zstd(ByteWriter& w, std::span<const uint8_t> bytes, int level);
void read_zstd(ByteReader& r, std::span<uint8_t> out);

// Header bytes of every block, byte-grouped (byte i of every block, for i in the header).
std::vector<uint8_t> grouped_headers(std::span<const uint8_t> input, const StreamSplit& s);
void scatter_headers(std::span<const uint8_t> grouped, const StreamSplit& s,
                     std::span<uint8_t> out);
// The non-header bytes of every block, in block order.
std::vector<uint8_t> quant_bytes(std::span<const uint8_t> input, const StreamSplit& s);
void scatter_quants(std::span<const uint8_t> quants, const StreamSplit& s, std::span<uint8_t> out);

}  // namespace lcl::bench::gguf_streams
