// AVX-512 kernels of the nibble lanes (nibble_lanes_simd.hpp). The 64 lanes are four vectors of
// 16 states: vectors 0 and 1 hold group 2p's values 0-15 and 16-31, vectors 2 and 3 group 2p+1's,
// so each vector codes with one context's 32 table entries, held in two registers and indexed by
// vpermt2d (no gathers). The decoder finds a lane's symbol among the entries' cumulative
// frequencies (decode_vector); values before the anchor index the upper 16 entries, the
// anchor's lane is masked out of every update. Refill and emission are rans_avx512.hpp's, shared
// with the float kernels: words in lane order, vector 0's first in the stream.

#include <bit>

#include "codecs/q4k/nibble_lanes_simd.hpp"
#include "entropy/rans_avx512.hpp"
#include "entropy/rans_tables.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::nibble_lanes {

namespace {

struct DecodeConstants {
  __m512i slot_mask, low16, sixteen, fifteen, one, two, three, four;
  __m128i precision;
};

// A group context's tables as the search uses them: the entries in two registers, and the
// entries at 4, 8 and 12 of both tables (after the anchor, before it) as broadcast constants.
struct SearchTables {
  __m512i lo, hi;
  __m512i quarter_after[3], quarter_before[3];
};

LCL_AVX512_KERNEL inline SearchTables search_tables(const DecodeEntries& e) {
  SearchTables t;
  t.lo = _mm512_load_si512(e.entry);
  t.hi = _mm512_load_si512(e.entry + 16);
  for (int q = 0; q < 3; ++q) {
    t.quarter_after[q] = _mm512_set1_epi32(static_cast<int>(e.entry[4 * (q + 1)]));
    t.quarter_before[q] = _mm512_set1_epi32(static_cast<int>(e.entry[16 + 4 * (q + 1)]));
  }
  return t;
}

// Decodes one vector of 16 lanes with its group context's tables; returns the residuals (0 in
// the anchor's lane). before: lanes ahead of the anchor; active: all but it.
// The symbol is the last whose cum is <= the slot, found in two rounds of three independent
// comparisons (the quarter, then the symbol within it) rather than a 4-step binary search: the
// lanes' states chain from pair to pair, so the search's latency, not its operation count, bounds
// the loop.
LCL_AVX512_KERNEL inline __m512i decode_vector(const DecodeConstants& c, const SearchTables& t,
                                               __m512i& x, __mmask16 before, __mmask16 active) {
  const __m512i slot = _mm512_and_si512(x, c.slot_mask);
  // entry = cum << 16 | freq, so entry <= slot << 16 | 0xFFFF exactly when cum <= slot. (The
  // zero-masked shift with every lane set is the plain shift; GCC 12 at -O1 warns that the plain
  // intrinsic's undefined pass-through is used uninitialized here.)
  const __m512i key = _mm512_or_si512(_mm512_maskz_slli_epi32(0xFFFF, slot, 16), c.low16);
  __m512i k = _mm512_maskz_mov_epi32(before, c.sixteen);
  __mmask16 reached[3];
  for (int q = 0; q < 3; ++q)
    reached[q] = _mm512_cmple_epu32_mask(
        _mm512_mask_blend_epi32(before, t.quarter_after[q], t.quarter_before[q]), key);
  for (int q = 0; q < 3; ++q) k = _mm512_mask_add_epi32(k, reached[q], k, c.four);
  const __m512i steps[3] = {c.one, c.two, c.three};
  for (int s = 0; s < 3; ++s)
    reached[s] = _mm512_cmple_epu32_mask(
        _mm512_permutex2var_epi32(t.lo, _mm512_add_epi32(k, steps[s]), t.hi), key);
  for (int s = 0; s < 3; ++s) k = _mm512_mask_add_epi32(k, reached[s], k, c.one);
  const __m512i e = _mm512_permutex2var_epi32(t.lo, k, t.hi);
  const __m512i freq = _mm512_and_si512(e, c.low16);
  const __m512i cum = _mm512_srli_epi32(e, 16);
  const __m512i scaled =
      _mm512_add_epi32(_mm512_mullo_epi32(freq, _mm512_srl_epi32(x, c.precision)), slot);
  x = _mm512_mask_sub_epi32(x, active, scaled, cum);
  return _mm512_maskz_and_epi32(active, k, c.fifteen);
}

// Lanes before the anchor and lanes other than it, for a group's 32 lanes.
inline uint32_t before_mask(uint32_t position) {
  return (1u << position) - 1;
}
inline uint32_t active_mask(uint32_t position) {
  return ~(1u << position);
}

}  // namespace

