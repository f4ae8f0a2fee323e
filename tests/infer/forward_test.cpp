// The cached, one-token-at-a-time forward pass against a direct transcription of the Llama
// equations that recomputes every position from scratch (double precision, no cache), on a tiny
// model with random weights and grouped-query attention.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "infer/llama_forward.hpp"
#include "infer/model_loader.hpp"
#include "infer/tiny_model.hpp"  // tests/infer/tiny_model.hpp
#include "lcl/error.hpp"

namespace lcl::infer {
namespace {

using Vec = std::vector<double>;

Vec mul(const Matrix& m, const Vec& x) {
  Vec out(m.rows, 0.0);
  for (size_t r = 0; r < m.rows; ++r)
    for (size_t k = 0; k < m.cols; ++k) out[r] += double(m.values[r * m.cols + k]) * x[k];
  return out;
}

Vec norm(const Vec& x, const std::vector<float>& w, double eps) {
  double ms = 0;
  for (double v : x) ms += v * v;
  ms /= double(x.size());
  Vec out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = double(w[i]) * x[i] / std::sqrt(ms + eps);
  return out;
}

// Rotate-half rotary on every head of `v` at position p.
void rope(Vec& v, size_t heads, size_t head_dim, double theta, size_t p) {
  const size_t half = head_dim / 2;
  for (size_t h = 0; h < heads; ++h)
    for (size_t i = 0; i < half; ++i) {
      const double angle = double(p) * std::pow(theta, -2.0 * double(i) / double(head_dim));
      double& a = v[h * head_dim + i];
      double& b = v[h * head_dim + i + half];
      const double a0 = a, b0 = b;
      a = a0 * std::cos(angle) - b0 * std::sin(angle);
      b = b0 * std::cos(angle) + a0 * std::sin(angle);
    }
}

// Logits after the last token of `tokens`, every position recomputed.
Vec reference_logits(const LlamaModel& model, const std::vector<Token>& tokens) {
  const LlamaConfig& c = model.config;
  const size_t n = tokens.size();
  std::vector<Vec> xs(n);
  for (size_t p = 0; p < n; ++p) {
    auto row = model.token_embedding.row(tokens[p]);
    xs[p].assign(row.begin(), row.end());
  }
  for (const LlamaLayer& layer : model.layers) {
    std::vector<Vec> q(n), k(n), v(n);
    for (size_t p = 0; p < n; ++p) {
      const Vec h = norm(xs[p], layer.attention_norm, c.rms_eps);
      q[p] = mul(layer.wq, h);
      k[p] = mul(layer.wk, h);
      v[p] = mul(layer.wv, h);
      rope(q[p], c.heads, c.head_dim, c.rope_theta, p);
      rope(k[p], c.kv_heads, c.head_dim, c.rope_theta, p);
    }
    for (size_t p = 0; p < n; ++p) {
      Vec attn(c.q_dim(), 0.0);
      for (size_t h = 0; h < c.heads; ++h) {
        const size_t kvh = h * c.kv_heads / c.heads;
        std::vector<double> w(p + 1);
        double max = -1e300, sum = 0;
        for (size_t t = 0; t <= p; ++t) {
          double dot = 0;
          for (size_t i = 0; i < c.head_dim; ++i)
            dot += q[p][h * c.head_dim + i] * k[t][kvh * c.head_dim + i];
          w[t] = dot / std::sqrt(double(c.head_dim));
          max = std::max(max, w[t]);
        }
        for (double& x : w) sum += (x = std::exp(x - max));
        for (size_t t = 0; t <= p; ++t)
          for (size_t i = 0; i < c.head_dim; ++i)
            attn[h * c.head_dim + i] += w[t] / sum * v[t][kvh * c.head_dim + i];
      }
      const Vec o = mul(layer.wo, attn);
      for (size_t i = 0; i < c.hidden; ++i) xs[p][i] += o[i];
      const Vec h2 = norm(xs[p], layer.ffn_norm, c.rms_eps);
      Vec g = mul(layer.w_gate, h2);
      const Vec u = mul(layer.w_up, h2);
      for (size_t i = 0; i < c.ffn; ++i) g[i] = g[i] / (1 + std::exp(-g[i])) * u[i];
      const Vec d = mul(layer.w_down, g);
      for (size_t i = 0; i < c.hidden; ++i) xs[p][i] += d[i];
    }
  }
  return mul(model.output_matrix(), norm(xs[n - 1], model.final_norm, c.rms_eps));
}

class ForwardTest : public ::testing::TestWithParam<bool> {};

TEST_P(ForwardTest, CachedPassMatchesFullRecomputation) {
  const LlamaModel model = tiny_model(/*tied=*/GetParam());
  const std::vector<Token> tokens = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 0, 255, 'x'};
  LlamaSession session(model, tokens.size());
  for (size_t p = 0; p < tokens.size(); ++p) {
    std::span<const float> logits = session.forward(tokens[p]);
    const Vec expected =
        reference_logits(model, std::vector<Token>(tokens.begin(), tokens.begin() + p + 1));
    ASSERT_EQ(logits.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_NEAR(logits[i], expected[i], 1e-4 * (1 + std::abs(expected[i]))) << p << " " << i;
  }
  EXPECT_EQ(session.position(), tokens.size());
  EXPECT_THROW(session.forward('a'), Error);  // the cache is full
}

INSTANTIATE_TEST_SUITE_P(UntiedAndTied, ForwardTest, ::testing::Bool());

TEST(Generate, GreedyFollowsTheArgmaxOfEachStep) {
  const LlamaModel model = tiny_model(false);
  const std::vector<Token> prompt = byte_tokens(model, "ab");
  const std::vector<Token> generated = generate_greedy(model, prompt, 6);
  ASSERT_EQ(generated.size(), 6u);
  std::vector<Token> context = prompt;
  for (Token t : generated) {
    const Vec logits = reference_logits(model, context);
    size_t best = 0;
    for (size_t i = 1; i < logits.size(); ++i)
      if (logits[i] > logits[best]) best = i;
    EXPECT_EQ(t, best);
    context.push_back(t);
  }
  EXPECT_THROW(generate_greedy(model, {}, 4), Error);
  EXPECT_THROW(generate_greedy(model, prompt, model.config.context), Error);  // past the context
  EXPECT_TRUE(generate_greedy(model, prompt, 0).empty());
}

TEST(Unpermute, GgufRowsBackToRotateHalfOrder) {
  // One head of dimension 4: HF rows [a0 a1 b0 b1] (the two rotary halves) are stored by GGUF
  // interleaved as [a0 b0 a1 b1]. Two columns per row; two heads.
  Matrix gguf{8, 2, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7}};
  unpermute_rotary_rows(gguf, 2);
  EXPECT_EQ(gguf.values, (std::vector<float>{0, 0, 2, 2, 1, 1, 3, 3, 4, 4, 6, 6, 5, 5, 7, 7}));
  Matrix odd{6, 1, std::vector<float>(6)};
  EXPECT_THROW(unpermute_rotary_rows(odd, 2), Error);  // heads of 3 rows
}

}  // namespace
}  // namespace lcl::infer
