#pragma once
// Weight element types the forward pass reads, widened to f32. These functions are the project's
// reference semantics for the ggml block types (block layouts in FORMATS.md, the same arithmetic
// as ggml's dequantize_row_*), so a codec test can compare against them.
#include <cstddef>
#include <cstdint>
#include <span>

#include "lcl/types.hpp"

namespace lcl::infer {

// True for F32, F16, BF16, Q8_0, Q4_K and Q6_K.
bool can_dequantize(TypeId type);

// Bytes that `elements` values of `type` occupy; throws kCorruptInput when `elements` is not a
// whole number of blocks, kUnsupported for a type that can_dequantize() rejects.
size_t stored_bytes(TypeId type, size_t elements);

// Widens `bytes` (exactly stored_bytes(type, out.size()) of them, else kCorruptInput) into `out`.
void dequantize(TypeId type, std::span<const uint8_t> bytes, std::span<float> out);

// One block each: `block` holds the type's block bytes, `out` its 32 or 256 values.
void dequantize_q8_0_block(const uint8_t* block, float* out);  // 34 bytes -> 32 values
void dequantize_q4_k_block(const uint8_t* block, float* out);  // 144 bytes -> 256 values
void dequantize_q6_k_block(const uint8_t* block, float* out);  // 210 bytes -> 256 values

}  // namespace lcl::infer
