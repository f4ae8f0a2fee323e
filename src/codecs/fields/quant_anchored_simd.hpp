#pragma once
// Internal to quant_anchored*.cpp: the AVX-512 form of restore_groups (run only when
// kernels::avx512_available(), kernel_dispatch.hpp); it writes exactly the values of the portable
// loop and finds the same contradictions.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::anchored_simd {

// Groups of n (2..32) values: each group's n - 1 others with its minimum inserted at its position
// (< n), one masked vector per group; returns false when a value contradicts its group (below the
// minimum, or equal to it before the anchor).
bool restore_groups_avx512(const uint16_t* others, const uint16_t* minima,
                           const uint16_t* positions, size_t groups, uint32_t n, uint16_t* values);

}  // namespace lcl::quant::anchored_simd
