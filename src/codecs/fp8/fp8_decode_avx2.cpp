// The fp8 decoder's AVX2 kernel: the 32 lanes as four vectors of 8 states. Per vector the packed
// slots by scalar loads, the state update, and the renormalisation of the lanes below 2^16 from the
// next words of the stream in lane order (a permutation per mask of needy lanes).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

struct Constants {
  __m256i slot_mask, field12, one, byte;
  __m128i precision;
};

LCL_AVX2_KERNEL inline __m256i decode_step(__m256i x, const uint32_t* slots, const Constants& c,
                                           __m256i& symbols) {
  const __m256i slot = rans_avx2::load_lanes(slots, _mm256_and_si256(x, c.slot_mask));
  const __m256i freq =
      _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(slot, 8), c.field12), c.one);
  const __m256i offset = _mm256_srli_epi32(slot, 20);
  symbols = _mm256_and_si256(slot, c.byte);
  return _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.precision)), offset);
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&xs)[kLanes],
                                          const uint8_t*& p, const uint8_t* end, uint8_t* out,
                                          size_t n) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const Constants c{_mm256_set1_epi32((1 << table.precision_bits) - 1), _mm256_set1_epi32(0xFFF),
                    _mm256_set1_epi32(1), _mm256_set1_epi32(0xFF),
                    _mm_cvtsi32_si128(static_cast<int>(table.precision_bits))};
  const uint32_t* slots = table.slots.data();
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  // A group reads at most 2 * kLanes bytes; each vector's 16-byte load stays inside them.
  while (n - i >= kLanes && end - p >= 2 * kLanes) {
    __m256i s0, s1, s2, s3;
    x0 = decode_step(x0, slots, c, s0);
    x1 = decode_step(x1, slots, c, s1);
    x2 = decode_step(x2, slots, c, s2);
    x3 = decode_step(x3, slots, c, s3);
    x0 = rans_avx2::renormalize(x0, p);
    x1 = rans_avx2::renormalize(x1, p);
    x2 = rans_avx2::renormalize(x2, p);
    x3 = rans_avx2::renormalize(x3, p);
    // Bytes in lane order: the packs interleave 128-bit halves, the permutation undoes it.
    const __m256i bytes =
        _mm256_packus_epi16(_mm256_packus_epi32(s0, s1), _mm256_packus_epi32(s2, s3));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permutevar8x32_epi32(bytes, order));
    i += kLanes;
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace lcl::fp8_format
#endif
