#pragma once
// Internal to q5k_codec.cpp: AVX2 forms of the Q5_K codec's per-block loops (run when
// kernels::avx2_available(), kernel_dispatch.hpp); they compute exactly what the portable loops
// do (the same correctly rounded double operations, the same bytes).
#include <cstddef>
#include <cstdint>

namespace lcl::q5k_simd {

// The zero-point bucket of every sub-block (q5k_codec.cpp's zero_point_bucket: buckets 0 .. 16,
// 17 for a bucket value that is not a finite number), 8 per block, into `buckets`. d and dmin
// hold one f16 per block, scales and mins eight 6-bit values per block.
void zero_point_buckets_avx2(const uint16_t* d, const uint16_t* dmin, const uint16_t* scales,
                             const uint16_t* mins, size_t blocks, uint8_t* buckets);

// quant::predicted_min_buckets of every block with ratio 16 * d / dmin.
void predicted_min_buckets_avx2(const uint16_t* d, const uint16_t* dmin, const uint16_t* scales,
                                size_t blocks, uint8_t* buckets);

// ggml::pack_q5k_quants of every block's 256 values (each below 32) into the qh (32 bytes at
// block + 16) and qs (128 bytes at block + 48) of the 176-byte blocks at `out`.
void pack_q5k_quants_avx2(const uint16_t* values, size_t blocks, uint8_t* out);

// The values of blocks 0 .. blocks - 1 restored from their anchored groups (one per sub-block:
// group 8b + j is block b's sub-block j; quant::read_anchored_parts' arrays) and packed as
// pack_q5k_quants_avx2 packs them, without the values in memory between. A block's last group's
// loads read one element past it, so the caller restores and packs the last block of the parts
// itself. Returns false when a value contradicts its group.
bool restore_pack_q5k_avx2(const uint16_t* others, const uint16_t* minima,
                           const uint16_t* positions, size_t blocks, uint8_t* out);

// ggml::unpack_q5k_quants of every 176-byte block at `in` into 256 values per block.
void unpack_q5k_quants_avx2(const uint8_t* in, size_t blocks, uint16_t* values);

}  // namespace lcl::q5k_simd
