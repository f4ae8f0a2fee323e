// The float codec: byte-exact roundtrips over synthetic, degenerate and real tensors, size against
// the 16-bit entropy bound, and corrupt payloads.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "codecs/corpus_tensors.hpp"
#include "codecs/float/float_codec.hpp"
#include "codecs/float/float_coder.hpp"
#include "entropy/rans.hpp"
#include "lcl/error.hpp"
#include "support/test_paths.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

using float_format::FloatLayout;

std::vector<uint8_t> encode(std::span<const uint8_t> input, TypeId type) {
  EncodeContext context;
  context.type = type;
  std::vector<uint8_t> payload;
  float_codec().encode(input, context, payload);
  return payload;
}

// Encodes, decodes into a buffer of exactly the input size and compares bytes; returns the payload.
// Runs both the x86-64 kernels and the portable code (kernel_dispatch.hpp), which must write the
// same payload.
std::vector<uint8_t> roundtrip(std::span<const uint8_t> input, TypeId type) {
  auto payload = encode(input, type);
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    if (portable) {
      EXPECT_EQ(encode(input, type), payload) << "portable encoder differs";
    }
    std::vector<uint8_t> decoded(input.size(), 0xCD);
    float_codec().decode(payload, decoded);
    EXPECT_TRUE(std::equal(decoded.begin(), decoded.end(), input.begin(), input.end()))
        << "type " << type << " size " << input.size() << " portable " << portable;
  }
  kernels::force_portable(false);
  return payload;
}

template <class T>
std::span<const uint8_t> bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

uint16_t bf16_of(float f) {
  return static_cast<uint16_t>(std::bit_cast<uint32_t>(f) >> 16);
}

// Weight-like values: normal with a small scale (what trained matrices look like).
std::vector<uint16_t> gaussian_bf16(size_t n, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, static_cast<float>(sigma));
  std::vector<uint16_t> v(n);
  for (auto& x : v) x = bf16_of(d(rng));
  return v;
}

double entropy16_bytes(std::span<const uint16_t> v) {
  std::vector<uint64_t> counts(65536, 0);
  for (uint16_t x : v) ++counts[x];
  return entropy::entropy_bits(counts) / 8;
}

TEST(FloatCodec, Identity) {
  EXPECT_EQ(float_codec().id(), codec_id::kFloat);
  EXPECT_EQ(float_codec().name(), "float");
  EXPECT_TRUE(float_codec().accepts(type::kBF16));
  EXPECT_TRUE(float_codec().accepts(type::kF16));
  EXPECT_TRUE(float_codec().accepts(type::kF32));
  EXPECT_FALSE(float_codec().accepts(type::kQ4_K));
  EXPECT_FALSE(float_codec().accepts(type::kOpaque));
  std::vector<uint8_t> data(8);
  EXPECT_THROW(encode(data, type::kQ4_K), Error);
}

TEST(FloatCodec, EmptyAndRaggedLengths) {
  std::mt19937_64 rng(1);
  for (TypeId type : {type::kBF16, type::kF16, type::kF32}) {
    for (size_t len : {0, 1, 2, 3, 4, 5, 7, 9, 15, 17, 31, 33, 1001, 4099}) {
      std::vector<uint8_t> data(len);
      for (auto& b : data) b = static_cast<uint8_t>(rng() % 7);  // skewed bytes: something to code
      roundtrip(data, type);
    }
  }
}

TEST(FloatCodec, GaussianBf16NearItsEntropy) {
  auto v = gaussian_bf16(1 << 20, 0.02, 2);
  auto payload = roundtrip(bytes_of(v), type::kBF16);
  const double bound = entropy16_bytes(v);
  // Synthetic gaussian weights: within 0.3% of the 16-bit iid bound (the low mantissa bits are
  // uniform enough that k <= 3 captures almost everything).
  EXPECT_LT(double(payload.size()), bound * 1.003)
      << "payload " << payload.size() << " bound " << bound;
}

