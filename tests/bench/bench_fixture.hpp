#pragma once
// A tiny synthetic corpus for the benchmark tests: two models, each a safetensors file with a
// few BF16 tensors of smooth, compressible values, and one GGUF file.
#include <cmath>
#include <fstream>
#include <random>

#include "support/file_utils.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl::test {

inline std::vector<uint8_t> bf16_values(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < count; ++i) {
    float v = normal(rng);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    uint16_t h = static_cast<uint16_t>(bits >> 16);
    out.push_back(static_cast<uint8_t>(h));
    out.push_back(static_cast<uint8_t>(h >> 8));
  }
  return out;
}

// corpus/<model-a|model-b>/model.safetensors (3 tensors each) and corpus/model-b/extra.gguf.
inline void write_tiny_corpus(const std::filesystem::path& corpus) {
  for (int m = 0; m < 2; ++m) {
    std::string model = m == 0 ? "model-a" : "model-b";
    std::vector<SafetensorsTensor> tensors;
    for (int layer = 0; layer < 2; ++layer)
      tensors.push_back({"model.layers." + std::to_string(layer) + ".self_attn.q_proj.weight",
                         "BF16",
                         {32, 64},
                         bf16_values(32 * 64, static_cast<uint32_t>(10 * m + layer))});
    tensors.push_back({"model.norm.weight", "BF16", {64}, bf16_values(64, 99)});
    write_file(corpus / model / "model.safetensors", build_safetensors(tensors));
  }
  GgufBuilder gguf;
  gguf.kv_string("general.architecture", "llama");
  std::vector<uint8_t> f32(4 * 128);
  for (size_t i = 0; i < f32.size(); ++i) f32[i] = static_cast<uint8_t>(i % 7);
  gguf.tensor({"blk.0.attn_norm.weight", 0, {128}, f32});
  write_file(corpus / "model-b" / "extra.gguf", gguf.build().bytes);
}

}  // namespace lcl::test
