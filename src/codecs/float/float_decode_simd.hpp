#pragma once
// The float decoder's AVX-512 and AVX2 kernels (dispatch in kernel_dispatch.hpp). Internal to
// float_decode*.cpp.
#include <cstddef>
#include <cstdint>

#include "codecs/float/float_decode_body.hpp"
#include "codecs/float/float_format.hpp"

namespace lcl::float_format {

// Decodes whole groups of kLanes symbols from the start of the body while at least 2 * kLanes
// stream bytes remain at p (exactly as the scalar loop consumes them), updating the states x
// and p; returns the number of symbols decoded. Only callable when kernels::avx512_available().
size_t decode_groups_avx512(const Body& b, uint64_t& escapes_read, uint32_t (&x)[kLanes],
                            const uint8_t*& p, const uint8_t* end);

// As decode_groups_avx512 with 8-lane AVX2 vectors, for elements of element_bytes (2 or 4) bytes
// that need not fill them (the low-bit versions' shifted elements). Reads up to 16 bytes past a
// group's raw fields. Only callable when kernels::avx2_available().
size_t decode_groups_avx2(const Body& b, size_t element_bytes, uint64_t& escapes_read,
                          uint32_t (&x)[kLanes], const uint8_t*& p, const uint8_t* end);

}  // namespace lcl::float_format
