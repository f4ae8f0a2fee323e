// The delta decoder's AVX2 kernel for 16-bit elements: the 32 lanes as four vectors of 8 states.
// Per vector: the base elements' exponents pick each lane's table (a byte shuffle, or scalar
// loads), the packed slots by scalar loads, the state update and the renormalisation in lane order;
// the 32 elements are restored with 16-bit vector arithmetic, then the rare escapes are redone with
// their raw bits.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <cstring>

#include "codecs/delta/delta_decode_kernel.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

struct Constants {
  __m256i slot_mask, context_mask, field12, one, byte, last_exact;
  __m256i map_first, map_low, map_high, not_low_byte, sixteen, thirty_one;
  __m128i precision, mantissa;
};

// table[index[l]] per lane by scalar loads: AMD's Zen 3 runs vpgatherdd at a fraction of this
// rate (the slot gather was most of the kernel's cycles).
LCL_AVX2_KERNEL inline __m256i load_lanes(const uint32_t* table, __m256i index) {
  alignas(32) uint32_t at[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(at), index);
  auto v = [&](int l) { return static_cast<int>(table[at[l]]); };
  const __m128i low = _mm_setr_epi32(v(0), v(1), v(2), v(3));
  const __m128i high = _mm_setr_epi32(v(4), v(5), v(6), v(7));
  return _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
}

// The first slot of each lane's table, from its context.
template <bool kSmallMap>
LCL_AVX2_KERNEL inline __m256i first_slots(__m256i context, const PackedTables& t,
                                           const Constants& c) {
  if constexpr (kSmallMap) {
    // context - map_first below 32 picks a byte of the map (a shuffle per half of it); others: 0.
    const __m256i at = _mm256_sub_epi32(context, c.map_first);
    const __m256i inside = _mm256_cmpeq_epi32(_mm256_min_epu32(at, c.thirty_one), at);
    const __m256i index = _mm256_or_si256(at, c.not_low_byte);
    const __m256i high = _mm256_cmpeq_epi32(_mm256_and_si256(at, c.sixteen), c.sixteen);
    const __m256i table = _mm256_blendv_epi8(_mm256_shuffle_epi8(c.map_low, index),
                                             _mm256_shuffle_epi8(c.map_high, index), high);
    return _mm256_sll_epi32(_mm256_and_si256(table, inside), c.precision);
  } else {
    return load_lanes(t.first_slot, context);
  }
}

// One vector's decode step: the table of each lane's base exponent, its slot, the new state.
template <bool kSmallMap>
LCL_AVX2_KERNEL inline __m256i decode_step(__m256i x, __m256i base, const PackedTables& t,
                                           const Constants& c, __m256i& symbols) {
  const __m256i context = _mm256_and_si256(_mm256_srl_epi32(base, c.mantissa), c.context_mask);
  const __m256i first = first_slots<kSmallMap>(context, t, c);
  const __m256i slot =
      load_lanes(t.slots.data(), _mm256_add_epi32(first, _mm256_and_si256(x, c.slot_mask)));
  const __m256i freq =
      _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(slot, 8), c.field12), c.one);
  const __m256i offset = _mm256_srli_epi32(slot, 20);
  symbols = _mm256_and_si256(slot, c.byte);
  return _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.precision)), offset);
}

LCL_AVX2_KERNEL inline uint32_t escapes(__m256i symbols, const Constants& c) {
  return static_cast<uint32_t>(
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(symbols, c.last_exact))));
}

// 16 elements from their base elements and z (16-bit lanes): from_ordered(ordered(b) +
// unzigzag(z)).
LCL_AVX2_KERNEL inline __m256i restore(__m256i b, __m256i z) {
  const __m256i sign = _mm256_set1_epi16(static_cast<short>(0x8000));
  const __m256i ordered_b = _mm256_xor_si256(b, _mm256_or_si256(_mm256_srai_epi16(b, 15), sign));
  const __m256i move = _mm256_xor_si256(
      _mm256_srli_epi16(z, 1),
      _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_and_si256(z, _mm256_set1_epi16(1))));
  const __m256i o = _mm256_add_epi16(ordered_b, move);
  const __m256i flip =
      _mm256_or_si256(_mm256_xor_si256(_mm256_srai_epi16(o, 15), _mm256_set1_epi16(-1)), sign);
  return _mm256_xor_si256(o, flip);
}

