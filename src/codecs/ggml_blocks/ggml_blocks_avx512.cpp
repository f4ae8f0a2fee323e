// AVX-512 forms of the ggml block packers (ggml_blocks_simd.hpp): 32 values per register, the
// nibble and 2-bit shifts done on 16-bit lanes and masked back to bytes.

#include "codecs/ggml_blocks/ggml_blocks_simd.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::ggml {

namespace {

LCL_AVX512_KERNEL inline __m256i load32(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The high 2 bits of 32 six-bit values, in the low 2 bits of each byte.
LCL_AVX512_KERNEL inline __m256i top_bits(__m256i values) {
  return _mm256_and_si256(_mm256_srli_epi16(values, 4), _mm256_set1_epi8(0x03));
}

}  // namespace

LCL_AVX512_KERNEL void pack_q6k_blocks_avx512(const uint8_t* values, size_t blocks, uint8_t* out) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i high4 = _mm256_set1_epi8(static_cast<char>(0xF0));
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* v = values + 256 * b;
    uint8_t* block = out + b * kQ6KBlockBytes;
    for (int n = 0; n < 2; ++n) {
      const uint8_t* h = v + 128 * n;
      const __m256i v0 = load32(h), v1 = load32(h + 32), v2 = load32(h + 64), v3 = load32(h + 96);
      // ql[l] = v0 low nibble | v2 low nibble << 4; ql[l + 32] likewise from v1 and v3.
      const __m256i ql0 = _mm256_or_si256(_mm256_and_si256(v0, low4),
                                          _mm256_and_si256(_mm256_slli_epi16(v2, 4), high4));
      const __m256i ql1 = _mm256_or_si256(_mm256_and_si256(v1, low4),
                                          _mm256_and_si256(_mm256_slli_epi16(v3, 4), high4));
      // qh[l] = the high 2 bits of v0, v1, v2, v3 at bits 0, 2, 4, 6.
      const __m256i qh = _mm256_or_si256(
          _mm256_or_si256(top_bits(v0), _mm256_slli_epi16(top_bits(v1), 2)),
          _mm256_or_si256(_mm256_slli_epi16(top_bits(v2), 4), _mm256_slli_epi16(top_bits(v3), 6)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 64 * n), ql0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 64 * n + 32), ql1);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(block + 128 + 32 * n), qh);
    }
  }
}

}  // namespace lcl::ggml
