#include "codecs/q4k/nibble_lanes.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "codecs/fields/anchored_lanes.hpp"
#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q4k/nibble_lanes_simd.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

using nibble_lanes::DecodeEntries;
using nibble_lanes::EncodeEntries;
using nibble_lanes::Groups;
using nibble_lanes::kLanes;
using nibble_lanes::kStepFreqMask;
using nibble_lanes::kStepOffsetMask;
using nibble_lanes::kStepOffsetShift;
using nibble_lanes::kStepResidualShift;
using nibble_lanes::kSymbols;
using nibble_lanes::slot_step;

constexpr uint32_t kMaxContexts = 128;  // 2 residual tables each, quant fields allow 256

// Value j of group g (its pair's bytes at packed + 32 * (g / 2)).
inline uint8_t value_at(const uint8_t* packed, size_t g, uint32_t j) {
  const uint8_t byte = packed[(g >> 1) * kNibblePairBytes + j];
  return static_cast<uint8_t>((g & 1) ? byte >> 4 : byte & 15);
}

void check_shape(size_t packed_bytes, size_t groups, uint32_t contexts) {
  if (contexts < 1 || contexts > kMaxContexts)
    throw Error(ErrorKind::kUsage, "nibble groups: 1..128 contexts");
  if (packed_bytes % kNibblePairBytes != 0 || groups * kNibbleGroupSize / 2 != packed_bytes)
    throw Error(ErrorKind::kUsage, "nibble groups: one context per group, whole pairs of groups");
  // Lane counts and histograms are 32-bit.
  if (packed_bytes > (uint64_t{1} << 30))
    throw Error(ErrorKind::kUsage, "nibble groups: more than 2^31 values");
}

// Pairs whose 32 bytes travel in the lanes' initial states instead of the stream (64 lanes x 16
// bits = 4 pairs), when there are enough pairs that the rest still fills the lanes.
constexpr size_t kCarriedPairs = kLanes * 2 / kNibblePairBytes;
static_assert(kCarriedPairs * kNibblePairBytes == 2 * kLanes);
size_t carried_pairs(size_t packed_bytes) {
  return packed_bytes >= 2 * kCarriedPairs * kNibblePairBytes ? kCarriedPairs : 0;
}

// Minimum and first position of the minimum of every group.
void split_groups(std::span<const uint8_t> packed, uint8_t* minima, uint8_t* positions) {
  const size_t pairs = packed.size() / kNibblePairBytes;
  if (kernels::avx2_available()) {
    if constexpr (kernels::kAvx512Built)
      nibble_lanes::split_pairs_avx2(packed.data(), pairs, minima, positions);
    return;
  }
  for (size_t g = 0; g < 2 * pairs; ++g) {
    uint8_t values[kNibbleGroupSize];
    for (uint32_t j = 0; j < kNibbleGroupSize; ++j) values[j] = value_at(packed.data(), g, j);
    const auto [minimum, position] = find_anchor(values, kNibbleGroupSize);
    minima[g] = minimum;
    positions[g] = static_cast<uint8_t>(position);
  }
}

// The counter updates of residual_histogram, the portable twin of
// nibble_lanes::count_residuals_avx512 (the same counts).
void count_residuals(std::span<const uint8_t> packed, const Groups& groups, size_t group_count,
                     size_t copy_size, uint32_t* counts) {
  for (size_t pair = 0; pair < group_count / 2; ++pair) {
    const uint8_t* bytes = packed.data() + pair * kNibblePairBytes;
    const size_t ga = 2 * pair, gb = ga + 1;
    const size_t base_a = size_t{groups.contexts[ga]} * 2 * kSymbols;
    const size_t base_b = 4 * copy_size + size_t{groups.contexts[gb]} * 2 * kSymbols;
    const uint32_t position_a = groups.positions[ga], position_b = groups.positions[gb];
    // Values are at least their group's minimum, so the indices stay inside their table.
    const uint32_t min_a = groups.minima[ga], min_b = groups.minima[gb];
    // Unrolled by the copy count so that each increment's copy is a constant offset.
    uint32_t* const a = counts + base_a;
    uint32_t* const b = counts + base_b;
    for (uint32_t j = 0; j < kNibbleGroupSize; j += 4) {
#pragma GCC unroll 4
      for (uint32_t k = 0; k < 4; ++k) {
        const uint32_t byte = bytes[j + k];
        ++a[k * copy_size + (j + k < position_a) * kSymbols + ((byte & 15) - min_a)];
        ++b[k * copy_size + (j + k < position_b) * kSymbols + ((byte >> 4) - min_b)];
      }
    }
  }
}

