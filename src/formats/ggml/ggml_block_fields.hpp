#pragma once
// Field views of the ggml block types the quantized codecs model, shared by the codecs, the
// dequantizer and the entropy bounds (layouts: ggml's dequantize_row_*). Every split below is a
// bijection on the block's bytes: all bits of the packed fields are used, so unpack followed by
// pack gives back the original bytes, whatever they are (NaN d, scales no quantizer would write,
// ...).
#include <bit>
#include <cstddef>
#include <cstdint>

namespace lcl::ggml {

inline constexpr size_t kQ4KBlockBytes = 144;  // f16 d, f16 dmin, u8 scales[12], u8 qs[128]
inline constexpr size_t kQ6KBlockBytes = 210;  // u8 ql[128], u8 qh[64], i8 scales[16], f16 d
inline constexpr size_t kQ8_0BlockBytes = 34;  // f16 d, i8 qs[32]
inline constexpr size_t kSuperBlockValues = 256;

// IEEE half -> float (exact; NaN and infinities map to NaN and infinities).
// Inline: the Q4_K decoder converts two halves per block in its hot loops.
inline float half_to_float(uint16_t h) {
  // Bit arithmetic, not ldexp (a libm call per value, which the Q4_K codec made a hot spot): a
  // half's value is exactly a float's, NaN payloads included.
  const uint32_t sign = uint32_t{h} >> 15 << 31;
  const uint32_t exponent = (h >> 10) & 31;
  const uint32_t mantissa = h & 1023;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  const uint32_t float_exponent = exponent == 31 ? 255 : exponent - 15 + 127;
  return std::bit_cast<float>(sign | float_exponent << 23 | mantissa << 13);
}

// Q4_K: eight 6-bit sub-block scales and eight 6-bit mins packed into 12 bytes. Packing is inline
// (the decoder packs every block) and takes the fields as bytes or as the codecs' 16-bit fields.
void unpack_q4k_scales(const uint8_t* packed12, uint8_t scales[8], uint8_t mins[8]);
template <class Field>
inline void pack_q4k_scales(const Field* scales, const Field* mins, uint8_t* packed12) {
  for (int j = 0; j < 4; ++j) {
    packed12[j] = static_cast<uint8_t>((scales[j] & 63) | ((scales[j + 4] >> 4) << 6));
    packed12[j + 4] = static_cast<uint8_t>((mins[j] & 63) | ((mins[j + 4] >> 4) << 6));
    packed12[j + 8] = static_cast<uint8_t>((scales[j + 4] & 0xF) | ((mins[j + 4] & 0xF) << 4));
  }
}
// Q4_K: 128 bytes of nibbles <-> 256 values in sub-block order (values[32 * j + l] is value l of
// sub-block j; sub-blocks 2g and 2g+1 share bytes 32g..32g+31 as low and high nibbles).
void unpack_q4k_quants(const uint8_t* qs128, uint8_t values[256]);
void pack_q4k_quants(const uint8_t values[256], uint8_t* qs128);

// Q6_K: ql[128] and qh[64] <-> 256 six-bit values in element order, so values[i] belongs to
// scale i / 16.
void unpack_q6k_quants(const uint8_t* ql128, const uint8_t* qh64, uint8_t values[256]);
void pack_q6k_quants(const uint8_t values[256], uint8_t* ql128, uint8_t* qh64);

}  // namespace lcl::ggml
