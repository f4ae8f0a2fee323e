// The field coding shared by the quantized codecs (quant_fields, quant_anchored, quant_halves):
// round trips over alphabets, context counts and degenerate inputs, the packed fall-back, sparse
// and wide fields (with and without the AVX-512 and AVX2 kernels), and rejection of payloads that
// contradict themselves (on both paths).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_rans.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "lcl/error.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

std::vector<uint16_t> skewed_symbols(size_t n, uint32_t alphabet, uint32_t seed) {
  std::mt19937 rng(seed);
  std::geometric_distribution<int> geometric(0.3);
  std::vector<uint16_t> s(n);
  for (auto& v : s) v = static_cast<uint16_t>(std::min<uint32_t>(geometric(rng), alphabet - 1));
  return s;
}

std::vector<uint16_t> roundtrip_field(std::span<const uint16_t> symbols,
                                      std::span<const uint8_t> contexts, FieldShape shape,
                                      size_t* size = nullptr) {
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  write_field(w, symbols, contexts, shape);
  if (size) *size = payload.size();
  std::vector<uint16_t> back(symbols.size(), 0xFFFF);
  ByteReader r(payload);
  read_field(r, contexts, shape, back);
  EXPECT_TRUE(r.at_end());
  return back;
}

TEST(QuantFieldCoding, RoundTripsAcrossShapes) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(1);
  for (uint32_t alphabet : {2u, 16u, 64u, 256u})
    for (uint32_t contexts : {1u, 3u, 256u})
      for (size_t n : {0u, 1u, 7u, 5000u}) {
        auto symbols = skewed_symbols(n, alphabet, alphabet + contexts + static_cast<uint32_t>(n));
        std::vector<uint8_t> ctx(n);
        for (auto& c : ctx) c = static_cast<uint8_t>(rng() % contexts);
        EXPECT_EQ(roundtrip_field(symbols, ctx, {alphabet, contexts}), symbols);
        EXPECT_EQ(roundtrip_field(symbols, {}, {alphabet, 1}), symbols);
      }
}

TEST(QuantFieldCoding, SkewedFieldsShrinkAndUniformOnesStayPacked) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  auto skewed = skewed_symbols(20000, 16, 2);
  size_t size = 0;
  roundtrip_field(skewed, {}, {16, 1}, &size);
  std::vector<uint64_t> counts(16, 0);
  for (uint16_t v : skewed) ++counts[v];
  double entropy_bits = 0;
  for (uint64_t c : counts)
    if (c) entropy_bits += static_cast<double>(c) * std::log2(20000.0 / static_cast<double>(c));
  // Within 1% (plus table and coder state bytes) of the field's order-0 entropy.
  EXPECT_LT(static_cast<double>(size), entropy_bits / 8 * 1.01 + 64);
  EXPECT_LT(size, 20000u * 4 / 8);
  std::mt19937 rng(3);
  std::vector<uint16_t> uniform(20000);
  for (auto& v : uniform) v = static_cast<uint16_t>(rng() % 64);
  EXPECT_EQ(roundtrip_field(uniform, {}, {64, 1}, &size), uniform);
  EXPECT_LE(size, 20000 * 6 / 8 + 2);  // never more than packed plus the mode byte
  std::vector<uint16_t> constant(1000, 5);
  EXPECT_EQ(roundtrip_field(constant, {}, {256, 1}, &size), constant);
  EXPECT_LT(size, 64u);
}

// write_best_field skips candidates whose lower bound cannot beat the best so far; its choice
// must still be the cheapest candidate by field_cost_bits, and the payload must read back. The
// candidates range from useful contexts to many sparse ones (which the bound prunes).
TEST(QuantFieldCoding, BestFieldPicksTheCheapestCandidate) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(9);
  for (int trial = 0; trial < 40; ++trial) {
    const uint32_t alphabet = trial % 2 ? 256 : 16;
    const size_t n = 50 + rng() % 4000;
    std::vector<uint8_t> informative(n), sparse(n);
    std::vector<uint16_t> symbols(n);
    for (size_t i = 0; i < n; ++i) {
      informative[i] = static_cast<uint8_t>(rng() % 4);
      sparse[i] = static_cast<uint8_t>(rng() % 200);
      std::geometric_distribution<int> g(0.05 + 0.2 * informative[i]);
      symbols[i] = static_cast<uint16_t>(std::min<uint32_t>(g(rng), alphabet - 1));
    }
    const ContextCandidate candidates[] = {
        {{}, {alphabet, 1}}, {informative, {alphabet, 4}}, {sparse, {alphabet, 200}}};
    double cheapest = 1e300;
    size_t expected = 0;
    for (size_t c = 0; c < std::size(candidates); ++c) {
      FieldHistogram h(candidates[c].shape);
      h.add_all(symbols, candidates[c].contexts);
      const double bits = field_cost_bits(h);
      if (bits < cheapest) cheapest = bits, expected = c;
    }
    std::vector<uint8_t> payload;
    ByteWriter w(payload);
    EXPECT_EQ(write_best_field(w, symbols, candidates), expected) << "trial " << trial;
    ByteReader r(payload);
    const auto& chosen = candidates[read_candidate_index(r, std::size(candidates))];
    std::vector<uint16_t> back(n);
    read_field(r, chosen.contexts, chosen.shape, back);
    EXPECT_EQ(back, symbols);
  }
}

