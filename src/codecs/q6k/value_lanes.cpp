#include "codecs/q6k/value_lanes.hpp"

#include <algorithm>
#include <vector>

#include "codecs/fields/anchored_lanes.hpp"
#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_rans.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q6k/value_lanes_simd.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

using value_lanes::Groups;
using value_lanes::kLanes;
using value_lanes::kMinClasses;
using value_lanes::kSymbols;

constexpr uint32_t kMaxContexts = 42;  // 6 tables each; quant fields allow 256

// Groups whose values travel in the lanes' initial states: 10 x 16 values x 6 bits = 60 of the
// 64 lanes' 16-bit words.
constexpr size_t kCarriedGroups = 10;
constexpr int kCarriedWords = kCarriedGroups * kValueGroupSize * 6 / 16;
static_assert(kCarriedWords <= kLanes);
size_t carried_groups(size_t groups) {
  return groups >= 2 * kCarriedGroups ? kCarriedGroups : 0;
}

void check_shape(size_t values, size_t groups, uint32_t contexts) {
  if (contexts < 1 || contexts > kMaxContexts)
    throw Error(ErrorKind::kUsage, "value groups: 1..42 contexts");
  if (values != groups * kValueGroupSize)
    throw Error(ErrorKind::kUsage, "value groups: one context per group of 16");
  if (values > (uint64_t{1} << 31))
    throw Error(ErrorKind::kUsage, "value groups: more than 2^31 values");
}

uint8_t min_class(uint8_t minimum) {
  return static_cast<uint8_t>(std::min<uint32_t>(minimum, kMinClasses - 1));
}

// Minimum, first position of the minimum and after-table of every group.
void split_groups(const uint8_t* values, std::span<const uint8_t> group_contexts, uint8_t* minima,
                  uint8_t* positions, uint8_t* tables) {
  for (size_t g = 0; g < group_contexts.size(); ++g) {
    const auto [minimum, position] = find_anchor(values + g * kValueGroupSize, kValueGroupSize);
    minima[g] = minimum;
    positions[g] = static_cast<uint8_t>(position);
    tables[g] = static_cast<uint8_t>((group_contexts[g] * kMinClasses + min_class(minimum)) * 2);
  }
}

// Residual counts per table of every value but the anchors, in four copies of the counters taken
// in turn (equal nearby values would otherwise wait on one counter); the anchors are counted
// with the values after them (residual 0) and taken out at the end.
FieldHistogram residual_histogram(const uint8_t* values, const Groups& groups, size_t group_count,
                                  uint32_t table_count) {
  const size_t copy_size = size_t{table_count} * kSymbols;
  std::vector<uint32_t> counts(4 * copy_size, 0);
  std::vector<uint32_t> anchors(table_count, 0);
  for (size_t g = 0; g < group_count; ++g) {
    const uint8_t* v = values + g * kValueGroupSize;
    uint32_t* const table = counts.data() + size_t{groups.tables[g]} * kSymbols;
    const uint32_t position = groups.positions[g];
    const uint32_t minimum = groups.minima[g];
    ++anchors[groups.tables[g]];
    for (uint32_t j = 0; j < kValueGroupSize; j += 4) {
#pragma GCC unroll 4
      for (uint32_t k = 0; k < 4; ++k)
        ++table[k * copy_size + (j + k < position) * kSymbols + (v[j + k] - minimum)];
    }
  }
  FieldHistogram histogram({kSymbols, table_count});
  for (uint32_t t = 0; t < table_count; ++t)
    for (uint32_t s = 0; s < kSymbols; ++s) {
      uint64_t n = 0;
      for (size_t copy = 0; copy < 4; ++copy) n += counts[copy * copy_size + t * kSymbols + s];
      if (s == 0) n -= anchors[t];
      histogram.add_count(t, s, n);
    }
  return histogram;
}