LCL_AVX512_KERNEL size_t decode_pairs_avx512(const DecodeEntries* entries, const Groups& groups,
                                             size_t pairs, uint32_t precision,
                                             uint32_t (&xs)[kLanes], const uint8_t*& p_ref,
                                             const uint8_t* end, uint8_t* out,
                                             uint32_t pairs_per_row, size_t row_stride,
                                             bool& consistent) {
  DecodeConstants c;
  c.slot_mask = _mm512_set1_epi32(static_cast<int>((1u << precision) - 1));
  c.low16 = _mm512_set1_epi32(0xFFFF);
  c.sixteen = _mm512_set1_epi32(16);
  c.fifteen = _mm512_set1_epi32(15);
  c.one = _mm512_set1_epi32(1);
  c.two = _mm512_set1_epi32(2);
  c.three = _mm512_set1_epi32(3);
  c.four = _mm512_set1_epi32(4);
  c.precision = _mm_cvtsi32_si128(static_cast<int>(precision));
  __m512i x0, x1, x2, x3;
  rans_avx512::load_states(xs, x0, x1, x2, x3);
  const uint8_t* p = p_ref;
  __mmask16 above_15 = 0;
  size_t pair = 0;
  uint8_t* row = out;
  uint32_t in_row = 0;
  // One pair refills at most 64 words; each refill loads 32 bytes at its p.
  for (; pair < pairs && end - p >= 4 * 32; ++pair) {
    const size_t ga = 2 * pair, gb = ga + 1;
    const SearchTables a = search_tables(entries[groups.contexts[ga]]);
    const SearchTables b = search_tables(entries[groups.contexts[gb]]);
    const uint32_t before_a = before_mask(groups.positions[ga]);
    const uint32_t active_a = active_mask(groups.positions[ga]);
    const uint32_t before_b = before_mask(groups.positions[gb]);
    const uint32_t active_b = active_mask(groups.positions[gb]);
    const __m512i r0 =
        decode_vector(c, a, x0, static_cast<__mmask16>(before_a), static_cast<__mmask16>(active_a));
    const __m512i r1 = decode_vector(c, a, x1, static_cast<__mmask16>(before_a >> 16),
                                     static_cast<__mmask16>(active_a >> 16));
    const __m512i r2 =
        decode_vector(c, b, x2, static_cast<__mmask16>(before_b), static_cast<__mmask16>(active_b));
    const __m512i r3 = decode_vector(c, b, x3, static_cast<__mmask16>(before_b >> 16),
                                     static_cast<__mmask16>(active_b >> 16));
    // Residual + minimum can pass 15 only in a damaged stream, and only where a minimum is not 0
    // (quantizers put 0 in every group); checked there, the minima are then added to both
    // nibbles of a byte at once.
    const uint32_t min_a = groups.minima[ga], min_b = groups.minima[gb];
    if ((min_a | min_b) != 0) [[unlikely]] {
      const __m512i limit_a = _mm512_set1_epi32(static_cast<int>(15 - min_a));
      const __m512i limit_b = _mm512_set1_epi32(static_cast<int>(15 - min_b));
      above_15 |= _mm512_cmpgt_epu32_mask(r0, limit_a) | _mm512_cmpgt_epu32_mask(r1, limit_a) |
                  _mm512_cmpgt_epu32_mask(r2, limit_b) | _mm512_cmpgt_epu32_mask(r3, limit_b);
    }
    const __m512i minima = _mm512_set1_epi32(static_cast<int>(min_a | min_b << 4));
    uint8_t* dst = row + in_row * 32;
    if (++in_row == pairs_per_row) {
      in_row = 0;
      row += row_stride;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst),
                     _mm512_cvtepi32_epi8(
                         _mm512_add_epi32(_mm512_or_si512(r0, _mm512_slli_epi32(r2, 4)), minima)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16),
                     _mm512_cvtepi32_epi8(
                         _mm512_add_epi32(_mm512_or_si512(r1, _mm512_slli_epi32(r3, 4)), minima)));
    rans_avx512::refill4(x0, x1, x2, x3, p);
  }
  rans_avx512::store_states(xs, x0, x1, x2, x3);
  p_ref = p;
  if (above_15) consistent = false;
  return pair;
}

namespace {

struct EncodeConstants {
  __m512i sixteen;
  rans_avx512::EncodeConstants rans;
};

// Codes the residuals r of 16 lanes into x (entropy::encode_step per active lane), storing the
// emitted words in lane order just below w.
LCL_AVX512_KERNEL inline void encode_vector(const EncodeConstants& c, const EncodeEntries& e,
                                            __m512i r, __mmask16 before, __mmask16 active,
                                            __m512i& x, uint16_t*& w) {
  const __m512i index = _mm512_mask_add_epi32(r, before, r, c.sixteen);
  const __m512i reciprocal = _mm512_permutex2var_epi32(_mm512_load_si512(e.reciprocal), index,
                                                       _mm512_load_si512(e.reciprocal + 16));
  const __m512i packed = _mm512_permutex2var_epi32(_mm512_load_si512(e.packed), index,
                                                   _mm512_load_si512(e.packed + 16));
  rans_avx512::encode_packed_step(c.rans, reciprocal, packed, active, x, w);
}

}  // namespace

