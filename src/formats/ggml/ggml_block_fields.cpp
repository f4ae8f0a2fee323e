#include "formats/ggml/ggml_block_fields.hpp"

#include <bit>
#include <cmath>

namespace lcl::ggml {

void unpack_q4k_scales(const uint8_t* packed12, uint8_t scales[8], uint8_t mins[8]) {
  for (int j = 0; j < 4; ++j) {
    scales[j] = packed12[j] & 63;
    mins[j] = packed12[j + 4] & 63;
  }
  for (int j = 4; j < 8; ++j) {
    scales[j] = static_cast<uint8_t>((packed12[j + 4] & 0xF) | ((packed12[j - 4] >> 6) << 4));
    mins[j] = static_cast<uint8_t>((packed12[j + 4] >> 4) | ((packed12[j] >> 6) << 4));
  }
}

void unpack_q4k_quants(const uint8_t* qs128, uint8_t values[256]) {
  for (int g = 0; g < 4; ++g) {
    const uint8_t* src = qs128 + 32 * g;
    uint8_t* low = values + 64 * g;
    uint8_t* high = low + 32;
    for (int l = 0; l < 32; ++l) {
      low[l] = src[l] & 0xF;
      high[l] = src[l] >> 4;
    }
  }
}

void pack_q4k_quants(const uint8_t values[256], uint8_t* qs128) {
  for (int g = 0; g < 4; ++g) {
    const uint8_t* low = values + 64 * g;
    const uint8_t* high = low + 32;
    for (int l = 0; l < 32; ++l)
      qs128[32 * g + l] = static_cast<uint8_t>((low[l] & 0xF) | (high[l] << 4));
  }
}

// Element layout of ggml's dequantize_row_q6_K: per 128-value half n, byte l of ql/qh carries
// values l, l+32, l+64, l+96 (low nibbles of ql[l], ql[l+32], high nibbles of both; qh bit pairs
// 0-1, 2-3, 4-5, 6-7).
void unpack_q6k_quants(const uint8_t* ql128, const uint8_t* qh64, uint8_t values[256]) {
  for (int n = 0; n < 2; ++n) {
    const uint8_t* ql = ql128 + 64 * n;
    const uint8_t* qh = qh64 + 32 * n;
    uint8_t* v = values + 128 * n;
    for (int l = 0; l < 32; ++l) {
      v[l] = static_cast<uint8_t>((ql[l] & 0xF) | ((qh[l] & 3) << 4));
      v[l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
      v[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      v[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
  }
}

void pack_q6k_quants(const uint8_t values[256], uint8_t* ql128, uint8_t* qh64) {
  for (int n = 0; n < 2; ++n) {
    uint8_t* ql = ql128 + 64 * n;
    uint8_t* qh = qh64 + 32 * n;
    const uint8_t* v = values + 128 * n;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((v[l] & 0xF) | ((v[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((v[l + 32] & 0xF) | ((v[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((v[l] >> 4) | ((v[l + 32] >> 4) << 2) | ((v[l + 64] >> 4) << 4) |
                                   ((v[l + 96] >> 4) << 6));
    }
  }
}

}  // namespace lcl::ggml
