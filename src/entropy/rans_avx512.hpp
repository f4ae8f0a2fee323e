#pragma once
// The rANS steps shared by the AVX-512 kernels (float codec, nibble lanes): 16 lanes of 32-bit
// states per vector, renormalised 16 bits at a time as entropy/rans_tables.hpp does, the words
// of a vector's lanes consecutive in the stream in lane order. Internal to the *_avx512.cpp
// files, which compile these under LCL_AVX512_KERNEL.
#include <cstdint>

#include "entropy/rans_tables.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::rans_avx512 {

// Decoder: the lanes whose state fell below 2^16 and take a word.
LCL_AVX512_KERNEL inline __mmask16 needs_word(__m512i x) {
  return _mm512_cmplt_epu32_mask(x, _mm512_set1_epi32(static_cast<int>(entropy::kStateLow)));
}

// Shifts the next words at `at` (32 readable bytes), in lane order, into the lanes of `need`.
LCL_AVX512_KERNEL inline void refill_from(__m512i& x, __mmask16 need, const uint8_t* at) {
  const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
  const __m512i words = _mm512_cvtepu16_epi32(_mm256_maskz_expand_epi16(need, next));
  x = _mm512_mask_or_epi32(x, need, _mm512_slli_epi32(x, 16), words);
}

// Refills the lanes below 2^16 with the next words, in lane order; p has 32 readable bytes.
LCL_AVX512_KERNEL inline void refill(__m512i& x, const uint8_t*& p) {
  const __mmask16 need = needs_word(x);
  refill_from(x, need, p);
  p += 2 * __builtin_popcount(need);
}

// refill of two vectors in order, the second's words at an offset from the first's popcount (not
// after the first's pointer update, which would chain the two).
LCL_AVX512_KERNEL inline void refill2(__m512i& x0, __m512i& x1, const uint8_t*& p) {
  const __mmask16 n0 = needs_word(x0), n1 = needs_word(x1);
  const uint8_t* p1 = p + 2 * __builtin_popcount(n0);
  refill_from(x0, n0, p);
  refill_from(x1, n1, p1);
  p = p1 + 2 * __builtin_popcount(n1);
}

// refill of four vectors in order, their words' offsets from the popcounts of all four need
// masks at once: refilling one vector after another made each vector's word load wait for the
// previous vector's pointer update. p has 128 readable bytes.
LCL_AVX512_KERNEL inline void refill4(__m512i& x0, __m512i& x1, __m512i& x2, __m512i& x3,
                                      const uint8_t*& p) {
  const __mmask16 n0 = needs_word(x0), n1 = needs_word(x1), n2 = needs_word(x2),
                  n3 = needs_word(x3);
  const uint8_t* p1 = p + 2 * __builtin_popcount(n0);
  const uint8_t* p2 = p1 + 2 * __builtin_popcount(n1);
  const uint8_t* p3 = p2 + 2 * __builtin_popcount(n2);
  refill_from(x0, n0, p);
  refill_from(x1, n1, p1);
  refill_from(x2, n2, p2);
  refill_from(x3, n3, p3);
  p = p3 + 2 * __builtin_popcount(n3);
}

// Loop-invariant vectors of the encoder step at one table precision (<= 14 bits).
struct EncodeConstants {
  __m512i one, thirty_two, total;
  __m128i limit_shift;
};

LCL_AVX512_KERNEL inline EncodeConstants encode_constants(uint32_t precision) {
  EncodeConstants c;
  c.one = _mm512_set1_epi32(1);
  c.thirty_two = _mm512_set1_epi32(32);
  c.total = _mm512_set1_epi32(static_cast<int>(1u << precision));
  c.limit_shift = _mm_cvtsi32_si128(static_cast<int>(16 - precision));
  return c;
}

