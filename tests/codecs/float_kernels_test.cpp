// The float codec's x86-64 kernels against its portable code: for every input both encoders must
// write the same payload and both decoders must restore the input byte for byte (the portable
// code is what CPUs without AVX2 run; with AVX2 and no AVX-512 the AVX2 kernels are the fast path).
// On machines without the kernels both runs take the portable path and the tests still check the
// roundtrips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "codecs/float/float_coder.hpp"
#include "codecs/float/float_format.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

using float_format::FloatLayout;
using float_format::FloatModelOptions;

// Restores the dispatch when a test ends, also on a failed assertion.
using test::PortableScope;

std::vector<uint8_t> encode_with(bool portable, std::span<const uint8_t> input,
                                 const FloatLayout& layout, const FloatModelOptions& options) {
  PortableScope scope(portable);
  std::vector<uint8_t> payload;
  float_format::encode_floats(input, layout, payload, options);
  return payload;
}

std::vector<uint8_t> decode_with(bool portable, std::span<const uint8_t> payload, size_t size) {
  PortableScope scope(portable);
  std::vector<uint8_t> out(size, 0xCD);
  float_format::decode_floats(payload, out);
  return out;
}

// Returns false when the options ask for a model that cannot hold the data (kUsage).
bool check_both_paths(std::span<const uint8_t> input, const FloatLayout& layout,
                      const FloatModelOptions& options = {}) {
  std::vector<uint8_t> fast, portable;
  try {
    portable = encode_with(true, input, layout, options);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    return false;
  }
  fast = encode_with(false, input, layout, options);
  EXPECT_EQ(fast, portable) << "encoders differ, " << input.size() << " bytes";
  const std::vector<uint8_t> expected(input.begin(), input.end());
  EXPECT_EQ(decode_with(false, portable, input.size()), expected) << input.size() << " bytes";
  EXPECT_EQ(decode_with(true, portable, input.size()), expected) << input.size() << " bytes";
  return true;
}

const FloatLayout* const kLayouts[] = {&float_format::kBF16, &float_format::kF16,
                                       &float_format::kF32};

// Elements whose top bits follow a geometric law (skewed like weights) and low bits are random;
// `outliers` elements (per 10000) are uniformly random, which the model escapes.
std::vector<uint8_t> skewed(size_t elements, const FloatLayout& layout, double decay, int outliers,
                            uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::geometric_distribution<uint32_t> top(decay);
  std::vector<uint8_t> bytes(elements * layout.bytes);
  for (size_t i = 0; i < elements; ++i) {
    uint64_t v = rng();
    if (static_cast<int>(rng() % 10000) >= outliers) {
      const uint64_t high = (0x3C00 + top(rng)) & 0xFFFF;  // around a typical exponent
      v = (v & ((uint64_t{1} << (layout.bits - 16)) - 1)) | (high << (layout.bits - 16));
      v ^= (rng() & 1) << (layout.bits - 1);  // sign
    }
    std::memcpy(bytes.data() + i * layout.bytes, &v, layout.bytes);
  }
  return bytes;
}

TEST(FloatKernels, SizesAroundTheLaneCount) {
  // 0, 1, lanes - 1, lanes, lanes + 1, two groups +- 1, and sizes where the stream runs short
  // before the symbols do (the scalar tail takes over inside the last groups).
  const size_t lanes = float_format::kLanes;
  for (const FloatLayout* layout : kLayouts)
    for (size_t n : {size_t{0}, size_t{1}, lanes - 1, lanes, lanes + 1, 2 * lanes - 1, 2 * lanes,
                     2 * lanes + 1, size_t{100}, size_t{1000}, size_t{4097}, size_t{100003}})
      for (double decay : {0.02, 0.3, 0.9}) {
        auto data = skewed(n, *layout, decay, 5, n * 31 + layout->bytes);
        check_both_paths(data, *layout);
        data.push_back(0x77);  // ragged tail byte
        check_both_paths(data, *layout);
      }
}

TEST(FloatKernels, EveryKPrecisionAndEscapeThreshold) {
  for (const FloatLayout* layout : kLayouts) {
    const auto data = skewed(20011, *layout, 0.05, 30, 7);
    int checked = 0;
    for (uint32_t k = 0; k <= layout->max_k(); ++k)
      for (int precision : {12, 13, 14, 15, 16})  // above 14 the encoder's kernel steps aside
        for (int threshold : {0, 2, 1000}) {
          checked += check_both_paths(data, *layout, {int(k), precision, threshold});
          if (::testing::Test::HasFailure()) return;
        }
    EXPECT_GT(checked, 10);
  }
}

