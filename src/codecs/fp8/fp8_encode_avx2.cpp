// The fp8 encoder's AVX2 kernel: the 32 lanes as four vectors of 8 states, coded from the last
// vector down like the per-lane loop. Per vector the bytes' packed coding entries by scalar loads
// and rans_avx2.hpp's encode step.
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

LCL_AVX2_KERNEL inline void encode_vector(const PackedEntries& t,
                                          const rans_avx2::EncodeConstants& c, const uint8_t* bytes,
                                          __m256i& x, uint16_t*& w) {
  auto entry = [&](int l) { return static_cast<long long>(t.entries[bytes[l]]); };
  __m256i reciprocal, fields;
  rans_avx2::load_entries(entry, reciprocal, fields);
  rans_avx2::encode_step(c, reciprocal, fields, x, w);
}

}  // namespace

LCL_AVX2_KERNEL size_t encode_groups_avx2(const PackedEntries& t, const uint8_t* data,
                                          uint32_t (&xs)[kLanes], uint16_t*& w, size_t i) {
  static_assert(kLanes == 32, "four vectors of eight lanes");
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(t.precision_bits);
  __m256i x0, x1, x2, x3;
  rans_avx2::load_states(xs, x0, x1, x2, x3);
  while (i != 0) {
    i -= kLanes;
    encode_vector(t, c, data + i + 24, x3, w);
    encode_vector(t, c, data + i + 16, x2, w);
    encode_vector(t, c, data + i + 8, x1, w);
    encode_vector(t, c, data + i, x0, w);
  }
  rans_avx2::store_states(xs, x0, x1, x2, x3);
  return i;
}

}  // namespace lcl::fp8_format
#endif
