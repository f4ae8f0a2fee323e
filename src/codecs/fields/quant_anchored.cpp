#include "codecs/fields/quant_anchored.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "codecs/fields/quant_anchored_simd.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

void check(const AnchoredShape& shape, size_t groups, size_t values) {
  if (shape.alphabet < 2 || shape.alphabet > 256 || shape.group_size < 2 ||
      shape.group_size > 256 || shape.min_classes < 1 || shape.group_contexts < 1 ||
      shape.group_contexts * shape.min_classes * 2 > 256)
    throw Error(ErrorKind::kUsage, "anchored groups: shape out of range");
  if (values != groups * shape.group_size)
    throw Error(ErrorKind::kUsage, "anchored groups: one context per group");
}

uint8_t min_class(uint16_t minimum, const AnchoredShape& shape) {
  return static_cast<uint8_t>(std::min<uint32_t>(minimum, shape.min_classes - 1));
}

// Context of a non-anchor value: group context, class of the group minimum, before/after anchor.
uint8_t value_context(uint8_t group_context, uint8_t cls, bool before, const AnchoredShape& shape) {
  return static_cast<uint8_t>(((group_context * shape.min_classes) + cls) * 2 + (before ? 1 : 0));
}

// Contexts of a group's non-anchor values: `position` values before the anchor (context + 1),
// the rest after it (context).
// One loop without data-dependent bounds, so it vectorises (two short fills were memset calls).
void fill_contexts(uint8_t* c, uint32_t count, uint32_t position, uint8_t after_context) {
  for (uint32_t i = 0; i < count; ++i) c[i] = static_cast<uint8_t>(after_context + (i < position));
}

std::span<uint8_t> class_contexts(std::span<const uint16_t> minima, const AnchoredShape& shape) {
  auto c = scratch<uint8_t, kScratchClassContexts>(minima.size());
  for (size_t g = 0; g < minima.size(); ++g) c[g] = min_class(minima[g], shape);
  return c;
}

// Inserts each group's minimum at its position into the group's other values. kN: the group
// size when known at compile time (0: use n). Returns false when a value contradicts its group:
// the anchor is the first occurrence of the minimum, so values before it lie above it and values
// after it not below it; a payload that breaks this is not one the encoder wrote.
template <uint32_t kN>
bool restore_groups(const uint16_t* others, const uint16_t* minima, const uint16_t* positions,
                    size_t groups, uint32_t n_runtime, uint16_t* values) {
  const uint32_t n = kN ? kN : n_runtime;
  uint32_t bad = 0;
  for (size_t g = 0; g < groups; ++g) {
    uint16_t* v = values + g * n;
    const uint16_t* o = others + g * (n - 1);
    const uint32_t position = positions[g];
    const uint16_t minimum = minima[g];
    // Loops without data-dependent bounds so that they vectorise: v is o with the minimum
    // inserted, a select between o[i] and o[i - 1] (both inside the group for 1 <= i <= n - 2),
    // ends and anchor set afterwards.
    for (uint32_t i = 0; i < n - 1; ++i)
      bad |= (o[i] < minimum) | ((i < position) & (o[i] == minimum));
    for (uint32_t i = 1; i + 1 < n; ++i) {
      const auto keep = static_cast<uint16_t>(0u - (i < position));
      v[i] = static_cast<uint16_t>((o[i] & keep) | (o[i - 1] & ~keep));
    }
    v[0] = o[0];
    v[n - 1] = o[n - 2];
    v[position] = minimum;
  }
  return bad == 0;
}

// Each group's minimum, the position of its first occurrence, the other values and their
// contexts (one run before the anchor, one after). kN as in restore_groups.
template <uint32_t kN>
void split_groups(const uint16_t* values, const uint8_t* group_contexts, size_t groups,
                  uint32_t n_runtime, const AnchoredShape& shape, uint16_t* minima,
                  uint16_t* positions, uint16_t* others, uint8_t* other_contexts) {
  const uint32_t n = kN ? kN : n_runtime;
  for (size_t g = 0; g < groups; ++g) {
    const uint16_t* v = values + g * n;
    const auto [minimum, position] = find_anchor(v, n);
    minima[g] = minimum;
    positions[g] = static_cast<uint16_t>(position);
    // A select per value instead of two short copies (library calls at these sizes).
    uint16_t* o = others + g * (n - 1);
    for (uint32_t i = 0; i + 1 < n; ++i) {
      // Mask arithmetic, not a select: GCC turns the select into a branchy scalar loop.
      const auto keep = static_cast<uint16_t>(0u - (i < position));
      o[i] = static_cast<uint16_t>((v[i] & keep) | (v[i + 1] & ~keep));
    }
    fill_contexts(other_contexts + g * (n - 1), n - 1, position,
                  value_context(group_contexts[g], min_class(minimum, shape), false, shape));
  }
}

}  // namespace

