#pragma once
// The 16-byte header that Q4_K and Q5_K blocks share (f16 d, f16 dmin, twelve bytes of 6-bit
// sub-block scales and mins), split into and joined from a codec's per-field vectors: `Fields`
// has d, dmin (one per block) and scales, mins (eight per block).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "formats/ggml/ggml_block_fields.hpp"
#include "util/endian.hpp"

namespace lcl::quant {

template <class Fields>
void split_k_block_header(const uint8_t* block, size_t b, Fields& f) {
  f.d[b] = load_u16le(block);
  f.dmin[b] = load_u16le(block + 2);
  uint8_t sc[8], m[8];
  ggml::unpack_q4k_scales(block + 4, sc, m);
  std::copy_n(sc, 8, f.scales.data() + b * 8);
  std::copy_n(m, 8, f.mins.data() + b * 8);
}

// The scales and mins must be below 64 (the field readers check their alphabets).
template <class Fields>
void join_k_block_header(const Fields& f, size_t b, uint8_t* block) {
  store_u16le(block, f.d[b]);
  store_u16le(block + 2, f.dmin[b]);
  ggml::pack_q4k_scales(f.scales.data() + b * 8, f.mins.data() + b * 8, block + 4);
}

}  // namespace lcl::quant