template <bool kSmallMap>
LCL_AVX2_KERNEL size_t decode_groups(const PackedTables& t, Buckets buckets, uint32_t (&xs)[kLanes],
                                     const uint8_t*& p, const uint8_t* end, const uint8_t* ref,
                                     uint8_t* out, size_t n, RawBits& raw) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const __m128i map_low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.map));
  const __m128i map_high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.map + 16));
  const Constants c{_mm256_set1_epi32((1 << t.precision_bits) - 1),
                    _mm256_set1_epi32(static_cast<int>(t.contexts - 1)),
                    _mm256_set1_epi32(0xFFF),
                    _mm256_set1_epi32(1),
                    _mm256_set1_epi32(0xFF),
                    _mm256_set1_epi32(static_cast<int>((1u << buckets.k) - 1)),
                    _mm256_set1_epi32(static_cast<int>(t.map_first)),
                    _mm256_broadcastsi128_si256(map_low),
                    _mm256_broadcastsi128_si256(map_high),
                    _mm256_set1_epi32(static_cast<int>(0x80808000u)),
                    _mm256_set1_epi32(16),
                    _mm256_set1_epi32(31),
                    _mm_cvtsi32_si128(static_cast<int>(t.precision_bits)),
                    _mm_cvtsi32_si128(static_cast<int>(t.mantissa_bits))};
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  size_t i = 0;
  // A group reads at most 2 * kLanes bytes; each vector's 16-byte load stays inside them.
  while (n - i >= kLanes && end - p >= 2 * kLanes) {
    const __m256i b01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ref + 2 * i));
    const __m256i b23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ref + 2 * i + 32));
    __m256i s0, s1, s2, s3;
    x0 = decode_step<kSmallMap>(x0, _mm256_cvtepu16_epi32(_mm256_castsi256_si128(b01)), t, c, s0);
    x1 = decode_step<kSmallMap>(x1, _mm256_cvtepu16_epi32(_mm256_extracti128_si256(b01, 1)), t, c,
                                s1);
    x2 = decode_step<kSmallMap>(x2, _mm256_cvtepu16_epi32(_mm256_castsi256_si128(b23)), t, c, s2);
    x3 = decode_step<kSmallMap>(x3, _mm256_cvtepu16_epi32(_mm256_extracti128_si256(b23, 1)), t, c,
                                s3);
    x0 = rans_avx2::renormalize(x0, p);
    x1 = rans_avx2::renormalize(x1, p);
    x2 = rans_avx2::renormalize(x2, p);
    x3 = rans_avx2::renormalize(x3, p);
    // z < 2^16, so the unsigned packs keep it; they interleave 128-bit halves, the permute undoes
    // it.
    const __m256i z01 = _mm256_permute4x64_epi64(_mm256_packus_epi32(s0, s1), 0xD8);
    const __m256i z23 = _mm256_permute4x64_epi64(_mm256_packus_epi32(s2, s3), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i), restore(b01, z01));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i + 32), restore(b23, z23));
    const uint32_t escaped =
        escapes(s0, c) | escapes(s1, c) << 8 | escapes(s2, c) << 16 | escapes(s3, c) << 24;
    if (escaped != 0) [[unlikely]] {
      // The few large moves (about 2% of a fine-tune's elements) are redone one by one, in
      // element order for their raw bits, over what the vector code stored.
      alignas(32) uint32_t z[kLanes];
      _mm256_store_si256(reinterpret_cast<__m256i*>(z), s0);
      _mm256_store_si256(reinterpret_cast<__m256i*>(z + 8), s1);
      _mm256_store_si256(reinterpret_cast<__m256i*>(z + 16), s2);
      _mm256_store_si256(reinterpret_cast<__m256i*>(z + 24), s3);
      for (uint32_t left = escaped; left != 0; left &= left - 1) {
        const size_t j = i + static_cast<size_t>(__builtin_ctz(left));
        uint16_t b;
        std::memcpy(&b, ref + 2 * j, 2);
        const auto move = static_cast<uint16_t>(unbucket(z[j - i], buckets, raw));
        const uint16_t v = from_ordered(static_cast<uint16_t>(ordered(b) + unzigzag(move)));
        std::memcpy(out + 2 * j, &v, 2);
      }
    }
    i += kLanes;
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedTables& t, Buckets buckets,
                                          uint32_t (&x)[kLanes], const uint8_t*& p,
                                          const uint8_t* end, const uint8_t* ref, uint8_t* out,
                                          size_t n, RawBits& raw) {
  return t.small_map ? decode_groups<true>(t, buckets, x, p, end, ref, out, n, raw)
                     : decode_groups<false>(t, buckets, x, p, end, ref, out, n, raw);
}

}  // namespace lcl::delta_format
#endif