LCL_AVX512_KERNEL void encode_pairs_avx512(const EncodeEntries* entries, const Groups& groups,
                                           const uint8_t* packed, size_t pairs, uint32_t precision,
                                           uint32_t (&xs)[kLanes], uint16_t*& w_ref) {
  EncodeConstants c;
  c.sixteen = _mm512_set1_epi32(16);
  c.rans = rans_avx512::encode_constants(precision);
  const __m512i low_nibble = _mm512_set1_epi32(15);
  __m512i x0, x1, x2, x3;
  rans_avx512::load_states(xs, x0, x1, x2, x3);
  uint16_t* w = w_ref;
  for (size_t pair = pairs; pair-- > 0;) {
    const size_t ga = 2 * pair, gb = ga + 1;
    const uint8_t* bytes = packed + pair * 32;
    const __m512i low =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes)));
    const __m512i high =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16)));
    const __m512i min_a = _mm512_set1_epi32(groups.minima[ga]);
    const __m512i min_b = _mm512_set1_epi32(groups.minima[gb]);
    const __m512i r0 = _mm512_sub_epi32(_mm512_and_si512(low, low_nibble), min_a);
    const __m512i r1 = _mm512_sub_epi32(_mm512_and_si512(high, low_nibble), min_a);
    const __m512i r2 = _mm512_sub_epi32(_mm512_srli_epi32(low, 4), min_b);
    const __m512i r3 = _mm512_sub_epi32(_mm512_srli_epi32(high, 4), min_b);
    const EncodeEntries& ea = entries[groups.contexts[ga]];
    const EncodeEntries& eb = entries[groups.contexts[gb]];
    const uint32_t before_a = before_mask(groups.positions[ga]);
    const uint32_t active_a = active_mask(groups.positions[ga]);
    const uint32_t before_b = before_mask(groups.positions[gb]);
    const uint32_t active_b = active_mask(groups.positions[gb]);
    // Reverse lane order: the decoder reads vector 0's words first.
    encode_vector(c, eb, r3, static_cast<__mmask16>(before_b >> 16),
                  static_cast<__mmask16>(active_b >> 16), x3, w);
    encode_vector(c, eb, r2, static_cast<__mmask16>(before_b), static_cast<__mmask16>(active_b), x2,
                  w);
    encode_vector(c, ea, r1, static_cast<__mmask16>(before_a >> 16),
                  static_cast<__mmask16>(active_a >> 16), x1, w);
    encode_vector(c, ea, r0, static_cast<__mmask16>(before_a), static_cast<__mmask16>(active_a), x0,
                  w);
  }
  rans_avx512::store_states(xs, x0, x1, x2, x3);
  w_ref = w;
}

LCL_AVX512_KERNEL void count_residuals_avx512(const uint8_t* packed, const Groups& groups,
                                              size_t pairs, uint32_t copy_size, uint32_t* counts) {
  // Counter indices fit in 16 bits: 8 copies of at most 128 contexts x 2 tables x 16 symbols.
  alignas(64) uint16_t lane_index[32];
  for (uint16_t j = 0; j < 32; ++j) lane_index[j] = j;
  const __m512i lanes = _mm512_load_si512(lane_index);
  // Value j's copy offset within its group's four copies.
  alignas(64) uint16_t copy_offsets[32];
  for (uint32_t j = 0; j < 32; ++j) copy_offsets[j] = static_cast<uint16_t>(j % 4 * copy_size);
  const __m512i copies = _mm512_load_si512(copy_offsets);
  const __m512i sixteen = _mm512_set1_epi16(16), low_nibble = _mm512_set1_epi16(15);
  alignas(64) uint16_t index[64];
  for (size_t pair = 0; pair < pairs; ++pair) {
    const size_t ga = 2 * pair, gb = ga + 1;
    const __m512i bytes = _mm512_cvtepu8_epi16(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(packed + pair * 32)));
    // Values are at least their group's minimum, so the residuals stay inside their table.
    const __m512i base_a = _mm512_add_epi16(
        copies,
        _mm512_set1_epi16(static_cast<int16_t>(groups.contexts[ga] * 32 - groups.minima[ga])));
    const __m512i base_b = _mm512_add_epi16(
        copies, _mm512_set1_epi16(static_cast<int16_t>(4 * copy_size + groups.contexts[gb] * 32 -
                                                       groups.minima[gb])));
    const __mmask32 before_a = _mm512_cmplt_epu16_mask(
        lanes, _mm512_set1_epi16(static_cast<int16_t>(groups.positions[ga])));
    const __mmask32 before_b = _mm512_cmplt_epu16_mask(
        lanes, _mm512_set1_epi16(static_cast<int16_t>(groups.positions[gb])));
    __m512i a = _mm512_add_epi16(_mm512_and_si512(bytes, low_nibble), base_a);
    __m512i b = _mm512_add_epi16(_mm512_srli_epi16(bytes, 4), base_b);
    a = _mm512_mask_add_epi16(a, before_a, a, sixteen);
    b = _mm512_mask_add_epi16(b, before_b, b, sixteen);
    _mm512_store_si512(index, a);
    _mm512_store_si512(index + 32, b);
    for (int i = 0; i < 64; ++i) ++counts[index[i]];
  }
}

}  // namespace lcl::quant::nibble_lanes
