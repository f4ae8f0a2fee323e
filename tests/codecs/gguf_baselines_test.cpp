// The reference's GGUF baselines: byte-exact round trips, model-level train/test split for the
// mixture coder, and our codecs measured against them on the same tensor bytes.
#include <gtest/gtest.h>

#include "bench/gguf_baselines.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "quant_test_support.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

struct Tensors {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<TensorInfo> infos;
};

Tensors quantized_tensors(const std::filesystem::path& path) {
  const auto file = test::read_gguf_for_test(path);
  Tensors out;
  for (const auto& t : file.tensors) {
    size_t size = 0;
    if (t.type == type::kQ4_K) size = t.elements / 256 * 144;
    if (t.type == type::kQ6_K) size = t.elements / 256 * 210;
    if (t.type == type::kQ8_0) size = t.elements / 32 * 34;
    if (!size) continue;
    out.bytes.emplace_back(file.bytes.begin() + static_cast<std::ptrdiff_t>(t.offset),
                           file.bytes.begin() + static_cast<std::ptrdiff_t>(t.offset + size));
    out.infos.push_back({t.name, t.type, {t.elements}});
  }
  return out;
}

std::unique_ptr<bench::Method> method_named(const std::string& name) {
  for (auto& m : bench::gguf_baseline_methods())
    if (m->name() == name) return std::move(m);
  return nullptr;
}

void expect_method_roundtrip(const bench::Method& method, std::span<const uint8_t> bytes,
                             const TensorInfo& info, uint64_t& compressed) {
  const auto payload = method.compress(bytes, info);
  std::vector<uint8_t> back(bytes.size());
  method.decompress(payload, info, back);
  EXPECT_TRUE(std::equal(back.begin(), back.end(), bytes.begin(), bytes.end()))
      << method.name() << " " << info.name;
  compressed += payload.size();
}

TEST(GgufBaselines, SyntheticRoundTripsAndTrainingRules) {
  auto perstream = method_named("perstream_zstd19_bg");
  auto mixture = method_named("qb_mixture_k4");
  ASSERT_TRUE(perstream && mixture);
  EXPECT_FALSE(perstream->is_trained());
  EXPECT_TRUE(mixture->is_trained());
  const TensorInfo q4k{"t", type::kQ4_K, {256 * 40}}, q6k{"t", type::kQ6_K, {256 * 40}},
      q8{"t", type::kQ8_0, {32 * 40}};
  const TensorInfo f16{"t", type::kF16, {40}};
  EXPECT_TRUE(perstream->applies_to(q6k));
  EXPECT_FALSE(perstream->applies_to(f16));
  EXPECT_FALSE(mixture->applies_to(q6k));
  const auto blocks = test::random_bytes(144 * 40, 1);
  EXPECT_THROW(mixture->compress(blocks, q4k), Error);  // untrained
  EXPECT_EQ(mixture->profile_bytes(), 0u);
  mixture->train(std::vector<std::vector<uint8_t>>{blocks}, std::vector<TensorInfo>{q4k});
  EXPECT_GT(mixture->profile_bytes(), 0u);
  uint64_t size = 0;
  expect_method_roundtrip(*mixture, blocks, q4k, size);
  expect_method_roundtrip(*perstream, blocks, q4k, size);
  expect_method_roundtrip(*perstream, test::random_bytes(210 * 40, 2), q6k, size);
  expect_method_roundtrip(*perstream, test::random_bytes(34 * 40, 3), q8, size);
  auto payload = perstream->compress(blocks, q4k);
  payload.resize(payload.size() / 2);
  std::vector<uint8_t> out(blocks.size());
  EXPECT_THROW(perstream->decompress(payload, q4k, out), Error);
}

TEST(GgufBaselines, OurCodecsBeatTheReferenceMethodsOnTheCorpus) {
  LCL_REQUIRE_CORPUS();
  const auto train = quantized_tensors(test::corpus_dir() / "use-lite/use-lite-Q4_K_M.gguf");
  const auto test_set =
      quantized_tensors(test::corpus_dir() / "bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf");
  auto perstream = method_named("perstream_zstd19_bg");
  auto mixture = method_named("qb_mixture_k4");
  mixture->train(train.bytes, train.infos);  // another model: model-level split
  for (TypeId type : {type::kQ4_K, type::kQ6_K}) {
    uint64_t original = 0, ours = 0, streams = 0, mixed = 0;
    for (size_t i = 0; i < test_set.bytes.size(); ++i) {
      if (test_set.infos[i].type != type) continue;
      const auto& bytes = test_set.bytes[i];
      original += bytes.size();
      ours += test::expect_roundtrip(type == type::kQ4_K ? q4k_codec() : q6k_codec(), bytes, type);
      expect_method_roundtrip(*perstream, bytes, test_set.infos[i], streams);
      if (mixture->applies_to(test_set.infos[i]))
        expect_method_roundtrip(*mixture, bytes, test_set.infos[i], mixed);
    }
    const auto ratio = [&](uint64_t n) {
      return n ? static_cast<double>(original) / static_cast<double>(n) : 0.0;
    };
    std::printf("  %s bytes of bytellama-25m-Q4_K_M: ours %.4fx, perstream_zstd19_bg %.4fx",
                type_name(type).c_str(), ratio(ours), ratio(streams));
    if (mixed)
      std::printf(", qb_mixture_k4 %.4fx (profile %llu B counted)",
                  ratio(mixed + mixture->profile_bytes()),
                  static_cast<unsigned long long>(mixture->profile_bytes()));
    std::printf("\n");
    EXPECT_LT(ours, streams);
    if (mixed) {
      EXPECT_LT(ours, mixed + mixture->profile_bytes());
    }
  }
}

}  // namespace
}  // namespace lcl
