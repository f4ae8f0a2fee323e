#include "codecs/quant_anchored.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "codecs/quant_fields.hpp"

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

std::vector<uint8_t> class_contexts(std::span<const uint16_t> minima, const AnchoredShape& shape) {
  std::vector<uint8_t> c(minima.size());
  for (size_t g = 0; g < minima.size(); ++g) c[g] = min_class(minima[g], shape);
  return c;
}

}  // namespace

void write_anchored_groups(ByteWriter& out, std::span<const uint16_t> values,
                           std::span<const uint8_t> group_contexts, const AnchoredShape& shape) {
  const size_t groups = group_contexts.size();
  check(shape, groups, values.size());
  const uint32_t n = shape.group_size;
  std::vector<uint16_t> minima(groups), positions(groups), others(groups * (n - 1));
  std::vector<uint8_t> other_contexts(others.size());
  size_t k = 0;
  for (size_t g = 0; g < groups; ++g) {
    const uint16_t* v = values.data() + g * n;
    const uint16_t* first_min = std::min_element(v, v + n);
    minima[g] = *first_min;
    positions[g] = static_cast<uint16_t>(first_min - v);
    const uint8_t cls = min_class(minima[g], shape);
    for (uint32_t i = 0; i < n; ++i) {
      if (i == positions[g]) continue;
      others[k] = v[i];
      other_contexts[k++] = value_context(group_contexts[g], cls, i < positions[g], shape);
    }
  }
  write_field(out, minima, group_contexts, {shape.alphabet, shape.group_contexts});
  write_field(out, positions, class_contexts(minima, shape), {n, shape.min_classes});
  write_field(out, others, other_contexts,
              {shape.alphabet, shape.group_contexts * shape.min_classes * 2});
}

void read_anchored_groups(ByteReader& in, std::span<const uint8_t> group_contexts,
                          const AnchoredShape& shape, std::span<uint16_t> values) {
  const size_t groups = group_contexts.size();
  check(shape, groups, values.size());
  const uint32_t n = shape.group_size;
  std::vector<uint16_t> minima(groups), positions(groups), others(groups * (n - 1));
  read_field(in, group_contexts, {shape.alphabet, shape.group_contexts}, minima);
  read_field(in, class_contexts(minima, shape), {n, shape.min_classes}, positions);
  std::vector<uint8_t> other_contexts(others.size());
  size_t k = 0;
  for (size_t g = 0; g < groups; ++g) {
    const uint8_t cls = min_class(minima[g], shape);
    for (uint32_t i = 0; i < n; ++i)
      if (i != positions[g])
        other_contexts[k++] = value_context(group_contexts[g], cls, i < positions[g], shape);
  }
  read_field(in, other_contexts, {shape.alphabet, shape.group_contexts * shape.min_classes * 2},
             others);
  k = 0;
  for (size_t g = 0; g < groups; ++g) {
    uint16_t* v = values.data() + g * n;
    for (uint32_t i = 0; i < n; ++i) {
      if (i == positions[g]) {
        v[i] = minima[g];
        continue;
      }
      v[i] = others[k++];
      // The anchor is the first occurrence of the minimum: values before it lie above it and
      // values after it not below it. A payload that breaks this is not one the encoder wrote.
      if (v[i] < minima[g] || (i < positions[g] && v[i] == minima[g]))
        in.fail("value contradicts its group minimum");
    }
  }
}

}  // namespace lcl::quant
