#include "analysis/crosslayer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl::analysis {
namespace {

TEST(CrossLayer, PearsonAndAffineByHand) {
  std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> y = {3, 5, 7, 9};  // y = 2x + 1
  EXPECT_NEAR(pearson(x, y), 1.0, 1e-12);
  double a, b;
  fit_affine(x, y, a, b);
  EXPECT_NEAR(a, 2.0, 1e-12);
  EXPECT_NEAR(b, 1.0, 1e-12);
  std::vector<float> z = {4, 3, 2, 1};
  EXPECT_NEAR(pearson(x, z), -1.0, 1e-12);
  std::vector<float> flat = {5, 5, 5, 5};
  EXPECT_EQ(pearson(x, flat), 0.0);
}

TEST(CrossLayer, Bf16Conversions) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(float_to_bf16(-2.0f), 0xc000);
  // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties go to even (1.0).
  EXPECT_EQ(float_to_bf16(1.0f + 1.0f / 256), 0x3f80);
  EXPECT_EQ(float_to_bf16(1.0f + 3.0f / 256), 0x3f82);
  for (uint32_t v = 0; v < 0x10000; v += 7) {
    float f = bf16_to_float(static_cast<uint16_t>(v));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_bf16(f), v);
  }
}

TEST(CrossLayer, LowRankRecoversAnExactlyLowRankMatrix) {
  // R = A B with A: 40 x 3, B: 3 x 30; a rank-3 approximation must reproduce it.
  std::mt19937 rng(2);
  std::normal_distribution<float> normal;
  size_t m = 40, n = 30, r = 3;
  std::vector<float> A(m * r), B(r * n), R(m * n, 0);
  for (auto& v : A) v = normal(rng);
  for (auto& v : B) v = normal(rng);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j)
      for (size_t k = 0; k < r; ++k) R[i * n + j] += A[i * r + k] * B[k * n + j];
  std::vector<float> U, V;
  low_rank_approximation(R, m, n, 3, 7, U, V);
  ASSERT_EQ(U.size(), m * 3);
  ASSERT_EQ(V.size(), 3 * n);
  double err = 0, norm = 0;
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double approx = 0;
      for (size_t k = 0; k < 3; ++k) approx += U[i * 3 + k] * V[k * n + j];
      err += (approx - R[i * n + j]) * (approx - R[i * n + j]);
      norm += R[i * n + j] * R[i * n + j];
    }
  EXPECT_LT(std::sqrt(err / norm), 1e-4);
}

std::vector<uint8_t> bf16_bytes(const std::vector<float>& values) {
  std::vector<uint8_t> out;
  for (float v : values) test::put_le(out, float_to_bf16(v), 2);
  return out;
}

TEST(CrossLayer, PredictableLayersGainAndIndependentOnesDoNot) {
  test::TempDir dir;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  size_t m = 64, n = 64;
  std::vector<float> w0(m * n), copy(m * n), independent(m * n);
  for (auto& v : w0) v = normal(rng);
  for (size_t i = 0; i < w0.size(); ++i) copy[i] = 2.0f * w0[i];  // exactly predictable (a = 2)
  for (auto& v : independent) v = normal(rng);
  auto bytes = test::build_safetensors({
      {"model.layers.0.mlp.up_proj.weight", "BF16", {m, n}, bf16_bytes(w0)},
      {"model.layers.1.mlp.up_proj.weight", "BF16", {m, n}, bf16_bytes(copy)},
      {"model.layers.0.mlp.down_proj.weight", "BF16", {m, n}, bf16_bytes(w0)},
      {"model.layers.1.mlp.down_proj.weight", "BF16", {m, n}, bf16_bytes(independent)},
      {"model.layers.2.mlp.down_proj.weight",
       "BF16",
       {n, m / 2},
       bf16_bytes(std::vector<float>(n * m / 2, 0.5f))},
  });
  auto path = dir.path() / "model.safetensors";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  CrossLayerOptions options;
  options.ranks = {4};
  auto report = cross_layer_study(path, options);
  ASSERT_EQ(report.pairs.size(), 2u);  // layer 2's down_proj has another shape
  const auto& down = report.pairs[0].role == "down_proj" ? report.pairs[0] : report.pairs[1];
  const auto& up = report.pairs[0].role == "up_proj" ? report.pairs[0] : report.pairs[1];
  EXPECT_NEAR(up.pearson, 1.0, 1e-6);
  EXPECT_NEAR(up.affine_a, 2.0, 1e-4);
  EXPECT_EQ(up.affine_exceptions, 0u);
  EXPECT_GT(up.net_gain_bytes(), static_cast<int64_t>(up.alone_bytes / 2));
  EXPECT_LT(std::abs(down.pearson), 0.1);
  EXPECT_EQ(down.lowrank_rank, 4);
  EXPECT_GE(down.affine_bytes + 0, down.alone_bytes * 9 / 10);  // nothing to gain from noise
  auto text = format_cross_layer_report(report);
  EXPECT_NE(text.find("median Pearson r"), std::string::npos);
}

TEST(CrossLayer, CorpusModelRunsQuickly) {
  LCL_REQUIRE_CORPUS();
  CrossLayerOptions options;
  options.ranks = {8};
  auto report =
      cross_layer_study(test::corpus_dir() / "use-lite" / "use-lite-bf16.safetensors", options);
  // use-lite has two layers; pairs exist for roles whose shapes agree across them.
  for (const auto& p : report.pairs) {
    EXPECT_GE(p.pearson, -1.0);
    EXPECT_LE(p.pearson, 1.0);
    EXPECT_GT(p.alone_bytes, 0u);
  }
}

}  // namespace
}  // namespace lcl::analysis
