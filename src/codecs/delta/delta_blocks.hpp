#pragma once
// Block differences for the delta codec's mode 2 (delta_format.hpp): a quantized chunk minus its
// reference, field by field of the ggml block layout, in each field's own arithmetic (16-bit
// words for f16 scales, bytes, 4-bit values). A fine-tune moves few quantized values, and those
// by a step or two, so the differences are mostly zeros that the ggml-blocks field coder codes in
// well under a bit each; a scale that moved by a few units in its last place stays a small word.
#include <cstdint>
#include <span>

#include "formats/ggml/ggml_block_layouts.hpp"

namespace lcl::delta_format {

// out = chunk - reference, block by block; all three hold the same whole number of blocks.
void block_differences(const ggml::BlockLayout& layout, std::span<const uint8_t> chunk,
                       std::span<const uint8_t> reference, std::span<uint8_t> out);

// inout = reference + inout (the inverse of block_differences), in place.
void add_block_differences(const ggml::BlockLayout& layout, std::span<const uint8_t> reference,
                           std::span<uint8_t> inout);

}  // namespace lcl::delta_format
