// The fp8 codec: byte-exact roundtrips (AVX2 kernels and portable loops, identical payloads) over
// synthetic, degenerate and real FP8 tensors, size against the order-0 byte bound, and corrupt
// payloads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "codecs/corpus_tensors.hpp"
#include "codecs/fp8/fp8_codec.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "codecs/registry.hpp"
#include "entropy/rans.hpp"
#include "lcl/error.hpp"
#include "support/test_paths.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

std::vector<uint8_t> fp8_encode(std::span<const uint8_t> input, TypeId type) {
  EncodeContext context;
  context.type = type;
  std::vector<uint8_t> payload;
  fp8_codec().encode(input, context, payload);
  return payload;
}

// Encodes with the kernels and with the portable loop (the payloads must be identical), then
// decodes both ways into buffers of exactly the input size; returns the payload.
std::vector<uint8_t> fp8_roundtrip(std::span<const uint8_t> input, TypeId type = type::kF8_E4M3) {
  auto payload = fp8_encode(input, type);
  kernels::force_portable(true);
  EXPECT_EQ(fp8_encode(input, type), payload) << "size " << input.size() << ": encoders differ";
  kernels::force_portable(false);
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    std::vector<uint8_t> decoded(input.size(), 0xCD);
    fp8_codec().decode(payload, decoded);
    EXPECT_TRUE(std::equal(decoded.begin(), decoded.end(), input.begin(), input.end()))
        << "size " << input.size() << " portable " << portable;
  }
  kernels::force_portable(false);
  return payload;
}

// fp8_roundtrip for one payload version, through encode_fp8 and decode_fp8.
void fp8_roundtrip_version(std::span<const uint8_t> input, uint8_t version) {
  const fp8_format::Fp8Options options{0, version};
  std::vector<uint8_t> payload, portable_payload;
  fp8_format::encode_fp8(input, fp8_format::Fp8Kind::kE4M3, payload, options);
  ASSERT_EQ(payload[0], version);
  kernels::force_portable(true);
  fp8_format::encode_fp8(input, fp8_format::Fp8Kind::kE4M3, portable_payload, options);
  kernels::force_portable(false);
  EXPECT_EQ(payload, portable_payload) << "size " << input.size() << " version " << int{version};
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    std::vector<uint8_t> decoded(input.size(), 0xCD);
    fp8_format::decode_fp8(payload, decoded);
    EXPECT_TRUE(std::equal(decoded.begin(), decoded.end(), input.begin(), input.end()))
        << "size " << input.size() << " version " << int{version} << " portable " << portable;
  }
  kernels::force_portable(false);
}

// E4M3 bytes of normal-distributed weights scaled so the largest maps near 448 (block scaling).
std::vector<uint8_t> weight_like_e4m3(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(0.0, 60.0);
  std::vector<uint8_t> v(n);
  for (auto& b : v) {
    const double x = std::clamp(d(rng), -448.0, 448.0);
    const double a = std::fabs(x);
    uint8_t code = 0;
    if (a >= std::ldexp(1.0, -6)) {
      int e = std::ilogb(a);
      int m = static_cast<int>(std::lround((a / std::ldexp(1.0, e) - 1) * 8));
      if (m == 8) m = 0, ++e;
      code = static_cast<uint8_t>(std::min(e + 7, 15) << 3 | m);
      if (code > 0x7E) code = 0x7E;
    } else {
      code = static_cast<uint8_t>(std::lround(a / std::ldexp(1.0, -9)));  // subnormal
    }
    b = static_cast<uint8_t>(code | (x < 0 ? 0x80 : 0));
  }
  return v;
}

double entropy_bytes(std::span<const uint8_t> v) {
  std::vector<uint64_t> counts(256, 0);
  for (uint8_t x : v) ++counts[x];
  return entropy::entropy_bits(counts) / 8;
}

