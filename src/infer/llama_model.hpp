#pragma once
// The weights of a Llama model, widened to f32 and in the HF layout: matrices row-major
// [out_features x in_features], q/k rows in the "rotate half" order of HF checkpoints (GGUF's
// interleaved rows are put back on load).
#include <cstddef>
#include <span>
#include <vector>

#include "infer/llama_config.hpp"

namespace lcl::infer {

struct Matrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // rows * cols, row-major

  std::span<const float> row(size_t r) const { return {values.data() + r * cols, cols}; }
};

struct LlamaLayer {
  std::vector<float> attention_norm;  // [hidden]
  Matrix wq, wk, wv, wo;              // [q_dim x hidden], [kv_dim x hidden] x2, [hidden x q_dim]
  std::vector<float> ffn_norm;        // [hidden]
  Matrix w_gate, w_up, w_down;        // [ffn x hidden] x2, [hidden x ffn]
};

struct LlamaModel {
  LlamaConfig config;
  Matrix token_embedding;  // [vocab x hidden]
  std::vector<LlamaLayer> layers;
  std::vector<float> final_norm;  // [hidden]
  Matrix lm_head;                 // [vocab x hidden]; empty when tied to token_embedding

  const Matrix& output_matrix() const { return lm_head.values.empty() ? token_embedding : lm_head; }
};

}  // namespace lcl::infer
