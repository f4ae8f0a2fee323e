// The nibble lanes (Q4_K's nibble stream): round trips of packed groups across the sizes that
// exercise the AVX-512 loop and the portable tail, groups with non-zero minima and anchors at
// either end; the kernels and the portable code write the same bytes and read each other's;
// damaged payloads throw lcl::Error and never touch memory outside the spans (the sanitizer build
// runs these too).
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q4k/nibble_lanes.hpp"
#include "lcl/error.hpp"
#include "quant_test_support.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

struct Groups {
  std::vector<uint8_t> packed;    // 32 bytes per pair of groups
  std::vector<uint8_t> contexts;  // one per group
};

// Groups like a quantizer's (values peaked around a zero point, a 0 in most groups), with some
// odd ones: a non-zero minimum, the minimum first or last only, all values equal.
Groups make_groups(size_t pairs, uint32_t contexts, uint32_t seed) {
  std::mt19937 rng(seed);
  Groups g;
  g.packed.assign(pairs * kNibblePairBytes, 0);
  g.contexts.resize(2 * pairs);
  for (size_t group = 0; group < 2 * pairs; ++group) {
    g.contexts[group] = static_cast<uint8_t>(rng() % contexts);
    const double centre = 1.0 + g.contexts[group] % 14;
    std::normal_distribution<double> value(centre, 2.5);
    uint8_t v[32];
    for (auto& x : v) x = static_cast<uint8_t>(std::clamp(std::lround(value(rng)), 0L, 15L));
    switch (rng() % 8) {
      case 0:  // minimum above 0
        for (auto& x : v) x = static_cast<uint8_t>(std::max<int>(x, 3));
        break;
      case 1:  // the minimum only last
        for (auto& x : v) x = static_cast<uint8_t>(std::max<int>(x, 1));
        v[31] = 0;
        break;
      case 2:  // the minimum only first
        for (auto& x : v) x = static_cast<uint8_t>(std::max<int>(x, 1));
        v[0] = 0;
        break;
      case 3:
        if (rng() % 4 == 0) std::fill(std::begin(v), std::end(v), static_cast<uint8_t>(rng() % 16));
        break;
      default:
        v[rng() % 32] = 0;
    }
    uint8_t* bytes = g.packed.data() + (group / 2) * kNibblePairBytes;
    for (int j = 0; j < 32; ++j) bytes[j] |= static_cast<uint8_t>(group % 2 ? v[j] << 4 : v[j]);
  }
  return g;
}

std::vector<uint8_t> encode(const Groups& g, uint32_t contexts) {
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  write_nibble_groups(w, g.packed, g.contexts, contexts);
  return payload;
}

std::vector<uint8_t> decode(std::span<const uint8_t> payload, const Groups& g, uint32_t contexts) {
  std::vector<uint8_t> out(g.packed.size(), 0xAA);
  ByteReader r(payload, "nibble test");
  read_nibble_groups(r, g.contexts, contexts, out);
  if (!r.at_end()) throw Error(ErrorKind::kCorruptInput, "trailing bytes");
  return out;
}

TEST(NibbleLanes, RoundTripAcrossSizesOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  for (size_t pairs : {0, 1, 2, 3, 7, 8, 9, 64, 333, 4096}) {
    for (uint32_t contexts : {1u, 18u}) {
      const Groups g = make_groups(pairs, contexts, static_cast<uint32_t>(pairs * 31 + contexts));
      test::expect_paths_agree(
          g.packed, [&] { return encode(g, contexts); },
          [&](const std::vector<uint8_t>& payload) { return decode(payload, g, contexts); },
          std::to_string(pairs) + " pairs");
    }
  }
}

// Values spread evenly over 0..15 (every residual table full), which the peaked groups above
// rarely reach.
TEST(NibbleLanes, UniformValuesRoundTripOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(11);
  for (size_t pairs : {5, 40, 1000}) {
    Groups g;
    g.packed.resize(pairs * kNibblePairBytes);
    g.contexts.resize(2 * pairs);
    for (auto& b : g.packed) b = static_cast<uint8_t>(rng());
    for (auto& c : g.contexts) c = static_cast<uint8_t>(rng() % 3);
    test::expect_paths_agree(
        g.packed, [&] { return encode(g, 3); },
        [&](const std::vector<uint8_t>& payload) { return decode(payload, g, 3); },
        std::to_string(pairs) + " uniform pairs");
  }
}

TEST(NibbleLanes, DamagedPayloadsDecodeAlikeOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(500, 18, 9);
  const int decoded = test::expect_damage_decoded_alike(
      encode(g, 18), [&](const std::vector<uint8_t>& damaged) { return decode(damaged, g, 18); });
  std::cout << decoded << " of 200 damaged payloads decoded\n";
}

TEST(NibbleLanes, PeakedGroupsCompress) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(4096, 18, 7);
  // Values within ~2.5 of a zero point the contexts tell: about 3.3 bits of 4.
  EXPECT_LT(encode(g, 18).size(), g.packed.size() * 9 / 10);
}

TEST(NibbleLanes, RejectsBadShapes) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(4, 4, 1);
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  EXPECT_THROW(write_nibble_groups(w, g.packed, std::span(g.contexts).first(7), 4), Error);
  EXPECT_THROW(write_nibble_groups(w, g.packed, g.contexts, 2), Error);  // context 3 of 2
  EXPECT_THROW(write_nibble_groups(w, g.packed, g.contexts, 200), Error);
}

TEST(NibbleLanes, DamagedPayloadsThrowOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const Groups g = make_groups(300, 18, 3);
  const std::vector<uint8_t> payload = encode(g, 18);
  for (bool portable : {false, true}) {
    test::PortableScope scope(portable);
    test::expect_damage_rejected(
        payload, [&](std::span<const uint8_t> damaged) { decode(damaged, g, 18); }, 5);
  }
}

}  // namespace
}  // namespace lcl::quant
