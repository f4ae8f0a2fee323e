// The delta encoder's AVX2 kernel: the 32 lanes as four vectors of 8 states, encoded from the
// last vector down like the per-lane loop. Per vector: the symbols' coding data by scalar loads,
// the lanes whose state would overflow emit their low 16 bits (moved to the top of the vector in
// lane order by a permutation per mask, stored right below w), then x = C(s, x) with the exact
// reciprocal division of entropy::encode_step (its 33-bit sum kept exact with a carry mask).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/delta/delta_encode_kernel.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

LCL_AVX2_KERNEL inline void encode_vector(const PackedEncoderTables& t,
                                          const rans_avx2::EncodeConstants& c,
                                          const uint8_t* context, const uint16_t* symbols,
                                          __m256i& x, uint16_t*& w) {
  const uint64_t* const entries = t.entries.data();
  auto entry = [&](int l) {
    return static_cast<long long>(entries[t.first_entry[context[l]] + symbols[l]]);
  };
  __m256i reciprocal, fields;
  rans_avx2::load_entries(entry, reciprocal, fields);
  rans_avx2::encode_step(c, reciprocal, fields, x, w);
}

}  // namespace

LCL_AVX2_KERNEL size_t encode_groups_avx2(const PackedEncoderTables& t, const uint8_t* context,
                                          const uint16_t* symbols, uint32_t (&xs)[kLanes],
                                          uint16_t*& w, size_t i) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(t.precision_bits);
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  while (i != 0) {
    i -= kLanes;
    encode_vector(t, c, context + i + 24, symbols + i + 24, x3, w);
    encode_vector(t, c, context + i + 16, symbols + i + 16, x2, w);
    encode_vector(t, c, context + i + 8, symbols + i + 8, x1, w);
    encode_vector(t, c, context + i, symbols + i, x0, w);
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace lcl::delta_format
#endif
