// SHA-256 compression with the x86 SHA extensions: two rounds per sha256rnds2, the message
// schedule by sha256msg1/msg2, the state kept as the (ABEF, CDGH) register pair the instructions
// use. Identical digests to the portable Sha256::block (tested both ways).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "util/kernel_dispatch.hpp"
#include "util/sha256.hpp"

namespace lcl::sha256_kernel {

LCL_SHA_KERNEL void blocks(uint32_t (&h)[8], const uint8_t* p, size_t count) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  // h[0..3] = A B C D and h[4..7] = E F G H to the (ABEF, CDGH) pair.
  const __m128i cdab =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);
  const __m128i efgh =
      _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; count != 0; --count, p += 64) {
    const __m128i abef_in = abef, cdgh_in = cdgh;
    __m128i w[4];
    for (int j = 0; j < 16; ++j) {
      __m128i words;
      if (j < 4) {
        words = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * j)),
                                 byte_swap);
      } else {  // W[4j..4j+3] from the four previous groups (w[j % 4] holds group j - 4)
        const __m128i w4 = w[j % 4], w3 = w[(j + 1) % 4], w2 = w[(j + 2) % 4], w1 = w[(j + 3) % 4];
        words = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4)), w1);
      }
      w[j % 4] = words;
      __m128i message =
          _mm_add_epi32(words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(kRound + 4 * j)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
      message = _mm_shuffle_epi32(message, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

}  // namespace lcl::sha256_kernel
#endif
