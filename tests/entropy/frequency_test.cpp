// Frequency normalisation and table serialisation (src/entropy/frequency.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "entropy/coded_bits.hpp"
#include "entropy/rans.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {
namespace {

uint64_t sum_of(const FrequencyTable& t) {
  return std::accumulate(t.freq.begin(), t.freq.end(), uint64_t{0});
}

using test::coded_bits;

void expect_valid(std::span<const uint64_t> counts, const FrequencyTable& t) {
  ASSERT_EQ(t.freq.size(), counts.size());
  EXPECT_EQ(sum_of(t), uint64_t{1} << t.precision_bits);
  for (size_t s = 0; s < counts.size(); ++s)
    EXPECT_EQ(counts[s] != 0, t.freq[s] != 0) << "symbol " << s;
}

TEST(NormalizeFrequencies, EmptyHistogramGivesAllZeroTable) {
  std::vector<uint64_t> counts(10, 0);
  auto t = normalize_frequencies(counts, 12);
  EXPECT_EQ(sum_of(t), 0u);
  EXPECT_EQ(t.freq.size(), 10u);
}

TEST(NormalizeFrequencies, SingleSymbolGetsFullRange) {
  std::vector<uint64_t> counts(300, 0);
  counts[217] = 5;
  auto t = normalize_frequencies(counts, 14);
  EXPECT_EQ(t.freq[217], 1u << 14);
  expect_valid(counts, t);
}

TEST(NormalizeFrequencies, RareSymbolsKeepAtLeastOne) {
  std::vector<uint64_t> counts = {1'000'000'000, 1, 1, 0, 1, 999'999'999};
  for (uint32_t bits = 8; bits <= 16; ++bits) {
    auto t = normalize_frequencies(counts, bits);
    expect_valid(counts, t);
  }
}

TEST(NormalizeFrequencies, FullAlphabetAtPrecision16) {
  std::vector<uint64_t> counts(kMaxAlphabet, 3);
  counts[7] = 1'000'000;  // skewed, still every symbol must stay
  auto t = normalize_frequencies(counts, 16);
  expect_valid(counts, t);
  for (uint32_t f : t.freq) EXPECT_EQ(f, 1u);
}

TEST(NormalizeFrequencies, TooManySymbolsForPrecisionIsUsageError) {
  std::vector<uint64_t> counts(257, 1);
  try {
    normalize_frequencies(counts, 8);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
}

TEST(NormalizeFrequencies, CostCloseToEntropyOnRandomHistograms) {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    size_t alphabet = 1 + rng() % 400;
    std::vector<uint64_t> counts(alphabet);
    std::geometric_distribution<int> geo(0.05);
    for (auto& c : counts) c = (rng() % 4 == 0) ? 0 : uint64_t(geo(rng)) * 100 + rng() % 50;
    uint64_t total = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
    if (total == 0) continue;
    auto t = normalize_frequencies(counts, 14);
    expect_valid(counts, t);
    double h = entropy_bits(counts);
    double cost = coded_bits(counts, t);
    EXPECT_GE(cost, h - 1e-6 * h);
    // Quantising to 2^14 slots must cost little (here: < 1% on these skewed toy histograms).
    EXPECT_LT(cost, h * 1.01 + 64) << "trial " << trial;
  }
}

TEST(NormalizeFrequencies, GreedyIsLocallyOptimal) {
  // Moving one unit between any two symbols must not reduce the cost.
  std::vector<uint64_t> counts = {500, 300, 120, 60, 15, 4, 1};
  auto t = normalize_frequencies(counts, 8);
  double base = coded_bits(counts, t);
  for (size_t a = 0; a < counts.size(); ++a)
    for (size_t b = 0; b < counts.size(); ++b) {
      if (a == b || t.freq[b] <= 1) continue;
      FrequencyTable moved = t;
      ++moved.freq[a];
      --moved.freq[b];
      EXPECT_GE(coded_bits(counts, moved), base - 1e-9) << a << " <- " << b;
    }
}

TEST(NormalizePresentFrequencies, MatchesTheDenseTableOnThePresentSymbols) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 100; ++trial) {
    const uint32_t precision = 8 + rng() % 9;
    const size_t alphabet = 1 + rng() % std::min<size_t>(3000, size_t{1} << precision);
    std::vector<uint64_t> counts(alphabet, 0);
    for (auto& c : counts)  // many equal small counts: ties the heaps must break the same way
      c = rng() % 3 == 0 ? 0 : (rng() % 2 ? 1 + rng() % 4 : rng() % 100000);
    const FrequencyTable dense = normalize_frequencies(counts, precision);
    std::vector<uint64_t> present;
    std::vector<uint32_t> expected;
    for (size_t s = 0; s < alphabet; ++s)
      if (counts[s] != 0) {
        present.push_back(counts[s]);
        expected.push_back(dense.freq[s]);
      }
    std::vector<uint32_t> freq = {9, 9, 9};  // stale contents are replaced
    normalize_present_frequencies(present, precision, freq);
    EXPECT_EQ(freq, expected) << "trial " << trial;
  }
  std::vector<uint32_t> freq = {1};
  normalize_present_frequencies(std::vector<uint64_t>{}, 12, freq);
  EXPECT_TRUE(freq.empty());
  EXPECT_THROW(normalize_present_frequencies(std::vector<uint64_t>(257, 1), 8, freq), Error);
  EXPECT_THROW(normalize_present_frequencies(std::vector<uint64_t>{1}, 17, freq), Error);
}