TEST(QuantFieldCoding, RejectsInconsistentPayloads) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  auto symbols = skewed_symbols(3000, 16, 4);
  std::vector<uint8_t> contexts(symbols.size(), 0);
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  write_field(w, symbols, contexts, {16, 2});
  std::vector<uint16_t> out(symbols.size());
  // The decoder asks for context 1, which has no table in the payload.
  std::vector<uint8_t> other(symbols.size(), 1);
  ByteReader r(payload);
  EXPECT_THROW(read_field(r, other, {16, 2}, out), Error);
  for (size_t cut = 0; cut < payload.size(); cut += 7) {
    ByteReader truncated(std::span<const uint8_t>(payload).first(cut));
    EXPECT_THROW(read_field(truncated, contexts, {16, 2}, out), Error) << cut;
  }
  // Expecting symbols from an empty field, or none from a full one.
  std::vector<uint8_t> empty_payload;
  ByteWriter e(empty_payload);
  write_field(e, {}, {}, {16, 1});
  ByteReader er(empty_payload);
  EXPECT_THROW(read_field(er, {}, {16, 1}, out), Error);
}

// A field nearly all one symbol is stored as that symbol and its exceptions (the Q4_K sub-block
// minima): a few bytes per exception, exceptions at both ends included, whatever the contexts.
TEST(QuantFieldCoding, NearlyConstantFieldsCostAFewBytesPerException) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(11);
  std::vector<uint16_t> symbols(200000, 0);
  std::vector<uint8_t> contexts(symbols.size());
  for (auto& c : contexts) c = static_cast<uint8_t>(rng() % 18);
  const size_t exceptions[] = {0, 17, 1000, 77777, 123456, 199999};
  for (size_t i : exceptions) symbols[i] = static_cast<uint16_t>(1 + rng() % 15);
  size_t size = 0;
  EXPECT_EQ(roundtrip_field(symbols, contexts, {16, 18}, &size), symbols);
  EXPECT_LE(size, 1 + 2 + std::size(exceptions) * 4);
  // Every symbol the same but one of each other value: still a list.
  std::vector<uint16_t> mostly_five(5000, 5);
  for (uint16_t v = 0; v < 16; ++v) mostly_five[v * 300] = v;
  EXPECT_EQ(roundtrip_field(mostly_five, {}, {16, 1}, &size), mostly_five);
  EXPECT_LT(size, 64u);
}

// Hand-made sparse fields (mode 3: varint base, varint count, then varint gap and symbol per
// exception) that overrun the field or the alphabet are rejected, not written out of bounds.
TEST(QuantFieldCoding, RejectsHostileSparseFields) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::vector<uint16_t> out(10);
  auto expect_rejected = [&](std::vector<uint8_t> payload, const char* what) {
    ByteReader r(payload);
    EXPECT_THROW(read_field(r, {}, {16, 1}, out), Error) << what;
  };
  expect_rejected({3, 16, 0}, "base outside the alphabet");
  expect_rejected({3, 0, 11, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},
                  "more exceptions than symbols");
  expect_rejected({3, 0, 1, 10, 1}, "an exception past the end");
  expect_rejected({3, 0, 2, 8, 1, 1, 1}, "a second exception past the end");
  expect_rejected({3, 0, 1, 3, 16}, "an exception outside the alphabet");
  expect_rejected({3, 0, 2, 3, 1}, "a truncated list");
  std::vector<uint8_t> fine{3, 0, 2, 3, 1, 5, 2};
  ByteReader r(fine);
  read_field(r, {}, {16, 1}, out);
  EXPECT_EQ(out, (std::vector<uint16_t>{0, 0, 0, 1, 0, 0, 0, 0, 0, 2}));
}

