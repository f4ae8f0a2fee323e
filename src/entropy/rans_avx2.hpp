#pragma once
// The rANS steps shared by the AVX2 kernels (float, fp8 and delta coders, wide quant fields): 8
// lanes of 32-bit states per vector, renormalised 16 bits at a time as entropy/rans_tables.hpp
// does, the words of a vector's lanes consecutive in the stream in lane order. Internal to the
// *_avx2.cpp files, which compile these under LCL_AVX2_KERNEL.
#include <immintrin.h>

#include <array>
#include <cstdint>

#include "entropy/rans_tables.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::rans_avx2 {

// Decoding: per 8-bit mask of lanes that take a word, each lane's rank among them (the number of
// them before it), a byte per lane; lane j then reads the word at its rank, so the masked lanes
// read the next words in lane order. 2 KiB, read widened into a permutevar8x32 index vector.
constexpr std::array<uint64_t, 256> make_word_ranks() {
  std::array<uint64_t, 256> ranks{};
  for (uint32_t m = 0; m < 256; ++m)
    for (uint32_t j = 0, rank = 0; j < 8; ++j)
      if (m >> j & 1) ranks[m] |= uint64_t{rank++} << (8 * j);
  return ranks;
}
alignas(64) inline constexpr std::array<uint64_t, 256> kWordRanks = make_word_ranks();

// Encoding: per 8-bit mask of lanes, a permutevar8x32 index vector that moves the masked lanes,
// in lane order, to the top lanes of the vector. Unused positions read lane 0 (discarded by the
// caller).
constexpr std::array<std::array<uint32_t, 8>, 256> make_top_permutations() {
  std::array<std::array<uint32_t, 8>, 256> t{};
  for (uint32_t m = 0; m < 256; ++m) {
    uint32_t rank = 8 - static_cast<uint32_t>(__builtin_popcount(m));
    for (uint32_t j = 0; j < 8; ++j)
      if (m >> j & 1) t[m][rank++] = j;
  }
  return t;
}
alignas(32) inline constexpr auto kTopPermutations = make_top_permutations();

// Decoder: table[index[l]] per lane by scalar loads, which AMD's Zen 3 runs several times faster
// than vpgatherdd. Two indices leave the vector per 64-bit move and are split by a scalar shift.
LCL_AVX2_KERNEL inline __m256i load_lanes(const uint32_t* table, __m256i index) {
  const __m128i low_index = _mm256_castsi256_si128(index);
  const __m128i high_index = _mm256_extracti128_si256(index, 1);
  const auto i0 = static_cast<uint64_t>(_mm_cvtsi128_si64(low_index));
  const auto i1 = static_cast<uint64_t>(_mm_extract_epi64(low_index, 1));
  const auto i2 = static_cast<uint64_t>(_mm_cvtsi128_si64(high_index));
  const auto i3 = static_cast<uint64_t>(_mm_extract_epi64(high_index, 1));
  auto v = [&](uint64_t i) { return static_cast<int>(table[static_cast<uint32_t>(i)]); };
  const __m128i low = _mm_setr_epi32(v(i0), v(i0 >> 32), v(i1), v(i1 >> 32));
  const __m128i high = _mm_setr_epi32(v(i2), v(i2 >> 32), v(i3), v(i3 >> 32));
  return _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
}

// Decoder: refills the lanes at or below 0xFFFF with the next words at p (16 readable bytes), in
// lane order, and advances p past them.
LCL_AVX2_KERNEL inline __m256i renormalize(__m256i x, const uint8_t*& p) {
  const __m256i need = _mm256_cmpeq_epi32(_mm256_min_epu32(x, _mm256_set1_epi32(0xFFFF)), x);
  const auto mask = static_cast<uint64_t>(_mm256_movemask_ps(_mm256_castsi256_ps(need)));
  const __m256i words = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  const __m256i ranks =
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&kWordRanks[mask])));
  const __m256i refilled =
      _mm256_or_si256(_mm256_slli_epi32(x, 16), _mm256_permutevar8x32_epi32(words, ranks));
  p += 2 * _mm_popcnt_u64(mask);
  return _mm256_blendv_epi8(x, refilled, need);
}

// Encoder constants at a table precision of at most 14 bits (pack_encoder_symbol's range).
struct EncodeConstants {
  __m256i low14, one, thirty_two, total, low16;
  __m128i limit_shift;
};
LCL_AVX2_KERNEL inline EncodeConstants encode_constants(uint32_t precision) {
  return {_mm256_set1_epi32(0x3FFF), _mm256_set1_epi32(1),
          _mm256_set1_epi32(32),     _mm256_set1_epi32(static_cast<int>(1u << precision)),
          _mm256_set1_epi32(0xFFFF), _mm_cvtsi32_si128(static_cast<int>(16 - precision))};
}

