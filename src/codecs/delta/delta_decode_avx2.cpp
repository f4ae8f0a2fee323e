// The delta decoder's AVX2 kernel for 16-bit elements: the 32 lanes as four vectors of 8 states.
// It works in blocks of whole groups, in three passes that keep the state loop short and its
// constants in registers: the first slot of each element's table from its base element's exponent
// (16 elements per vector); the rANS steps, whose packed slots come by scalar loads; then the
// elements restored with 16-bit vector arithmetic and the rare escapes redone with their raw bits,
// in element order.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "codecs/delta/delta_decode_kernel.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

// Groups per block: the block's first slots and packed slots (8 KiB) stay in L1.
constexpr size_t kBlockGroups = 32;
constexpr size_t kBlock = kBlockGroups * kLanes;

// Pass 1: the first slot of each of the m elements' tables (m a multiple of 16).
LCL_AVX2_KERNEL void first_slots_small_map(const PackedTables& t, const uint8_t* ref, size_t m,
                                           uint32_t* first) {
  const __m256i map_low =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.map)));
  const __m256i map_high =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.map + 16)));
  const __m256i context_mask = _mm256_set1_epi16(static_cast<short>(t.contexts - 1));
  const __m256i map_first = _mm256_set1_epi16(static_cast<short>(t.map_first));
  const __m256i map_middle = _mm256_set1_epi16(static_cast<short>(t.map_first + 16));
  const __m256i to_index = _mm256_set1_epi16(static_cast<short>(0xFF70));
  const __m128i mantissa = _mm_cvtsi32_si128(static_cast<int>(t.mantissa_bits));
  const __m128i precision = _mm_cvtsi32_si128(static_cast<int>(t.precision_bits));
  for (size_t j = 0; j < m; j += 16) {
    // The base is read once, from memory: ask for it a block ahead.
    _mm_prefetch(reinterpret_cast<const char*>(ref + 2 * (j + kBlock)), _MM_HINT_T0);
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ref + 2 * j));
    const __m256i context = _mm256_and_si256(_mm256_srl_epi16(b, mantissa), context_mask);
    // A map half's shuffle index: the offset d from its first context plus 0xFF70, saturated.
    // d < 16 gives bytes FF and 70 + d (the high byte reads 0, the low one entry d); any other d
    // (below the first context it wraps) gives a low byte of at least 80: both read 0.
    const __m256i low_index = _mm256_adds_epu16(_mm256_sub_epi16(context, map_first), to_index);
    const __m256i high_index = _mm256_adds_epu16(_mm256_sub_epi16(context, map_middle), to_index);
    const __m256i table = _mm256_or_si256(_mm256_shuffle_epi8(map_low, low_index),
                                          _mm256_shuffle_epi8(map_high, high_index));
    const __m256i low8 = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(table));
    const __m256i high8 = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(table, 1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(first + j), _mm256_sll_epi32(low8, precision));
    _mm256_store_si256(reinterpret_cast<__m256i*>(first + j + 8),
                       _mm256_sll_epi32(high8, precision));
  }
}

void first_slots_any(const PackedTables& t, const uint8_t* ref, size_t m, uint32_t* first) {
  for (size_t j = 0; j < m; ++j) {
    uint16_t b;
    std::memcpy(&b, ref + 2 * j, 2);
    first[j] = t.first_slot[(b >> t.mantissa_bits) & (t.contexts - 1)];
  }
}

struct StepConstants {
  __m256i slot_mask, field12;
  __m128i precision;
};

// Pass 2, one vector: the lanes' slots (kept for pass 3) and the new states.
LCL_AVX2_KERNEL inline __m256i decode_step(__m256i x, const uint32_t* first, const uint32_t* slots,
                                           const StepConstants& c, uint32_t* slot_out) {
  const __m256i index = _mm256_add_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(first)),
                                         _mm256_and_si256(x, c.slot_mask));
  const __m256i slot = rans_avx2::load_lanes(slots, index);
  _mm256_store_si256(reinterpret_cast<__m256i*>(slot_out), slot);
  // freq * q + offset as (freq - 1) * q + (q + offset): the field needs no add on the chain.
  const __m256i q = _mm256_srl_epi32(x, c.precision);
  const __m256i freq_less_one = _mm256_and_si256(slot, c.field12);
  const __m256i q_offset = _mm256_add_epi32(q, _mm256_srli_epi32(slot, 20));
  return _mm256_add_epi32(_mm256_mullo_epi32(freq_less_one, q), q_offset);
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

// The index of the lowest set bit; 32 for none.
inline uint32_t lowest(uint32_t mask) {
  return static_cast<uint32_t>(__builtin_ctzll(mask | uint64_t{1} << 32));
}