// Fields from kFieldLanesMinWide symbols on take 32 lanes (mode 4), from kFieldLanesMinWide64 on 64
// (mode 5), which the AVX2 coders run (compiled for AVX2 or AVX-512); the portable encoder writes
// the same payload and the portable decoder reads it.
TEST(QuantFieldCoding, WideFieldsReadTheSameWithAndWithoutKernels) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(12);
  for (size_t n : {size_t{40000}, size_t{70001}, kFieldLanesMinWide64 - 1, kFieldLanesMinWide64,
                   kFieldLanesMinWide64 + 100}) {
    std::vector<uint8_t> contexts(n);
    std::vector<uint16_t> symbols(n);
    for (size_t i = 0; i < n; ++i) {
      contexts[i] = static_cast<uint8_t>(rng() % 9);
      std::geometric_distribution<int> g(0.1 + 0.08 * contexts[i]);
      symbols[i] = static_cast<uint16_t>(std::min(g(rng), 63));
    }
    std::vector<uint8_t> payload, portable_payload;
    ByteWriter w(payload);
    write_field(w, symbols, contexts, {64, 9});
    kernels::force_portable(true);
    ByteWriter pw(portable_payload);
    write_field(pw, symbols, contexts, {64, 9});
    kernels::force_portable(false);
    EXPECT_EQ(payload, portable_payload) << n;
    const auto mode = n >= kFieldLanesMinWide64 ? FieldMode::kRansWide64 : FieldMode::kRansWide;
    EXPECT_EQ(payload[0], static_cast<uint8_t>(mode)) << n;
    for (bool portable : {false, true}) {
      kernels::force_portable(portable);
      std::vector<uint16_t> back(n, 0xFFFF);
      ByteReader r(payload);
      read_field(r, contexts, {64, 9}, back);
      kernels::force_portable(false);
      EXPECT_EQ(back, symbols) << n << (portable ? " portable" : " kernels");
    }
  }
}

// One symbol whose context has no table is found wherever it is (the AVX2 check's 32-context
// steps, its tail, contexts in both halves of 0..255) on both paths.
TEST(QuantFieldCoding, AbsentContextIsFoundAnywhereOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const size_t n = 5000;
  const uint8_t used[] = {0, 3, 130, 255};
  std::vector<uint8_t> contexts(n);
  for (size_t i = 0; i < n; ++i) contexts[i] = used[i % 4];
  const auto symbols = skewed_symbols(n, 16, 14);
  std::vector<uint8_t> payload;
  ByteWriter w(payload);
  write_field(w, symbols, contexts, {16, 256});
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    std::vector<uint16_t> back(n);
    ByteReader r(payload);
    read_field(r, contexts, {16, 256}, back);
    EXPECT_EQ(back, symbols) << (portable ? "portable" : "kernels");
    for (size_t at : {size_t{0}, size_t{31}, size_t{32}, size_t{2500}, n - 8, n - 1})
      for (uint8_t absent : {uint8_t{1}, uint8_t{7}, uint8_t{128}, uint8_t{129}, uint8_t{254}}) {
        auto bad = contexts;
        bad[at] = absent;
        ByteReader br(payload);
        EXPECT_THROW(read_field(br, bad, {16, 256}, back), Error)
            << at << " " << int{absent} << (portable ? " portable" : " kernels");
      }
    kernels::force_portable(false);
  }
}

TEST(QuantAnchoredGroups, RoundTripsAnyValues) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(5);
  const AnchoredShape shape{16, 32, 3, 2};
  for (size_t groups : {0u, 1u, 100u}) {
    std::vector<uint16_t> values(groups * 32);
    std::vector<uint8_t> contexts(groups);
    for (size_t g = 0; g < groups; ++g) {
      contexts[g] = static_cast<uint8_t>(g % 3);
      for (int i = 0; i < 32; ++i) {
        // Group kinds: random, all equal, minimum only at the end, minimum above zero.
        switch (g % 4) {
          case 0:
            values[g * 32 + i] = static_cast<uint16_t>(rng() % 16);
            break;
          case 1:
            values[g * 32 + i] = 9;
            break;
          case 2:
            values[g * 32 + i] = static_cast<uint16_t>(i == 31 ? 0 : 1 + rng() % 15);
            break;
          default:
            values[g * 32 + i] = static_cast<uint16_t>(4 + rng() % 12);
            break;
        }
      }
    }
    std::vector<uint8_t> payload;
    ByteWriter w(payload);
    write_anchored_groups(w, values, contexts, shape);
    std::vector<uint16_t> back(values.size());
    ByteReader r(payload);
    read_anchored_groups(r, contexts, shape, back);
    EXPECT_EQ(back, values);
    EXPECT_TRUE(r.at_end());
  }
}

