#pragma once
// Internal to quant_anchored*.cpp: the AVX-512 form of restore_groups for groups below 32 values
// (run only when kernels::avx512_available(), kernel_dispatch.hpp) and AVX2 forms of split_groups,
// restore_groups and fill_contexts for groups of 32 (run when kernels::avx2_available(), AVX-512
// CPUs included: on AMD Zen 5 they made Q5_K decoding 33% faster than the AVX-512 restore and the
// portable context fill). They write exactly the values and contexts of the portable loops and find
// the same contradictions.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::anchored_simd {

// Groups of n (2..32) values: each group's n - 1 others with its minimum inserted at its position
// (< n), one masked vector per group; returns false when a value contradicts its group (below the
// minimum, or equal to it before the anchor).
bool restore_groups_avx512(const uint16_t* others, const uint16_t* minima,
                           const uint16_t* positions, size_t groups, uint32_t n, uint16_t* values);

// Groups of 32 values: restore_groups_avx512 for groups 0 .. groups - 2 (each group's loads and
// stores reach one element into the next; the caller restores the last group).
bool restore_groups32_avx2(const uint16_t* others, const uint16_t* minima,
                           const uint16_t* positions, size_t groups, uint16_t* values);

// Groups of 32 values: the contexts of the 31 others of groups 0 .. groups - 2 (the caller fills
// the last group's): after the anchor (group_contexts[g] * min_classes + min(minimum,
// min_classes - 1)) * 2, before it one more.
void fill_contexts32_avx2(const uint8_t* group_contexts, const uint16_t* minima,
                          const uint16_t* positions, uint32_t min_classes, size_t groups,
                          uint8_t* contexts);

// Groups of 32 values: split_groups' minimum, anchor position, 31 others and their contexts for
// groups 0 .. groups - 2 (each group's loads and stores reach one element into the next; the
// caller splits the last group).
void split_groups32_avx2(const uint16_t* values, const uint8_t* group_contexts, size_t groups,
                         uint32_t min_classes, uint16_t* minima, uint16_t* positions,
                         uint16_t* others, uint8_t* other_contexts);

}  // namespace lcl::quant::anchored_simd