TEST(FloatKernels, DegenerateDistributions) {
  for (const FloatLayout* layout : kLayouts) {
    const size_t n = 50000;
    // One value: the symbol owns the whole range (frequency 2^precision, shift = precision).
    std::vector<uint8_t> same(n * layout->bytes);
    for (size_t i = 0; i < n; ++i)
      std::memcpy(&same[i * layout->bytes], "\x12\x34\x3c\x3f", layout->bytes);
    check_both_paths(same, *layout);
    // Two values, one of them once (frequency 1: reciprocal 2^32, shift 0).
    auto two = same;
    two[(n / 2) * layout->bytes + layout->bytes - 1] ^= 0x80;
    check_both_paths(two, *layout);
    check_both_paths(two, *layout, {-1, 14, 0});
    // Uniformly random bits (near-incompressible, every symbol present).
    std::mt19937_64 rng(layout->bytes);
    std::vector<uint8_t> noise(n * layout->bytes);
    for (auto& b : noise) b = static_cast<uint8_t>(rng());
    check_both_paths(noise, *layout);
    // Mostly one value with random outliers: escapes in many groups, sometimes several per group.
    auto spiky = same;
    for (size_t i = 0; i < n; i += 1 + rng() % 40)
      spiky[i * layout->bytes + layout->bytes - 1] = static_cast<uint8_t>(rng());
    check_both_paths(spiky, *layout);
    check_both_paths(spiky, *layout, {-1, 12, 3});
  }
}

TEST(FloatKernels, RandomModelsFuzz) {
  std::mt19937_64 rng(12345);
  for (int trial = 0; trial < 60; ++trial) {
    const FloatLayout& layout = *kLayouts[rng() % 3];
    const size_t n = rng() % 3000;
    const double decay = 0.01 + 0.98 * (rng() % 1000) / 1000.0;
    const auto data = skewed(n, layout, decay, static_cast<int>(rng() % 200), rng());
    const int k = static_cast<int>(rng() % (layout.max_k() + 2)) - 1;  // -1: chosen
    const int precision = rng() % 2 ? 0 : 12 + static_cast<int>(rng() % 3);
    const int threshold = static_cast<int>(rng() % 4) - 1;
    check_both_paths(data, layout, {k, precision, threshold});
    if (::testing::Test::HasFailure()) return;
  }
}

// Low-bit payloads (versions 3 and 5: low mantissa bits taken off): the kernels decode the shifted
// elements, which do not fill their element width, around the lane count and with escapes.
TEST(FloatKernels, LowBitsPayloadsAroundTheLaneCount) {
  const size_t lanes = float_format::kLanes;
  for (const FloatLayout* layout : {&float_format::kF16, &float_format::kF32})
    for (size_t n : {lanes - 1, lanes + 1, 2 * lanes + 1, size_t{1000}, size_t{40009}}) {
      // Low bits zero (as in bf16 converted up); a few outliers keep theirs.
      auto data = skewed(n, *layout, 0.1, 0, n + layout->bytes);
      const uint32_t low_bits = layout->bytes == 2 ? 3 : 16;
      for (size_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        std::memcpy(&v, &data[i * layout->bytes], layout->bytes);
        v &= ~((1u << low_bits) - 1);
        if (i % 97 == 5) v ^= 0x5A5A5A5Au & ((1u << (8 * layout->bytes - 1)) - 1);  // escapes
        std::memcpy(&data[i * layout->bytes], &v, layout->bytes);
      }
      ASSERT_TRUE(check_both_paths(data, *layout));
      const uint8_t version = encode_with(true, data, *layout, {})[0];
      EXPECT_TRUE(version == float_format::kVersionLowBits ||
                  version == float_format::kVersionBytewiseTableLowBits)
          << int(version) << ", " << n << " elements of " << layout->bytes << " bytes";
    }
}

// Every committed golden archive (tests/golden: each float payload version the decoder accepts)
// decodes to the same bytes on the kernel and the portable paths.
TEST(FloatKernels, GoldenArchivesDecodeIdenticallyOnBothPaths) {
  size_t checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_dir() / "tests/golden")) {
    if (entry.path().extension() != ".lcl") continue;
    SCOPED_TRACE(entry.path().string());
    std::vector<uint8_t> decoded[2];
    for (bool portable : {false, true}) {
      PortableScope scope(portable);
      auto archive = Archive::open(entry.path());
      if (archive->index().base) archive->attach_base(entry.path().parent_path());
      std::vector<uint8_t>& out = decoded[portable];
      out.resize(archive->index().original_size);
      archive->decode_all(1, [&](uint64_t offset, std::span<const uint8_t> bytes) {
        std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<ptrdiff_t>(offset));
      });
    }
    EXPECT_EQ(decoded[0], decoded[1]);
    ++checked;
  }
  EXPECT_GE(checked, 6u);
}

// Corrupt payloads: the kernel path must fail the same way as the portable one (kCorruptInput or a
// normal return; never a crash or an out-of-bounds access, which the sanitiser build checks).
TEST(FloatKernels, CorruptPayloadsFailCleanlyOnBothPaths) {
  const auto data = skewed(5003, float_format::kBF16, 0.1, 40, 99);
  const auto payload = encode_with(false, data, float_format::kBF16, {});
  std::mt19937_64 rng(100);
  for (int trial = 0; trial < 400; ++trial) {
    auto bad = payload;
    if (trial % 4 == 0) {
      bad.resize(rng() % bad.size());
    } else {
      for (int flips = 1 + trial % 3; flips-- > 0;)
        bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    std::vector<uint8_t> fast_out, portable_out;
    bool fast_threw = false, portable_threw = false;
    try {
      fast_out = decode_with(false, bad, data.size());
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
      fast_threw = true;
    }
    try {
      portable_out = decode_with(true, bad, data.size());
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
      portable_threw = true;
    }
    EXPECT_EQ(fast_threw, portable_threw) << "trial " << trial;
    if (!fast_threw && !portable_threw) {
      EXPECT_EQ(fast_out, portable_out) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace lcl