TEST(FloatCodec, Degenerate) {
  // All equal.
  std::vector<uint16_t> same(100000, bf16_of(0.125f));
  auto payload = roundtrip(bytes_of(same), type::kBF16);
  EXPECT_LT(payload.size(), 100000 * 2 / 10);  // only raw bits and the states remain
  // NaNs (several payloads), infinities, zeros of both signs, denormals mixed into weights.
  auto v = gaussian_bf16(50000, 0.05, 3);
  const uint16_t specials[] = {0x7FC0, 0xFFC1, 0x7F81, 0x7F80, 0xFF80,
                               0x0000, 0x8000, 0x0001, 0x807F, 0x0040};
  for (size_t i = 0; i < v.size(); i += 97) v[i] = specials[(i / 97) % std::size(specials)];
  roundtrip(bytes_of(v), type::kBF16);
  // Every bf16 value exactly once (uniform, nothing to gain) and shuffled.
  std::vector<uint16_t> all(65536);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  std::shuffle(all.begin(), all.end(), std::mt19937_64(4));
  payload = roundtrip(bytes_of(all), type::kBF16);
  EXPECT_LT(payload.size(), 65536 * 2 * 1.01);  // incompressible: little overhead
  // Uniformly random bits for every type.
  std::mt19937_64 rng(5);
  std::vector<uint32_t> random32(30001);
  for (auto& x : random32) x = static_cast<uint32_t>(rng());
  roundtrip(bytes_of(random32), type::kF32);
  roundtrip(bytes_of(random32), type::kF16);
  roundtrip(bytes_of(random32), type::kBF16);
}

TEST(FloatCodec, F16AndF32Weights) {
  std::mt19937_64 rng(6);
  std::normal_distribution<float> d(0.0f, 0.03f);
  std::vector<float> f32(200000);
  for (auto& x : f32) x = d(rng);
  auto payload = roundtrip(bytes_of(f32), type::kF32);
  EXPECT_LT(payload.size(), f32.size() * 4);
  // The plug-in entropy of a sample underestimates the true entropy by about (distinct values) /
  // (2 n ln 2) bits per element, so the sample must be large against the ~30000 distinct fp16
  // values for the bound to be fair.
  std::vector<uint16_t> f16(1 << 21);
  for (auto& x : f16) {  // fp16 of a gaussian, rounded by truncation is fine for a test
    float f = d(rng);
    uint32_t b = std::bit_cast<uint32_t>(f);
    int e = int((b >> 23) & 0xff) - 127 + 15;
    x = static_cast<uint16_t>(((b >> 16) & 0x8000) |
                              (e <= 0 ? 0 : ((e << 10) | ((b >> 13) & 0x3ff))));
  }
  payload = roundtrip(bytes_of(f16), type::kF16);
  EXPECT_LT(double(payload.size()), entropy16_bytes(f16) * 1.003);
}

TEST(FloatCodec, EveryKPrecisionAndEscapeRoundtrips) {
  auto v = gaussian_bf16(20011, 0.01, 7);
  for (size_t i = 0; i < v.size(); i += 500)
    v[i] = static_cast<uint16_t>(i * 2654435761u);  // rare outliers
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(v.data());
  for (const FloatLayout* layout :
       {&float_format::kBF16, &float_format::kF16, &float_format::kF32}) {
    std::span<const uint8_t> input(bytes, v.size() * 2 / layout->bytes * layout->bytes);
    for (uint32_t k = 0; k <= layout->max_k(); ++k)
      for (int precision : {12, 14})
        for (int threshold : {0, 3}) {
          float_format::FloatModelOptions options{int(k), precision, threshold};
          std::vector<uint8_t> payload;
          try {
            float_format::encode_floats(input, *layout, payload, options);
          } catch (const Error& e) {
            // Only allowed refusal: more distinct symbols than the precision holds.
            EXPECT_EQ(e.kind(), ErrorKind::kUsage);
            continue;
          }
          std::vector<uint8_t> decoded(input.size());
          float_format::decode_floats(payload, decoded);
          ASSERT_TRUE(std::equal(decoded.begin(), decoded.end(), input.begin()))
              << "k=" << k << " p=" << precision << " t=" << threshold;
        }
  }
}

TEST(FloatModel, NarrowingMergesSymbolPairs) {
  float_format::SymbolCounts wide{{1, 2, 3, 6, 9, 40}, {5, 1, 2, 7, 3, 1}};
  float_format::SymbolCounts narrow{{99}, {99}};  // stale contents are replaced
  float_format::narrow_symbol_counts(wide, narrow);
  EXPECT_EQ(narrow.symbols, (std::vector<uint32_t>{0, 1, 3, 4, 20}));
  EXPECT_EQ(narrow.counts, (std::vector<uint64_t>{5, 3, 7, 3, 1}));
  float_format::narrow_symbol_counts({}, narrow);
  EXPECT_TRUE(narrow.symbols.empty() && narrow.counts.empty());
}

