// The value lanes (Q6_K's 6-bit values): round trips across the sizes that exercise the AVX-512
// steps, the ragged tail and the carried groups, groups of every minimum class with anchors at
// either end; the kernels and the portable code write the same bytes; damaged payloads throw
// lcl::Error and never touch memory outside the spans (the sanitizer build runs these too).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q6k/value_lanes.hpp"
#include "lcl/error.hpp"
#include "quant_test_support.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

struct Groups {
  std::vector<uint8_t> values;    // 16 per group, < 64
  std::vector<uint8_t> contexts;  // one per group
};

// Values peaked around the middle of the grid with a 0 or 1 in most groups, as Q6_K's quantizer
// leaves them, and some odd groups.
Groups make_groups(size_t groups, uint32_t contexts, uint32_t seed) {
  std::mt19937 rng(seed);
  Groups g;
  g.values.resize(groups * kValueGroupSize);
  g.contexts.resize(groups);
  for (size_t group = 0; group < groups; ++group) {
    g.contexts[group] = static_cast<uint8_t>(rng() % contexts);
    std::normal_distribution<double> value(32.0, 6.0 + 2.0 * g.contexts[group]);
    uint8_t* v = g.values.data() + group * kValueGroupSize;
    for (uint32_t j = 0; j < kValueGroupSize; ++j)
      v[j] = static_cast<uint8_t>(std::clamp(std::lround(value(rng)), 2L, 63L));
    switch (rng() % 8) {
      case 0:  // minimum 2 or more
        break;
      case 1:  // the minimum only last
        v[kValueGroupSize - 1] = 0;
        break;
      case 2:  // the minimum only first
        v[0] = 1;
        break;
      case 3:
        if (rng() % 4 == 0) std::fill(v, v + kValueGroupSize, static_cast<uint8_t>(rng() % 64));
        break;
      default:
        v[rng() % kValueGroupSize] = static_cast<uint8_t>(rng() % 2);
    }
  }
  return g;
}

std::vector<uint8_t> encode(const Groups& g, uint32_t contexts) {
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  write_value_groups(w, g.values, g.contexts, contexts);
  return payload;
}

std::vector<uint8_t> decode(std::span<const uint8_t> payload, const Groups& g, uint32_t contexts) {
  std::vector<uint8_t> out(g.values.size(), 0xAA);
  ByteReader r(payload, "value test");
  read_value_groups(r, g.contexts, contexts, out);
  if (!r.at_end()) throw Error(ErrorKind::kCorruptInput, "trailing bytes");
  return out;
}

TEST(ValueLanes, RoundTripAcrossSizesOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  for (size_t groups : {0, 1, 3, 4, 19, 20, 21, 36, 100, 1001, 8192}) {
    for (uint32_t contexts : {1u, 4u}) {
      const Groups g = make_groups(groups, contexts, static_cast<uint32_t>(groups * 7 + contexts));
      test::expect_paths_agree(
          g.values, [&] { return encode(g, contexts); },
          [&](const std::vector<uint8_t>& payload) { return decode(payload, g, contexts); },
          std::to_string(groups) + " groups");
    }
  }
}

TEST(ValueLanes, PeakedGroupsCompress) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(8192, 4, 7);
  // Normal values of width 6-12 on a 64-step grid: about 4.5-5.5 bits of 6 (bytes of 8 here).
  EXPECT_LT(encode(g, 4).size(), g.values.size() * 6 / 8);
}

TEST(ValueLanes, RejectsBadShapes) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  Groups g = make_groups(8, 4, 1);
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  EXPECT_THROW(write_value_groups(w, g.values, std::span(g.contexts).first(7), 4), Error);
  EXPECT_THROW(write_value_groups(w, g.values, g.contexts, 43), Error);
  g.contexts[0] = 3;
  EXPECT_THROW(write_value_groups(w, g.values, g.contexts, 2), Error);
  g.values[5] = 64;
  EXPECT_THROW(write_value_groups(w, g.values, g.contexts, 4), Error);
}

TEST(ValueLanes, DamagedPayloadsThrowOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(600, 4, 3);
  const std::vector<uint8_t> payload = encode(g, 4);
  for (bool portable : {false, true}) {
    test::PortableScope scope(portable);
    test::expect_damage_rejected(
        payload, [&](std::span<const uint8_t> damaged) { decode(damaged, g, 4); }, 5);
  }
}

// The kernels (AVX-512 or AVX2, whichever the CPU has) and the portable decoder agree on damaged
// payloads too: the same values when both decode, an error from both otherwise.
TEST(ValueLanes, DamagedPayloadsDecodeAlikeOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(1000, 4, 9);
  test::expect_damage_decoded_alike(
      encode(g, 4), [&](const std::vector<uint8_t>& damaged) { return decode(damaged, g, 4); });
}

}  // namespace
}  // namespace lcl::quant
