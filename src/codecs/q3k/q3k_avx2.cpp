// AVX2 forms of the Q3_K codec's per-block loops (q3k_simd.hpp). Packing: a block's 256 values
// as eight vectors of 32 bytes, vector k holding values 32k .. 32k + 31 (half k / 4, shift k % 4);
// qs takes their low two bits and hmask their third, both moved to their bit with 16-bit shifts
// that cannot carry between bytes (each byte holds at most those bits before the shift).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/q3k/q3k_simd.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::q3k_simd {

namespace {

// 16 pairs (each 8a + b) as 32 bytes a, b in element order.
LCL_AVX2_KERNEL inline __m256i pair_bytes(const uint16_t* pairs) {
  const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pairs));
  return _mm256_or_si256(_mm256_srli_epi16(p, 3),
                         _mm256_slli_epi16(_mm256_and_si256(p, _mm256_set1_epi16(7)), 8));
}

}  // namespace

LCL_AVX2_KERNEL void pack_q3k_pairs_avx2(const uint16_t* pairs, size_t blocks, uint8_t* out) {
  const __m256i low2 = _mm256_set1_epi8(3), bit2 = _mm256_set1_epi8(4);
  for (size_t b = 0; b < blocks; ++b) {
    const uint16_t* p = pairs + b * 128;
    uint8_t* block = out + b * ggml::kQ3KBlockBytes;
    __m256i hmask = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      __m256i qs = _mm256_setzero_si256();
      for (int j = 0; j < 4; ++j) {
        const __m256i v = pair_bytes(p + 16 * (4 * h + j));  // values 128h + 32j + l, l < 32
        qs = _mm256_or_si256(qs, _mm256_slli_epi16(_mm256_and_si256(v, low2), 2 * j));
        // Bit 2 to bit 4h + j.
        const __m256i high = _mm256_and_si256(v, bit2);
        const int to = 4 * h + j;
        hmask = _mm256_or_si256(
            hmask, to >= 2 ? _mm256_slli_epi16(high, to - 2) : _mm256_srli_epi16(high, 2 - to));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 32 + 32 * h), qs);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(block), hmask);
  }
}

LCL_AVX2_KERNEL void scale_buckets_avx2(const uint16_t* scales, size_t count, uint8_t* contexts) {
  // Output vector k of 16 scales repeats bytes 4k, 4k + 1 (low lane) and 4k + 2, 4k + 3 (high
  // lane) eight times each; the shuffle reads within lanes, so both lanes hold the 16 buckets.
  alignas(32) uint8_t index[4][32];
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 32; ++i) index[k][i] = static_cast<uint8_t>(4 * k + i / 8);
  __m256i spread[4];
  for (int k = 0; k < 4; ++k)
    spread[k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(index[k]));
  size_t s = 0;
  for (; count - s >= 16; s += 16) {
    const __m256i v =
        _mm256_srli_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(scales + s)), 2);
    const __m128i bytes =
        _mm_packus_epi16(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m256i both = _mm256_broadcastsi128_si256(bytes);
    for (int k = 0; k < 4; ++k)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(contexts + 8 * s + 32 * k),
                          _mm256_shuffle_epi8(both, spread[k]));
  }
  for (; s < count; ++s)
    for (int i = 0; i < 8; ++i) contexts[8 * s + i] = static_cast<uint8_t>(scales[s] >> 2);
}

}  // namespace lcl::q3k_simd
#endif
