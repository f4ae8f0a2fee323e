// AVX-512 form of check_tables' per-group test (anchored_lanes.hpp): 64 groups per step, the
// missing flags of their tables looked up by byte permutes over the 256-entry flag array.

#include "codecs/fields/anchored_lanes.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_lanes {

namespace {

// missing[index] for 64 byte indices: two 128-entry permutes, chosen by the index's top bit.
LCL_AVX512_KERNEL inline __mmask64 lookup(const __m512i (&flags)[4], __m512i index) {
  const __m512i low = _mm512_permutex2var_epi8(flags[0], index, flags[1]);
  const __m512i high = _mm512_permutex2var_epi8(flags[2], index, flags[3]);
  const __m512i flag = _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high);
  return _mm512_test_epi8_mask(flag, flag);
}

}  // namespace

LCL_AVX512_KERNEL bool needs_missing_table_avx512(const uint8_t* missing, const uint8_t* keys,
                                                  unsigned shift, const uint8_t* positions,
                                                  size_t groups, uint32_t group_size) {
  __m512i flags[4];
  for (int k = 0; k < 4; ++k) flags[k] = _mm512_loadu_si512(missing + 64 * k);
  const __m512i last = _mm512_set1_epi8(static_cast<char>(group_size - 1));
  const __m512i one = _mm512_set1_epi8(1);
  __mmask64 bad = 0;
  for (size_t g = 0; g < groups; g += 64) {
    const __mmask64 valid = groups - g >= 64 ? ~__mmask64{0} : (__mmask64{1} << (groups - g)) - 1;
    __m512i first = _mm512_maskz_loadu_epi8(valid, keys + g);
    if (shift == 1) first = _mm512_add_epi8(first, first);
    const __m512i position = _mm512_maskz_loadu_epi8(valid, positions + g);
    const __mmask64 after_used = _mm512_cmpneq_epu8_mask(position, last);
    const __mmask64 before_used = _mm512_test_epi8_mask(position, position);
    bad |= valid & ((lookup(flags, first) & after_used) |
                    (lookup(flags, _mm512_add_epi8(first, one)) & before_used));
  }
  return bad != 0;
}

}  // namespace lcl::quant::anchored_lanes
