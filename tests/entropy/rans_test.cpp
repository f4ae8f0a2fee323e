// Property tests of the static rANS coder (rans.hpp): roundtrips over degenerate and random
// distributions and sizes, size close to the entropy, corrupt streams rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "entropy/rans.hpp"
#include "entropy/rans_tables.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {
namespace {

std::vector<uint64_t> histogram(std::span<const uint16_t> symbols, size_t alphabet) {
  std::vector<uint64_t> counts(alphabet, 0);
  for (uint16_t s : symbols) ++counts[s];
  return counts;
}

// Encodes, checks the size against the table's ideal cost, decodes and compares.
void roundtrip(std::span<const uint16_t> symbols, size_t alphabet, uint32_t precision) {
  auto counts = histogram(symbols, alphabet);
  auto table = normalize_frequencies(counts, precision);
  std::vector<uint8_t> bytes = {0xAB};  // rans_encode appends: keep a prefix to check that
  rans_encode(symbols, table, bytes);
  ASSERT_EQ(bytes[0], 0xAB);
  std::span<const uint8_t> stream(bytes.data() + 1, bytes.size() - 1);

  double ideal_bits = 0;
  for (size_t s = 0; s < alphabet; ++s)
    if (counts[s]) ideal_bits += counts[s] * std::log2(double(1u << precision) / table.freq[s]);
  // Overhead: 8 states of 4 bytes and a few slack bytes; the 32-bit state with 16-bit words
  // approximates the probabilities less exactly near precision 16 (measured up to ~0.1% there,
  // < 0.01% at precision <= 14).
  const double relative = precision <= 14 ? 2e-4 : 2e-3;
  EXPECT_LE(double(stream.size()), ideal_bits / 8 * (1 + relative) + 64)
      << "n=" << symbols.size() << " alphabet=" << alphabet;

  std::vector<uint16_t> decoded(symbols.size(), 0xFFFF);
  rans_decode(stream, table, decoded);
  ASSERT_TRUE(std::equal(decoded.begin(), decoded.end(), symbols.begin()))
      << "n=" << symbols.size() << " alphabet=" << alphabet << " precision=" << precision;
}

TEST(Rans, EmptyInputGivesEmptyStream) {
  std::vector<uint64_t> counts(4, 0);
  auto table = normalize_frequencies(counts, 12);
  std::vector<uint8_t> bytes;
  rans_encode({}, table, bytes);
  EXPECT_TRUE(bytes.empty());
  rans_decode(bytes, table, {});
  std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_THROW(rans_decode(junk, table, {}), Error);
}

TEST(Rans, OneSymbolCostsOnlyTheStates) {
  for (size_t n : {1, 7, 8, 9, 1000, 100000}) {
    std::vector<uint16_t> symbols(n, 3);
    roundtrip(symbols, 5, 12);
    std::vector<uint8_t> bytes;
    rans_encode(symbols, normalize_frequencies(histogram(symbols, 5), 12), bytes);
    EXPECT_EQ(bytes.size(), 32u);  // a symbol of probability 1 costs nothing
  }
}

TEST(Rans, TwoSymbols) {
  std::mt19937_64 rng(1);
  for (double p : {0.5, 0.9, 0.999, 0.99999}) {
    std::vector<uint16_t> symbols(50000);
    std::bernoulli_distribution b(p);
    for (auto& s : symbols) s = b(rng) ? 0 : 1;
    symbols[123] = 1;  // make sure both occur
    for (uint32_t precision : {8u, 12u, 16u}) roundtrip(symbols, 2, precision);
  }
}

TEST(Rans, FullAlphabet) {
  std::vector<uint16_t> symbols(kMaxAlphabet * 3);
  for (size_t i = 0; i < symbols.size(); ++i) symbols[i] = static_cast<uint16_t>(i * 40503u);
  roundtrip(symbols, kMaxAlphabet, 16);
}

TEST(Rans, RandomDistributionsAndSizes) {
  std::mt19937_64 rng(2024);
  const size_t sizes[] = {1, 2, 3, 5, 8, 15, 16, 17, 31, 100, 1001, 4096, 65537, 300000};
  for (size_t n : sizes) {
    for (int trial = 0; trial < 3; ++trial) {
      size_t alphabet = 1 + rng() % 2000;
      uint32_t precision = 8 + rng() % 9;
      // Zipf-like: few symbols frequent, many rare, some absent.
      std::vector<uint16_t> symbols(n);
      double skew = 0.5 + (rng() % 100) / 40.0;
      std::vector<double> weights(alphabet);
      for (size_t s = 0; s < alphabet; ++s) weights[s] = 1.0 / std::pow(double(s + 1), skew);
      std::discrete_distribution<int> dist(weights.begin(), weights.end());
      for (auto& s : symbols) s = static_cast<uint16_t>(dist(rng));
      // The precision must hold every present symbol.
      size_t present = 0;
      for (uint64_t c : histogram(symbols, alphabet)) present += c != 0;
      while ((1u << precision) < present) ++precision;
      roundtrip(symbols, alphabet, precision);
    }
  }
}

TEST(Rans, TenMillionSymbols) {
  std::mt19937_64 rng(5);
  std::vector<uint16_t> symbols(10'000'000);
  std::geometric_distribution<int> geo(0.1);
  for (auto& s : symbols) s = static_cast<uint16_t>(std::min(geo(rng), 255));
  roundtrip(symbols, 256, 12);
}

TEST(Rans, EncodingAnAbsentSymbolIsUsageError) {
  std::vector<uint64_t> counts = {10, 0, 10};
  auto table = normalize_frequencies(counts, 12);
  std::vector<uint16_t> symbols = {0, 1, 2};
  std::vector<uint8_t> bytes;
  try {
    rans_encode(symbols, table, bytes);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
  symbols = {0, 3};  // beyond the alphabet
  EXPECT_THROW(rans_encode(symbols, table, bytes), Error);
}

void expect_corrupt(std::span<const uint8_t> stream, const FrequencyTable& table, size_t n) {
  std::vector<uint16_t> decoded(n);
  try {
    rans_decode(stream, table, decoded);
    ADD_FAILURE() << "expected kCorruptInput";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
  }
}

TEST(Rans, CorruptStreamsAreRejected) {
  std::mt19937_64 rng(9);
  std::vector<uint16_t> symbols(20000);
  std::geometric_distribution<int> geo(0.2);
  for (auto& s : symbols) s = static_cast<uint16_t>(std::min(geo(rng), 63));
  auto table = normalize_frequencies(histogram(symbols, 64), 12);
  std::vector<uint8_t> good;
  rans_encode(symbols, table, good);

  // Truncation at every cut of the tail and some of the head.
  for (size_t cut = 1; cut < 64; ++cut)
    expect_corrupt({good.data(), good.size() - cut}, table, symbols.size());
  expect_corrupt({good.data(), 10}, table, symbols.size());
  expect_corrupt({}, table, symbols.size());
  // Trailing bytes, wrong symbol count.
  auto longer = good;
  longer.push_back(0);
  longer.push_back(0);
  expect_corrupt(longer, table, symbols.size());
  expect_corrupt(good, table, symbols.size() - 1);
  expect_corrupt(good, table, symbols.size() + 1);
  // Single bit flips: detected by the final-state / length check in (nearly) every case; when
  // not detected the decoder must still stay in bounds (ASan) and return normally.
  int detected = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto bad = good;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    std::vector<uint16_t> decoded(symbols.size());
    try {
      rans_decode(bad, table, decoded);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      ++detected;
    }
  }
  EXPECT_GE(detected, 190);
  // Random garbage of many lengths.
  for (size_t len = 0; len < 400; len += 2) {
    std::vector<uint8_t> junk(len);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    std::vector<uint16_t> decoded(100);
    try {
      rans_decode(junk, table, decoded);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
    }
  }
}

TEST(Rans, DecodingWithEmptyTableIsCorrupt) {
  FrequencyTable empty;
  empty.precision_bits = 12;
  empty.freq.assign(10, 0);
  std::vector<uint8_t> stream(64, 0xff);
  expect_corrupt(stream, empty, 4);
}

TEST(RansContexts, RoundtripWithPerContextTables) {
  std::mt19937_64 rng(77);
  const size_t n = 200000;
  std::vector<uint16_t> symbols(n);
  std::vector<uint8_t> contexts(n);
  // Context c draws from a distribution centred on c * 10; each context gets its own table.
  const int kContexts = 5;
  for (size_t i = 0; i < n; ++i) {
    contexts[i] = static_cast<uint8_t>(rng() % kContexts);
    std::normal_distribution<double> d(contexts[i] * 10.0, 2.0 + contexts[i]);
    symbols[i] = static_cast<uint16_t>(std::clamp(d(rng), 0.0, 99.0));
  }
  std::vector<FrequencyTable> tables;
  std::vector<std::vector<uint64_t>> counts(kContexts, std::vector<uint64_t>(100));
  for (size_t i = 0; i < n; ++i) ++counts[contexts[i]][symbols[i]];
  double ideal = 0;
  for (int c = 0; c < kContexts; ++c) {
    tables.push_back(normalize_frequencies(counts[c], 10 + c));  // mixed precisions
    ideal += entropy_bits(counts[c]) / 8;
  }
  std::vector<uint8_t> bytes;
  rans_encode_contexts(symbols, contexts, tables, bytes);
  EXPECT_LT(double(bytes.size()), ideal * 1.01 + 64);
  std::vector<uint16_t> decoded(n);
  rans_decode_contexts(bytes, contexts, tables, decoded);
  EXPECT_EQ(decoded, symbols);

  // A context without a table in the decoder is corrupt input, not a crash.
  std::vector<uint8_t> bad_contexts = contexts;
  bad_contexts[n / 2] = kContexts;
  EXPECT_THROW(rans_decode_contexts(bytes, bad_contexts, tables, decoded), Error);
  bytes.erase(bytes.end() - 2, bytes.end());
  EXPECT_THROW(rans_decode_contexts(bytes, contexts, tables, decoded), Error);
}

TEST(RansContexts, EmptyAndMismatchedSizes) {
  std::vector<FrequencyTable> tables = {normalize_frequencies(std::vector<uint64_t>{1, 1}, 8)};
  std::vector<uint8_t> bytes;
  rans_encode_contexts({}, {}, tables, bytes);
  EXPECT_TRUE(bytes.empty());
  rans_decode_contexts(bytes, {}, tables, {});
  std::vector<uint16_t> symbols = {0, 1};
  std::vector<uint8_t> contexts = {0};
  EXPECT_THROW(rans_encode_contexts(symbols, contexts, tables, bytes), Error);
}

// The 64-bit entry the SIMD encoders use holds an EncoderSymbol exactly, at every precision they
// accept (<= 14) and for every frequency and start.
TEST(RansInternals, PackedEncoderSymbolsRoundTrip) {
  for (uint32_t precision = 8; precision <= 14; ++precision) {
    const uint32_t total = 1u << precision;
    for (uint32_t freq = 1; freq <= total; freq += (freq < 64 ? 1 : 37))
      for (uint32_t cum : {0u, 1u, (total - freq) / 2, total - freq}) {
        const EncoderSymbol e = make_encoder_symbol(cum, freq, precision);
        const EncoderSymbol back =
            unpack_encoder_symbol(pack_encoder_symbol(e, precision), precision);
        ASSERT_EQ(back.reciprocal_low, e.reciprocal_low) << freq;
        ASSERT_EQ(back.shift, e.shift);
        ASSERT_EQ(back.renorm_limit, e.renorm_limit);
        ASSERT_EQ(back.cum, e.cum);
        ASSERT_EQ(back.complement, e.complement);
      }
  }
}

// The reciprocal division of the encoder must equal true division for every state and frequency.
TEST(RansInternals, ReciprocalDivisionIsExact) {
  std::mt19937_64 rng(3);
  for (uint32_t freq = 1; freq <= (1u << 16); freq += (freq < 300 ? 1 : 97)) {
    EncoderSymbol e = make_encoder_symbol(0, freq, 16);
    auto check = [&](uint32_t x) {
      ASSERT_EQ(divide_by_frequency(x, e), x / freq) << "x=" << x << " freq=" << freq;
    };
    check(0xFFFFFFFFu);
    check(0xFFFFFFFFu - 1);
    check(kStateLow);
    // Multiples of freq and their neighbours are where an inexact reciprocal fails first.
    for (int k = 0; k < 50; ++k) {
      uint64_t m = (rng() % (0xFFFFFFFFull / freq)) * freq;
      check(static_cast<uint32_t>(m));
      if (m) check(static_cast<uint32_t>(m - 1));
      check(static_cast<uint32_t>(rng()));
    }
  }
}

}  // namespace
}  // namespace lcl::entropy
