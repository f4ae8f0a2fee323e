#include "infer/dequantize.hpp"

#include <string>

#include "formats/ggml/ggml_block_fields.hpp"
#include "infer/float_bits.hpp"
#include "lcl/error.hpp"
#include "util/endian.hpp"

namespace lcl::infer {

namespace {

constexpr size_t kQ8_0Bytes = 34, kQ8_0Values = 32;
constexpr size_t kQ4KBytes = 144, kQ6KBytes = 210, kSuperBlockValues = 256;

struct BlockShape {
  size_t values;
  size_t bytes;
};

BlockShape block_shape(TypeId type) {
  switch (type) {
    case type::kF32:
      return {1, 4};
    case type::kF16:
    case type::kBF16:
      return {1, 2};
    case type::kQ8_0:
      return {kQ8_0Values, kQ8_0Bytes};
    case type::kQ4_K:
      return {kSuperBlockValues, kQ4KBytes};
    case type::kQ6_K:
      return {kSuperBlockValues, kQ6KBytes};
    default:
      throw Error(ErrorKind::kUnsupported,
                  "weights of type " + type_name(type) + " cannot be loaded for inference");
  }
}

}  // namespace

bool can_dequantize(TypeId type) {
  return type == type::kF32 || type == type::kF16 || type == type::kBF16 || type == type::kQ8_0 ||
         type == type::kQ4_K || type == type::kQ6_K;
}

size_t stored_bytes(TypeId type, size_t elements) {
  const BlockShape shape = block_shape(type);
  if (elements % shape.values != 0)
    throw_corrupt(std::to_string(elements) + " values are not whole blocks of " + type_name(type));
  return elements / shape.values * shape.bytes;
}

void dequantize_q8_0_block(const uint8_t* block, float* out) {
  const float d = f16_to_f32(load_u16le(block));
  for (size_t i = 0; i < kQ8_0Values; ++i) out[i] = d * float(int8_t(block[2 + i]));
}

void dequantize_q4_k_block(const uint8_t* block, float* out) {
  const float d = f16_to_f32(load_u16le(block));
  const float dmin = f16_to_f32(load_u16le(block + 2));
  uint8_t scales[8], mins[8];
  ggml::unpack_q4k_scales(block + 4, scales, mins);
  const uint8_t* qs = block + 16;
  // Four groups of 64 values; a group's 32 bytes hold sub-block 2g in the low nibbles and
  // sub-block 2g+1 in the high nibbles.
  for (int group = 0; group < 4; ++group) {
    const float d_lo = d * scales[2 * group], min_lo = dmin * mins[2 * group];
    const float d_hi = d * scales[2 * group + 1], min_hi = dmin * mins[2 * group + 1];
    const uint8_t* q = qs + 32 * group;
    float* y = out + 64 * group;
    for (int l = 0; l < 32; ++l) y[l] = d_lo * float(q[l] & 0xF) - min_lo;
    for (int l = 0; l < 32; ++l) y[32 + l] = d_hi * float(q[l] >> 4) - min_hi;
  }
}

void dequantize_q6_k_block(const uint8_t* block, float* out) {
  const uint8_t* ql = block;        // 128 bytes: low 4 bits
  const uint8_t* qh = block + 128;  // 64 bytes: high 2 bits, four values per byte
  const int8_t* sc = reinterpret_cast<const int8_t*>(block + 192);  // 16 scales, one per 16 values
  const float d = f16_to_f32(load_u16le(block + 208));
  // Two halves of 128 values; within a half, value l, l+32, l+64, l+96 share qh[l] and take the
  // low / high nibbles of ql[l] and ql[l+32].
  for (int half = 0; half < 2; ++half) {
    float* y = out + 128 * half;
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * float(sc[is + 0]) * float(q1);
      y[l + 32] = d * float(sc[is + 2]) * float(q2);
      y[l + 64] = d * float(sc[is + 4]) * float(q3);
      y[l + 96] = d * float(sc[is + 6]) * float(q4);
    }
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

void dequantize(TypeId type, std::span<const uint8_t> bytes, std::span<float> out) {
  const size_t expected = stored_bytes(type, out.size());
  if (bytes.size() != expected)
    throw_corrupt(type_name(type) + " data of " + std::to_string(bytes.size()) + " bytes where " +
                  std::to_string(out.size()) + " values need " + std::to_string(expected));
  const uint8_t* p = bytes.data();
  float* y = out.data();
  const size_t n = out.size();
  switch (type) {
    case type::kF32:
      for (size_t i = 0; i < n; ++i) {
        uint32_t bits = uint32_t(p[4 * i]) | uint32_t(p[4 * i + 1]) << 8 |
                        uint32_t(p[4 * i + 2]) << 16 | uint32_t(p[4 * i + 3]) << 24;
        y[i] = std::bit_cast<float>(bits);
      }
      break;
    case type::kF16:
      for (size_t i = 0; i < n; ++i) y[i] = f16_to_f32(load_u16le(p + 2 * i));
      break;
    case type::kBF16:
      for (size_t i = 0; i < n; ++i) y[i] = bf16_to_f32(load_u16le(p + 2 * i));
      break;
    case type::kQ8_0:
      for (size_t b = 0; b < n / kQ8_0Values; ++b)
        dequantize_q8_0_block(p + b * kQ8_0Bytes, y + b * kQ8_0Values);
      break;
    case type::kQ4_K:
      for (size_t b = 0; b < n / kSuperBlockValues; ++b)
        dequantize_q4_k_block(p + b * kQ4KBytes, y + b * kSuperBlockValues);
      break;
    case type::kQ6_K:
      for (size_t b = 0; b < n / kSuperBlockValues; ++b)
        dequantize_q6_k_block(p + b * kQ6KBytes, y + b * kSuperBlockValues);
      break;
  }
}

}  // namespace lcl::infer