TEST(Log2Step, IsExactlyTheLibraryLogarithm) {
  // Bit-for-bit: the normalisation's tie-breaks, and so the tables, depend on these values.
  for (uint32_t f = 1; f <= (1u << 16); ++f)
    ASSERT_EQ(log2_step(f), std::log2(static_cast<double>(f + 1) / static_cast<double>(f))) << f;
}

TEST(FrequencyTableSerialisation, Roundtrips) {
  std::mt19937_64 rng(7);
  for (size_t alphabet : {1, 2, 255, 256, 1000, 65536}) {
    std::vector<uint64_t> counts(alphabet);
    for (auto& c : counts) c = rng() % 3 == 0 ? rng() % 1000 : 0;
    counts[alphabet - 1] = 1;
    auto t = normalize_frequencies(counts, 16);
    std::vector<uint8_t> bytes;
    ByteWriter w(bytes);
    write_frequency_table(t, w);
    ByteReader r(bytes);
    auto back = read_frequency_table(r, kMaxAlphabet);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(back.precision_bits, t.precision_bits);
    EXPECT_EQ(back.freq, t.freq);
  }
}

TEST(FrequencyTableSerialisation, RejectsBadTables) {
  auto expect_corrupt = [](std::vector<uint8_t> bytes, uint32_t max_alphabet) {
    ByteReader r(bytes);
    try {
      read_frequency_table(r, max_alphabet);
      ADD_FAILURE() << "expected kCorruptInput";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
    }
  };
  expect_corrupt({}, 256);                           // empty
  expect_corrupt({7, 4, 1, 0, 127}, 256);            // precision 7
  expect_corrupt({17, 4, 1, 0, 0}, 256);             // precision 17
  expect_corrupt({8, 0x81, 0x02, 1, 0, 0}, 256);     // alphabet 257 > 256
  expect_corrupt({8, 4, 1, 4, 0xff, 0x01}, 256);     // symbol 4 outside alphabet 4
  expect_corrupt({8, 4, 1, 0, 0x10}, 256);           // sum 17 != 256
  expect_corrupt({8, 2, 3, 0, 0, 0, 0, 0, 0}, 256);  // 3 present symbols in an alphabet of 2
  expect_corrupt({8, 4, 3, 0, 0x7f, 0}, 256);        // truncated
}

TEST(FrequencyTableSerialisation, ValidTwoSymbolTableIsRead) {
  std::vector<uint8_t> bytes = {8, 4, 2, 0, 0x7f, 1, 0x7f};  // symbols 0 and 2, 128 each
  ByteReader r(bytes);
  auto t = read_frequency_table(r, 256);
  EXPECT_EQ(t.freq, (std::vector<uint32_t>{128, 0, 128, 0}));
}

TEST(EntropyBits, KnownValues) {
  std::vector<uint64_t> uniform(256, 10);
  EXPECT_NEAR(entropy_bits(uniform), 2560 * 8.0, 1e-6);
  std::vector<uint64_t> one = {0, 5, 0};
  EXPECT_EQ(entropy_bits(one), 0.0);
  EXPECT_EQ(entropy_bits(std::vector<uint64_t>{}), 0.0);
}

}  // namespace
}  // namespace lcl::entropy
