#include "infer/llama_forward.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "infer/kernels.hpp"
#include "lcl/error.hpp"

namespace lcl::infer {

LlamaSession::LlamaSession(const LlamaModel& model, size_t max_positions)
    : model_(model), max_positions_(max_positions) {
  const LlamaConfig& c = model.config;
  if (max_positions > c.context)
    throw Error(ErrorKind::kUsage, std::to_string(max_positions) + " positions exceed the " +
                                       "model's context length of " + std::to_string(c.context));
  inv_freq_.resize(c.head_dim / 2);
  rotary_inverse_frequencies(c.rope_theta, inv_freq_);
  x_.resize(c.hidden);
  normed_.resize(c.hidden);
  q_.resize(c.q_dim());
  k_.resize(c.kv_dim());
  v_.resize(c.kv_dim());
  attn_out_.resize(c.q_dim());
  scores_.resize(max_positions);
  gate_.resize(c.ffn);
  up_.resize(c.ffn);
  projected_.resize(c.hidden);
  logits_.resize(c.vocab);
  key_cache_.assign(c.layers, std::vector<float>(max_positions * c.kv_dim()));
  value_cache_.assign(c.layers, std::vector<float>(max_positions * c.kv_dim()));
}

void LlamaSession::attention(size_t layer_index, std::span<const float> normed) {
  const LlamaConfig& c = model_.config;
  const LlamaLayer& layer = model_.layers[layer_index];
  matvec(layer.wq.values, normed, q_);
  matvec(layer.wk.values, normed, k_);
  matvec(layer.wv.values, normed, v_);
  for (size_t h = 0; h < c.heads; ++h)
    apply_rotary(std::span(q_).subspan(h * c.head_dim, c.head_dim), inv_freq_, position_);
  for (size_t h = 0; h < c.kv_heads; ++h)
    apply_rotary(std::span(k_).subspan(h * c.head_dim, c.head_dim), inv_freq_, position_);

  const size_t kv_dim = c.kv_dim();
  std::vector<float>& keys = key_cache_[layer_index];
  std::vector<float>& values = value_cache_[layer_index];
  std::copy(k_.begin(), k_.end(), keys.begin() + position_ * kv_dim);
  std::copy(v_.begin(), v_.end(), values.begin() + position_ * kv_dim);

  // Grouped-query attention: query head h reads key/value head h / (heads / kv_heads).
  const size_t group = c.heads / c.kv_heads;
  const size_t positions = position_ + 1;  // causal: this token and those before it
  const float scale = 1.0f / std::sqrt(float(c.head_dim));
  for (size_t h = 0; h < c.heads; ++h) {
    const float* q = q_.data() + h * c.head_dim;
    const size_t kv_offset = (h / group) * c.head_dim;
    std::span<float> scores(scores_.data(), positions);
    for (size_t p = 0; p < positions; ++p) {
      const float* k = keys.data() + p * kv_dim + kv_offset;
      float dot = 0;
      for (size_t i = 0; i < c.head_dim; ++i) dot += q[i] * k[i];
      scores[p] = dot * scale;
    }
    softmax(scores);
    float* out = attn_out_.data() + h * c.head_dim;
    std::fill(out, out + c.head_dim, 0.0f);
    for (size_t p = 0; p < positions; ++p) {
      const float* v = values.data() + p * kv_dim + kv_offset;
      for (size_t i = 0; i < c.head_dim; ++i) out[i] += scores[p] * v[i];
    }
  }
  matvec(layer.wo.values, attn_out_, projected_);
  for (size_t i = 0; i < c.hidden; ++i) x_[i] += projected_[i];
}

void LlamaSession::feed_forward(size_t layer_index, std::span<const float> normed) {
  const LlamaConfig& c = model_.config;
  const LlamaLayer& layer = model_.layers[layer_index];
  // SwiGLU: down(silu(gate(x)) * up(x))
  matvec(layer.w_gate.values, normed, gate_);
  matvec(layer.w_up.values, normed, up_);
  for (size_t i = 0; i < c.ffn; ++i) gate_[i] = silu(gate_[i]) * up_[i];
  matvec(layer.w_down.values, gate_, projected_);
  for (size_t i = 0; i < c.hidden; ++i) x_[i] += projected_[i];
}

std::span<const float> LlamaSession::forward(Token token) {
  const LlamaConfig& c = model_.config;
  if (token >= c.vocab)
    throw Error(ErrorKind::kUsage, "token " + std::to_string(token) + " is outside the vocabulary");
  if (position_ >= max_positions_)
    throw Error(ErrorKind::kUsage,
                "the session is full (" + std::to_string(max_positions_) + " positions)");
  std::span<const float> embedding = model_.token_embedding.row(token);
  std::copy(embedding.begin(), embedding.end(), x_.begin());
  for (size_t l = 0; l < c.layers; ++l) {
    rms_norm(x_, model_.layers[l].attention_norm, c.rms_eps, normed_);
    attention(l, normed_);
    rms_norm(x_, model_.layers[l].ffn_norm, c.rms_eps, normed_);
    feed_forward(l, normed_);
  }
  rms_norm(x_, model_.final_norm, c.rms_eps, normed_);
  matvec(model_.output_matrix().values, normed_, logits_);
  ++position_;
  return logits_;
}

std::vector<Token> generate_greedy(const LlamaModel& model, std::span<const Token> prompt,
                                   size_t count) {
  if (prompt.empty()) throw Error(ErrorKind::kUsage, "an empty prompt cannot be continued");
  if (count == 0) return {};
  // The last generated token is never fed back, so the cache needs prompt + count - 1 positions.
  LlamaSession session(model, prompt.size() + count - 1);
  std::span<const float> logits;
  for (Token token : prompt) logits = session.forward(token);
  std::vector<Token> generated;
  generated.reserve(count);
  while (true) {
    generated.push_back(Token(argmax(logits)));
    if (generated.size() == count) break;
    logits = session.forward(generated.back());
  }
  return generated;
}

std::vector<Token> byte_tokens(const LlamaModel& model, std::string_view text) {
  if (model.config.vocab != 256)
    throw Error(ErrorKind::kUnsupported,
                "only byte-level vocabularies (256 tokens) are supported; this model has " +
                    std::to_string(model.config.vocab));
  std::vector<Token> tokens;
  tokens.reserve(text.size());
  for (char ch : text) tokens.push_back(Token(uint8_t(ch)));
  return tokens;
}

}  // namespace lcl::infer
