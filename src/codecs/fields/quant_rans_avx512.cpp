// AVX-512 coder of wide fields (quant_rans_simd.hpp): 32 states in two vectors. The decoder
// gathers each lane's slot from the flat decode table (symbol, offset and frequency in one dword,
// as the portable loop reads it), the encoder each symbol's packed coding entry. Refill and
// emission are rans_avx512.hpp's.

#include "codecs/fields/quant_rans_simd.hpp"
#include "entropy/rans_avx512.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant::field_simd {

namespace {

struct Constants {
  __m512i slot_mask, low8, low12, one;
  __m128i shift;
};

// One decode step of 16 lanes: symbols i .. i + 15 from the states x (renormalised after).
LCL_AVX512_KERNEL inline void step(const Constants& c, const uint32_t* slots,
                                   const uint8_t* contexts, uint16_t* symbols, size_t i,
                                   __m512i& x) {
  const __m512i slot = _mm512_and_si512(x, c.slot_mask);
  __m512i index = slot;
  if (contexts != nullptr) {
    const __m512i context =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(contexts + i)));
    index = _mm512_or_si512(index, _mm512_sll_epi32(context, c.shift));
  }
  const __m512i e = _mm512_i32gather_epi32(index, slots, 4);
  const __m512i freq = _mm512_add_epi32(_mm512_srli_epi32(e, 20), c.one);
  const __m512i offset = _mm512_and_si512(_mm512_srli_epi32(e, 8), c.low12);
  x = _mm512_add_epi32(_mm512_mullo_epi32(freq, _mm512_srl_epi32(x, c.shift)), offset);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(symbols + i),
                      _mm512_cvtepi32_epi16(_mm512_and_si512(e, c.low8)));
}

}  // namespace

LCL_AVX512_KERNEL size_t decode_wide_avx512(const uint32_t* slots, uint32_t precision,
                                            const uint8_t* contexts, uint16_t* symbols,
                                            size_t first, size_t n, uint32_t (&xs)[kLanes],
                                            const uint8_t*& p_ref, const uint8_t* end) {
  Constants c;
  c.slot_mask = _mm512_set1_epi32(static_cast<int>((1u << precision) - 1));
  c.low8 = _mm512_set1_epi32(0xFF);
  c.low12 = _mm512_set1_epi32(0xFFF);
  c.one = _mm512_set1_epi32(1);
  c.shift = _mm_cvtsi32_si128(static_cast<int>(precision));
  __m512i x0 = _mm512_loadu_si512(xs), x1 = _mm512_loadu_si512(xs + 16);
  const uint8_t* p = p_ref;
  size_t i = first;
  for (; n - i >= kLanes && end - p >= 2 * kLanes; i += kLanes) {
    step(c, slots, contexts, symbols, i, x0);
    step(c, slots, contexts, symbols, i + 16, x1);
    rans_avx512::refill2(x0, x1, p);
  }
  _mm512_storeu_si512(xs, x0);
  _mm512_storeu_si512(xs + 16, x1);
  p_ref = p;
  return i - first;
}

namespace {

// Codes symbols i .. i + 15 into the states x (emitted words in lane order just below w).
LCL_AVX512_KERNEL inline void encode_vector(const rans_avx512::EncodeConstants& c,
                                            const uint64_t* entries, __m512i alphabet,
                                            const uint16_t* symbols, const uint8_t* contexts,
                                            size_t i, __m512i& x, uint16_t*& w) {
  __m512i index =
      _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(symbols + i)));
  if (contexts != nullptr) {
    const __m512i context =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(contexts + i)));
    index = _mm512_add_epi32(index, _mm512_mullo_epi32(context, alphabet));
  }
  __m512i reciprocal, packed;
  rans_avx512::gather_entries(entries, index, reciprocal, packed);
  rans_avx512::encode_packed_step(c, reciprocal, packed, 0xFFFF, x, w);
}

}  // namespace

LCL_AVX512_KERNEL void encode_wide_avx512(const uint64_t* entries, uint32_t alphabet,
                                          uint32_t precision, const uint16_t* symbols,
                                          const uint8_t* contexts, size_t groups,
                                          uint32_t (&xs)[kLanes], uint16_t*& w_ref) {
  const rans_avx512::EncodeConstants c = rans_avx512::encode_constants(precision);
  const __m512i alphabet_vector = _mm512_set1_epi32(static_cast<int>(alphabet));
  __m512i x0 = _mm512_loadu_si512(xs), x1 = _mm512_loadu_si512(xs + 16);
  uint16_t* w = w_ref;
  for (size_t g = groups; g-- > 0;) {
    // Lanes 16-31 first: the decoder reads lanes 0-15's words first.
    encode_vector(c, entries, alphabet_vector, symbols, contexts, kLanes * g + 16, x1, w);
    encode_vector(c, entries, alphabet_vector, symbols, contexts, kLanes * g, x0, w);
  }
  _mm512_storeu_si512(xs, x0);
  _mm512_storeu_si512(xs + 16, x1);
  w_ref = w;
}

}  // namespace lcl::quant::field_simd
