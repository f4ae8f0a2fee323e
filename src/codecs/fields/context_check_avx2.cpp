// AVX2 any_absent (context_check_simd.hpp): the 256 flags as a 256-bit set, looked up 32 contexts
// at a time with byte shuffles (the set's byte from the context's top five bits, the bit from
// its low three), instead of one table load per context.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fields/context_check_simd.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::context_check {

LCL_AVX2_KERNEL bool any_absent_avx2(const uint8_t* contexts, size_t n, const uint8_t* absent) {
  alignas(32) uint8_t set[32] = {};
  for (uint32_t c = 0; c < 256; ++c)
    set[c >> 3] |= static_cast<uint8_t>((absent[c] != 0) << (c & 7));
  // Both 128-bit halves of each table hold the same 16 bytes: the shuffles look up per half.
  const __m256i set_low =
      _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(set)));
  const __m256i set_high =
      _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(set + 16)));
  const __m256i bits = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128,
                                        1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  const __m256i low3 = _mm256_set1_epi8(7);
  const __m256i low4 = _mm256_set1_epi8(15);
  __m256i any = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(contexts + i));
    // Byte c >> 3 of the set: bits 3-6 index a half of the set, bit 7 picks the half.
    const __m256i byte_index = _mm256_and_si256(_mm256_srli_epi16(c, 3), low4);
    const __m256i set_byte = _mm256_blendv_epi8(_mm256_shuffle_epi8(set_low, byte_index),
                                                _mm256_shuffle_epi8(set_high, byte_index), c);
    const __m256i bit = _mm256_shuffle_epi8(bits, _mm256_and_si256(c, low3));
    any = _mm256_or_si256(any, _mm256_and_si256(set_byte, bit));
  }
  uint8_t tail = 0;
  for (; i < n; ++i) tail |= absent[contexts[i]];
  return tail != 0 || !_mm256_testz_si256(any, any);
}

}  // namespace lcl::quant::context_check

#endif