// Residual counts per table (2 * context + before) of every value but the anchors. A pair's two
// groups count into separate copies of the counters, each in four copies taken in turn, so that
// equal nearby values do not wait on one counter (a store-to-load round trip per increment); the
// anchors are counted with the values after them (residual 0) and taken out at the end, which keeps
// the loop free of branches.
FieldHistogram residual_histogram(std::span<const uint8_t> packed, const Groups& groups,
                                  size_t group_count, uint32_t contexts) {
  const size_t tables = 2 * size_t{contexts};
  const size_t copy_size = tables * kSymbols;
  constexpr size_t kCopies = 8;
  std::vector<uint32_t> counts(kCopies * copy_size, 0);
  std::vector<uint32_t> anchors(contexts, 0);
  for (size_t g = 0; g < group_count; ++g) ++anchors[groups.contexts[g]];
  if (kernels::avx512_available()) {
    if constexpr (kernels::kAvx512Built)
      nibble_lanes::count_residuals_avx512(packed.data(), groups, group_count / 2,
                                           static_cast<uint32_t>(copy_size), counts.data());
  } else {
    count_residuals(packed, groups, group_count, copy_size, counts.data());
  }
  FieldHistogram histogram({kSymbols, static_cast<uint32_t>(tables)});
  for (uint32_t t = 0; t < tables; ++t)
    for (uint32_t s = 0; s < kSymbols; ++s) {
      uint64_t n = 0;
      for (size_t copy = 0; copy < kCopies; ++copy)
        n += counts[copy * copy_size + t * kSymbols + s];
      if (t % 2 == 0 && s == 0) n -= anchors[t / 2];  // the anchors: after-table, residual 0
      histogram.add_count(t, s, n);
    }
  return histogram;
}

// Group context c's two tables (2c after the anchor, 2c + 1 before it) as 32 entries, the halves
// of entropy::pack_encoder_symbol in two arrays (the kernel permutes each from two registers).
std::vector<EncodeEntries> encode_entries(const FieldTables& t, uint32_t contexts) {
  std::vector<EncodeEntries> entries(contexts);
  for (uint32_t c = 0; c < contexts; ++c) {
    EncodeEntries& e = entries[c];
    std::memset(&e, 0, sizeof e);
    for (uint32_t before = 0; before < 2; ++before) {
      const entropy::FrequencyTable& table = t.tables[2 * c + before];
      uint32_t cum = 0;
      for (uint32_t s = 0; s < table.freq.size(); ++s) {
        const uint32_t f = table.freq[s];
        if (f == 0) continue;
        const uint64_t entry = entropy::pack_encoder_symbol(
            entropy::make_encoder_symbol(cum, f, t.precision), t.precision);
        e.reciprocal[16 * before + s] = static_cast<uint32_t>(entry);
        e.packed[16 * before + s] = static_cast<uint32_t>(entry >> 32);
        cum += f;
      }
    }
  }
  return entries;
}

// The stream (64 lanes, entropy::encode_interleaved's layout), valid until the next call on
// this thread (see anchored_lanes::encode_stream).
std::span<const uint8_t> encode_stream(std::span<const uint8_t> packed, const Groups& groups,
                                       const std::vector<EncodeEntries>& entries,
                                       uint32_t precision, const uint32_t (&initial)[kLanes]) {
  // The anchor's lane takes an identity step: all of the probability on one symbol leaves the
  // state as it is and emits nothing.
  const entropy::EncoderSymbol identity =
      entropy::make_encoder_symbol(0, 1u << precision, precision);
  return anchored_lanes::encode_stream(
      packed.size() / kNibblePairBytes * kLanes, initial,
      [&](size_t i) {
        const size_t g = i / kNibbleGroupSize;
        const uint32_t j = i % kNibbleGroupSize;
        const uint32_t position = groups.positions[g];
        if (j == position) return identity;
        const uint32_t residual = value_at(packed.data(), g, j) - groups.minima[g];
        const EncodeEntries& e = entries[groups.contexts[g]];
        const uint32_t index = (j < position) * 16 + residual;
        return entropy::unpack_encoder_symbol(
            uint64_t{e.reciprocal[index]} | uint64_t{e.packed[index]} << 32, precision);
      },
      [&](size_t steps, uint32_t(&x)[kLanes], uint16_t*& w) {
        if constexpr (kernels::kAvx512Built) {
          if (kernels::avx512_available())
            nibble_lanes::encode_pairs_avx512(entries.data(), groups, packed.data(), steps,
                                              precision, x, w);
          else
            nibble_lanes::encode_pairs_avx2(entries.data(), groups, packed.data(), steps, precision,
                                            x, w);
        }
      },
      kernels::avx512_available() || kernels::avx2_available());
}