// Coding entry of every (table, residual) (entropy::pack_encoder_symbol: what the kernel gathers
// and the portable code unpacks).
std::vector<uint64_t> encode_entries(const FieldTables& t) {
  std::vector<uint64_t> entries(t.tables.size() * kSymbols, 0);
  for (size_t table = 0; table < t.tables.size(); ++table) {
    const auto& freq = t.tables[table].freq;
    uint32_t cum = 0;
    for (uint32_t s = 0; s < freq.size(); ++s) {
      if (freq[s] == 0) continue;
      entries[table * kSymbols + s] = entropy::pack_encoder_symbol(
          entropy::make_encoder_symbol(cum, freq[s], t.precision), t.precision);
      cum += freq[s];
    }
  }
  return entries;
}

// The carried groups' values as the 64 lanes' words: 6-bit fields packed as entropy/bit_pack.hpp
// packs raw bits (LSB first), the bytes read as little-endian words (the last 4 words are 0).
void pack_carried(const uint8_t* values, uint16_t (&words)[kLanes]) {
  std::vector<uint8_t> bytes;
  entropy::append_packed(bytes, kCarriedGroups * kValueGroupSize, 6,
                         [&](uint64_t i) { return uint32_t{values[i]}; });
  bytes.resize(2 * kLanes, 0);
  for (int l = 0; l < kLanes; ++l) words[l] = load_u16le(bytes.data() + 2 * l);
}

void unpack_carried(const uint16_t (&words)[kLanes], uint8_t* values) {
  uint8_t bytes[2 * kLanes];
  for (int l = 0; l < kLanes; ++l) {
    bytes[2 * l] = static_cast<uint8_t>(words[l]);
    bytes[2 * l + 1] = static_cast<uint8_t>(words[l] >> 8);
  }
  for (size_t i = 0; i < kCarriedGroups * kValueGroupSize; ++i)
    values[i] = static_cast<uint8_t>(entropy::unpack_field(bytes, i, 6));
}

// The stream of the coded values (64 lanes, entropy::encode_interleaved's layout), valid
// until the next call on this thread (see anchored_lanes::encode_stream).
std::span<const uint8_t> encode_stream(std::span<const uint8_t> values, const Groups& groups,
                                       const std::vector<uint64_t>& entries, uint32_t precision,
                                       const uint32_t (&initial)[kLanes]) {
  // The anchor's lane takes an identity step: all of the probability on one symbol leaves the
  // state as it is and emits nothing.
  const entropy::EncoderSymbol identity =
      entropy::make_encoder_symbol(0, 1u << precision, precision);
  return anchored_lanes::encode_stream(
      values.size(), initial,
      [&](size_t i) {
        const size_t g = i / kValueGroupSize;
        const uint32_t j = i % kValueGroupSize;
        const uint32_t position = groups.positions[g];
        if (j == position) return identity;
        const uint32_t table = groups.tables[g] + (j < position);
        return entropy::unpack_encoder_symbol(
            entries[table * kSymbols + (values[i] - groups.minima[g])], precision);
      },
      [&](size_t steps, uint32_t(&x)[kLanes], uint16_t*& w) {
        if constexpr (kernels::kAvx512Built) {
          if (kernels::avx512_available())
            value_lanes::encode_steps_avx512(entries.data(), groups, values.data(), steps,
                                             precision, x, w);
          else
            value_lanes::encode_steps_avx2(entries.data(), groups, values.data(), steps, precision,
                                           x, w);
        }
      },
      kernels::avx512_available() || kernels::avx2_available());
}