TEST(FloatModel, PresentSymbolsAndTheDenseHistogramChooseTheSameModel) {
  auto v = gaussian_bf16(50000, 0.02, 12);
  std::mt19937_64 rng(13);
  for (int i = 0; i < 40; ++i) v[rng() % v.size()] = static_cast<uint16_t>(rng());
  std::vector<uint64_t> top16(65536, 0);
  for (uint16_t x : v) ++top16[x];
  float_format::SymbolCounts widest;  // bf16: symbols are the top 15 bits
  for (uint32_t s = 0; s < 32768; ++s)
    if (top16[2 * s] + top16[2 * s + 1] != 0) {
      widest.symbols.push_back(s);
      widest.counts.push_back(top16[2 * s] + top16[2 * s + 1]);
    }
  const auto& layout = float_format::kBF16;
  const auto dense = float_format::choose_float_model(top16, layout, v.size());
  const auto sparse = float_format::choose_float_model(widest, layout, v.size());
  EXPECT_EQ(sparse.k, dense.k);
  EXPECT_EQ(sparse.table.table.precision_bits, dense.table.table.precision_bits);
  EXPECT_EQ(sparse.table.table.freq, dense.table.table.freq);
  EXPECT_EQ(sparse.table.codes, dense.table.codes);
  EXPECT_EQ(sparse.escaped, dense.escaped);
  EXPECT_EQ(sparse.escape_count, dense.escape_count);
  EXPECT_EQ(sparse.estimated_bytes, dense.estimated_bytes);
  EXPECT_GT(dense.escape_count, 0u);  // the outliers are escaped: that path is covered
  // The table spans the alphabet of the chosen k plus the escape.
  EXPECT_EQ(dense.table.table.freq.size(), (size_t{1} << layout.symbol_bits(dense.k)) + 1);
  EXPECT_EQ(dense.escaped.size(), size_t{1} << layout.symbol_bits(dense.k));
  // A symbol beyond the widest width is the caller's error.
  float_format::SymbolCounts too_wide{{32768}, {1}};
  EXPECT_THROW(float_format::choose_float_model(too_wide, layout, 1), Error);
}

// The search skips candidates by lower bounds of their cost; with k and precision fixed it must
// still pick what trying every escape threshold picks (the first of equal costs).
TEST(FloatModel, BoundedSearchPicksTheExhaustiveSearchsThreshold) {
  const auto& layout = float_format::kBF16;
  const uint32_t thresholds[] = {0, 1, 2, 4, 8, 16};
  for (uint64_t seed = 20; seed < 26; ++seed) {
    auto v = gaussian_bf16(4000 + 9000 * (seed % 3), 0.02, seed);
    std::mt19937_64 rng(seed);
    for (uint64_t i = 0; i < seed * 5; ++i) v[rng() % v.size()] = static_cast<uint16_t>(rng());
    std::vector<float_format::SymbolCounts> by_k(layout.max_k() + 1);
    std::vector<uint64_t> widest(32768, 0);
    for (uint16_t x : v) ++widest[x >> 1];
    for (uint32_t s = 0; s < widest.size(); ++s)
      if (widest[s] != 0) {
        by_k.back().symbols.push_back(s);
        by_k.back().counts.push_back(widest[s]);
      }
    for (uint32_t k = layout.max_k(); k-- > 0;)
      float_format::narrow_symbol_counts(by_k[k + 1], by_k[k]);
    for (uint32_t k = 0; k <= layout.max_k(); ++k) {
      double best = std::numeric_limits<double>::infinity();
      uint32_t best_threshold = 0;
      for (uint32_t t : thresholds) {
        const double bytes =
            float_format::float_model_cost(by_k[k], layout, k, v.size(), t, 14, nullptr);
        if (bytes < best) {
          best = bytes;
          best_threshold = t;
        }
      }
      if (!std::isfinite(best)) continue;
      const auto model =
          float_format::choose_float_model(by_k.back(), layout, v.size(), {int(k), 14, -1});
      float_format::FloatModel expected;
      float_format::float_model_cost(by_k[k], layout, k, v.size(), best_threshold, 14, &expected);
      EXPECT_EQ(model.estimated_bytes, best) << "seed " << seed << " k " << k;
      EXPECT_EQ(model.escape_count, expected.escape_count) << "seed " << seed << " k " << k;
      EXPECT_EQ(model.table.table.freq, expected.table.table.freq) << "seed " << seed << " k " << k;
    }
  }
}

