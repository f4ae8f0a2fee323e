#pragma once
// Internal to the codecs: AVX-512 forms of ggml_blocks.hpp's packers (run only when
// kernels::avx512_available(), kernel_dispatch.hpp), writing exactly the bytes of the portable
// functions.
#include <cstddef>
#include <cstdint>

namespace lcl::ggml {

// pack_q6k_quants for `blocks` blocks: block b's 256 values at values + 256 b, its ql and qh at
// out + b * kQ6KBlockBytes (the other bytes of each block are left as they are).
void pack_q6k_blocks_avx512(const uint8_t* values, size_t blocks, uint8_t* out);

}  // namespace lcl::ggml
