#pragma once
// Coding of quant values in groups that share a scale (a Q4_K sub-block, a Q6_K 16-value group).
// The quantizers fit each group's scale so that its extreme weight lands on the end of the grid:
// every Q4_K sub-block holds a 0 nibble, every Q6_K group a 0 or 1. An iid model pays for that
// certainty again and again; instead each group codes its minimum, the position of the first
// occurrence of the minimum, and then the other values, whose context says whether they come
// before that position (so they are above the minimum) or after it. Any values are valid input:
// the structure only changes the cost, never what round-trips.
#include <cstdint>
#include <span>

#include "util/byte_io.hpp"

namespace lcl::quant {

struct AnchoredShape {
  uint32_t alphabet = 16;       // values are in [0, alphabet), alphabet <= 256
  uint32_t group_size = 32;     // values per group, 2..256
  uint32_t group_contexts = 1;  // contexts of groups (e.g. a scale bucket), given by the caller
  uint32_t min_classes = 2;     // minimum values 0 .. min_classes-2 get a class each, the rest one
};

// A group's minimum and the position of its first occurrence (its anchor): a min reduction and a
// search without a data-dependent branch per value, so both loops vectorise.
template <class T>
struct GroupAnchor {
  T minimum;
  uint32_t position;
};
template <class T>
inline GroupAnchor<T> find_anchor(const T* values, uint32_t n) {
  T minimum = values[0];
  for (uint32_t i = 1; i < n; ++i) minimum = values[i] < minimum ? values[i] : minimum;
  uint32_t position = n;
  for (uint32_t i = n; i-- > 0;) position = values[i] == minimum ? i : position;
  return {minimum, position};
}

// values.size() == group_contexts.size() * shape.group_size; every group context <
// shape.group_contexts; group_contexts * min_classes * 2 <= 256.
void write_anchored_groups(ByteWriter& out, std::span<const uint16_t> values,
                           std::span<const uint8_t> group_contexts, const AnchoredShape& shape);
void read_anchored_groups(ByteReader& in, std::span<const uint8_t> group_contexts,
                          const AnchoredShape& shape, std::span<uint16_t> values);

// What read_anchored_groups reads before it restores the values: each group's minimum (below
// the alphabet), anchor position (below group_size) and group_size - 1 other values (below the
// alphabet), in workspace memory valid until the next field is read on this thread. For a codec
// that restores the groups straight into its own layout (Q5_K's packing).
struct AnchoredParts {
  std::span<const uint16_t> minima, positions, others;
};
AnchoredParts read_anchored_parts(ByteReader& in, std::span<const uint8_t> group_contexts,
                                  const AnchoredShape& shape);
// Restores groups first .. first + count - 1 of `parts` into values (count * group_size); false
// when a value contradicts its group (below the minimum, or equal to it before the anchor).
bool restore_anchored_groups(const AnchoredParts& parts, uint32_t group_size, size_t first,
                             size_t count, std::span<uint16_t> values);

}  // namespace lcl::quant