TEST(FloatCodec, EscapesPayOffForRareSymbols) {
  // Narrow distribution plus sprinkled outliers: the chosen model should escape the outliers
  // and come out no larger than the best model without escapes.
  auto v = gaussian_bf16(1 << 18, 0.01, 8);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 300; ++i) v[rng() % v.size()] = static_cast<uint16_t>(rng());
  const auto input = bytes_of(v);
  std::vector<uint8_t> automatic, no_escape;
  float_format::encode_floats(input, float_format::kBF16, automatic);
  float_format::encode_floats(input, float_format::kBF16, no_escape, {-1, 0, 0});
  EXPECT_LT(automatic.size(), no_escape.size());
  std::vector<uint8_t> decoded(input.size());
  float_format::decode_floats(automatic, decoded);
  EXPECT_TRUE(std::equal(decoded.begin(), decoded.end(), input.begin()));
}

void expect_decode_fails_cleanly(std::span<const uint8_t> payload, size_t out_size) {
  std::vector<uint8_t> out(out_size);
  try {
    float_codec().decode(payload, out);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
  }
}

TEST(FloatCodec, CorruptPayloads) {
  auto v = gaussian_bf16(5000, 0.02, 10);
  for (size_t i = 0; i < v.size(); i += 300) v[i] = static_cast<uint16_t>(i * 977);
  std::vector<uint8_t> input(bytes_of(v).begin(), bytes_of(v).end());
  input.push_back(0x5A);  // ragged tail
  auto payload = encode(input, type::kBF16);
  // Wrong output size and every truncation must be rejected.
  std::vector<uint8_t> out(input.size() + 2);
  EXPECT_THROW(float_codec().decode(payload, out), Error);
  out.resize(input.size() - 1);
  EXPECT_THROW(float_codec().decode(payload, out), Error);
  out.resize(input.size());
  for (size_t cut = 0; cut < payload.size(); cut += 1 + cut / 16)
    EXPECT_THROW(float_codec().decode({payload.data(), cut}, out), Error) << "cut " << cut;
  // Bit flips anywhere: an error of kind kCorruptInput or (if undetectable) a normal return.
  std::mt19937_64 rng(11);
  int detected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    auto bad = payload;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    try {
      float_codec().decode(bad, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      ++detected;
    }
  }
  // Flips in the raw mantissa bits are undetectable by design (the container's checksum catches
  // them); everything else is structural.
  EXPECT_GT(detected, 0);
  // Garbage headers.
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> junk(rng() % 64);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (!junk.empty()) junk[0] = float_format::kVersion;
    if (junk.size() > 1) junk[1] %= 4;
    expect_decode_fails_cleanly(junk, rng() % 100);
  }
}

// fp16 by round-to-nearest-even (subnormals included), the way converters write it.
uint16_t f16_of(float f) {
  const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const double a = std::fabs(static_cast<double>(f));
  if (std::isnan(f)) return sign | 0x7E00;
  if (a < std::ldexp(1.0, -14)) return sign | static_cast<uint16_t>(std::nearbyint(a * 0x1p24));
  int e = std::ilogb(a);
  double m = std::nearbyint((a / std::ldexp(1.0, e) - 1) * 1024);
  if (m == 1024) m = 0, ++e;
  if (e > 15) return sign | 0x7C00;
  return sign | static_cast<uint16_t>((e + 15) << 10 | static_cast<int>(m));
}

float f32_of_bf16(uint16_t b) {
  return std::bit_cast<float>(uint32_t{b} << 16);
}

