// Compact frequency tables (compact_table.hpp): exact rebuild on the decoder side, small size,
// small coding loss, corrupt input rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "entropy/coded_bits.hpp"
#include "entropy/compact_table.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {
namespace {

using test::coded_bits;

TEST(CompactTable, MinifloatIsExactBelow32AndWithin1Of32Above) {
  for (uint32_t f = 1; f <= (1u << 16); ++f) {
    const uint8_t code = frequency_to_code(f);
    ASSERT_GE(code, 1);
    ASSERT_LE(code, 223);
    const double w = code_to_weight(code);
    if (f < 32) {
      ASSERT_EQ(w, f);
    } else {
      ASSERT_LE(std::abs(w - f) / f, 1.0 / 32 + 1e-12) << f;
    }
  }
}

TEST(CompactTable, IntegerNormalisationSumsExactlyAndKeepsEverySymbol) {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    const uint32_t precision = 8 + rng() % 9;
    const size_t symbols = 1 + rng() % std::min<size_t>(600, size_t{1} << precision);
    std::vector<uint32_t> weights(symbols);
    for (auto& w : weights) w = 1 + static_cast<uint32_t>(rng() % (rng() % 2 ? 5 : 100000));
    auto freq = normalize_weights_integer(weights, precision);
    ASSERT_EQ(freq.size(), symbols);
    EXPECT_EQ(std::accumulate(freq.begin(), freq.end(), uint64_t{0}), uint64_t{1} << precision);
    for (uint32_t f : freq) EXPECT_GE(f, 1u);
  }
  // As many symbols as slots: every one gets exactly 1.
  std::vector<uint32_t> weights(256, 7);
  weights[3] = 100000;
  for (uint32_t f : normalize_weights_integer(weights, 8)) EXPECT_EQ(f, 1u);
}

// The rounding units go by largest remainder, ties to the lower symbol: the reference here sorts
// in full (stable), the implementation only splits at the deficit; both must agree exactly.
TEST(CompactTable, IntegerNormalisationGivesUnitsByLargestRemainderThenLowerSymbol) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    const uint32_t precision = 8 + rng() % 9;
    const size_t symbols = 1 + rng() % std::min<size_t>(2000, size_t{1} << precision);
    std::vector<uint32_t> weights(symbols);
    for (auto& w : weights) w = 1 + static_cast<uint32_t>(rng() % (rng() % 2 ? 4 : 3000));
    const uint64_t total = uint64_t{1} << precision;
    const uint64_t sum = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
    std::vector<uint32_t> expected(symbols);
    std::vector<uint64_t> remainder(symbols);
    uint64_t assigned = 0;
    for (size_t s = 0; s < symbols; ++s) {
      const uint64_t share = weights[s] * total / sum;
      expected[s] = static_cast<uint32_t>(std::max<uint64_t>(1, share));
      remainder[s] = share == 0 ? 0 : weights[s] * total % sum;
      assigned += expected[s];
    }
    if (assigned > total) continue;  // the overshoot path is not the one under test
    std::vector<uint32_t> order(symbols);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return remainder[a] > remainder[b]; });
    for (size_t j = 0; assigned < total; ++j, ++assigned) ++expected[order[j % symbols]];
    EXPECT_EQ(normalize_weights_integer(weights, precision), expected) << "trial " << trial;
  }
}

