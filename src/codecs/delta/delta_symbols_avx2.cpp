// The delta encoder's symbol pass for 16-bit elements with AVX2: 16 elements per vector go to
// their ordered codes, difference and zigzag in 16-bit lanes; symbols, contexts and histogram
// indices are stored a vector at a time and the counts incremented from those indices. The rare
// larger moves (z >= 2^K, ~1% of a fine-tune's elements) are listed for the caller, which maps
// them to their buckets and raw bits in element order.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/delta/delta_encode_kernel.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

// ordered() of 16-bit lanes: negatives inverted, the sign of positives set.
LCL_AVX2_KERNEL inline __m256i ordered16(__m256i x, __m256i sign) {
  return _mm256_xor_si256(x, _mm256_or_si256(_mm256_srai_epi16(x, 15), sign));
}

}  // namespace

LCL_AVX2_KERNEL uint64_t map_symbols16_avx2(const uint8_t* in, const uint8_t* ref, uint64_t n,
                                            const SymbolPass& pass) {
  const __m256i sign = _mm256_set1_epi16(static_cast<short>(0x8000));
  const __m256i largest_exact = _mm256_set1_epi16(static_cast<short>((1u << pass.exact_bits) - 1));
  const __m256i context_mask = _mm256_set1_epi16(static_cast<short>(pass.context_mask));
  const __m256i alphabet = _mm256_set1_epi16(static_cast<short>(pass.alphabet));
  const __m256i spare =
      _mm256_set1_epi16(static_cast<short>((pass.context_mask + 1) * pass.alphabet));
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(pass.context_shift));
  alignas(32) uint16_t at[16];
  uint64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ref + 2 * i));
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 2 * i));
    const __m256i d = _mm256_sub_epi16(ordered16(v, sign), ordered16(b, sign));
    const __m256i z = _mm256_xor_si256(_mm256_slli_epi16(d, 1), _mm256_srai_epi16(d, 15));
    const __m256i exact = _mm256_cmpeq_epi16(_mm256_min_epu16(z, largest_exact), z);
    const __m256i c = _mm256_and_si256(_mm256_srl_epi16(b, shift), context_mask);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(pass.symbols + i), z);
    const __m256i c8 = _mm256_permute4x64_epi64(_mm256_packus_epi16(c, c), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(pass.contexts + i), _mm256_castsi256_si128(c8));
    // c * alphabet + z < 2^16 for the exact moves; the large ones count into the spare counter.
    const __m256i index = _mm256_add_epi16(_mm256_mullo_epi16(c, alphabet), z);
    _mm256_store_si256(reinterpret_cast<__m256i*>(at), _mm256_blendv_epi8(spare, index, exact));
    for (int l = 0; l < 16; ++l) ++pass.counts[at[l]];
    const auto exact_bytes = static_cast<uint32_t>(_mm256_movemask_epi8(exact));
    if (exact_bytes != 0xFFFFFFFFu) [[unlikely]] {
      // Two mask bits per lane: the low one of each large lane.
      alignas(32) uint16_t moves[16];
      _mm256_store_si256(reinterpret_cast<__m256i*>(moves), z);
      for (uint32_t m = ~exact_bytes & 0x55555555u; m != 0; m &= m - 1) {
        const auto l = static_cast<uint32_t>(__builtin_ctz(m) / 2);
        pass.large->push_back(large_move(i + l, pass.contexts[i + l], moves[l]));
      }
    }
  }
  return i;
}

}  // namespace lcl::delta_format
#endif