void write_anchored_groups(ByteWriter& out, std::span<const uint16_t> values,
                           std::span<const uint8_t> group_contexts, const AnchoredShape& shape) {
  const size_t groups = group_contexts.size();
  check(shape, groups, values.size());
  const uint32_t n = shape.group_size;
  auto minima = scratch<uint16_t, kScratchMinima>(groups);
  auto positions = scratch<uint16_t, kScratchPositions>(groups);
  auto others = scratch<uint16_t, kScratchOthers>(groups * (n - 1));
  auto other_contexts = scratch<uint8_t, kScratchOtherContexts>(others.size());
  switch (n) {  // as in read_anchored_groups: constant-length loops for the common sizes
    case 8:
      split_groups<8>(values.data(), group_contexts.data(), groups, 8, shape, minima.data(),
                      positions.data(), others.data(), other_contexts.data());
      break;
    case 16:
      split_groups<16>(values.data(), group_contexts.data(), groups, 16, shape, minima.data(),
                       positions.data(), others.data(), other_contexts.data());
      break;
    case 32: {
      // The AVX2 kernel (also on AVX-512 CPUs: there is no AVX-512 split) splits all groups but
      // the last, which the portable loop splits.
      size_t done = 0;
      if constexpr (kernels::kAvx512Built) {
        if (groups > 0 && kernels::avx2_available()) {
          anchored_simd::split_groups32_avx2(values.data(), group_contexts.data(), groups,
                                             shape.min_classes, minima.data(), positions.data(),
                                             others.data(), other_contexts.data());
          done = groups - 1;
        }
      }
      split_groups<32>(values.data() + done * 32, group_contexts.data() + done, groups - done, 32,
                       shape, minima.data() + done, positions.data() + done,
                       others.data() + done * 31, other_contexts.data() + done * 31);
      break;
    }
    default:
      split_groups<0>(values.data(), group_contexts.data(), groups, n, shape, minima.data(),
                      positions.data(), others.data(), other_contexts.data());
  }
  write_field(out, minima, group_contexts, {shape.alphabet, shape.group_contexts});
  write_field(out, positions, class_contexts(minima, shape), {n, shape.min_classes});
  write_field(out, others, other_contexts,
              {shape.alphabet, shape.group_contexts * shape.min_classes * 2});
}

AnchoredParts read_anchored_parts(ByteReader& in, std::span<const uint8_t> group_contexts,
                                  const AnchoredShape& shape) {
  const size_t groups = group_contexts.size();
  check(shape, groups, groups * shape.group_size);
  const uint32_t n = shape.group_size;
  auto minima = scratch<uint16_t, kScratchMinima>(groups);
  auto positions = scratch<uint16_t, kScratchPositions>(groups);
  auto others = scratch<uint16_t, kScratchOthers>(groups * (n - 1));
  read_field(in, group_contexts, {shape.alphabet, shape.group_contexts}, minima);
  read_field(in, class_contexts(minima, shape), {n, shape.min_classes}, positions);
  auto other_contexts = scratch<uint8_t, kScratchOtherContexts>(others.size());
  // Groups of 32: the AVX2 kernel fills all groups but the last (also on AVX-512 CPUs).
  const bool avx2_groups = n == 32 && groups > 0 && kernels::avx2_available();
  size_t filled = 0;
  if (avx2_groups) {
    if constexpr (kernels::kAvx512Built) {
      anchored_simd::fill_contexts32_avx2(group_contexts.data(), minima.data(), positions.data(),
                                          shape.min_classes, groups, other_contexts.data());
      filled = groups - 1;
    }
  }
  for (size_t g = filled; g < groups; ++g)
    fill_contexts(other_contexts.data() + g * (n - 1), n - 1, positions[g],
                  value_context(group_contexts[g], min_class(minima[g], shape), false, shape));
  read_field(in, other_contexts, {shape.alphabet, shape.group_contexts * shape.min_classes * 2},
             others);
  return {minima, positions, others};
}

void read_anchored_groups(ByteReader& in, std::span<const uint8_t> group_contexts,
                          const AnchoredShape& shape, std::span<uint16_t> values) {
  const size_t groups = group_contexts.size();
  check(shape, groups, values.size());
  const uint32_t n = shape.group_size;
  const AnchoredParts parts = read_anchored_parts(in, group_contexts, shape);
  const uint16_t* minima = parts.minima.data();
  const uint16_t* positions = parts.positions.data();
  const uint16_t* others = parts.others.data();
  const bool avx2_groups = n == 32 && groups > 0 && kernels::avx2_available();
  bool consistent = true;
  if (kernels::avx512_available() && n < 32) {
    if constexpr (kernels::kAvx512Built)
      consistent =
          anchored_simd::restore_groups_avx512(others, minima, positions, groups, n, values.data());
  } else if (avx2_groups) {
    if constexpr (kernels::kAvx512Built) {
      const size_t last = groups - 1;
      consistent =
          anchored_simd::restore_groups32_avx2(others, minima, positions, groups, values.data());
      consistent &= restore_groups<32>(others + last * 31, minima + last, positions + last, 1, 32,
                                       values.data() + last * 32);
    }
  } else {
    switch (n) {  // the common group sizes get loops of constant length, which vectorise fully
      case 8:     // Q4_K's scales
        consistent = restore_groups<8>(others, minima, positions, groups, 8, values.data());
        break;
      case 16:
        consistent = restore_groups<16>(others, minima, positions, groups, 16, values.data());
        break;
      case 32:
        consistent = restore_groups<32>(others, minima, positions, groups, 32, values.data());
        break;
      default:
        consistent = restore_groups<0>(others, minima, positions, groups, n, values.data());
    }
  }
  if (!consistent) in.fail("value contradicts its group minimum");
}

bool restore_anchored_groups(const AnchoredParts& parts, uint32_t group_size, size_t first,
                             size_t count, std::span<uint16_t> values) {
  if (values.size() != count * group_size || first + count > parts.minima.size())
    throw Error(ErrorKind::kUsage, "anchored groups: restore range");
  return restore_groups<0>(parts.others.data() + first * (group_size - 1),
                           parts.minima.data() + first, parts.positions.data() + first, count,
                           group_size, values.data());
}

}  // namespace lcl::quant
