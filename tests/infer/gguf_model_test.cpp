// Loading a llama GGUF built here from a tiny random model: F32/F16 tensors, q/k rows permuted as
// llama.cpp's converter does, tied or separate output. Then every header byte of it flipped and
// every length cut off: the loader must either load a model or throw lcl::Error, nothing else.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "infer/llama_forward.hpp"
#include "infer/model_loader.hpp"
#include "infer/tiny_model.hpp"  // tests/infer/tiny_model.hpp
#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl::infer {
namespace {

class GgufBuilder {
 public:
  void kv_u32(const std::string& key, uint32_t v) {
    key_header(key, 4);
    u32(v);
  }
  void kv_f32(const std::string& key, float v) {
    key_header(key, 6);
    u32(std::bit_cast<uint32_t>(v));
  }
  void kv_string(const std::string& key, const std::string& v) {
    key_header(key, 8);
    str(v);
  }
  // `rows` x `cols` values as F32 (type 0) or F16 (type 1; values must be exact in f16).
  void tensor(const std::string& name, size_t rows, size_t cols, const std::vector<float>& values,
              uint32_t type = 0) {
    std::vector<uint8_t> bytes;
    for (float v : values) {
      if (type == 0) {
        const uint32_t bits = std::bit_cast<uint32_t>(v);
        for (int b = 0; b < 4; ++b) bytes.push_back(uint8_t(bits >> (8 * b)));
      } else {
        const uint16_t bits = to_f16(v);
        bytes.push_back(uint8_t(bits));
        bytes.push_back(uint8_t(bits >> 8));
      }
    }
    tensors_.push_back({name, rows, cols, type, std::move(bytes)});
  }

  std::vector<uint8_t> build() {
    std::vector<uint8_t> kv = std::move(out_);
    out_.clear();
    out_ = {'G', 'G', 'U', 'F'};
    u32(3);
    u64(tensors_.size());
    u64(kv_count_);
    out_.insert(out_.end(), kv.begin(), kv.end());
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
      str(t.name);
      if (t.rows == 1) {
        u32(1);
        u64(t.cols);
      } else {
        u32(2);
        u64(t.cols);  // ne0: the row length comes first
        u64(t.rows);
      }
      u32(t.type);
      u64(offset);
      offset = align(offset + t.bytes.size());
    }
    out_.resize(align(out_.size()), 0);
    for (const auto& t : tensors_) {
      out_.insert(out_.end(), t.bytes.begin(), t.bytes.end());
      out_.resize(align(out_.size()), 0);
    }
    return out_;
  }