TEST(CompactTable, RoundtripsAndCostsLittle) {
  std::mt19937_64 rng(2);
  for (size_t alphabet : {1, 2, 3, 100, 513, 4097, 65536}) {
    std::vector<uint64_t> counts(alphabet, 0);
    std::geometric_distribution<int> geo(0.01);
    for (int i = 0; i < 200000; ++i) ++counts[(geo(rng) * 7) % alphabet];
    const uint32_t precision = alphabet > 4096 ? 16 : 14;
    CompactTable compact = make_compact_table(counts, precision);
    // The rebuilt table is a valid table for these counts.
    uint64_t sum = 0;
    for (size_t s = 0; s < alphabet; ++s) {
      EXPECT_EQ(counts[s] != 0, compact.table.freq[s] != 0);
      sum += compact.table.freq[s];
    }
    EXPECT_EQ(sum, uint64_t{1} << precision);
    std::vector<uint8_t> bytes;
    ByteWriter w(bytes);
    write_compact_table(compact, w);
    ByteReader r(bytes);
    FrequencyTable back = read_compact_table(r, kMaxAlphabet);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(back.precision_bits, precision);
    EXPECT_EQ(back.freq, compact.table.freq);
    // Size: one byte per present symbol plus a few per run of present symbols; cost: close to
    // the exact table's.
    size_t present = compact.codes.size(), runs = 0;
    for (size_t s = 0; s < alphabet; ++s) runs += counts[s] && (s == 0 || !counts[s - 1]);
    EXPECT_LE(bytes.size(), present + 6 * runs + 16);
    const double exact = coded_bits(counts, normalize_frequencies(counts, precision));
    EXPECT_LE(coded_bits(counts, compact.table), exact * 1.001 + 8) << "alphabet " << alphabet;
  }
}

TEST(CompactTable, PresentSymbolsAloneGiveTheSameCodesAndFrequencies) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    const uint32_t precision = 8 + rng() % 9;
    const size_t alphabet = 1 + rng() % std::min<size_t>(3000, size_t{1} << precision);
    std::vector<uint64_t> counts(alphabet, 0);
    for (auto& c : counts) c = rng() % 3 == 0 ? 0 : (rng() % 2 ? 1 + rng() % 4 : rng() % 100000);
    const CompactTable dense = make_compact_table(counts, precision);
    std::vector<uint64_t> present;
    std::vector<uint32_t> expected;
    for (size_t s = 0; s < alphabet; ++s)
      if (counts[s] != 0) {
        present.push_back(counts[s]);
        expected.push_back(dense.table.freq[s]);
      }
    std::vector<uint8_t> codes;
    std::vector<uint32_t> freq;
    compact_present_frequencies(present, precision, codes, freq);
    EXPECT_EQ(codes, dense.codes) << "trial " << trial;
    EXPECT_EQ(freq, expected) << "trial " << trial;
  }
}

TEST(CompactTable, SizeFromThePresentSymbolsIsWhatWriteWrites) {
  auto written = [](size_t alphabet, const std::vector<uint32_t>& present) {
    std::vector<uint64_t> counts(alphabet, 0);
    for (uint32_t s : present) counts[s] = 1 + s % 7;
    std::vector<uint8_t> bytes;
    ByteWriter w(bytes);
    write_compact_table(make_compact_table(counts, 14), w);
    return bytes.size();
  };
  const std::vector<std::pair<size_t, std::vector<uint32_t>>> cases = {
      {1, {}},         {1, {0}},           {5, {4}},           {5, {0, 1, 2, 3, 4}},
      {200, {3, 199}}, {200, {0, 1, 198}}, {300, {5, 6, 290}}, {32769, {0, 130, 131, 32768}},
  };
  for (const auto& [alphabet, present] : cases)
    EXPECT_EQ(compact_table_size(14, alphabet, present), written(alphabet, present))
        << "alphabet " << alphabet << ", " << present.size() << " present";
  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t alphabet = 1 + rng() % 40000;
    std::vector<uint32_t> present;
    for (uint32_t s = 0; s < alphabet && present.size() < 16000; ++s)
      if (rng() % 8 < uint64_t(trial % 8)) present.push_back(s);
    EXPECT_EQ(compact_table_size(14, alphabet, present), written(alphabet, present))
        << "trial " << trial;
  }
}

// `read` must reject `bytes` with kCorruptInput.
template <class Read>
void expect_corrupt_table(const std::vector<uint8_t>& bytes, Read read) {
  ByteReader r(bytes);
  try {
    read(r);
    ADD_FAILURE() << "expected kCorruptInput";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
  }
}

