#pragma once
// Internal to quant_rans_avx2.cpp and quant_rans_avx512.cpp: the wide fields' coder for L = 32 or
// 64 lanes as vectors of 8 states (quant_rans_simd.hpp), written with AVX2 intrinsics. Each file
// defines LCL_WIDE_KERNEL, the target the functions compile for, before including it: AVX2, or
// AVX-512 (the same instructions with 32 vector registers instead of 16, which the 64-lane loops'
// eight state vectors need to stay out of memory). The decoder gathers each lane's slot from the
// flat decode table (symbol, offset and frequency in one dword, as the portable loop reads it);
// refill is rans_avx2.hpp's, vector 0's words first, which is the portable loop's lane order. The
// encoder loads each symbol's packed entry (its reciprocal and its fields) by a scalar load
// (rans_avx2::load_entries, vpgatherdd is slow on Zen 3) and takes rans_avx2.hpp's encode step,
// the last vector first.
#include <immintrin.h>

#include "codecs/fields/quant_rans_simd.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

#if !defined(LCL_WIDE_KERNEL)
#error "define LCL_WIDE_KERNEL (the kernels' target attribute) before including this file"
#endif

namespace lcl::quant::field_simd {

// Internal linkage: each including file compiles its own copy for its target.
namespace {

struct Constants {
  __m256i slot_mask, low8, low12, one;
  __m128i shift;
};

// One decode step of 8 lanes from the states x: returns the lanes' symbols as 32-bit values.
LCL_WIDE_KERNEL inline __m256i step(const Constants& c, const uint32_t* slots,
                                    const uint8_t* contexts, size_t i, __m256i& x) {
  __m256i index = _mm256_and_si256(x, c.slot_mask);
  if (contexts != nullptr) {
    const __m256i context =
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(contexts + i)));
    index = _mm256_or_si256(index, _mm256_sll_epi32(context, c.shift));
  }
  const __m256i e = _mm256_i32gather_epi32(reinterpret_cast<const int*>(slots), index, 4);
  const __m256i freq = _mm256_add_epi32(_mm256_srli_epi32(e, 20), c.one);
  const __m256i offset = _mm256_and_si256(_mm256_srli_epi32(e, 8), c.low12);
  x = _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.shift)), offset);
  return _mm256_and_si256(e, c.low8);
}

// Stores two vectors of 8 symbols (each below 256) as 16 consecutive uint16.
LCL_WIDE_KERNEL inline void store_symbols(uint16_t* out, __m256i a, __m256i b) {
  // packus interleaves the 128-bit halves (a0 b0 a1 b1); the permute puts them back in order.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), packed);
}

// The decoder for L lanes (defined without an earlier declaration, so that its target attribute
// holds for its instantiations): L / 8 vectors of states.
template <int L>
LCL_WIDE_KERNEL size_t decode_wide(const uint32_t* slots, uint32_t precision,
                                   const uint8_t* contexts, uint16_t* symbols, size_t first,
                                   size_t n, uint32_t (&xs)[L], const uint8_t*& p_ref,
                                   const uint8_t* end) {
  constexpr int kVectors = L / 8;
  Constants c;
  c.slot_mask = _mm256_set1_epi32(static_cast<int>((1u << precision) - 1));
  c.low8 = _mm256_set1_epi32(0xFF);
  c.low12 = _mm256_set1_epi32(0xFFF);
  c.one = _mm256_set1_epi32(1);
  c.shift = _mm_cvtsi32_si128(static_cast<int>(precision));
  __m256i x[kVectors];
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    x[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8 * v));
  const uint8_t* p = p_ref;
  size_t i = first;
  // A group reads at most 2 * L bytes; the last vector's refill loads 16 bytes at most
  // 2 * L - 16 in.
  for (; n - i >= L && end - p >= 2 * L; i += L) {
    __m256i s[kVectors];
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) s[v] = step(c, slots, contexts, i + 8 * v, x[v]);
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) x[v] = rans_avx2::renormalize(x[v], p);
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; v += 2) store_symbols(symbols + i + 8 * v, s[v], s[v + 1]);
  }
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8 * v), x[v]);
  p_ref = p;
  return i - first;
}

// Codes symbols i .. i + 7 into the states x (emitted words in lane order just below w).
LCL_WIDE_KERNEL inline void encode_vector(const rans_avx2::EncodeConstants& c,
                                          const uint64_t* entries, __m256i alphabet,
                                          const uint16_t* symbols, const uint8_t* contexts,
                                          size_t i, __m256i& x, uint16_t*& w) {
  __m256i index =
      _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(symbols + i)));
  if (contexts != nullptr) {
    const __m256i context =
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(contexts + i)));
    index = _mm256_add_epi32(index, _mm256_mullo_epi32(context, alphabet));
  }
  __m256i reciprocal, fields;
  rans_avx2::load_entries(entries, index, reciprocal, fields);
  rans_avx2::encode_step(c, reciprocal, fields, x, w);
}

// The encoder for L lanes (as decode_wide).
template <int L>
LCL_WIDE_KERNEL void encode_wide(const uint64_t* entries, uint32_t alphabet, uint32_t precision,
                                 const uint16_t* symbols, const uint8_t* contexts, size_t groups,
                                 uint32_t (&xs)[L], uint16_t*& w_ref) {
  constexpr int kVectors = L / 8;
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(precision);
  const __m256i alphabet_vector = _mm256_set1_epi32(static_cast<int>(alphabet));
  __m256i x[kVectors];
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    x[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8 * v));
  uint16_t* w = w_ref;
  for (size_t g = groups; g-- > 0;) {
    // The last vector first: the decoder reads vector 0's words first.
    const size_t i = L * g;
#pragma GCC unroll 8
    for (int v = kVectors - 1; v >= 0; --v)
      encode_vector(c, entries, alphabet_vector, symbols, contexts, i + 8 * v, x[v], w);
  }
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8 * v), x[v]);
  w_ref = w;
}

}  // namespace

}  // namespace lcl::quant::field_simd
