// Float baselines of the benchmark: byte-exact roundtrips, corrupt payloads rejected, and the
// ordering the design expects (the float codec beats each of them on weight-like data).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>

#include "bench/float_baselines.hpp"
#include "codecs/float/float_codec.hpp"
#include "lcl/error.hpp"

namespace lcl::bench {
namespace {

std::vector<uint8_t> gaussian(TypeId type, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.02f);
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = std::bit_cast<uint32_t>(d(rng));
    uint32_t v = b;
    size_t size = 4;
    if (type == type::kBF16) {
      v = b >> 16;
      size = 2;
    } else if (type == type::kF16) {
      const int e = int((b >> 23) & 0xff) - 127 + 15;
      v = ((b >> 16) & 0x8000) | (e <= 0 ? 0 : ((uint32_t(e) << 10) | ((b >> 13) & 0x3ff)));
      size = 2;
    }
    for (size_t k = 0; k < size; ++k) bytes.push_back(static_cast<uint8_t>(v >> (8 * k)));
  }
  return bytes;
}

TensorInfo tensor_of(TypeId type) {
  TensorInfo t;
  t.name = "t";
  t.type = type;
  return t;
}

TEST(FloatBaselines, RoundtripEveryTypeAndLength) {
  auto methods = float_baseline_methods();
  ASSERT_EQ(methods.size(), 3u);
  for (TypeId type : {type::kBF16, type::kF16, type::kF32}) {
    const TensorInfo tensor = tensor_of(type);
    for (size_t n : {0, 1, 7, 1000, 65537}) {
      auto data = gaussian(type, n, n + type);
      for (size_t extra : {0, 1}) {  // a ragged tail byte
        if (extra) data.push_back(0x77);
        for (const auto& m : methods) {
          if (!m->applies_to(tensor)) continue;
          auto payload = m->compress(data, tensor);
          std::vector<uint8_t> back(data.size(), 0xEE);
          m->decompress(payload, tensor, back);
          EXPECT_EQ(back, data) << m->name() << " type " << type << " n " << n;
        }
      }
    }
  }
}

TEST(FloatBaselines, ByteSplitOnlyFor16BitFloats) {
  auto methods = float_baseline_methods();
  for (const auto& m : methods)
    if (m->name() == "byte-split") {
      EXPECT_TRUE(m->applies_to(tensor_of(type::kBF16)));
      EXPECT_FALSE(m->applies_to(tensor_of(type::kF32)));
    } else {
      EXPECT_TRUE(m->applies_to(tensor_of(type::kF32)));
    }
  for (const auto& m : methods) EXPECT_FALSE(m->applies_to(tensor_of(type::kQ4_K)));
}

TEST(FloatBaselines, CorruptPayloadsThrowCorruptInput) {
  const TensorInfo tensor = tensor_of(type::kBF16);
  auto data = gaussian(type::kBF16, 5000, 3);
  std::mt19937_64 rng(4);
  for (const auto& m : float_baseline_methods()) {
    auto payload = m->compress(data, tensor);
    std::vector<uint8_t> out(data.size());
    for (size_t cut = 0; cut < payload.size(); cut += 1 + cut / 8) {
      try {
        m->decompress({payload.data(), cut}, tensor, out);
        ADD_FAILURE() << m->name() << " accepted a payload cut at " << cut;
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      }
    }
    for (int trial = 0; trial < 100; ++trial) {
      auto bad = payload;
      bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      try {
        m->decompress(bad, tensor, out);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      }
    }
  }
}

TEST(FloatBaselines, FloatCodecBeatsEachBaselineOnWeights) {
  auto data = gaussian(type::kBF16, 1 << 19, 5);
  EncodeContext context;
  context.type = type::kBF16;
  std::vector<uint8_t> ours;
  float_codec().encode(data, context, ours);
  for (const auto& m : float_baseline_methods()) {
    auto payload = m->compress(data, tensor_of(type::kBF16));
    EXPECT_LT(ours.size(), payload.size()) << m->name();
  }
}

}  // namespace
}  // namespace lcl::bench
