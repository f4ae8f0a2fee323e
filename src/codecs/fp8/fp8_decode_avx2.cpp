// The fp8 decoder's AVX2 kernel: the 32 lanes as four vectors of 8 states. Per vector a gather
// of packed slots, the state update, and the renormalisation of the lanes below 2^16 from the
// next words of the stream in lane order (a permutation per mask of needy lanes).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <array>

#include "codecs/fp8/fp8_coder.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

// For each 8-bit mask of lanes that take a word, lane j's index among the loaded words (the
// number of needy lanes before it); lanes that take none read word 0, which the blend discards.
constexpr std::array<std::array<uint32_t, 8>, 256> make_word_permutations() {
  std::array<std::array<uint32_t, 8>, 256> t{};
  for (uint32_t m = 0; m < 256; ++m) {
    uint32_t k = 0;
    for (uint32_t j = 0; j < 8; ++j)
      if (m >> j & 1) t[m][j] = k++;
  }
  return t;
}
alignas(32) constexpr auto kWordPermutations = make_word_permutations();

struct Constants {
  __m256i slot_mask, field12, one, byte, low16;
  __m128i precision;
};

LCL_AVX2_KERNEL inline __m256i decode_step(__m256i x, const int* slots, const Constants& c,
                                           __m256i& symbols) {
  const __m256i slot = _mm256_i32gather_epi32(slots, _mm256_and_si256(x, c.slot_mask), 4);
  const __m256i freq =
      _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(slot, 8), c.field12), c.one);
  const __m256i offset = _mm256_srli_epi32(slot, 20);
  symbols = _mm256_and_si256(slot, c.byte);
  return _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.precision)), offset);
}

LCL_AVX2_KERNEL inline __m256i renormalize(__m256i x, const uint8_t*& p, const Constants& c) {
  const __m256i need = _mm256_cmpeq_epi32(_mm256_min_epu32(x, c.low16), x);  // x <= 0xFFFF
  const auto mask = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(need)));
  const __m256i words = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  const __m256i perm =
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kWordPermutations[mask].data()));
  const __m256i refilled =
      _mm256_or_si256(_mm256_slli_epi32(x, 16), _mm256_permutevar8x32_epi32(words, perm));
  p += 2 * _mm_popcnt_u32(mask);
  return _mm256_blendv_epi8(x, refilled, need);
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedSlots& table, uint32_t (&xs)[kLanes],
                                          const uint8_t*& p, const uint8_t* end, uint8_t* out,
                                          size_t n) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const Constants c{_mm256_set1_epi32((1 << table.precision_bits) - 1),
                    _mm256_set1_epi32(0xFFF),
                    _mm256_set1_epi32(1),
                    _mm256_set1_epi32(0xFF),
                    _mm256_set1_epi32(0xFFFF),
                    _mm_cvtsi32_si128(static_cast<int>(table.precision_bits))};
  const int* slots = reinterpret_cast<const int*>(table.slots.data());
  __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs));
  __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8));
  __m256i x2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 16));
  __m256i x3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 24));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  // A group reads at most 2 * kLanes bytes; each vector's 16-byte load stays inside them.
  while (n - i >= kLanes && end - p >= 2 * kLanes) {
    __m256i s0, s1, s2, s3;
    x0 = decode_step(x0, slots, c, s0);
    x1 = decode_step(x1, slots, c, s1);
    x2 = decode_step(x2, slots, c, s2);
    x3 = decode_step(x3, slots, c, s3);
    x0 = renormalize(x0, p, c);
    x1 = renormalize(x1, p, c);
    x2 = renormalize(x2, p, c);
    x3 = renormalize(x3, p, c);
    // Bytes in lane order: the packs interleave 128-bit halves, the permutation undoes it.
    const __m256i bytes =
        _mm256_packus_epi16(_mm256_packus_epi32(s0, s1), _mm256_packus_epi32(s2, s3));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permutevar8x32_epi32(bytes, order));
    i += kLanes;
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs), x0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8), x1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 16), x2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 24), x3);
  return i;
}

}  // namespace lcl::fp8_format
#endif
