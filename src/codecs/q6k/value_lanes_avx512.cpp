// AVX-512 kernels of the value lanes (value_lanes_simd.hpp): the 64 lanes as four vectors of 16
// states, vector v holding group 4s + v of step s. A lane's table is its group's after-table, or
// the next one before the anchor; the decoder gathers each lane's 32-bit slot from the flat decode
// rows (symbol, offset and frequency in one dword), the encoder each lane's 64-bit coding entry.
// The anchor's lane is masked out of every update. Refill and emission are rans_avx512.hpp's.

#include "codecs/q6k/value_lanes_simd.hpp"
#include "entropy/rans_avx512.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::value_lanes {

namespace {

// Lanes before the anchor and lanes other than it, for a group's 16 lanes.
inline __mmask16 before_mask(uint32_t position) {
  return static_cast<__mmask16>((1u << position) - 1);
}
inline __mmask16 active_mask(uint32_t position) {
  return static_cast<__mmask16>(~(1u << position));
}

struct DecodeConstants {
  __m512i slot_mask, table_stride, low8, low12, one, largest;
  __m128i precision;
  uint32_t precision_bits;
};

// Decodes group g's 16 lanes into x and stores its 16 values; returns the lanes above 63.
LCL_AVX512_KERNEL inline __mmask16 decode_group(const DecodeConstants& c, const uint32_t* slots,
                                                const Groups& groups, size_t g, __m512i& x,
                                                uint8_t* values) {
  const uint32_t position = groups.positions[g];
  const __mmask16 before = before_mask(position);
  const __mmask16 active = active_mask(position);
  __m512i base =
      _mm512_set1_epi32(static_cast<int>(uint32_t{groups.tables[g]} << c.precision_bits));
  base = _mm512_mask_add_epi32(base, before, base, c.table_stride);
  const __m512i slot = _mm512_and_si512(x, c.slot_mask);
  const __m512i e = _mm512_i32gather_epi32(_mm512_or_si512(base, slot), slots, 4);
  const __m512i freq = _mm512_add_epi32(_mm512_srli_epi32(e, 20), c.one);
  const __m512i offset = _mm512_and_si512(_mm512_srli_epi32(e, 8), c.low12);
  x = _mm512_mask_add_epi32(x, active, _mm512_mullo_epi32(freq, _mm512_srl_epi32(x, c.precision)),
                            offset);
  const __m512i value = _mm512_add_epi32(_mm512_maskz_and_epi32(active, e, c.low8),
                                         _mm512_set1_epi32(groups.minima[g]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(values + g * 16), _mm512_cvtepi32_epi8(value));
  return _mm512_cmpgt_epu32_mask(value, c.largest);
}

}  // namespace

LCL_AVX512_KERNEL size_t decode_steps_avx512(const uint32_t* slots, const Groups& groups,
                                             size_t steps, uint32_t precision,
                                             uint32_t (&xs)[kLanes], const uint8_t*& p_ref,
                                             const uint8_t* end, uint8_t* values,
                                             bool& consistent) {
  DecodeConstants c;
  c.slot_mask = _mm512_set1_epi32(static_cast<int>((1u << precision) - 1));
  c.table_stride = _mm512_set1_epi32(static_cast<int>(1u << precision));
  c.low8 = _mm512_set1_epi32(0xFF);
  c.low12 = _mm512_set1_epi32(0xFFF);
  c.one = _mm512_set1_epi32(1);
  c.largest = _mm512_set1_epi32(63);
  c.precision = _mm_cvtsi32_si128(static_cast<int>(precision));
  c.precision_bits = precision;
  __m512i x0, x1, x2, x3;
  rans_avx512::load_states(xs, x0, x1, x2, x3);
  const uint8_t* p = p_ref;
  __mmask16 above_63 = 0;
  size_t step = 0;
  // One step refills at most 64 words; each refill loads 32 bytes at its p.
  for (; step < steps && end - p >= 4 * 32; ++step) {
    const size_t g = 4 * step;
    above_63 |= decode_group(c, slots, groups, g, x0, values);
    above_63 |= decode_group(c, slots, groups, g + 1, x1, values);
    above_63 |= decode_group(c, slots, groups, g + 2, x2, values);
    above_63 |= decode_group(c, slots, groups, g + 3, x3, values);
    rans_avx512::refill4(x0, x1, x2, x3, p);
  }
  rans_avx512::store_states(xs, x0, x1, x2, x3);
  p_ref = p;
  if (above_63) consistent = false;
  return step;
}

namespace {

struct EncodeConstants {
  __m512i symbols;
  rans_avx512::EncodeConstants rans;
};

// Codes group g's 16 values into x, storing the emitted words in lane order just below w.
LCL_AVX512_KERNEL inline void encode_group(const EncodeConstants& c, const uint64_t* entries,
                                           const Groups& groups, const uint8_t* values, size_t g,
                                           __m512i& x, uint16_t*& w) {
  const uint32_t position = groups.positions[g];
  const __mmask16 before = before_mask(position);
  const __m512i v =
      _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(values + g * 16)));
  // Entry index: table * 64 + residual, the next table before the anchor.
  __m512i index =
      _mm512_add_epi32(_mm512_sub_epi32(v, _mm512_set1_epi32(groups.minima[g])),
                       _mm512_set1_epi32(static_cast<int>(uint32_t{groups.tables[g]} * kSymbols)));
  index = _mm512_mask_add_epi32(index, before, index, c.symbols);
  __m512i reciprocal, packed;
  rans_avx512::gather_entries(entries, index, reciprocal, packed);
  rans_avx512::encode_packed_step(c.rans, reciprocal, packed, active_mask(position), x, w);
}

}  // namespace

LCL_AVX512_KERNEL void encode_steps_avx512(const uint64_t* entries, const Groups& groups,
                                           const uint8_t* values, size_t steps, uint32_t precision,
                                           uint32_t (&xs)[kLanes], uint16_t*& w_ref) {
  EncodeConstants c;
  c.symbols = _mm512_set1_epi32(static_cast<int>(kSymbols));
  c.rans = rans_avx512::encode_constants(precision);
  __m512i x0, x1, x2, x3;
  rans_avx512::load_states(xs, x0, x1, x2, x3);
  uint16_t* w = w_ref;
  for (size_t step = steps; step-- > 0;) {
    const size_t g = 4 * step;
    // Reverse lane order: the decoder reads vector 0's words first.
    encode_group(c, entries, groups, values, g + 3, x3, w);
    encode_group(c, entries, groups, values, g + 2, x2, w);
    encode_group(c, entries, groups, values, g + 1, x1, w);
    encode_group(c, entries, groups, values, g, x0, w);
  }
  rans_avx512::store_states(xs, x0, x1, x2, x3);
  w_ref = w;
}

}  // namespace lcl::quant::value_lanes