TEST(Fp8Codec, IdentityAndRouting) {
  EXPECT_EQ(fp8_codec().id(), 11);
  EXPECT_EQ(fp8_codec().name(), "fp8");
  EXPECT_TRUE(fp8_codec().accepts(type::kF8_E4M3));
  EXPECT_TRUE(fp8_codec().accepts(type::kF8_E5M2));
  EXPECT_FALSE(fp8_codec().accepts(type::kBF16));
  EXPECT_EQ(specialised_codec_for(type::kF8_E4M3), &fp8_codec());
  EXPECT_EQ(specialised_codec_for(type::kF8_E5M2, 4097), &fp8_codec());
  EXPECT_EQ(find_codec(11), &fp8_codec());
  EXPECT_EQ(find_codec_named("fp8"), &fp8_codec());
}

TEST(Fp8Codec, WeightLikeBytesReachTheOrderZeroBound) {
  const auto v = weight_like_e4m3(1 << 20, 1);
  const auto payload = fp8_roundtrip(v);
  const double bound = entropy_bytes(v);
  EXPECT_LT(static_cast<double>(payload.size()), bound / 0.998) << "bound " << bound;
}

TEST(Fp8Codec, EveryLengthAroundTheLaneGroups) {
  const auto v = weight_like_e4m3(700, 2);
  for (uint8_t version : {fp8_format::kVersionLanes32, fp8_format::kVersionLanes64}) {
    // Version 2 (64 lanes) stashes up to 128 bytes and codes groups of 64 after them.
    for (size_t n = 1; n <= 330; ++n) fp8_roundtrip_version(std::span(v).first(n), version);
    for (size_t n : {511, 512, 513, 699, 700})
      fp8_roundtrip_version(std::span(v).first(n), version);
  }
  for (size_t n = 0; n <= 40; ++n) fp8_roundtrip(std::span(v).first(n));
}

TEST(Fp8Codec, VersionByLengthAndBothRoundTrip) {
  // The encoder writes 32 lanes below 512 KiB and 64 from there on.
  const auto v = weight_like_e4m3(fp8_format::kLanes64MinBytes + 1000, 7);
  const auto below = std::span(v).first(fp8_format::kLanes64MinBytes - 1);
  const auto at = std::span(v).first(fp8_format::kLanes64MinBytes);
  EXPECT_EQ(fp8_roundtrip(below)[0], fp8_format::kVersionLanes32);
  EXPECT_EQ(fp8_roundtrip(at)[0], fp8_format::kVersionLanes64);
  std::vector<uint8_t> v1, v2;
  fp8_format::encode_fp8(at, fp8_format::Fp8Kind::kE4M3, v1, {0, fp8_format::kVersionLanes32});
  fp8_format::encode_fp8(at, fp8_format::Fp8Kind::kE4M3, v2, {0, fp8_format::kVersionLanes64});
  EXPECT_NE(v1, v2);
  // Twice the lanes: at most the 32 more initial states' 128 bytes (the 64 more stashed bytes
  // they carry are not coded).
  EXPECT_LT(v2.size(), v1.size() + 128);
  fp8_roundtrip_version(v, fp8_format::kVersionLanes32);
  fp8_roundtrip_version(v, fp8_format::kVersionLanes64);
  std::vector<uint8_t> payload;
  EXPECT_THROW(fp8_format::encode_fp8(v, fp8_format::Fp8Kind::kE4M3, payload, {0, 3}), Error);
}

TEST(Fp8Codec, DegenerateInputs) {
  for (size_t n : {1, 31, 32, 33, 4096, 100001}) {
    fp8_roundtrip(std::vector<uint8_t>(n, 0x00));
    fp8_roundtrip(std::vector<uint8_t>(n, 0x7F), type::kF8_E5M2);  // E4M3 NaN / E5M2 NaN
    fp8_roundtrip(std::vector<uint8_t>(n, 0xFF));
  }
  // All 256 byte values: NaN, Inf (E5M2 0x7C / 0xFC), subnormals, zeros of both signs.
  std::vector<uint8_t> all(256 * 41);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i * 7 + i / 256);
  fp8_roundtrip(all);
  fp8_roundtrip(all, type::kF8_E5M2);
  // Uniform random bytes, and one rare byte among a dominant one.
  std::mt19937_64 rng(3);
  std::vector<uint8_t> uniform(1 << 16);
  for (auto& b : uniform) b = static_cast<uint8_t>(rng());
  const auto payload = fp8_roundtrip(uniform);
  EXPECT_LT(payload.size(), uniform.size() + 1024);
  std::vector<uint8_t> skewed(1 << 16, 0x38);
  skewed[12345] = 0xC1;
  fp8_roundtrip(skewed);
  // A byte value of probability > 1/4 (frequencies beyond the kernel's packing) among others.
  auto mixed = weight_like_e4m3(50000, 6);
  for (size_t i = 0; i < mixed.size(); i += 2) mixed[i] = 0x00;
  fp8_roundtrip(mixed);
}

