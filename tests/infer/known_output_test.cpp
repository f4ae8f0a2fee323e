// The forward pass against outputs computed by independent implementations (corpus SOURCE.md):
// bytellama-25m continues "import numpy as np\ndef " greedily with the same 64 bytes from its
// bf16 safetensors and from its BF16, Q8_0 and Q6_K GGUFs; Q4_K_M agrees with the f32 reference on
// a second prompt.
#include <gtest/gtest.h>

#include "infer/llama_forward.hpp"
#include "infer/model_files.hpp"
#include "support/test_paths.hpp"

namespace lcl::infer {
namespace {

const char* kPrompt = "import numpy as np\ndef ";
const char* kExpected = "numpy_assert_equal(numpy_assert_equal, numpy_assert_equal):\n    ";
const char* kSecondPrompt = "class Node:\n    def __init__(self, ";
const char* kSecondExpected = "node: Node) -> None:\n        self.node = node\n        self.node ";

std::filesystem::path gguf(const std::string& quant) {
  return test::corpus_dir() / "bytellama-25m-gguf" / ("bytellama-25m-" + quant + ".gguf");
}

std::string continue_text(const std::filesystem::path& model_path, const std::string& prompt) {
  const LlamaModel model = load_llama(open_model_files(locate_model(model_path)));
  std::string text;
  for (Token t : generate_greedy(model, byte_tokens(model, prompt), 64)) text.push_back(char(t));
  return text;
}

TEST(KnownOutput, SafetensorsCheckpoint) {
  LCL_REQUIRE_CORPUS();
  EXPECT_EQ(continue_text(test::corpus_dir() / "bytellama-25m", kPrompt), kExpected);
}

class KnownOutputGguf : public ::testing::TestWithParam<std::string> {};

TEST_P(KnownOutputGguf, SameBytesAsTheReference) {
  LCL_REQUIRE_CORPUS();
  EXPECT_EQ(continue_text(gguf(GetParam()), kPrompt), kExpected);
}

INSTANTIATE_TEST_SUITE_P(Bytellama, KnownOutputGguf, ::testing::Values("BF16", "Q8_0", "Q6_K"));

TEST(KnownOutput, Q4_K_MOnTheSecondPrompt) {
  LCL_REQUIRE_CORPUS();
  EXPECT_EQ(continue_text(gguf("Q4_K_M"), kSecondPrompt), kSecondExpected);
}

// The BF16 GGUF holds the checkpoint's bf16 values bit for bit, with q/k rows permuted: once the
// loader undoes the permutation, every weight must equal the safetensors one exactly.
TEST(KnownOutput, Bf16GgufWeightsEqualTheCheckpointAfterUnpermuting) {
  LCL_REQUIRE_CORPUS();
  const LlamaModel hf =
      load_llama(open_model_files(locate_model(test::corpus_dir() / "bytellama-25m")));
  const LlamaModel gg = load_llama(open_model_files(locate_model(gguf("BF16"))));
  EXPECT_EQ(hf.config.hidden, gg.config.hidden);
  EXPECT_EQ(hf.config.kv_heads, gg.config.kv_heads);
  EXPECT_EQ(hf.config.tied_embeddings, gg.config.tied_embeddings);
  EXPECT_FLOAT_EQ(hf.config.rms_eps, gg.config.rms_eps);
  EXPECT_EQ(hf.config.rope_theta, gg.config.rope_theta);
  EXPECT_EQ(hf.token_embedding.values, gg.token_embedding.values);
  ASSERT_EQ(hf.layers.size(), gg.layers.size());
  for (size_t l = 0; l < hf.layers.size(); ++l) {
    const LlamaLayer &a = hf.layers[l], &b = gg.layers[l];
    EXPECT_EQ(a.wq.values, b.wq.values) << "layer " << l;
    EXPECT_EQ(a.wk.values, b.wk.values) << "layer " << l;
    EXPECT_EQ(a.wv.values, b.wv.values) << "layer " << l;
    EXPECT_EQ(a.wo.values, b.wo.values) << "layer " << l;
    EXPECT_EQ(a.w_gate.values, b.w_gate.values) << "layer " << l;
    EXPECT_EQ(a.w_up.values, b.w_up.values) << "layer " << l;
    EXPECT_EQ(a.w_down.values, b.w_down.values) << "layer " << l;
    EXPECT_EQ(a.attention_norm, b.attention_norm) << "layer " << l;
    EXPECT_EQ(a.ffn_norm, b.ffn_norm) << "layer " << l;
  }
  EXPECT_EQ(hf.final_norm, gg.final_norm);
  EXPECT_EQ(hf.lm_head.values, gg.lm_head.values);
}

}  // namespace
}  // namespace lcl::infer
