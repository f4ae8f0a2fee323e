// AVX-512 restore_groups (quant_anchored_simd.hpp): a group's others in one vector of 16-bit
// lanes, loaded and stored under masks (no reads or writes past the group), shifted up one lane
// from the anchor on by a select against the vector moved one lane up.

#include "codecs/fields/quant_anchored_simd.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::anchored_simd {

LCL_AVX512_KERNEL bool restore_groups_avx512(const uint16_t* others, const uint16_t* minima,
                                             const uint16_t* positions, size_t groups, uint32_t n,
                                             uint16_t* values) {
  const __mmask32 others_mask = static_cast<__mmask32>((uint64_t{1} << (n - 1)) - 1);
  const __mmask32 values_mask = static_cast<__mmask32>((uint64_t{1} << n) - 1);
  // Lane i takes lane i - 1 (lane 0 keeps itself; it is never selected from the shifted vector).
  alignas(64) uint16_t up[32];
  for (uint16_t i = 0; i < 32; ++i) up[i] = i == 0 ? 0 : static_cast<uint16_t>(i - 1);
  const __m512i up_one = _mm512_load_si512(up);
  __mmask32 bad = 0;
  for (size_t g = 0; g < groups; ++g) {
    const __m512i o = _mm512_maskz_loadu_epi16(others_mask, others + g * (n - 1));
    const uint32_t position = positions[g];
    const __mmask32 before = static_cast<__mmask32>((uint64_t{1} << position) - 1);
    const __m512i minimum = _mm512_set1_epi16(static_cast<int16_t>(minima[g]));
    __m512i v = _mm512_mask_blend_epi16(before, _mm512_permutexvar_epi16(up_one, o), o);
    v = _mm512_mask_mov_epi16(v, static_cast<__mmask32>(uint64_t{1} << position), minimum);
    bad |= others_mask &
           (_mm512_cmplt_epu16_mask(o, minimum) | (_mm512_cmpeq_epu16_mask(o, minimum) & before));
    _mm512_mask_storeu_epi16(values + g * n, values_mask, v);
  }
  return bad == 0;
}

}  // namespace lcl::quant::anchored_simd
