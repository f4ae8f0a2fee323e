#pragma once
// Internal to quant_fields*.cpp: the AVX2 check that every symbol's context has a table (run when
// kernels::avx2_available(), kernel_dispatch.hpp); it answers as the portable loop does.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::context_check {

// Whether absent[contexts[i]] is non-zero for some i < n (absent: 256 entries, each 0 or 1).
bool any_absent_avx2(const uint8_t* contexts, size_t n, const uint8_t* absent);

}  // namespace lcl::quant::context_check
