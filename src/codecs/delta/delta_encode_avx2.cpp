// The delta encoder's AVX2 kernel: the 32 lanes as four vectors of 8 states, encoded from the
// last vector down like the per-lane loop. Per vector: the symbols' coding data by scalar loads,
// the lanes whose state would overflow emit their low 16 bits (moved to the top of the vector in
// lane order by a permutation per mask, stored right below w), then x = C(s, x) with the exact
// reciprocal division of entropy::encode_step (its 33-bit sum kept exact with a carry mask).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/delta/delta_encode_kernel.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

struct Constants {
  __m256i low14, one, thirty_two, total, low16;
  __m128i limit_shift;
};

LCL_AVX2_KERNEL inline void encode_vector(const PackedEncoderTables& t, const Constants& c,
                                          const uint8_t* context, const uint16_t* symbols,
                                          __m256i& x, uint16_t*& w) {
  // The lanes' entries by scalar loads (three vpgatherdd per vector took ~half of the kernel's
  // time on AMD Zen 3). Entries 0, 1, 4, 5 go to one vector and 2, 3, 6, 7 to the other, so one
  // shuffle per dword field leaves the fields in lane order.
  const uint64_t* const entries = t.entries.data();
  auto entry = [&](int l) {
    return static_cast<long long>(entries[t.first_entry[context[l]] + symbols[l]]);
  };
  const __m256 a = _mm256_castsi256_ps(_mm256_set_epi64x(entry(5), entry(4), entry(1), entry(0)));
  const __m256 b = _mm256_castsi256_ps(_mm256_set_epi64x(entry(7), entry(6), entry(3), entry(2)));
  const __m256i reciprocal = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
  const __m256i fields = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  const __m256i freq = _mm256_add_epi32(_mm256_and_si256(fields, c.low14), c.one);
  const __m256i start = _mm256_and_si256(_mm256_srli_epi32(fields, 14), c.low14);
  const __m256i shift = _mm256_srli_epi32(fields, 28);

  // Renormalise: emit where (x >> 16) >= freq << (16 - precision) (both below 2^17: signed).
  const __m256i limit = _mm256_sub_epi32(_mm256_sll_epi32(freq, c.limit_shift), c.one);
  const __m256i emit = _mm256_cmpgt_epi32(_mm256_srli_epi32(x, 16), limit);
  const auto mask = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(emit)));
  const __m256i top = _mm256_permutevar8x32_epi32(
      _mm256_and_si256(x, c.low16), _mm256_load_si256(reinterpret_cast<const __m256i*>(
                                        rans_avx2::kTopPermutations[mask].data())));
  const __m256i words = _mm256_permute4x64_epi64(_mm256_packus_epi32(top, top), 0x08);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(w - 8), _mm256_castsi256_si128(words));
  w -= _mm_popcnt_u32(mask);
  x = _mm256_blendv_epi8(x, _mm256_srli_epi32(x, 16), emit);

  // q = (x + ((x * reciprocal) >> 32)) >> shift, the sum taken to 33 bits.
  const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, reciprocal), 32);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(reciprocal, 32));
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i sum = _mm256_add_epi32(x, high);
  const __m256i no_carry = _mm256_cmpeq_epi32(_mm256_max_epu32(sum, x), sum);
  const __m256i carry_bit = _mm256_andnot_si256(
      no_carry, _mm256_sllv_epi32(c.one, _mm256_sub_epi32(c.thirty_two, shift)));
  const __m256i q = _mm256_or_si256(_mm256_srlv_epi32(sum, shift), carry_bit);
  const __m256i complement = _mm256_sub_epi32(c.total, freq);
  x = _mm256_add_epi32(_mm256_add_epi32(x, start), _mm256_mullo_epi32(q, complement));
}

}  // namespace

LCL_AVX2_KERNEL size_t encode_groups_avx2(const PackedEncoderTables& t, const uint8_t* context,
                                          const uint16_t* symbols, uint32_t (&xs)[kLanes],
                                          uint16_t*& w, size_t i) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const Constants c{
      _mm256_set1_epi32(0x3FFF), _mm256_set1_epi32(1),
      _mm256_set1_epi32(32),     _mm256_set1_epi32(static_cast<int>(1u << t.precision_bits)),
      _mm256_set1_epi32(0xFFFF), _mm_cvtsi32_si128(static_cast<int>(16 - t.precision_bits))};
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  while (i != 0) {
    i -= kLanes;
    encode_vector(t, c, context + i + 24, symbols + i + 24, x3, w);
    encode_vector(t, c, context + i + 16, symbols + i + 16, x2, w);
    encode_vector(t, c, context + i + 8, symbols + i + 8, x1, w);
    encode_vector(t, c, context + i, symbols + i, x0, w);
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace lcl::delta_format
#endif
