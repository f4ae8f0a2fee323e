// The fp8 encoder's AVX2 kernel: the lanes as vectors of 8 states (four for version 1's 32 lanes,
// eight for version 2's 64), coded from the last vector down like the per-lane loop. Per vector
// the bytes' packed coding entries by scalar loads and rans_avx2.hpp's encode step.
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

// The kernel for L lanes (defined here without an earlier declaration, so that its target
// attribute holds for its instantiations).
template <int L>
LCL_AVX2_KERNEL size_t encode_groups(const PackedEntries& t, const uint8_t* data, uint32_t (&xs)[L],
                                     uint16_t*& w, size_t i) {
  static_assert(L % 8 == 0, "whole vectors of eight lanes");
  constexpr int kVectors = L / 8;
  const rans_avx2::EncodeConstants c = rans_avx2::encode_constants(t.precision_bits);
  __m256i x[kVectors];
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    x[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xs + 8 * v));
  while (i != 0) {
    i -= L;
#pragma GCC unroll 8
    for (int v = kVectors - 1; v >= 0; --v) encode_vector(t, c, data + i + 8 * v, x[v], w);
  }
#pragma GCC unroll 8
  for (int v = 0; v < kVectors; ++v)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xs + 8 * v), x[v]);
  return i;
}

}  // namespace

LCL_AVX2_KERNEL size_t encode_groups_avx2(const PackedEntries& t, const uint8_t* data,
                                          uint32_t (&x)[kLanesV1], uint16_t*& w, size_t i) {
  return encode_groups<kLanesV1>(t, data, x, w, i);
}

LCL_AVX2_KERNEL size_t encode_groups_avx2(const PackedEntries& t, const uint8_t* data,
                                          uint32_t (&x)[kLanesV2], uint16_t*& w, size_t i) {
  return encode_groups<kLanesV2>(t, data, x, w, i);
}

}  // namespace lcl::fp8_format
#endif
