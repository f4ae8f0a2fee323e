// The float encoder's AVX2 kernel, for x86-64 CPUs without AVX-512: the 32 rANS lanes as four
// vectors of 8 states, coded from the last group down like entropy::encode_interleaved. Per
// vector: the symbols are the elements shifted right by the raw bits, their packed coding entries
// (entropy::pack_encoder_symbol) come by scalar 64-bit loads (vpgatherdd runs at a fraction of
// that rate on AMD Zen 2/3, as in the decoder), the lanes whose state would overflow emit their
// low 16 bits (moved to the top of the vector in lane order, stored right below w), then
// x = C(s, x) with the exact reciprocal division of entropy::encode_step.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <cstring>

#include "codecs/float/float_encode_simd.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

struct Constants {
  rans_avx2::EncodeConstants rans;
  __m256i escape_packed;
  __m128i raw_bits;
};

// The 8 lanes' packed entries: reciprocals and fields (freq - 1 | cum << 14 | shift << 28).
// Entries 0, 1, 4, 5 go to one vector and 2, 3, 6, 7 to the other, so one shuffle per dword
// field leaves the fields in lane order.
LCL_AVX2_KERNEL inline void load_entries(const uint64_t* table, __m256i symbols,
                                         __m256i& reciprocal, __m256i& fields) {
  alignas(32) uint32_t at[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(at), symbols);
  auto entry = [&](int l) { return static_cast<long long>(table[at[l]]); };
  const __m256 a = _mm256_castsi256_ps(_mm256_set_epi64x(entry(5), entry(4), entry(1), entry(0)));
  const __m256 b = _mm256_castsi256_ps(_mm256_set_epi64x(entry(7), entry(6), entry(3), entry(2)));
  reciprocal = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
  fields = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// Codes the 8 elements at `elements` into the states x, storing the emitted words below w;
// returns the mask of lanes whose symbol was escaped.
template <class Elem>
LCL_AVX2_KERNEL inline uint32_t encode_vector(const Constants& c, const uint64_t* table,
                                              const uint8_t* elements, __m256i& x, uint16_t*& w) {
  __m256i values;
  if constexpr (sizeof(Elem) == 2)
    values = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(elements)));
  else
    values = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(elements));
  __m256i reciprocal, fields;
  load_entries(table, _mm256_srl_epi32(values, c.raw_bits), reciprocal, fields);
  rans_avx2::encode_step(c.rans, reciprocal, fields, x, w);
  return static_cast<uint32_t>(
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(fields, c.escape_packed))));
}

template <class Elem>
LCL_AVX2_KERNEL void encode_groups(const uint8_t* data, uint64_t groups, const uint64_t* table,
                                   const Constants& c, uint32_t (&xs)[kLanes], uint16_t*& w_ref,
                                   std::vector<uint64_t>& escaped_at) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  uint16_t* w = w_ref;
  constexpr size_t kVector = 8 * sizeof(Elem);
  for (uint64_t g = groups; g-- > 0;) {
    const uint8_t* group = data + g * kLanes * sizeof(Elem);
    // The decoder reads the low lanes' words first, so they are stored last (lowest).
    const uint32_t e3 = encode_vector<Elem>(c, table, group + 3 * kVector, x3, w);
    const uint32_t e2 = encode_vector<Elem>(c, table, group + 2 * kVector, x2, w);
    const uint32_t e1 = encode_vector<Elem>(c, table, group + kVector, x1, w);
    const uint32_t e0 = encode_vector<Elem>(c, table, group, x0, w);
    if ((e0 | e1 | e2 | e3) != 0) [[unlikely]] {
      const uint32_t lanes = e0 | e1 << 8 | e2 << 16 | e3 << 24;
      for (uint32_t m = lanes; m != 0; m &= m - 1)
        escaped_at.push_back(g * kLanes + static_cast<uint64_t>(__builtin_ctz(m)));
    }
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  w_ref = w;
}

}  // namespace

LCL_AVX2_KERNEL void encode_groups_avx2(const uint8_t* data, uint64_t groups, uint32_t elem_bytes,
                                        uint32_t raw_bits, const uint64_t* table,
                                        uint32_t precision, uint32_t escape_packed,
                                        uint32_t (&x)[kLanes], uint16_t*& w,
                                        std::vector<uint64_t>& escaped_at) {
  const Constants c{rans_avx2::encode_constants(precision),
                    _mm256_set1_epi32(static_cast<int>(escape_packed)),
                    _mm_cvtsi32_si128(static_cast<int>(raw_bits))};
  if (elem_bytes == 2)
    encode_groups<uint16_t>(data, groups, table, c, x, w, escaped_at);
  else
    encode_groups<uint32_t>(data, groups, table, c, x, w, escaped_at);
}

}  // namespace lcl::float_format
#endif
