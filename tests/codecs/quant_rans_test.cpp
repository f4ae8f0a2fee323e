// The quantized codecs' own rANS driver (quant_rans): round trips at every table precision, with
// and without contexts, across the lane-count boundary and the ragged tails of the lanes, at 1, 4
// and 32 lanes (the AVX-512 decoder and the portable one agree); its streams are the entropy
// layer's interleaved layout; inconsistent tables and damaged streams
// throw lcl::Error(kCorruptInput).
#include <gtest/gtest.h>

#include <random>

#include "codecs/fields/quant_rans.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/error.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

struct Field {
  std::vector<uint16_t> symbols;
  std::vector<uint8_t> contexts;
  std::vector<entropy::FrequencyTable> tables;
};

// Symbols skewed differently per context; tables normalised from the actual counts.
Field make_field(size_t n, uint32_t alphabet, uint32_t contexts, uint32_t precision,
                 uint32_t seed) {
  std::mt19937 rng(seed);
  Field f;
  f.symbols.resize(n);
  f.contexts.resize(contexts > 1 ? n : 0);
  std::vector<std::vector<uint64_t>> counts(contexts, std::vector<uint64_t>(alphabet, 0));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t c = contexts > 1 ? rng() % contexts : 0;
    std::geometric_distribution<uint32_t> g(0.15 + 0.8 * c / contexts);  // p stays below 1
    f.symbols[i] = static_cast<uint16_t>(std::min(g(rng) + c, alphabet - 1));
    if (contexts > 1) f.contexts[i] = static_cast<uint8_t>(c);
    ++counts[c][f.symbols[i]];
  }
  for (uint32_t c = 0; c < contexts; ++c) {
    bool used = false;
    for (uint64_t k : counts[c]) used |= k != 0;
    // An unused context keeps an empty table: the decoder leaves its row undefined.
    f.tables.push_back(used ? entropy::normalize_frequencies(counts[c], precision)
                            : entropy::FrequencyTable{precision, {}});
  }
  return f;
}

// Coded and decoded with the kernels where the CPU has them and with the portable code; the two
// must agree.
std::vector<uint16_t> roundtrip(const Field& f, uint32_t alphabet, uint32_t precision, int lanes,
                                std::vector<uint8_t>* stream = nullptr) {
  std::vector<uint8_t> coded, coded_portable;
  flat_encode(f.symbols, f.contexts, f.tables, alphabet, lanes, coded);
  kernels::force_portable(true);
  flat_encode(f.symbols, f.contexts, f.tables, alphabet, lanes, coded_portable);
  kernels::force_portable(false);
  EXPECT_EQ(coded, coded_portable);
  const FlatDecodeTable table(f.tables, precision);
  std::vector<uint16_t> back(f.symbols.size(), 0xFFFF);
  flat_decode(coded, table, f.contexts, lanes, back);
  kernels::force_portable(true);
  std::vector<uint16_t> portable(f.symbols.size(), 0xFFFF);
  flat_decode(coded, table, f.contexts, lanes, portable);
  kernels::force_portable(false);
  EXPECT_EQ(back, portable);
  if (stream) *stream = coded;
  return back;
}

TEST(QuantRans, RoundTripsAtEveryPrecisionAndLength) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const size_t lengths[] = {0,
                            1,
                            3,
                            4,
                            5,
                            17,
                            kFieldLanesMinLong - 1,
                            kFieldLanesMinLong,
                            kFieldLanesMinLong + 1,
                            kFieldLanesMinLong + 3,
                            20011};
  for (uint32_t precision = 8; precision <= kMaxFlatPrecision; ++precision)
    for (uint32_t contexts : {1u, 5u, 256u})
      for (size_t n : lengths)
        for (int lanes : {field_lanes(n), kFieldLanesWide, kFieldLanesWide64}) {
          const uint32_t alphabet = precision == 8 ? 16 : 256;
          const Field f = make_field(n, alphabet, contexts, precision,
                                     static_cast<uint32_t>(n * 7 + precision + contexts));
          EXPECT_EQ(roundtrip(f, alphabet, precision, lanes), f.symbols)
              << "precision " << precision << " contexts " << contexts << " n " << n << " lanes "
              << lanes;
        }
}

