// Llama hyper-parameters from HF config.json and from GGUF metadata.
#include <gtest/gtest.h>

#include <functional>

#include "infer/llama_config.hpp"
#include "lcl/error.hpp"

namespace lcl::infer {
namespace {

const char* kBytellamaConfig = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 256,
  "hidden_size": 512, "intermediate_size": 1536, "num_hidden_layers": 8,
  "num_attention_heads": 8, "num_key_value_heads": 4, "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0, "tie_word_embeddings": false, "hidden_act": "silu",
  "max_position_embeddings": 512})";

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no lcl::Error thrown";
  return ErrorKind::kUsage;
}

TEST(LlamaConfig, FromHfConfig) {
  const LlamaConfig c = parse_hf_config(kBytellamaConfig);
  EXPECT_EQ(c.hidden, 512u);
  EXPECT_EQ(c.layers, 8u);
  EXPECT_EQ(c.heads, 8u);
  EXPECT_EQ(c.kv_heads, 4u);
  EXPECT_EQ(c.head_dim, 64u);
  EXPECT_EQ(c.q_dim(), 512u);
  EXPECT_EQ(c.kv_dim(), 256u);
  EXPECT_EQ(c.ffn, 1536u);
  EXPECT_EQ(c.vocab, 256u);
  EXPECT_EQ(c.context, 512u);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-5f);
  EXPECT_FLOAT_EQ(c.rope_theta, 10000.0f);
  EXPECT_FALSE(c.tied_embeddings);
}

TEST(LlamaConfig, HfDefaultsAndRejections) {
  const LlamaConfig c = parse_hf_config(
      R"({"model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24,
          "num_hidden_layers": 1, "num_attention_heads": 2, "tie_word_embeddings": true})");
  EXPECT_EQ(c.kv_heads, 2u);  // no GQA unless asked
  EXPECT_EQ(c.head_dim, 8u);
  EXPECT_TRUE(c.tied_embeddings);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-6f);

  EXPECT_EQ(kind_of([] { parse_hf_config("not json"); }), ErrorKind::kCorruptInput);
  EXPECT_EQ(kind_of([] { parse_hf_config(R"({"model_type": "gpt2"})"); }), ErrorKind::kUnsupported);
  EXPECT_EQ(kind_of([] { parse_hf_config(R"({"model_type": "llama", "hidden_size": 16})"); }),
            ErrorKind::kCorruptInput);
  // 3 heads over 2 key/value heads do not group.
  EXPECT_EQ(kind_of([] {
              parse_hf_config(R"({"model_type": "llama", "vocab_size": 32, "hidden_size": 12,
                "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3,
                "num_key_value_heads": 2})");
            }),
            ErrorKind::kCorruptInput);
  // An absurd size is refused before anything is allocated from it.
  EXPECT_EQ(kind_of([] {
              parse_hf_config(R"({"model_type": "llama", "vocab_size": 1e15, "hidden_size": 16,
                "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2})");
            }),
            ErrorKind::kCorruptInput);
  EXPECT_EQ(kind_of([] {
              parse_hf_config(R"({"model_type": "llama", "vocab_size": 32, "hidden_size": 16,
                "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                "rope_scaling": {"type": "linear", "factor": 2.0}})");
            }),
            ErrorKind::kUnsupported);
}

TEST(LlamaConfig, FromGgufMetadata) {
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"general.architecture", "llama"},
      {"llama.context_length", "512"},
      {"llama.embedding_length", "512"},
      {"llama.block_count", "8"},
      {"llama.feed_forward_length", "1536"},
      {"llama.rope.dimension_count", "64"},
      {"llama.attention.head_count", "8"},
      {"llama.attention.head_count_kv", "4"},
      {"llama.rope.freq_base", "10000"},
      {"llama.attention.layer_norm_rms_epsilon", "9.99999975e-06"},
  };
  const LlamaConfig c = parse_gguf_config(metadata, 256);
  EXPECT_EQ(c.hidden, 512u);
  EXPECT_EQ(c.kv_heads, 4u);
  EXPECT_EQ(c.head_dim, 64u);
  EXPECT_EQ(c.vocab, 256u);  // from the embedding's rows: no llama.vocab_size
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-5f);

  auto partial_rotary = metadata;
  partial_rotary.push_back({"llama.rope.dimension_count", "32"});
  partial_rotary.erase(partial_rotary.begin() + 5);
  EXPECT_EQ(kind_of([&] { parse_gguf_config(partial_rotary, 256); }), ErrorKind::kUnsupported);
  auto other_arch = metadata;
  other_arch[0].second = "qwen2";
  EXPECT_EQ(kind_of([&] { parse_gguf_config(other_arch, 256); }), ErrorKind::kUnsupported);
  auto garbage = metadata;
  garbage[3].second = "eight";
  EXPECT_EQ(kind_of([&] { parse_gguf_config(garbage, 256); }), ErrorKind::kCorruptInput);
}

}  // namespace
}  // namespace lcl::infer