// Pass 3: the m elements (a multiple of 32) from their slots; the large moves (about 2% of a
// fine-tune's elements) are listed, then redone one by one in element order for their raw bits.
LCL_AVX2_KERNEL void restore_block(const uint32_t* slots, const uint8_t* ref, uint8_t* out,
                                   size_t m, Buckets buckets, RawBits& raw) {
  const __m256i byte = _mm256_set1_epi32(0xFF);
  const __m256i last_exact = _mm256_set1_epi16(static_cast<short>((1u << buckets.k) - 1));
  uint16_t escapes[kBlock + 2];
  size_t count = 0;
  for (size_t j = 0; j < m; j += 32) {
    uint32_t mask = 0;
    for (size_t h = 0; h < 32; h += 16) {
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ref + 2 * (j + h)));
      const __m256i s0 = _mm256_and_si256(
          _mm256_srli_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(slots + j + h)), 12),
          byte);
      const __m256i s1 = _mm256_and_si256(
          _mm256_srli_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(slots + j + h + 8)),
                            12),
          byte);
      // z < 2^8, so the unsigned pack keeps it; it interleaves 128-bit halves, the permute undoes
      // it.
      const __m256i z = _mm256_permute4x64_epi64(_mm256_packus_epi32(s0, s1), 0xD8);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * (j + h)), restore(b, z));
      const auto bytes =
          static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi16(z, last_exact)));
      mask |= _pext_u32(bytes, 0x55555555u) << h;
    }
    // Most groups hold at most two large moves: they are listed without a branch (a branch per
    // move mispredicts), the rare others one by one.
    const uint32_t second = mask & (mask - 1);
    escapes[count] = static_cast<uint16_t>(j + lowest(mask));
    escapes[count + 1] = static_cast<uint16_t>(j + lowest(second));
    const auto total = static_cast<uint32_t>(_mm_popcnt_u32(mask));
    if (total > 2) [[unlikely]] {
      size_t at = count + 2;
      for (uint32_t left = second & (second - 1); left != 0; left &= left - 1)
        escapes[at++] = static_cast<uint16_t>(j + lowest(left));
    }
    count += total;
  }
  RawBits bits = raw;  // a local copy: the byte stores to out could alias the caller's
  for (size_t e = 0; e < count; ++e) {
    const size_t j = escapes[e];
    uint16_t b;
    std::memcpy(&b, ref + 2 * j, 2);
    const auto move = static_cast<uint16_t>(unbucket(slots[j] >> 12 & 0xFF, buckets, bits));
    const uint16_t v = from_ordered(static_cast<uint16_t>(ordered(b) + unzigzag(move)));
    std::memcpy(out + 2 * j, &v, 2);
  }
  raw = bits;
}

template <bool kSmallMap>
LCL_AVX2_KERNEL size_t decode_groups(const PackedTables& t, Buckets buckets, uint32_t (&xs)[kLanes],
                                     const uint8_t*& p_ref, const uint8_t* end, const uint8_t* ref,
                                     uint8_t* out, size_t n, RawBits& raw) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  alignas(32) uint32_t first[kBlock];
  alignas(32) uint32_t slot_of[kBlock];
  const StepConstants c{_mm256_set1_epi32((1 << t.precision_bits) - 1), _mm256_set1_epi32(0xFFF),
                        _mm_cvtsi32_si128(static_cast<int>(t.precision_bits))};
  const uint32_t* const slots = t.slots.data();
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  const uint8_t* p = p_ref;  // a local, so the stores of the elements cannot alias it
  size_t i = 0;
  // A group reads at most 2 * kLanes bytes; each vector's 16-byte load stays inside them.
  while (n - i >= kLanes && end - p >= 2 * kLanes) {
    const size_t m = std::min((n - i) / kLanes, kBlockGroups) * kLanes;
    if constexpr (kSmallMap)
      first_slots_small_map(t, ref + 2 * i, m, first);
    else
      first_slots_any(t, ref + 2 * i, m, first);
    size_t g = 0;
    for (; g < m && end - p >= 2 * kLanes; g += kLanes) {
      x0 = decode_step(x0, first + g, slots, c, slot_of + g);
      x1 = decode_step(x1, first + g + 8, slots, c, slot_of + g + 8);
      x2 = decode_step(x2, first + g + 16, slots, c, slot_of + g + 16);
      x3 = decode_step(x3, first + g + 24, slots, c, slot_of + g + 24);
      x0 = rans_avx2::renormalize(x0, p);
      x1 = rans_avx2::renormalize(x1, p);
      x2 = rans_avx2::renormalize(x2, p);
      x3 = rans_avx2::renormalize(x3, p);
    }
    restore_block(slot_of, ref + 2 * i, out + 2 * i, g, buckets, raw);
    i += g;
  }
  p_ref = p;
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace

LCL_AVX2_KERNEL void pack_slots_avx2(const uint32_t* freq, size_t alphabet, uint32_t* slots) {
  const __m256i offsets =
      _mm256_setr_epi32(0, 1 << 20, 2 << 20, 3 << 20, 4 << 20, 5 << 20, 6 << 20, 7 << 20);
  const __m256i eight = _mm256_set1_epi32(8 << 20);
  uint32_t* at = slots;
  for (uint32_t s = 0; s < alphabet; ++s) {
    const uint32_t f = freq[s];
    if (f == 0) continue;
    __m256i v = _mm256_or_si256(_mm256_set1_epi32(static_cast<int>((f - 1) | s << 12)), offsets);
    for (uint32_t j = 0; j < f; j += 8, v = _mm256_add_epi32(v, eight))
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(at + j), v);
    at += f;
  }
}

LCL_AVX2_KERNEL size_t decode_groups_avx2(const PackedTables& t, Buckets buckets,
                                          uint32_t (&x)[kLanes], const uint8_t*& p,
                                          const uint8_t* end, const uint8_t* ref, uint8_t* out,
                                          size_t n, RawBits& raw) {
  return t.small_map ? decode_groups<true>(t, buckets, x, p, end, ref, out, n, raw)
                     : decode_groups<false>(t, buckets, x, p, end, ref, out, n, raw);
}

}  // namespace lcl::delta_format
#endif
