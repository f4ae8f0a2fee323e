// The AVX2 coder of wide fields (quant_rans_simd.hpp, quant_rans_wide.hpp), for x86-64 CPUs with
// AVX2: 32 or 64 states in four or eight vectors of 8.

#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include "util/kernel_dispatch.hpp"
#define LCL_WIDE_KERNEL LCL_AVX2_KERNEL
#include "codecs/fields/quant_rans_wide.hpp"

namespace lcl::quant::field_simd {

LCL_AVX2_KERNEL size_t decode_wide_avx2(const uint32_t* slots, uint32_t precision,
                                        const uint8_t* contexts, uint16_t* symbols, size_t first,
                                        size_t n, uint32_t (&x)[kLanes], const uint8_t*& p,
                                        const uint8_t* end) {
  return decode_wide<kLanes>(slots, precision, contexts, symbols, first, n, x, p, end);
}

LCL_AVX2_KERNEL size_t decode_wide_avx2(const uint32_t* slots, uint32_t precision,
                                        const uint8_t* contexts, uint16_t* symbols, size_t first,
                                        size_t n, uint32_t (&x)[kLanes64], const uint8_t*& p,
                                        const uint8_t* end) {
  return decode_wide<kLanes64>(slots, precision, contexts, symbols, first, n, x, p, end);
}

LCL_AVX2_KERNEL void encode_wide_avx2(const uint64_t* entries, uint32_t alphabet,
                                      uint32_t precision, const uint16_t* symbols,
                                      const uint8_t* contexts, size_t groups, uint32_t (&x)[kLanes],
                                      uint16_t*& w) {
  encode_wide<kLanes>(entries, alphabet, precision, symbols, contexts, groups, x, w);
}

LCL_AVX2_KERNEL void encode_wide_avx2(const uint64_t* entries, uint32_t alphabet,
                                      uint32_t precision, const uint16_t* symbols,
                                      const uint8_t* contexts, size_t groups,
                                      uint32_t (&x)[kLanes64], uint16_t*& w) {
  encode_wide<kLanes64>(entries, alphabet, precision, symbols, contexts, groups, x, w);
}

}  // namespace lcl::quant::field_simd
#endif
