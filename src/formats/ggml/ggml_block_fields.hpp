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
// f16 d, f16 dmin, u8 scales[12] (packed as Q4_K's), u8 qh[32], u8 qs[128]
inline constexpr size_t kQ5KBlockBytes = 176;
inline constexpr size_t kQ3KBlockBytes = 110;   // u8 hmask[32], u8 qs[64], u8 scales[12], f16 d
inline constexpr size_t kMXFP4BlockBytes = 17;  // u8 e (e8m0), u8 qs[16] (e2m1 codes)
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

// Q5_K: qh[32] and qs[128] <-> 256 five-bit values in element order (values[32 * j + l] is value
// l of sub-block j: low nibble from qs as in Q4_K, fifth bit is bit j of qh[l]).
void unpack_q5k_quants(const uint8_t* qh32, const uint8_t* qs128, uint8_t values[256]);
void pack_q5k_quants(const uint8_t values[256], uint8_t* qh32, uint8_t* qs128);

// Q3_K: hmask[32] and qs[64] <-> 256 three-bit values q in element order (the weight is
// d * scale * (q - 4)): element 128 h + 32 j + l takes bits 2j..2j+1 of qs[32 h + l] as its low
// bits and bit 4 h + j of hmask[l] as its high bit. It belongs to scale 8 h + 2 j + l / 16.
void unpack_q3k_quants(const uint8_t* hmask32, const uint8_t* qs64, uint8_t values[256]);
void pack_q3k_quants(const uint8_t values[256], uint8_t* hmask32, uint8_t* qs64);
// Q3_K: sixteen 6-bit scales (stored + 32) packed into 12 bytes: scale s has its low nibble in
// byte s (s < 8, low nibble) or s - 8 (high nibble), its high 2 bits at bits 2 (s / 4) of byte
// 8 + s % 4.
void unpack_q3k_scales(const uint8_t* packed12, uint8_t scales[16]);
template <class Field>
inline void pack_q3k_scales(const Field* scales, uint8_t* packed12) {
  for (int k = 0; k < 8; ++k)
    packed12[k] = static_cast<uint8_t>((scales[k] & 0xF) | ((scales[k + 8] & 0xF) << 4));
  for (int k = 0; k < 4; ++k)
    packed12[8 + k] = static_cast<uint8_t>(
        ((scales[k] >> 4) & 3) | (((scales[k + 4] >> 4) & 3) << 2) |
        (((scales[k + 8] >> 4) & 3) << 4) | (((scales[k + 12] >> 4) & 3) << 6));
}

}  // namespace lcl::ggml