// Converted checkpoints: fp16 or fp32 written from bf16 weights have their low 3 or 16 bits zero
// (but for fp16 subnormals): payload version 3 takes them off.
TEST(FloatCodecLowBits, F16FromBf16ReachesTheBf16Size) {
  const auto bf16 = gaussian_bf16(1 << 20, 0.02, 21);
  std::vector<uint16_t> f16(bf16.size());
  for (size_t i = 0; i < f16.size(); ++i) f16[i] = f16_of(f32_of_bf16(bf16[i]));
  ASSERT_TRUE(std::any_of(f16.begin(), f16.end(), [](uint16_t h) { return (h & 7) != 0; }));
  const auto payload = roundtrip(bytes_of(f16), type::kF16);
  EXPECT_EQ(payload[0], float_format::kVersionLowBits);
  const auto bf16_payload = roundtrip(bytes_of(bf16), type::kBF16);
  EXPECT_EQ(bf16_payload[0], float_format::kVersion);
  EXPECT_LT(double(payload.size()), entropy16_bytes(f16) * 1.003);
  EXPECT_LT(double(payload.size()), double(bf16_payload.size()) * 1.003);
}

TEST(FloatCodecLowBits, F32FromBf16ReachesTheBf16Size) {
  const auto bf16 = gaussian_bf16(300001, 0.05, 22);
  std::vector<float> f32(bf16.size());
  for (size_t i = 0; i < f32.size(); ++i) f32[i] = f32_of_bf16(bf16[i]);
  const auto payload = roundtrip(bytes_of(f32), type::kF32);
  EXPECT_EQ(payload[0], float_format::kVersionLowBits);
  const auto bf16_payload = roundtrip(bytes_of(bf16), type::kBF16);
  EXPECT_LT(double(payload.size()), double(bf16_payload.size()) * 1.002 + 64);
}

TEST(FloatCodecLowBits, SpecialValuesTinyAndRaggedInputs) {
  auto bf16 = gaussian_bf16(40000, 0.01, 23);
  std::vector<uint16_t> f16(bf16.size());
  for (size_t i = 0; i < f16.size(); ++i) f16[i] = f16_of(f32_of_bf16(bf16[i]));
  // NaNs with payloads, infinities, subnormals and zeros: their classes keep their low bits.
  const uint16_t specials[] = {0x7E01, 0xFC00, 0x7C00, 0x0001, 0x8003, 0x0000, 0x8000, 0x03FF};
  for (size_t i = 0; i < f16.size(); i += 101) f16[i] = specials[(i / 101) % std::size(specials)];
  auto payload = roundtrip(bytes_of(f16), type::kF16);
  EXPECT_EQ(payload[0], float_format::kVersionLowBits);
  for (size_t n = 1; n < 70; ++n) {
    std::vector<uint8_t> input(bytes_of(f16).begin(), bytes_of(f16).begin() + 2 * n);
    roundtrip(input, type::kF16);
    input.push_back(0xA5);  // ragged tail
    roundtrip(input, type::kF16);
  }
  // All equal to 1.0, in every type: every mantissa bit is taken off.
  const std::vector<uint16_t> ones_bf16(5003, 0x3F80), ones_f16(5003, 0x3C00);
  const std::vector<float> ones_f32(5003, 1.0f);
  for (const auto& [bytes, type] :
       {std::pair{bytes_of(ones_bf16), type::kBF16}, std::pair{bytes_of(ones_f16), type::kF16},
        std::pair{bytes_of(ones_f32), type::kF32}}) {
    payload = roundtrip(bytes, type);
    // One present symbol: its code a byte (version 3) beats the smooth layout's length and bits.
    EXPECT_EQ(payload[0], float_format::kVersionBytewiseTableLowBits);
    EXPECT_LT(payload.size(), 300u);
  }
}