std::vector<DecodeEntries> decode_entries(const FieldTables& t, uint32_t contexts) {
  std::vector<DecodeEntries> entries(contexts);
  for (uint32_t c = 0; c < contexts; ++c)
    for (uint32_t before = 0; before < 2; ++before) {
      const entropy::FrequencyTable& table = t.tables[2 * c + before];
      uint32_t cum = 0;
      for (uint32_t s = 0; s < kSymbols; ++s) {
        // An absent table's entries are never used by a lane (checked by the caller); cum 0
        // keeps every row non-decreasing, as the symbol search needs.
        const uint32_t f = table.freq.empty() ? 0 : table.freq[s];
        entries[c].entry[16 * before + s] = cum << 16 | f;
        cum += f;
      }
    }
  return entries;
}

// Per residual table (2 * context + before), the decode step of every slot (slot_step), for the
// contexts the groups use. One load per value replaces the 4-step search over the cumulative
// frequencies, whose data-dependent branches mispredicted about every other value; it finds the
// same symbol (the one with freq > 0 and cum <= slot < cum + freq: every table read sums to
// 1 << precision). Tables of unused contexts are left unset (no lane reads them).
std::span<const uint32_t> slot_steps(const std::vector<DecodeEntries>& entries, uint32_t precision,
                                     std::span<const uint8_t> group_contexts) {
  const uint32_t contexts = static_cast<uint32_t>(entries.size());
  auto steps = scratch<uint32_t, kScratchNibbleSlotSteps>(size_t{2 * contexts} << precision);
  bool used[kMaxContexts] = {};
  for (uint8_t c : group_contexts) used[c] = true;
  for (uint32_t c = 0; c < contexts; ++c) {
    if (!used[c]) continue;
    for (uint32_t before = 0; before < 2; ++before) {
      uint32_t* table = steps.data() + (size_t{2 * c + before} << precision);
      const uint32_t* entry = entries[c].entry + 16 * before;
      // An absent table (never used by a lane: checked by the caller) has every freq 0.
      for (uint32_t s = 0; s < kSymbols; ++s) {
        const uint32_t cum = entry[s] >> 16, freq = entry[s] & 0xFFFF;
        for (uint32_t slot = cum; slot < cum + freq; ++slot)
          table[slot] = slot_step(s, freq, slot - cum);
      }
    }
  }
  return steps;
}

// Decodes values [from, to) of a group (lanes x + from ...) with one residual table, adding the
// group's minimum; Checked: the stream may end within these values (else at least 2 bytes per
// value remain at p, so the refill needs neither a bounds check nor a branch).
template <bool Checked>
inline void decode_run(uint32_t* x, uint32_t from, uint32_t to, const uint32_t* steps,
                       uint32_t precision, uint32_t minimum, uint8_t* values, const uint8_t*& p,
                       const uint8_t* end, uint32_t& seen) {
  const uint32_t mask = (1u << precision) - 1;
  for (uint32_t j = from; j < to; ++j) {
    uint32_t s = x[j];
    const uint32_t step = steps[s & mask];
    s = (step & kStepFreqMask) * (s >> precision) + (step >> kStepOffsetShift & kStepOffsetMask);
    const uint32_t value = (step >> kStepResidualShift) + minimum;
    seen |= value;
    values[j] = static_cast<uint8_t>(value);
    entropy::renormalize<Checked>(s, p, end, "nibble groups: rANS stream truncated");
    x[j] = s;
  }
}

// One group's 32 values (lanes x[0..32)): before the anchor, the anchor (its minimum), after it.
// tables: the group context's two tables of slot steps.
template <bool Checked>
inline void decode_group(uint32_t* x, const uint32_t* tables, uint32_t precision, uint32_t minimum,
                         uint32_t position, uint8_t* values, const uint8_t*& p, const uint8_t* end,
                         uint32_t& seen) {
  decode_run<Checked>(x, 0, position, tables + (size_t{1} << precision), precision, minimum, values,
                      p, end, seen);
  values[position] = static_cast<uint8_t>(minimum);
  decode_run<Checked>(x, position + 1, kNibbleGroupSize, tables, precision, minimum, values, p, end,
                      seen);
}