// Group sizes the AVX-512 restore handles (up to 32, Q4_K's 8 among them, 32 also the AVX2
// split and restore) and one it leaves to the portable loop; both paths write the same payload
// and rebuild the same groups.
TEST(QuantAnchoredGroups, EveryGroupSizeRestoresTheSameOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(13);
  for (uint32_t n : {2u, 8u, 16u, 31u, 32u, 40u}) {
    const AnchoredShape shape{64, n, 2, 2};
    const size_t groups = 300;
    std::vector<uint16_t> values(groups * n);
    std::vector<uint8_t> contexts(groups);
    for (size_t g = 0; g < groups; ++g) {
      contexts[g] = static_cast<uint8_t>(g % 2);
      const uint16_t minimum = static_cast<uint16_t>(rng() % 8);
      for (uint32_t i = 0; i < n; ++i)
        values[g * n + i] = static_cast<uint16_t>(minimum + rng() % (64 - minimum));
      values[g * n + rng() % n] = minimum;
    }
    std::vector<uint8_t> payload, portable_payload;
    ByteWriter w(payload);
    write_anchored_groups(w, values, contexts, shape);
    kernels::force_portable(true);
    ByteWriter pw(portable_payload);
    write_anchored_groups(pw, values, contexts, shape);
    kernels::force_portable(false);
    EXPECT_EQ(payload, portable_payload) << "group size " << n;
    for (bool portable : {false, true}) {
      kernels::force_portable(portable);
      std::vector<uint16_t> back(values.size());
      ByteReader r(payload);
      read_anchored_groups(r, contexts, shape, back);
      kernels::force_portable(false);
      EXPECT_EQ(back, values) << "group size " << n << (portable ? " portable" : " kernels");
    }
  }
}

// Payloads whose others contradict their group (a value below the minimum, or equal to it before
// the anchor) in the first, a middle and the last group of 32 (the AVX2 restore leaves the last to
// the portable loop) and at the first and last of a group's others: both paths reject each one and
// agree on the consistent payload.
TEST(QuantAnchoredGroups, ContradictionsAreFoundOnBothPaths) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const AnchoredShape shape{64, 32, 1, 2};
  const size_t groups = 40;
  const uint16_t minimum = 5;  // class 1: others' contexts are 2 after the anchor, 3 before
  std::vector<uint16_t> minima(groups, minimum), positions(groups);
  std::vector<uint8_t> position_contexts(groups, 1), other_contexts(groups * 31);
  for (size_t g = 0; g < groups; ++g) {
    positions[g] = static_cast<uint16_t>((g * 7) % 32);
    for (uint32_t i = 0; i < 31; ++i) other_contexts[g * 31 + i] = i < positions[g] ? 3 : 2;
  }
  auto payload_with = [&](const std::vector<uint16_t>& others) {
    std::vector<uint8_t> payload;
    ByteWriter w(payload);
    write_field(w, minima, std::vector<uint8_t>(groups, 0), {64, 1});
    write_field(w, positions, position_contexts, {32, 2});
    write_field(w, others, other_contexts, {64, 4});
    return payload;
  };
  std::vector<uint16_t> good(groups * 31);
  for (size_t i = 0; i < good.size(); ++i) good[i] = static_cast<uint16_t>(6 + i % 50);
  const std::vector<uint8_t> group_contexts(groups, 0);
  std::vector<uint16_t> expected;
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    const auto payload = payload_with(good);
    std::vector<uint16_t> back(groups * 32);
    ByteReader r(payload);
    read_anchored_groups(r, group_contexts, shape, back);
    if (expected.empty()) expected = back;
    EXPECT_EQ(back, expected) << (portable ? "portable" : "kernels");
    for (size_t g : {size_t{0}, size_t{17}, groups - 1})
      for (uint32_t i : {0u, 15u, 16u, 30u}) {
        auto bad = good;
        bad[g * 31 + i] = i < positions[g] ? minimum : minimum - 1;
        const auto bad_payload = payload_with(bad);
        ByteReader br(bad_payload);
        EXPECT_THROW(read_anchored_groups(br, group_contexts, shape, back), Error)
            << g << " " << i << (portable ? " portable" : " kernels");
      }
    kernels::force_portable(false);
  }
  for (size_t g = 0; g < groups; ++g) EXPECT_EQ(expected[g * 32 + positions[g]], minimum);
}

TEST(QuantHalves, RoundTripWithAndWithoutContexts) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  std::mt19937 rng(6);
  std::vector<uint16_t> values(3000);
  std::vector<uint8_t> contexts(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<uint16_t>(i % 5 == 0 ? rng() : 0x1400 + rng() % 0x200);
    contexts[i] = half_exponent_context(static_cast<uint16_t>(rng()));
  }
  for (bool with_contexts : {false, true}) {
    std::vector<uint8_t> payload;
    ByteWriter w(payload);
    write_halves(w, values,
                 with_contexts ? std::span<const uint8_t>(contexts) : std::span<const uint8_t>(),
                 64);
    std::vector<uint16_t> back(values.size());
    ByteReader r(payload);
    read_halves(r, with_contexts ? std::span<const uint8_t>(contexts) : std::span<const uint8_t>(),
                64, back);
    EXPECT_EQ(back, values);
  }
}

}  // namespace
}  // namespace lcl::quant