TEST(FloatCodecLowBits, CorruptPayloads) {
  auto bf16 = gaussian_bf16(3000, 0.01, 24);
  std::vector<uint16_t> f16(bf16.size());
  for (size_t i = 0; i < f16.size(); ++i) f16[i] = f16_of(f32_of_bf16(bf16[i]));
  f16[7] = 0x0003;
  const auto input = std::vector<uint8_t>(bytes_of(f16).begin(), bytes_of(f16).end());
  const auto payload = encode(input, type::kF16);
  ASSERT_EQ(payload[0], float_format::kVersionLowBits);
  std::vector<uint8_t> out(input.size());
  for (size_t cut = 0; cut < payload.size(); cut += 1 + cut / 16)
    EXPECT_THROW(float_codec().decode({payload.data(), cut}, out), Error) << "cut " << cut;
  // Header: version, kind, n (varint, 2 bytes for 3000), tail length, then t.
  const size_t t_at = 5;
  ASSERT_EQ(payload[t_at], 3);
  for (uint8_t bad_t : {0, 11, 255}) {
    auto bad = payload;
    bad[t_at] = bad_t;
    EXPECT_THROW(float_codec().decode(bad, out), Error);
  }
  // Flipping a class between kept and not changes how many kept fields are read.
  size_t detected = 0;
  for (size_t bit = 0; bit < 64; ++bit) {
    auto bad = payload;
    bad[t_at + 1 + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    try {
      float_codec().decode(bad, out);
      if (out != input) ++detected;  // a different, well-formed tensor: the checksum's job
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      ++detected;
    }
  }
  EXPECT_GT(detected, 0u);
  std::mt19937_64 rng(25);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> junk(rng() % 96);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (!junk.empty()) junk[0] = float_format::kVersionLowBits;
    if (junk.size() > 1) junk[1] %= 4;
    expect_decode_fails_cleanly(junk, rng() % 100);
  }
}

// Real weights: every BF16 tensor of one bytellama shard roundtrips and the codec gets within a
// small tolerance of each large tensor's 16-bit iid entropy bound (computed here).
TEST(FloatCodecCorpus, BytellamaShardNearEntropyBound) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "bytellama-25m" / "model-00001-of-00004.safetensors";
  auto tensors = test::read_safetensors_tensors(path);
  ASSERT_FALSE(tensors.empty());
  double total_in = 0, total_out = 0, total_bound = 0;
  for (const auto& t : tensors) {
    if (t.dtype != "BF16") continue;
    auto payload = roundtrip(t.bytes, type::kBF16);
    std::vector<uint16_t> v(t.bytes.size() / 2);
    std::memcpy(v.data(), t.bytes.data(), v.size() * 2);
    const double bound = entropy16_bytes(v);
    if (t.bytes.size() >= (1 << 20)) {
      // Tolerance: the table and states (a few hundred bytes) plus < 0.15% model loss.
      EXPECT_LT(double(payload.size()), bound * 1.0015 + 512) << t.name;
    }
    total_in += t.bytes.size();
    total_out += payload.size();
    total_bound += bound;
  }
  std::printf("bytellama shard 1: %.0f bytes -> %.0f, ratio %.5f, 16-bit bound %.5f\n", total_in,
              total_out, total_in / total_out, total_in / total_bound);
  EXPECT_GT(total_in / total_out, total_in / total_bound * 0.9975);
}

// fp16 made from real weights (bytellama's bf16, round-to-nearest-even): every tensor of 1 MiB or
// more within 0.5% of its 16-bit iid bound, tables counted.
TEST(FloatCodecCorpus, F16FromBytellamaShardNearEntropyBound) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "bytellama-25m" / "model-00001-of-00004.safetensors";
  size_t checked = 0;
  for (const auto& t : test::read_safetensors_tensors(path)) {
    if (t.dtype != "BF16" || t.bytes.size() < (1 << 20)) continue;
    std::vector<uint16_t> f16(t.bytes.size() / 2);
    for (size_t i = 0; i < f16.size(); ++i)
      f16[i] = f16_of(f32_of_bf16(static_cast<uint16_t>(t.bytes[2 * i] | t.bytes[2 * i + 1] << 8)));
    const auto payload = roundtrip(bytes_of(f16), type::kF16);
    EXPECT_LT(double(payload.size()), entropy16_bytes(f16) / 0.995) << t.name;
    ++checked;
  }
  EXPECT_GT(checked, 3u);
}

TEST(FloatCodecCorpus, UseLiteRoundtrips) {
  LCL_REQUIRE_CORPUS();
  auto tensors =
      test::read_safetensors_tensors(test::corpus_dir() / "use-lite" / "use-lite-bf16.safetensors");
  ASSERT_FALSE(tensors.empty());
  double total_in = 0, total_out = 0;
  for (const auto& t : tensors) {
    if (t.dtype != "BF16") continue;
    auto payload = roundtrip(t.bytes, type::kBF16);
    total_in += t.bytes.size();
    total_out += payload.size();
  }
  std::printf("use-lite: %.0f bytes -> %.0f, ratio %.5f\n", total_in, total_out,
              total_in / total_out);
  EXPECT_GT(total_in / total_out, 1.5);
}

}  // namespace
}  // namespace lcl
