#pragma once
// The Llama forward pass, one token at a time with a key/value cache: the same equations as HF
// transformers' LlamaForCausalLM (RMSNorm, rotary "rotate half", grouped-query attention, SwiGLU
// MLP, final norm, lm_head), all in f32.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "infer/llama_model.hpp"

namespace lcl::infer {

using Token = uint32_t;

class LlamaSession {
 public:
  // `max_positions` bounds the cache; it may not exceed the model's context length (kUsage).
  LlamaSession(const LlamaModel& model, size_t max_positions);

  // Feeds the next token and returns the logits for the token after it (valid until the next
  // call). Throws kUsage past max_positions or for a token outside the vocabulary.
  std::span<const float> forward(Token token);
  size_t position() const { return position_; }

 private:
  void attention(size_t layer, std::span<const float> normed);
  void feed_forward(size_t layer, std::span<const float> normed);

  const LlamaModel& model_;
  size_t max_positions_;
  size_t position_ = 0;
  std::vector<float> inv_freq_;
  std::vector<float> x_, normed_, q_, k_, v_, attn_out_, scores_, gate_, up_, projected_, logits_;
  std::vector<std::vector<float>> key_cache_, value_cache_;  // per layer: [position][kv_dim]
};

// Feeds `prompt`, then appends the most likely token `count` times (greedy, first maximum on
// ties). Returns the generated tokens only.
std::vector<Token> generate_greedy(const LlamaModel& model, std::span<const Token> prompt,
                                   size_t count);

// Byte-level vocabularies (256 tokens, token = byte). Throws kUnsupported for other vocabularies.
std::vector<Token> byte_tokens(const LlamaModel& model, std::string_view text);

}  // namespace lcl::infer
