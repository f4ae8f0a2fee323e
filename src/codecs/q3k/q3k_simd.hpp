#pragma once
// Internal to q3k_codec.cpp: AVX2 forms of its per-block loops (run when
// kernels::avx2_available(), kernel_dispatch.hpp); they write exactly the bytes of the portable
// loops.
#include <cstddef>
#include <cstdint>

namespace lcl::q3k_simd {

// ggml::pack_q3k_quants of every block's 128 value pairs (pair i = 8 * value 2i + value 2i+1,
// each pair below 64) into the hmask (32 bytes at the block's start) and qs (64 bytes after it) of
// the 110-byte blocks at `out`.
void pack_q3k_pairs_avx2(const uint16_t* pairs, size_t blocks, uint8_t* out);

// The context of every value pair, its scale's bucket (the stored 6-bit scale's top four bits),
// eight pairs per scale: contexts[8s .. 8s + 7] = scales[s] >> 2 for s < count.
void scale_buckets_avx2(const uint16_t* scales, size_t count, uint8_t* contexts);

}  // namespace lcl::q3k_simd