// The portable decoder: pairs [first_pair, pairs), each placed at place(pair). Values pass 15 only
// in a damaged stream (then consistent turns false).
template <class Place>
void decode_pairs(std::span<const uint8_t> stream, const Groups& groups,
                  std::span<const uint32_t> steps, uint32_t precision, size_t first_pair,
                  size_t pairs, uint32_t (&x)[kLanes], const uint8_t* p, const Place& place,
                  bool& consistent) {
  const uint8_t* const end = stream.data() + stream.size();
  uint32_t seen = 0;  // the OR of all values
  for (size_t pair = first_pair; pair < pairs; ++pair) {
    uint8_t values[kLanes];
    // A pair reads at most 64 words.
    const bool checked = end - p < 2 * kLanes;
    for (uint32_t half = 0; half < 2; ++half) {
      const size_t g = 2 * pair + half;
      const uint32_t* tables = steps.data() + ((size_t{groups.contexts[g]} * 2) << precision);
      uint32_t* const lanes = x + half * kNibbleGroupSize;
      uint8_t* const v = values + half * kNibbleGroupSize;
      if (checked)
        decode_group<true>(lanes, tables, precision, groups.minima[g], groups.positions[g], v, p,
                           end, seen);
      else
        decode_group<false>(lanes, tables, precision, groups.minima[g], groups.positions[g], v, p,
                            end, seen);
    }
    uint8_t* const dst = place(pair);
    for (uint32_t j = 0; j < kNibbleGroupSize; ++j)
      dst[j] = static_cast<uint8_t>(values[j] | values[j + kNibbleGroupSize] << 4);
  }
  if (p != end) throw_corrupt("nibble groups: trailing bytes in the rANS stream");
  if (seen > 15) consistent = false;  // values are at most 15 + 15
}

}  // namespace

void write_nibble_groups(ByteWriter& out, std::span<const uint8_t> packed,
                         std::span<const uint8_t> group_contexts, uint32_t contexts) {
  check_shape(packed.size(), group_contexts.size(), contexts);
  for (uint8_t c : group_contexts)
    if (c >= contexts) throw Error(ErrorKind::kUsage, "nibble groups: context out of range");
  const size_t coded_pairs = packed.size() / kNibblePairBytes - carried_pairs(packed.size());
  const size_t group_count = 2 * coded_pairs;
  const auto coded = packed.first(coded_pairs * kNibblePairBytes);
  auto minima = scratch<uint8_t, kScratchNibbleMinima>(group_count);
  auto positions = scratch<uint8_t, kScratchNibblePositions>(group_count);
  split_groups(coded, minima.data(), positions.data());
  const Groups groups{group_contexts.data(), minima.data(), positions.data()};

  // The minima and positions as quant fields (16-bit symbols).
  auto wide = scratch<uint16_t, kScratchNibbleWide>(group_count);
  std::copy(minima.begin(), minima.end(), wide.begin());
  write_field(out, wide, group_contexts.first(group_count), {kSymbols, contexts});
  std::copy(positions.begin(), positions.end(), wide.begin());
  write_field(out, wide, {}, {kNibbleGroupSize, 1});

  if (group_count == 0) return;
  const FieldTables tables =
      write_field_tables(out, residual_histogram(coded, groups, group_count, contexts));
  // The carried pairs ride in the lanes' initial states, 16 bits each, which the decoder gets back
  // as its final states: 128 bytes that cost nothing, since the 64 states are stored anyway.
  uint32_t initial[kLanes];
  const uint8_t* carried = packed.data() + coded.size();
  for (int l = 0; l < kLanes; ++l)
    initial[l] =
        entropy::kStateLow + (coded.size() == packed.size() ? 0 : load_u16le(carried + 2 * l));
  const auto stream =
      encode_stream(coded, groups, encode_entries(tables, contexts), tables.precision, initial);
  out.varint(stream.size());
  out.bytes(stream);
}

void read_nibble_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                        std::span<uint8_t> packed) {
  check_shape(packed.size(), group_contexts.size(), contexts);  // whole pairs, among others
  read_nibble_groups(in, group_contexts, contexts, packed, packed.size() / kNibblePairBytes,
                     NibblePairPlacement{});
}

