#pragma once
// Block layouts of the ggml types that have no dedicated codec, as runs of fields inside a block
// (from ggml-common.h's block_* structs). The generic block codec gathers each field across the
// blocks of a chunk and codes it on its own; since the fields tile the block exactly, a layout
// detail that is off costs compression, never correctness.
#include <cstdint>
#include <span>

#include "lcl/types.hpp"

namespace lcl::ggml {

enum class FieldKind : uint8_t {
  kHalf,     // f16 scale: high and low byte planes
  kBytes,    // bytes coded as symbols of 256
  kNibbles,  // packed 4-bit values: low and high nibble symbols
};

struct BlockField {
  uint16_t offset;
  uint16_t size;
  FieldKind kind;
};

struct BlockLayout {
  TypeId type;
  uint32_t block_elements;
  uint32_t block_bytes;
  std::span<const BlockField> fields;  // sorted, tiling [0, block_bytes)
};

// The layout of a ggml block type; nullptr for plain element types and unknown ids. Q4_K, Q6_K and
// Q8_0 have codecs of their own; their layouts serve the delta codec's block differences.
const BlockLayout* find_block_layout(TypeId type);

// Every layout, for tests.
std::span<const BlockLayout> all_block_layouts();

}  // namespace lcl::ggml