// Encoder: entropy::encode_step on the active lanes, each with its symbol's frequency, start,
// reciprocal and shift (make_encoder_symbol's): the lanes whose state would overflow emit their
// low 16 bits, compressed into lane order and stored right below w (the caller keeps 16 words of
// room below what is written, which the full store may scribble on), then x = C(s, x) by the
// exact reciprocal multiply (its 33-bit sum kept exact with a carry mask).
LCL_AVX512_KERNEL inline void encode_step(const EncodeConstants& c, __m512i freq, __m512i start,
                                          __m512i reciprocal, __m512i shift, __mmask16 active,
                                          __m512i& x, uint16_t*& w) {
  const __mmask16 emit = _mm512_mask_cmpge_epu32_mask(active, _mm512_srli_epi32(x, 16),
                                                      _mm512_sll_epi32(freq, c.limit_shift));
  const int count = __builtin_popcount(emit);
  const __m256i words = _mm512_cvtepi32_epi16(x);
  // Compressed to the bottom in lane order, then moved to the top `count` words, so one full
  // store at w - 16 puts them right below w.
  const __m256i packed_words = _mm256_maskz_compress_epi16(emit, words);
  const __mmask16 top = static_cast<__mmask16>(0xFFFF0000u >> count);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(w - 16),
                      _mm256_maskz_expand_epi16(top, packed_words));
  w -= count;
  x = _mm512_mask_srli_epi32(x, emit, x, 16);

  // q = (x + ((x * reciprocal) >> 32)) >> shift, the sum taken to 33 bits.
  const __m512i even = _mm512_srli_epi64(_mm512_mul_epu32(x, reciprocal), 32);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(reciprocal, 32));
  const __m512i high = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  const __m512i sum = _mm512_add_epi32(x, high);
  const __mmask16 carry = _mm512_cmplt_epu32_mask(sum, x);
  __m512i q = _mm512_srlv_epi32(sum, shift);
  q = _mm512_mask_or_epi32(q, carry, q,
                           _mm512_sllv_epi32(c.one, _mm512_sub_epi32(c.thirty_two, shift)));
  const __m512i complement = _mm512_sub_epi32(c.total, freq);
  x = _mm512_mask_add_epi32(x, active, _mm512_add_epi32(x, start),
                            _mm512_mullo_epi32(q, complement));
}

// encode_step with the symbols' coding data as two dwords per lane, as the kernels keep it: the
// reciprocal, and (freq - 1) | cum << 14 | shift << 28 (precision <= 14).
LCL_AVX512_KERNEL inline void encode_packed_step(const EncodeConstants& c, __m512i reciprocal,
                                                 __m512i packed, __mmask16 active, __m512i& x,
                                                 uint16_t*& w) {
  const __m512i low14 = _mm512_set1_epi32(0x3FFF);
  const __m512i freq = _mm512_add_epi32(_mm512_and_si512(packed, low14), c.one);
  const __m512i start = _mm512_and_si512(_mm512_srli_epi32(packed, 14), low14);
  const __m512i shift = _mm512_srli_epi32(packed, 28);
  encode_step(c, freq, start, reciprocal, shift, active, x, w);
}

// The 16 lanes' 64-bit coding entries table[index] (low dword the reciprocal, high dword the
// packed fields): two 8 x 64-bit gathers, split into dwords by two permutes.
LCL_AVX512_KERNEL inline void gather_entries(const uint64_t* table, __m512i index,
                                             __m512i& reciprocal, __m512i& packed) {
  const __m512i lo = _mm512_i32gather_epi64(_mm512_castsi512_si256(index), table, 8);
  const __m512i hi = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(index, 1), table, 8);
  reciprocal = _mm512_permutex2var_epi32(
      lo, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), hi);
  packed = _mm512_permutex2var_epi32(
      lo, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), hi);
}

// The 64 states of a four-vector kernel, in and out of memory.
LCL_AVX512_KERNEL inline void load_states(const uint32_t* xs, __m512i& x0, __m512i& x1, __m512i& x2,
                                          __m512i& x3) {
  x0 = _mm512_loadu_si512(xs);
  x1 = _mm512_loadu_si512(xs + 16);
  x2 = _mm512_loadu_si512(xs + 32);
  x3 = _mm512_loadu_si512(xs + 48);
}
LCL_AVX512_KERNEL inline void store_states(uint32_t* xs, __m512i x0, __m512i x1, __m512i x2,
                                           __m512i x3) {
  _mm512_storeu_si512(xs, x0);
  _mm512_storeu_si512(xs + 16, x1);
  _mm512_storeu_si512(xs + 32, x2);
  _mm512_storeu_si512(xs + 48, x3);
}

}  // namespace lcl::rans_avx512