// Decodes values [from, to) of a group (lanes x + from ...) from one table of flat slots, adding
// the group's minimum. Checked: the stream may end within these values (else at least 2 bytes per
// value remain at p, so the refill needs neither a bounds check nor a branch).
template <bool Checked>
inline void decode_run(uint32_t* x, uint32_t from, uint32_t to, const uint32_t* slots,
                       uint32_t precision, uint32_t minimum, uint8_t* values, const uint8_t*& p,
                       const uint8_t* end, uint32_t& seen) {
  const uint32_t mask = (1u << precision) - 1;
  for (uint32_t j = from; j < to; ++j) {
    uint32_t s = x[j];
    const uint32_t slot = slots[s & mask];
    s = ((slot >> 20) + 1) * (s >> precision) + ((slot >> 8) & 0xFFF);
    const uint32_t value = (slot & 0xFF) + minimum;
    seen |= value;
    values[j] = static_cast<uint8_t>(value);
    entropy::renormalize<Checked>(s, p, end, "value groups: rANS stream truncated");
    x[j] = s;
  }
}

// The portable decoder, from symbol first on (a multiple of kLanes), group by group: the values
// before the anchor, the anchor (its minimum), the values after it.
void decode_values(std::span<const uint8_t> stream, const Groups& groups,
                   const FlatDecodeTable& table, size_t first, uint32_t (&x)[kLanes],
                   const uint8_t* p, std::span<uint8_t> values, bool& consistent) {
  const uint32_t precision = table.precision();
  const uint8_t* const end = stream.data() + stream.size();
  uint32_t seen = 0;  // the OR of all values
  for (size_t g = first / kValueGroupSize; g < values.size() / kValueGroupSize; ++g) {
    uint32_t* const lanes = x + g * kValueGroupSize % kLanes;
    uint8_t* const v = values.data() + g * kValueGroupSize;
    const uint32_t position = groups.positions[g], minimum = groups.minima[g];
    const uint32_t* after = table.slots() + (size_t{groups.tables[g]} << precision);
    const uint32_t* before = after + (size_t{1} << precision);
    // A group reads at most 16 words.
    if (end - p < 2 * static_cast<ptrdiff_t>(kValueGroupSize)) {
      decode_run<true>(lanes, 0, position, before, precision, minimum, v, p, end, seen);
      decode_run<true>(lanes, position + 1, kValueGroupSize, after, precision, minimum, v, p, end,
                       seen);
    } else {
      decode_run<false>(lanes, 0, position, before, precision, minimum, v, p, end, seen);
      decode_run<false>(lanes, position + 1, kValueGroupSize, after, precision, minimum, v, p, end,
                        seen);
    }
    v[position] = static_cast<uint8_t>(minimum);
  }
  if (p != end) throw_corrupt("value groups: trailing bytes in the rANS stream");
  if (seen > 63) consistent = false;  // values are at most 63 + 63
}

}  // namespace

void write_value_groups(ByteWriter& out, std::span<const uint8_t> values,
                        std::span<const uint8_t> group_contexts, uint32_t contexts) {
  check_shape(values.size(), group_contexts.size(), contexts);
  uint8_t largest = 0;
  for (uint8_t v : values) largest = std::max(largest, v);
  if (largest >= kSymbols) throw Error(ErrorKind::kUsage, "value groups: value above 63");
  for (uint8_t c : group_contexts)
    if (c >= contexts) throw Error(ErrorKind::kUsage, "value groups: context out of range");
  const size_t group_count = group_contexts.size() - carried_groups(group_contexts.size());
  const auto coded = values.first(group_count * kValueGroupSize);
  auto minima = scratch<uint8_t, kScratchNibbleMinima>(group_count);
  auto positions = scratch<uint8_t, kScratchNibblePositions>(group_count);
  auto tables = scratch<uint8_t, kScratchValueTables>(group_count);
  split_groups(coded.data(), group_contexts.first(group_count), minima.data(), positions.data(),
               tables.data());
  const Groups groups{tables.data(), minima.data(), positions.data()};

  // The minima and positions as quant fields (16-bit symbols); positions see the minimum's class.
  auto wide = scratch<uint16_t, kScratchNibbleWide>(group_count);
  auto classes = scratch<uint8_t, kScratchClassContexts>(group_count);
  std::copy(minima.begin(), minima.end(), wide.begin());
  write_field(out, wide, group_contexts.first(group_count), {kSymbols, contexts});
  std::copy(positions.begin(), positions.end(), wide.begin());
  std::transform(minima.begin(), minima.end(), classes.begin(), min_class);
  write_field(out, wide, classes, {kValueGroupSize, kMinClasses});

  if (group_count == 0) return;
  const uint32_t table_count = contexts * kMinClasses * 2;
  const FieldTables t =
      write_field_tables(out, residual_histogram(coded.data(), groups, group_count, table_count));
  uint32_t initial[kLanes];
  uint16_t carried[kLanes] = {};
  if (coded.size() != values.size()) pack_carried(values.data() + coded.size(), carried);
  for (int l = 0; l < kLanes; ++l) initial[l] = entropy::kStateLow + carried[l];
  const auto stream = encode_stream(coded, groups, encode_entries(t), t.precision, initial);
  out.varint(stream.size());
  out.bytes(stream);
}

