#pragma once
// The hyper-parameters of a Llama model, read from a HF config.json or from GGUF llama.* keys.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lcl::infer {

struct LlamaConfig {
  size_t hidden = 0;             // hidden_size / llama.embedding_length
  size_t layers = 0;             // num_hidden_layers / llama.block_count
  size_t heads = 0;              // num_attention_heads / llama.attention.head_count
  size_t kv_heads = 0;           // num_key_value_heads / llama.attention.head_count_kv
  size_t head_dim = 0;           // head_dim, or hidden / heads
  size_t ffn = 0;                // intermediate_size / llama.feed_forward_length
  size_t vocab = 0;              // vocab_size (GGUF: llama.vocab_size or the embedding's rows)
  size_t context = 0;            // max_position_embeddings / llama.context_length
  float rms_eps = 1e-6f;         // rms_norm_eps / llama.attention.layer_norm_rms_epsilon
  float rope_theta = 10000.f;    // rope_theta / llama.rope.freq_base
  bool tied_embeddings = false;  // lm_head shares the token embedding

  size_t q_dim() const { return heads * head_dim; }
  size_t kv_dim() const { return kv_heads * head_dim; }
};

// Throws kUnsupported for a model that is not a plain Llama (another architecture, rope scaling,
// partial rotary), kCorruptInput for missing or inconsistent values. Sizes are bounded so that a
// hostile config cannot ask for an absurd allocation before tensor shapes are checked.
LlamaConfig parse_hf_config(std::string_view config_json);
// `metadata` as Layout::metadata lists it (values as text). `vocab_fallback` is used when the file
// has no llama.vocab_size (the token embedding's row count).
LlamaConfig parse_gguf_config(const std::vector<std::pair<std::string, std::string>>& metadata,
                              size_t vocab_fallback);

// Checks the relations between the sizes (heads divide, kv_heads divide heads, head_dim even...).
void validate(const LlamaConfig& config);

}  // namespace lcl::infer