 private:
  struct Tensor {
    std::string name;
    size_t rows, cols;
    uint32_t type;
    std::vector<uint8_t> bytes;
  };
  static uint64_t align(uint64_t n) { return (n + 31) / 32 * 32; }
  // Only for values that f16 holds exactly (the tests round them first).
  static uint16_t to_f16(float v) {
    if (v == 0) return std::signbit(v) ? 0x8000 : 0;
    const uint32_t bits = std::bit_cast<uint32_t>(v);
    const uint32_t exponent = ((bits >> 23) & 0xff) - 112;
    return uint16_t(((bits >> 16) & 0x8000) | (exponent << 10) | ((bits >> 13) & 0x3ff));
  }
  void u32(uint32_t v) {
    for (int b = 0; b < 4; ++b) out_.push_back(uint8_t(v >> (8 * b)));
  }
  void u64(uint64_t v) {
    for (int b = 0; b < 8; ++b) out_.push_back(uint8_t(v >> (8 * b)));
  }
  void str(const std::string& s) {
    u64(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void key_header(const std::string& key, uint32_t type) {
    ++kv_count_;
    str(key);
    u32(type);
  }
  std::vector<uint8_t> out_;
  uint64_t kv_count_ = 0;
  std::vector<Tensor> tensors_;
};

// llama.cpp's converter: rows of each head reordered from (half, j) to (j, half).
Matrix permute_for_gguf(const Matrix& m, size_t heads) {
  Matrix out = m;
  const size_t head_dim = m.rows / heads, half = head_dim / 2;
  for (size_t h = 0; h < heads; ++h)
    for (size_t s = 0; s < 2; ++s)
      for (size_t j = 0; j < half; ++j)
        std::memcpy(&out.values[(h * head_dim + 2 * j + s) * m.cols],
                    &m.values[(h * head_dim + s * half + j) * m.cols], m.cols * sizeof(float));
  return out;
}

// Rounds every weight matrix to f16 so the F16 tensors hold them exactly.
void round_to_f16(Matrix& m) {
  for (float& v : m.values) {
    const uint32_t bits = std::bit_cast<uint32_t>(v) & 0xffffe000u;  // keep 10 mantissa bits
    v = std::bit_cast<float>(bits);
  }
}

std::vector<uint8_t> tiny_gguf(const LlamaModel& model) {
  const LlamaConfig& c = model.config;
  GgufBuilder gguf;
  gguf.kv_string("general.architecture", "llama");
  gguf.kv_u32("llama.context_length", uint32_t(c.context));
  gguf.kv_u32("llama.embedding_length", uint32_t(c.hidden));
  gguf.kv_u32("llama.block_count", uint32_t(c.layers));
  gguf.kv_u32("llama.feed_forward_length", uint32_t(c.ffn));
  gguf.kv_u32("llama.attention.head_count", uint32_t(c.heads));
  gguf.kv_u32("llama.attention.head_count_kv", uint32_t(c.kv_heads));
  gguf.kv_f32("llama.attention.layer_norm_rms_epsilon", c.rms_eps);
  gguf.kv_f32("llama.rope.freq_base", c.rope_theta);
  auto matrix = [&](const std::string& name, const Matrix& m, uint32_t type) {
    gguf.tensor(name, m.rows, m.cols, m.values, type);
  };
  matrix("token_embd.weight", model.token_embedding, 0);
  for (size_t l = 0; l < c.layers; ++l) {
    const LlamaLayer& layer = model.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    gguf.tensor(p + "attn_norm.weight", 1, c.hidden, layer.attention_norm);
    matrix(p + "attn_q.weight", permute_for_gguf(layer.wq, c.heads), 1);
    matrix(p + "attn_k.weight", permute_for_gguf(layer.wk, c.kv_heads), 1);
    matrix(p + "attn_v.weight", layer.wv, 1);
    matrix(p + "attn_output.weight", layer.wo, 0);
    gguf.tensor(p + "ffn_norm.weight", 1, c.hidden, layer.ffn_norm);
    matrix(p + "ffn_gate.weight", layer.w_gate, 0);
    matrix(p + "ffn_up.weight", layer.w_up, 1);
    matrix(p + "ffn_down.weight", layer.w_down, 0);
  }
  gguf.tensor("output_norm.weight", 1, c.hidden, model.final_norm);
  if (!c.tied_embeddings) matrix("output.weight", model.lm_head, 0);
  return gguf.build();
}

LlamaModel tiny_model_for_gguf(bool tied) {
  LlamaModel model = tiny_model(tied);
  for (LlamaLayer& layer : model.layers) {
    round_to_f16(layer.wq);
    round_to_f16(layer.wk);
    round_to_f16(layer.wv);
    round_to_f16(layer.w_up);
  }
  return model;
}

LlamaModel load_bytes(const std::vector<uint8_t>& bytes) {
  ModelSources sources;
  sources.files.push_back(std::make_unique<MemorySource>(bytes, "tiny.gguf"));
  return load_llama(sources);
}

class TinyGguf : public ::testing::TestWithParam<bool> {};

TEST_P(TinyGguf, LoadsBackTheModelItWasBuiltFrom) {
  const LlamaModel expected = tiny_model_for_gguf(/*tied=*/GetParam());
  const LlamaModel loaded = load_bytes(tiny_gguf(expected));
  EXPECT_EQ(loaded.config.hidden, expected.config.hidden);
  EXPECT_EQ(loaded.config.kv_heads, expected.config.kv_heads);
  EXPECT_EQ(loaded.config.vocab, 256u);  // from the embedding: the file has no llama.vocab_size
  EXPECT_EQ(loaded.config.tied_embeddings, GetParam());
  EXPECT_EQ(loaded.config.rope_theta, expected.config.rope_theta);
  ASSERT_EQ(loaded.layers.size(), expected.layers.size());
  for (size_t l = 0; l < loaded.layers.size(); ++l) {
    EXPECT_EQ(loaded.layers[l].wq.values, expected.layers[l].wq.values);
    EXPECT_EQ(loaded.layers[l].wk.values, expected.layers[l].wk.values);
    EXPECT_EQ(loaded.layers[l].wv.values, expected.layers[l].wv.values);
    EXPECT_EQ(loaded.layers[l].w_down.values, expected.layers[l].w_down.values);
  }
  EXPECT_EQ(loaded.output_matrix().values, expected.output_matrix().values);
  const std::vector<Token> prompt = {'a', 'b', 'c'};
  EXPECT_EQ(generate_greedy(loaded, prompt, 5), generate_greedy(expected, prompt, 5));
}

INSTANTIATE_TEST_SUITE_P(UntiedAndTied, TinyGguf, ::testing::Bool());

TEST(TinyGgufDamaged, EveryHeaderByteFlippedAndEveryTruncation) {
  const std::vector<uint8_t> good = tiny_gguf(tiny_model_for_gguf(false));
  // The header (metadata and tensor infos) ends where the first tensor's data begins.
  const MemorySource source(good);
  const Layout layout = read_layout(source);
  size_t header_end = good.size();
  for (const Region& region : layout.regions)
    if (region.kind == RegionKind::kTensor)
      header_end = std::min<size_t>(header_end, region.offset);
  ASSERT_LT(header_end, good.size());
  size_t loaded = 0, refused = 0;
  auto attempt = [&](const std::vector<uint8_t>& bytes) {
    try {
      load_bytes(bytes);
      ++loaded;
    } catch (const Error&) {
      ++refused;
    }
  };
  for (size_t i = 0; i < header_end; ++i) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0xff;
    attempt(bad);
    bad[i] ^= 0xfe;  // the original value with its low bit flipped
    attempt(bad);
  }
  for (size_t n = 0; n < good.size(); n += 7)
    attempt(std::vector<uint8_t>(good.begin(), good.begin() + n));
  EXPECT_GT(refused, 0u);
  EXPECT_GT(loaded, 0u);  // flips inside names of unused keys or padding still load
}

}  // namespace
}  // namespace lcl::infer