TEST(CompactTable, RejectsCorruptTables) {
  auto expect_corrupt = [](std::vector<uint8_t> bytes) {
    expect_corrupt_table(bytes, [](ByteReader& r) { read_compact_table(r, 1000); });
  };
  expect_corrupt({});
  expect_corrupt({7, 4, 0, 4, 1, 1, 1, 1});        // precision 7
  expect_corrupt({12, 0xe9, 0x07, 0});             // alphabet 1001 > 1000
  expect_corrupt({12, 4, 0, 5});                   // present run beyond the alphabet
  expect_corrupt({12, 4, 0, 0});                   // empty present run
  expect_corrupt({12, 4, 0, 4, 1, 1, 1});          // codes truncated
  expect_corrupt({12, 4, 0, 4, 1, 0, 1, 1});       // code 0
  expect_corrupt({12, 4, 0, 4, 1, 224, 1, 1});     // code beyond 223
  expect_corrupt({8, 0x82, 0x02, 0, 0x81, 0x02});  // 257 present symbols at precision 8
}

// The smooth layout (float payloads 4 and 5) rebuilds the same table as the byte-per-code one,
// its size function says what it writes, and on a smooth histogram it is far smaller.
TEST(CompactTable, SmoothLayoutRoundtripsAndIsSmallOnSmoothHistograms) {
  std::mt19937_64 rng(5);
  for (size_t alphabet : {1, 2, 300, 4097, 32769}) {
    std::vector<uint64_t> counts(alphabet, 0);
    std::normal_distribution<double> normal(double(alphabet) / 2, double(alphabet) / 8 + 1);
    for (int i = 0; i < 300000; ++i) {
      const double x = normal(rng);
      if (x >= 0 && x < double(alphabet)) ++counts[static_cast<size_t>(x)];
    }
    if (std::accumulate(counts.begin(), counts.end(), uint64_t{0}) == 0) counts[0] = 1;
    const uint32_t precision = alphabet > 4096 ? 16 : 14;
    const CompactTable compact = make_compact_table(counts, precision);
    std::vector<uint8_t> bytes, bytewise;
    ByteWriter w(bytes), wb(bytewise);
    write_smooth_compact_table(compact, w);
    write_compact_table(compact, wb);
    std::vector<uint32_t> present;
    for (size_t s = 0; s < alphabet; ++s)
      if (counts[s]) present.push_back(static_cast<uint32_t>(s));
    EXPECT_EQ(smooth_compact_table_size(precision, alphabet, present, compact.codes), bytes.size());
    ByteReader r(bytes);
    const FrequencyTable back = read_smooth_compact_table(r, kMaxAlphabet);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(back.freq, compact.table.freq) << "alphabet " << alphabet;
    if (present.size() > 100) {
      EXPECT_LT(bytes.size() * 2, bytewise.size()) << alphabet;
    }
  }
  // Codes that jump around (the worst case: 17 bits each) still round-trip.
  std::vector<uint64_t> jumpy(64);
  for (size_t s = 0; s < jumpy.size(); ++s) jumpy[s] = s % 2 ? 1 : 100000;
  const CompactTable compact = make_compact_table(jumpy, 16);
  std::vector<uint8_t> bytes;
  ByteWriter w(bytes);
  write_smooth_compact_table(compact, w);
  ByteReader r(bytes);
  EXPECT_EQ(read_smooth_compact_table(r, kMaxAlphabet).freq, compact.table.freq);
}

TEST(CompactTable, SmoothLayoutRejectsCorruptCodes) {
  auto expect_corrupt = [](std::vector<uint8_t> bytes) {
    expect_corrupt_table(bytes, [](ByteReader& r) { read_smooth_compact_table(r, 1000); });
  };
  // Alphabet 2, both present; the bit strings below are read lowest bit first.
  expect_corrupt({12, 2, 0, 2});           // no code section
  expect_corrupt({12, 2, 0, 2, 6});        // length beyond ceil(17 * 2 / 8)
  expect_corrupt({12, 2, 0, 2, 1, 0x01});  // gamma 1: step 0 from 0 gives code 0
  expect_corrupt({12, 2, 0, 2, 1, 0x06});  // code 1 (gamma 3: step 2), then truncated
  expect_corrupt({12, 2, 0, 2, 1, 0x00});  // a gamma code that never ends
  // Alphabet 4: a gamma code of 31 zeros, a one and 31 ones, a step of 2^32 - 2 (beyond 446).
  expect_corrupt({12, 4, 0, 4, 8, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f});
}

}  // namespace
}  // namespace lcl::entropy
