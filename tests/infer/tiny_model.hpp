#pragma once
// A tiny Llama with random weights (2 layers, grouped-query attention, byte vocabulary) for tests
// that need a whole model but not a trained one.
#include <random>

#include "infer/llama_model.hpp"

namespace lcl::infer {

inline LlamaModel tiny_model(bool tied) {
  LlamaModel model;
  LlamaConfig& c = model.config;
  c.hidden = 8;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = 2;
  c.head_dim = 2;
  c.ffn = 12;
  c.vocab = 256;
  c.context = 64;
  c.rms_eps = 1e-5f;
  c.rope_theta = 100.0f;
  c.tied_embeddings = tied;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  auto matrix = [&](size_t rows, size_t cols) {
    Matrix m{rows, cols, std::vector<float>(rows * cols)};
    for (float& v : m.values) v = normal(rng);
    return m;
  };
  auto vector = [&](size_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = 1.0f + 0.2f * normal(rng);
    return v;
  };
  model.token_embedding = matrix(c.vocab, c.hidden);
  for (size_t l = 0; l < c.layers; ++l) {
    LlamaLayer layer;
    layer.attention_norm = vector(c.hidden);
    layer.wq = matrix(c.q_dim(), c.hidden);
    layer.wk = matrix(c.kv_dim(), c.hidden);
    layer.wv = matrix(c.kv_dim(), c.hidden);
    layer.wo = matrix(c.hidden, c.q_dim());
    layer.ffn_norm = vector(c.hidden);
    layer.w_gate = matrix(c.ffn, c.hidden);
    layer.w_up = matrix(c.ffn, c.hidden);
    layer.w_down = matrix(c.hidden, c.ffn);
    model.layers.push_back(std::move(layer));
  }
  model.final_norm = vector(c.hidden);
  if (!tied) model.lm_head = matrix(c.vocab, c.hidden);
  return model;
}

}  // namespace lcl::infer