TEST(QuantRans, WritesTheInterleavedLayoutWithTheFieldsLaneCount) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  for (size_t n : {kFieldLanesMinLong - 1, kFieldLanesMinLong}) {
    const Field f = make_field(n, 16, 1, 10, 3);
    std::vector<uint8_t> stream;
    roundtrip(f, 16, 10, field_lanes(n), &stream);
    // The generic decoder of the entropy layer reads the same stream at the same lane count.
    std::vector<uint16_t> back(n);
    const entropy::DecoderTable t = entropy::make_decoder_table(f.tables[0]);
    auto step = [&](size_t i, uint32_t& x) {
      back[i] = entropy::decode_symbol(x, t.slots.data(), t.precision_bits);
    };
    if (field_lanes(n) == 1) {
      entropy::decode_interleaved<1>(stream, n, step);
    } else {
      entropy::decode_interleaved<kFieldLanesLong>(stream, n, step);
    }
    EXPECT_EQ(back, f.symbols);
  }
}

TEST(QuantRans, WideFieldsAreTheInterleavedLayoutWithTheirLaneCount) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  const size_t n = 5003;  // ragged: the last 11 (or 11 + 64) symbols after the whole groups
  const Field f = make_field(n, 64, 1, 12, 5);
  const entropy::DecoderTable t = entropy::make_decoder_table(f.tables[0]);
  auto step = [&](std::vector<uint16_t>& back) {
    return [&](size_t i, uint32_t& x) {
      back[i] = entropy::decode_symbol(x, t.slots.data(), t.precision_bits);
    };
  };
  std::vector<uint8_t> stream;
  roundtrip(f, 64, 12, kFieldLanesWide, &stream);
  std::vector<uint16_t> back(n);
  entropy::decode_interleaved<kFieldLanesWide>(stream, n, step(back));
  EXPECT_EQ(back, f.symbols);
  roundtrip(f, 64, 12, kFieldLanesWide64, &stream);
  std::vector<uint16_t> back64(n);
  entropy::decode_interleaved<kFieldLanesWide64>(stream, n, step(back64));
  EXPECT_EQ(back64, f.symbols);
}

TEST(QuantRans, RejectsInconsistentTables) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  entropy::FrequencyTable short_sum{10, {500, 500}};
  EXPECT_THROW(FlatDecodeTable(std::span(&short_sum, 1), 10), Error);
  entropy::FrequencyTable fine{13, {4096, 4096}};
  EXPECT_THROW(FlatDecodeTable(std::span(&fine, 1), 13), Error);
  entropy::FrequencyTable mismatch{9, {256, 256}};
  EXPECT_THROW(FlatDecodeTable(std::span(&mismatch, 1), 10), Error);
}

TEST(QuantRans, DamagedStreamsThrowCorruptInput) {
  lcl::Workspace workspace;  // the field arrays of the functions under test
  const lcl::quant::FieldScratchScope scope(workspace);
  for (const auto& [n, lane_count] :
       {std::pair{size_t{200}, 1}, std::pair{size_t{5000}, 4},
        std::pair{size_t{5000}, kFieldLanesWide}, std::pair{size_t{5000}, kFieldLanesWide64}}) {
    const int lanes = lane_count;  // a lambda below captures it (clang 14 cannot capture bindings)
    const Field f = make_field(n, 16, 3, 11, 9);
    std::vector<uint8_t> stream;
    roundtrip(f, 16, 11, lanes, &stream);
    const FlatDecodeTable table(f.tables, 11);
    std::vector<uint16_t> out(n);
    auto expect_corrupt = [&](std::span<const uint8_t> s) {
      try {
        flat_decode(s, table, f.contexts, lanes, out);
        ADD_FAILURE() << "damaged stream decoded";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      }
    };
    for (size_t cut = 0; cut < stream.size(); cut += 5)
      expect_corrupt(std::span<const uint8_t>(stream).first(cut));
    std::vector<uint8_t> longer = stream;
    longer.push_back(0);
    longer.push_back(0);
    expect_corrupt(longer);
    // A flipped bit either decodes to other symbols (undetectable by the coder alone) or
    // throws; it never reads outside the stream (the sanitizer build checks this).
    std::mt19937 rng(4);
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<uint8_t> flipped = stream;
      flipped[rng() % flipped.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      try {
        flat_decode(flipped, table, f.contexts, lanes, out);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      }
    }
  }
}

}  // namespace
}  // namespace lcl::quant