TEST(Fp8Codec, EveryPrecisionRoundTrips) {
  const auto v = weight_like_e4m3(5000, 4);
  for (uint8_t version : {fp8_format::kVersionLanes32, fp8_format::kVersionLanes64})
    for (uint32_t p = fp8_format::kMinPrecision; p <= fp8_format::kMaxPrecision; ++p) {
      std::vector<uint8_t> payload, portable_payload;
      fp8_format::encode_fp8(v, fp8_format::Fp8Kind::kE4M3, payload, {p, version});
      kernels::force_portable(true);
      fp8_format::encode_fp8(v, fp8_format::Fp8Kind::kE4M3, portable_payload, {p, version});
      kernels::force_portable(false);
      EXPECT_EQ(payload, portable_payload) << "precision " << p;
      for (bool portable : {false, true}) {
        kernels::force_portable(portable);
        std::vector<uint8_t> decoded(v.size());
        fp8_format::decode_fp8(payload, decoded);
        EXPECT_EQ(decoded, v) << "precision " << p << " version " << int{version};
      }
      kernels::force_portable(false);
    }
}

TEST(Fp8Codec, RejectsCorruptPayloads) {
  const auto v = weight_like_e4m3(3000, 5);
  const auto payload = fp8_encode(v, type::kF8_E4M3);
  std::vector<uint8_t> out(v.size());
  auto rejects = [&](std::vector<uint8_t> p, std::span<uint8_t> dst) {
    for (bool portable : {false, true}) {
      kernels::force_portable(portable);
      EXPECT_THROW(fp8_codec().decode(p, dst), Error);
    }
    kernels::force_portable(false);
  };
  for (size_t cut :
       {size_t{0}, size_t{1}, size_t{3}, size_t{10}, payload.size() / 2, payload.size() - 1})
    rejects(std::vector<uint8_t>(payload.begin(), payload.begin() + static_cast<ptrdiff_t>(cut)),
            out);
  auto bad = payload;
  for (uint8_t version : {0, 3, 255}) {
    bad[0] = version;
    rejects(bad, out);
  }
  bad = payload;
  bad[1] = 7;  // kind
  rejects(bad, out);
  std::vector<uint8_t> wrong_size(v.size() + 1);
  rejects(payload, wrong_size);
  // Altered stream bytes decode to something else or fail the final-state check; never succeed
  // with the original bytes silently replaced (and never read outside the payload, under ASan).
  size_t detected = 0;
  for (size_t at = payload.size() - 200; at < payload.size(); at += 7) {
    bad = payload;
    bad[at] ^= 0x5A;
    try {
      fp8_codec().decode(bad, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
      ++detected;
    }
  }
  EXPECT_GT(detected, 20u);
}

TEST(Fp8Codec, CorpusTensorsRoundTripNearTheirBound) {
  LCL_REQUIRE_CORPUS();
  const auto path = test::corpus_dir() / "use-lite" / "use-lite-fp8.safetensors";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  size_t checked = 0;
  for (const auto& t : test::read_safetensors_tensors(path)) {
    if (t.dtype != "F8_E4M3") continue;
    const auto payload = fp8_roundtrip(t.bytes);
    // >= 99.8% of the bound where the table and the lanes' states (~400 bytes) are small against
    // the tensor.
    if (t.bytes.size() >= (256u << 10)) {
      EXPECT_LT(static_cast<double>(payload.size()), entropy_bytes(t.bytes) / 0.998) << t.name;
    }
    ++checked;
  }
  EXPECT_GT(checked, 5u);
}

}  // namespace
}  // namespace lcl