void read_value_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                       std::span<uint8_t> values) {
  check_shape(values.size(), group_contexts.size(), contexts);
  uint8_t max_context = 0;
  for (uint8_t c : group_contexts) max_context = std::max(max_context, c);
  if (!group_contexts.empty() && max_context >= contexts)
    throw Error(ErrorKind::kUsage, "value groups: context out of range");
  const size_t group_count = group_contexts.size() - carried_groups(group_contexts.size());
  const size_t n = group_count * kValueGroupSize;

  auto wide = scratch<uint16_t, kScratchNibbleWide>(group_count);
  auto minima = scratch<uint8_t, kScratchNibbleMinima>(group_count);
  auto positions = scratch<uint8_t, kScratchNibblePositions>(group_count);
  auto tables = scratch<uint8_t, kScratchValueTables>(group_count);
  auto classes = scratch<uint8_t, kScratchClassContexts>(group_count);
  read_field(in, group_contexts.first(group_count), {kSymbols, contexts}, wide);
  for (size_t g = 0; g < group_count; ++g) {
    minima[g] = static_cast<uint8_t>(wide[g]);
    classes[g] = min_class(minima[g]);
    tables[g] = static_cast<uint8_t>((group_contexts[g] * kMinClasses + classes[g]) * 2);
  }
  read_field(in, classes, {kValueGroupSize, kMinClasses}, wide);
  std::copy(wide.begin(), wide.end(), positions.begin());
  if (group_count == 0) return;
  const Groups groups{tables.data(), minima.data(), positions.data()};

  const FieldTables t = read_field_tables(in, {kSymbols, contexts * kMinClasses * 2});
  anchored_lanes::check_tables(in, t, positions, kValueGroupSize, tables, 0);
  const FlatDecodeTable table(t.tables, t.precision);
  uint32_t x[kLanes];
  const uint8_t* p = nullptr;
  const auto stream = anchored_lanes::read_stream(in, x, p);
  bool consistent = true;
  size_t done = 0;
  if constexpr (kernels::kAvx512Built)
    if (kernels::avx512_available())
      done = kLanes * value_lanes::decode_steps_avx512(
                          table.slots(), groups, n / kLanes, t.precision, x, p,
                          stream.data() + stream.size(), values.data(), consistent);
  if constexpr (kernels::kAvx512Built)
    if (done < n && kernels::avx2_available())
      done = kLanes * value_lanes::decode_steps_avx2(
                          table.slots(), groups, done / kLanes, n / kLanes, t.precision, x, p,
                          stream.data() + stream.size(), values.data(), consistent);
  decode_values(stream, groups, table, done, x, p, values.first(n), consistent);
  // The final states are the encoder's initial ones: kStateLow plus the carried words.
  const bool carries = n != values.size();
  uint16_t carried[kLanes];
  anchored_lanes::read_carried_words(in, x, carries ? kCarriedWords : 0, carried);
  if (carries) unpack_carried(carried, values.data() + n);
  if (!consistent) in.fail("value groups: a value above 63");
}

}  // namespace lcl::quant