// Encoder: the two dwords (reciprocal, fields) of 8 lanes' 64-bit entropy::pack_encoder_symbol
// entries, entry(l) for lane l, by scalar loads (vpgatherdd runs slowly on Zen 3). Entries 0, 1,
// 4, 5 go to one vector and 2, 3, 6, 7 to the other, so one shuffle per dword field leaves the
// fields in lane order.
template <class EntryOf>
LCL_AVX2_KERNEL inline void load_entries(const EntryOf& entry, __m256i& reciprocal,
                                         __m256i& fields) {
  const __m256 a = _mm256_castsi256_ps(_mm256_set_epi64x(entry(5), entry(4), entry(1), entry(0)));
  const __m256 b = _mm256_castsi256_ps(_mm256_set_epi64x(entry(7), entry(6), entry(3), entry(2)));
  reciprocal = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
  fields = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// The same for lane l's entry entries[entry[l]].
LCL_AVX2_KERNEL inline void load_entries(const uint64_t* entries, __m256i entry,
                                         __m256i& reciprocal, __m256i& fields) {
  alignas(32) uint32_t at[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(at), entry);
  load_entries([&](int l) { return static_cast<long long>(entries[at[l]]); }, reciprocal, fields);
}

// Encoder: codes one symbol per lane into x, given each lane's entropy::pack_encoder_symbol entry
// as its two dwords (reciprocal, and fields = (freq - 1) | cum << 14 | shift << 28). The lanes
// whose state would overflow first emit their low 16 bits, moved to the top of the vector in lane
// order and stored just below w (8 words of room); then x = C(s, x) with the exact reciprocal
// division of entropy::encode_step (its 33-bit sum kept exact with a carry mask).
LCL_AVX2_KERNEL inline void encode_step(const EncodeConstants& c, __m256i reciprocal,
                                        __m256i fields, __m256i& x, uint16_t*& w) {
  const __m256i freq = _mm256_add_epi32(_mm256_and_si256(fields, c.low14), c.one);
  const __m256i start = _mm256_and_si256(_mm256_srli_epi32(fields, 14), c.low14);
  const __m256i shift = _mm256_srli_epi32(fields, 28);

  // Renormalise: emit where (x >> 16) >= freq << (16 - precision) (both below 2^17: signed).
  const __m256i limit = _mm256_sub_epi32(_mm256_sll_epi32(freq, c.limit_shift), c.one);
  const __m256i emit = _mm256_cmpgt_epi32(_mm256_srli_epi32(x, 16), limit);
  const auto mask = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(emit)));
  const __m256i top = _mm256_permutevar8x32_epi32(
      _mm256_and_si256(x, c.low16),
      _mm256_load_si256(reinterpret_cast<const __m256i*>(kTopPermutations[mask].data())));
  const __m256i words = _mm256_permute4x64_epi64(_mm256_packus_epi32(top, top), 0x08);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(w - 8), _mm256_castsi256_si128(words));
  w -= _mm_popcnt_u32(mask);
  x = _mm256_blendv_epi8(x, _mm256_srli_epi32(x, 16), emit);

  // q = (x + ((x * reciprocal) >> 32)) >> shift, the sum taken to 33 bits.
  const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, reciprocal), 32);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(reciprocal, 32));
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i sum = _mm256_add_epi32(x, high);
  const __m256i no_carry = _mm256_cmpeq_epi32(_mm256_max_epu32(sum, x), sum);
  const __m256i carry_bit = _mm256_andnot_si256(
      no_carry, _mm256_sllv_epi32(c.one, _mm256_sub_epi32(c.thirty_two, shift)));
  const __m256i q = _mm256_or_si256(_mm256_srlv_epi32(sum, shift), carry_bit);
  const __m256i complement = _mm256_sub_epi32(c.total, freq);
  x = _mm256_add_epi32(_mm256_add_epi32(x, start), _mm256_mullo_epi32(q, complement));
}

// The entry of a step that codes nothing (all of the probability on one symbol: the state stays
// and no word is emitted), as encode_step's two dwords, for lanes without a symbol at a step
// (an anchored group's anchor).
struct IdentityEntry {
  __m256i reciprocal, fields;
};
LCL_AVX2_KERNEL inline IdentityEntry identity_entry(uint32_t precision) {
  const uint64_t packed = entropy::pack_encoder_symbol(
      entropy::make_encoder_symbol(0, 1u << precision, precision), precision);
  return {_mm256_set1_epi32(static_cast<int>(packed)),
          _mm256_set1_epi32(static_cast<int>(packed >> 32))};
}

// The 32 states of a four-vector kernel, in and out of memory.
LCL_AVX2_KERNEL inline void load_states(const uint32_t* xs, __m256i& x0, __m256i& x1, __m256i& x2,
                                        __m256i& x3) {
  x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs));
  x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8));
  x2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 16));
  x3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 24));
}
LCL_AVX2_KERNEL inline void store_states(uint32_t* xs, __m256i x0, __m256i x1, __m256i x2,
                                         __m256i x3) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs), x0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8), x1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 16), x2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 24), x3);
}

}  // namespace lcl::rans_avx2