void read_nibble_groups(ByteReader& in, std::span<const uint8_t> group_contexts, uint32_t contexts,
                        std::span<uint8_t> out, size_t total_pairs,
                        const NibblePairPlacement& placement) {
  const size_t packed_size = total_pairs * kNibblePairBytes;
  check_shape(packed_size, group_contexts.size(), contexts);
  if (placement.pairs_per_row == 0 ||
      placement.row_offset + placement.pairs_per_row * kNibblePairBytes > placement.row_stride)
    throw Error(ErrorKind::kUsage, "nibble groups: pairs overlap in their placement");
  const auto place = [&](size_t pair) {
    return out.data() + pair / placement.pairs_per_row * placement.row_stride +
           placement.row_offset + pair % placement.pairs_per_row * kNibblePairBytes;
  };
  if (total_pairs > 0 && place(total_pairs - 1) + kNibblePairBytes > out.data() + out.size())
    throw Error(ErrorKind::kUsage, "nibble groups: the pairs do not fit the output");
  uint8_t max_context = 0;
  for (uint8_t c : group_contexts) max_context = std::max(max_context, c);
  if (!group_contexts.empty() && max_context >= contexts)
    throw Error(ErrorKind::kUsage, "nibble groups: context out of range");
  const size_t pairs = total_pairs - carried_pairs(packed_size);
  const size_t group_count = 2 * pairs;

  auto wide = scratch<uint16_t, kScratchNibbleWide>(group_count);
  auto minima = scratch<uint8_t, kScratchNibbleMinima>(group_count);
  auto positions = scratch<uint8_t, kScratchNibblePositions>(group_count);
  read_field(in, group_contexts.first(group_count), {kSymbols, contexts}, wide);
  std::copy(wide.begin(), wide.end(), minima.begin());
  read_field(in, {}, {kNibbleGroupSize, 1}, wide);
  std::copy(wide.begin(), wide.end(), positions.begin());
  if (group_count == 0) return;
  const Groups groups{group_contexts.data(), minima.data(), positions.data()};

  const FieldTables tables = read_field_tables(in, {kSymbols, 2 * contexts});
  anchored_lanes::check_tables(in, tables, positions, kNibbleGroupSize,
                               group_contexts.first(group_count), 1);
  uint32_t x[kLanes];
  const uint8_t* p = nullptr;
  const auto stream = anchored_lanes::read_stream(in, x, p);
  bool consistent = true;
  size_t done = 0;
  const auto entries = decode_entries(tables, contexts);
  if (kernels::avx512_available()) {
    if constexpr (kernels::kAvx512Built)
      done = nibble_lanes::decode_pairs_avx512(
          entries.data(), groups, pairs, tables.precision, x, p, stream.data() + stream.size(),
          place(0), placement.pairs_per_row, placement.row_stride, consistent);
  }
  // The rest (all of it without AVX-512), with the slot steps of the contexts it uses.
  if (done < pairs) {
    const auto steps = slot_steps(entries, tables.precision,
                                  group_contexts.subspan(2 * done, group_count - 2 * done));
    if (kernels::avx2_available()) {
      if constexpr (kernels::kAvx512Built)
        done = nibble_lanes::decode_pairs_avx2(steps.data(), groups, done, pairs, tables.precision,
                                               x, p, stream.data() + stream.size(), place(0),
                                               placement.pairs_per_row, placement.row_stride,
                                               consistent);
    }
    decode_pairs(stream, groups, steps, tables.precision, done, pairs, x, p, place, consistent);
  } else if (p != stream.data() + stream.size()) {
    throw_corrupt("nibble groups: trailing bytes in the rANS stream");
  }
  // The final states are the encoder's initial ones: kStateLow plus the carried words.
  const bool carries = pairs != total_pairs;
  uint16_t carried[kLanes];
  anchored_lanes::read_carried_words(in, x, carries ? kLanes : 0, carried);
  if (carries) {
    // 16 words to a pair.
    for (int l = 0; l < kLanes; ++l) {
      uint8_t* dst = place(pairs + 2 * l / kNibblePairBytes) + 2 * l % kNibblePairBytes;
      dst[0] = static_cast<uint8_t>(carried[l]);
      dst[1] = static_cast<uint8_t>(carried[l] >> 8);
    }
  }
  if (!consistent) in.fail("nibble groups: a value above 15");
}

}  // namespace lcl::quant
