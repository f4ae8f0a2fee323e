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

void unpack_q5k_quants(const uint8_t* qh32, const uint8_t* qs128, uint8_t values[256]) {
  unpack_q4k_quants(qs128, values);
  for (int j = 0; j < 8; ++j)
    for (int l = 0; l < 32; ++l)
      values[32 * j + l] = static_cast<uint8_t>(values[32 * j + l] | (((qh32[l] >> j) & 1) << 4));
}

void pack_q5k_quants(const uint8_t values[256], uint8_t* qh32, uint8_t* qs128) {
  pack_q4k_quants(values, qs128);
  for (int l = 0; l < 32; ++l) {
    uint32_t h = 0;
    for (int j = 0; j < 8; ++j) h |= uint32_t{values[32 * j + l] >> 4 & 1u} << j;
    qh32[l] = static_cast<uint8_t>(h);
  }
}

void unpack_q3k_quants(const uint8_t* hmask32, const uint8_t* qs64, uint8_t values[256]) {
  for (int h = 0; h < 2; ++h)
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 32; ++l)
        values[128 * h + 32 * j + l] = static_cast<uint8_t>(
            ((qs64[32 * h + l] >> (2 * j)) & 3) | (((hmask32[l] >> (4 * h + j)) & 1) << 2));
}

void pack_q3k_quants(const uint8_t values[256], uint8_t* hmask32, uint8_t* qs64) {
  for (int l = 0; l < 32; ++l) {
    uint32_t mask = 0;
    for (int h = 0; h < 2; ++h) {
      uint32_t low = 0;
      for (int j = 0; j < 4; ++j) {
        const uint32_t v = values[128 * h + 32 * j + l];
        low |= (v & 3) << (2 * j);
        mask |= (v >> 2 & 1) << (4 * h + j);
      }
      qs64[32 * h + l] = static_cast<uint8_t>(low);
    }
    hmask32[l] = static_cast<uint8_t>(mask);
  }
}

void unpack_q3k_scales(const uint8_t* packed12, uint8_t scales[16]) {
  for (int s = 0; s < 16; ++s) {
    const uint32_t low = s < 8 ? packed12[s] & 0xF : packed12[s - 8] >> 4;
    const uint32_t high = (packed12[8 + s % 4] >> (2 * (s / 4))) & 3;
    scales[s] = static_cast<uint8_t>(low | high << 4);
  }
}

}  // namespace lcl::ggml
