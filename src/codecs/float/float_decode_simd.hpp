#pragma once
// The float decoder's AVX-512 kernel (dispatch in kernel_dispatch.hpp). Internal to
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

}  // namespace lcl::float_format
