// The forward pass's building blocks against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "infer/kernels.hpp"

namespace lcl::infer {
namespace {

TEST(Kernels, MatvecRowMajor) {
  // [[1 2 3] [4 5 6]] x [1 0 -1] = [-2 -2]; a wide row checks the unrolled path and its tail.
  const std::vector<float> m = {1, 2, 3, 4, 5, 6};
  std::vector<float> out(2);
  matvec(m, std::vector<float>{1, 0, -1}, out);
  EXPECT_EQ(out, (std::vector<float>{-2, -2}));
  std::vector<float> wide(19), ones(19, 1.0f), sum(1);
  for (int i = 0; i < 19; ++i) wide[i] = float(i + 1);
  matvec(wide, ones, sum);
  EXPECT_EQ(sum[0], 190.0f);
}

TEST(Kernels, RmsNorm) {
  // x = [3, 4]: mean of squares 12.5, so x / sqrt(12.5 + eps) * w.
  const std::vector<float> x = {3, 4}, w = {1, 2};
  std::vector<float> out(2);
  rms_norm(x, w, 1e-5f, out);
  const float scale = 1.0f / std::sqrt(12.5f + 1e-5f);
  EXPECT_FLOAT_EQ(out[0], 3 * scale);
  EXPECT_FLOAT_EQ(out[1], 8 * scale);
  std::vector<float> in_place = x;
  rms_norm(in_place, w, 1e-5f, in_place);
  EXPECT_EQ(in_place, out);
}

TEST(Kernels, RotaryFrequencies) {
  std::vector<float> inv_freq(4);  // head_dim 8, theta 10000: 10000^(-i/4)
  rotary_inverse_frequencies(10000.0f, inv_freq);
  EXPECT_FLOAT_EQ(inv_freq[0], 1.0f);
  EXPECT_FLOAT_EQ(inv_freq[1], 0.1f);
  EXPECT_FLOAT_EQ(inv_freq[2], 0.01f);
  EXPECT_FLOAT_EQ(inv_freq[3], 0.001f);
}

TEST(Kernels, RotaryRotatesHalves) {
  // head_dim 4: element i pairs with i + 2. Frequencies 1 and 0.5; position 2 gives angles 2, 1.
  const std::vector<float> inv_freq = {1.0f, 0.5f};
  std::vector<float> head = {1, 2, 3, 4};
  apply_rotary(head, inv_freq, 0);  // position 0 leaves the vector alone
  EXPECT_EQ(head, (std::vector<float>{1, 2, 3, 4}));
  apply_rotary(head, inv_freq, 2);
  EXPECT_NEAR(head[0], 1 * std::cos(2.0) - 3 * std::sin(2.0), 1e-6);
  EXPECT_NEAR(head[2], 3 * std::cos(2.0) + 1 * std::sin(2.0), 1e-6);
  EXPECT_NEAR(head[1], 2 * std::cos(1.0) - 4 * std::sin(1.0), 1e-6);
  EXPECT_NEAR(head[3], 4 * std::cos(1.0) + 2 * std::sin(1.0), 1e-6);
  // A rotation keeps each pair's length.
  EXPECT_NEAR(head[0] * head[0] + head[2] * head[2], 10.0, 1e-5);
}

TEST(Kernels, SoftmaxIsStableAndNormalised) {
  // Naive exp would overflow. 1000 + log(3) is rounded to f32 (spacing 6e-5 near 1000), which
  // moves the probabilities by about 4e-6.
  std::vector<float> v = {1000, 1000 + std::log(3.0f)};
  softmax(v);
  EXPECT_NEAR(v[0], 0.25, 1e-5);
  EXPECT_NEAR(v[1], 0.75, 1e-5);
  EXPECT_FLOAT_EQ(v[0] + v[1], 1.0f);
  std::vector<float> single = {-5};
  softmax(single);
  EXPECT_EQ(single[0], 1.0f);
}

TEST(Kernels, SiluAndArgmax) {
  EXPECT_EQ(silu(0), 0.0f);
  EXPECT_FLOAT_EQ(silu(2), 2.0f / (1.0f + std::exp(-2.0f)));
  EXPECT_NEAR(silu(-30), 0.0f, 1e-10);
  EXPECT_EQ(argmax(std::vector<float>{1, 5, 3, 5}), 1u);  // first maximum, as torch.argmax
  EXPECT_EQ(argmax(std::vector<float>{-1}), 0u);
}

}  // namespace
}  // namespace lcl::infer
