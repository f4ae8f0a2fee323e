#include "analysis/entropy_bounds.hpp"

#include <gtest/gtest.h>

#include <random>

#include "analysis/entropy_math.hpp"
#include "analysis/tensor_names.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/endian.hpp"

namespace lcl::analysis {
namespace {

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

TEST(EntropyMath, KnownHistograms) {
  std::vector<uint64_t> uniform4 = {5, 5, 5, 5};
  EXPECT_DOUBLE_EQ(entropy_of_counts(uniform4), 2.0);
  std::vector<uint64_t> single = {0, 9, 0};
  EXPECT_DOUBLE_EQ(entropy_of_counts(single), 0.0);
  // Context 0: symbols {0,1} equally -> 1 bit; context 1: always symbol 2 -> 0 bits. Context 0
  // holds 3/4 of the samples -> H = 0.75.
  std::vector<uint64_t> joint = {3, 3, 0, 0, 0, 2};
  EXPECT_DOUBLE_EQ(conditional_entropy(joint, 3), 0.75 * 1.0 + 0.25 * 0.0);
}

TEST(EntropyBounds, Bf16WithFourEquallyLikelyValues) {
  // Four values whose high and low bytes are all distinct: every plane and the whole value carry
  // 2 bits, so the byte-marginal bound is 16/4 = 4 and the iid bound 16/2 = 8.
  std::vector<uint8_t> data;
  const uint16_t values[4] = {0x3f80, 0xbf01, 0x4002, 0xc003};
  for (int i = 0; i < 1000; ++i) put_u16(data, values[i % 4]);
  auto m = measure_bounds(data, type::kBF16);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_high"), 2.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_low"), 2.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_u16"), 2.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_byte_marginal"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_iid16"), 8.0);
  // Exponents (bits 14..7): 0x7f, 0x7e, 0x80, 0x80 -> probabilities 1/4, 1/4, 1/2 -> 1.5 bits.
  EXPECT_DOUBLE_EQ(measure_value(m, "h_exponent"), 1.5);
}

TEST(EntropyBounds, Fp16ExponentIsFiveBits) {
  std::vector<uint8_t> data;
  for (int e = 0; e < 32; ++e)
    put_u16(data, static_cast<uint16_t>(e << 10));  // every exponent once
  auto m = measure_bounds(data, type::kF16);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_exponent"), 5.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_low"), 0.0);
}

TEST(EntropyBounds, Fp32PlanesAndHalves) {
  // Low half uniform over 256 values in byte 0 only; high half constant.
  std::vector<uint8_t> data;
  for (int i = 0; i < 256 * 4; ++i) {
    uint32_t v = 0x3f800000u | static_cast<uint32_t>(i % 256);
    for (int b = 0; b < 4; ++b) data.push_back(static_cast<uint8_t>(v >> (8 * b)));
  }
  auto m = measure_bounds(data, type::kF32);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_byte0"), 8.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_byte3"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_lower16"), 8.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_upper16"), 0.0);
  EXPECT_LT(measure_value(m, "h_high"), 0);  // two byte planes do not describe an F32: n/a
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_byte_marginal"), 4.0);  // 32 bits / 8 bits
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_iid16"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "h_exponent"), 0.0);
}

TEST(EntropyBounds, UnknownTypesHaveNoMeasures) {
  std::vector<uint8_t> data(64, 1);
  EXPECT_TRUE(measure_bounds(data, type::kI32).empty());
  EXPECT_TRUE(measure_bounds(data, type::kOpaque).empty());
}

// Packs eight 6-bit scales and mins the way ggml does (the inverse of FORMATS.md's unpacking).
void pack_q4_k_scales(const uint8_t* sc, const uint8_t* m, uint8_t* out) {
  for (int j = 0; j < 4; ++j) {
    out[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    out[j + 4] = static_cast<uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
  }
}

TEST(EntropyBounds, Q4KScalesUnpackAsPacked) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 100; ++trial) {
    uint8_t sc[8], m[8], packed[12];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>(rng() % 64);
      m[j] = static_cast<uint8_t>(rng() % 64);
    }
    pack_q4_k_scales(sc, m, packed);
    uint8_t s2[8], m2[8];
    ggml::unpack_q4k_scales(packed, s2, m2);
    for (int j = 0; j < 8; ++j) {
      EXPECT_EQ(s2[j], sc[j]);
      EXPECT_EQ(m2[j], m[j]);
    }
  }
}

TEST(EntropyBounds, Q4KNibblesDeterminedByScaleHaveZeroConditionalEntropy) {
  // In every sub-block all nibbles equal scale % 16, and scales cycle through 16 values: the
  // nibble carries 4 bits alone and nothing once the scale is known.
  std::vector<uint8_t> data;
  for (int b = 0; b < 64; ++b) {
    uint8_t block[144] = {};
    block[0] = 0x00;
    block[1] = 0x3c;  // d = 1.0 in every block: H(d) = 0
    uint8_t sc[8], m[8];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>((b * 8 + j) % 16);
      m[j] = 0;
    }
    pack_q4_k_scales(sc, m, block + 4);
    for (int g = 0; g < 4; ++g)
      for (int l = 0; l < 32; ++l)
        block[16 + 32 * g + l] = static_cast<uint8_t>(sc[2 * g] | (sc[2 * g + 1] << 4));
    data.insert(data.end(), block, block + 144);
  }
  auto m = measure_bounds(data, type::kQ4_K);
  EXPECT_DOUBLE_EQ(measure_value(m, "q4k_h_nibble"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q4k_h_nibble_given_scale_min"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q4k_h_scale"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q4k_h_min"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q4k_h_d"), 0.0);
  // Conditional bound: 1152 bits per block / (8 sub-blocks x 4 bits of (scale, min)) = 36.
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_conditional"), 1152.0 / 32.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_iid"), 1152.0 / (32.0 + 256 * 4.0));
}

// ggml's Q6_K packing of 256 6-bit values into ql[128], qh[64].
void pack_q6_k(const uint8_t* values, uint8_t* ql, uint8_t* qh) {
  for (int half = 0; half < 2; ++half) {
    const uint8_t* v = values + 128 * half;
    for (int l = 0; l < 32; ++l) {
      ql[64 * half + l] = static_cast<uint8_t>((v[l] & 0xF) | ((v[l + 64] & 0xF) << 4));
      ql[64 * half + l + 32] = static_cast<uint8_t>((v[l + 32] & 0xF) | ((v[l + 96] & 0xF) << 4));
      qh[32 * half + l] = static_cast<uint8_t>((v[l] >> 4) | ((v[l + 32] >> 4) << 2) |
                                               ((v[l + 64] >> 4) << 4) | ((v[l + 96] >> 4) << 6));
    }
  }
}

TEST(EntropyBounds, Q6KValuesAndScalesFollowGgmlLayout) {
  std::mt19937 rng(9);
  uint8_t values[256], ql[128], qh[64], back[256], scale_index[256];
  for (auto& v : values) v = static_cast<uint8_t>(rng() % 64);
  pack_q6_k(values, ql, qh);
  q6_k_values(ql, qh, back, scale_index);
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(back[i], values[i]) << i;
    EXPECT_EQ(scale_index[i], i / 16) << i;  // one scale per 16 consecutive values
  }
}

TEST(EntropyBounds, Q6KConditionalOnScale) {
  // Values equal to (scale index) in each 16-value group; scales are 16 distinct values: H(q) = 4,
  // H(q | scale) = 0.
  std::vector<uint8_t> data;
  for (int b = 0; b < 8; ++b) {
    uint8_t block[210] = {};
    uint8_t values[256];
    for (int i = 0; i < 256; ++i) values[i] = static_cast<uint8_t>(i / 16);
    pack_q6_k(values, block, block + 128);
    for (int s = 0; s < 16; ++s) block[192 + s] = static_cast<uint8_t>(s + 1);
    block[208] = 0x00;
    block[209] = 0x3c;
    data.insert(data.end(), block, block + 210);
  }
  auto m = measure_bounds(data, type::kQ6_K);
  EXPECT_DOUBLE_EQ(measure_value(m, "q6k_h_q"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q6k_h_q_given_scale"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q6k_h_scale"), 4.0);
}

TEST(EntropyBounds, Q80ValuesAndScale) {
  std::vector<uint8_t> data;
  for (int b = 0; b < 8; ++b) {
    put_u16(data, static_cast<uint16_t>(0x3c00 + b));  // 8 distinct scales: 3 bits
    for (int i = 0; i < 32; ++i) data.push_back(static_cast<uint8_t>(i % 2));  // 1 bit
  }
  auto m = measure_bounds(data, type::kQ8_0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q8_h_d"), 3.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q8_h_q"), 1.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_iid"), 272.0 / 35.0);
}

TEST(EntropyBounds, Q5KValuesDeterminedByScaleHaveZeroConditionalEntropy) {
  // Every value of sub-block j equals its scale (16 + (8b + j) % 16): the 5-bit values carry 4
  // bits alone and nothing given (scale, min).
  std::vector<uint8_t> data;
  for (int b = 0; b < 64; ++b) {
    uint8_t block[176] = {};
    block[1] = 0x3c;  // d = 1.0
    uint8_t sc[8], m[8], q[256];
    for (int j = 0; j < 8; ++j) {
      sc[j] = static_cast<uint8_t>(16 + (b * 8 + j) % 16);
      m[j] = 0;
      for (int l = 0; l < 32; ++l) q[32 * j + l] = sc[j];
    }
    pack_q4_k_scales(sc, m, block + 4);
    ggml::pack_q5k_quants(q, block + 16, block + 48);
    data.insert(data.end(), block, block + 176);
  }
  auto m = measure_bounds(data, type::kQ5_K);
  EXPECT_DOUBLE_EQ(measure_value(m, "q5k_h_q"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q5k_h_q_given_scale_min"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q5k_h_scale"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q5k_h_d"), 0.0);
  // 1408 bits per block over 8 sub-blocks x 4 bits of (scale, min).
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_conditional"), 1408.0 / 32.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_iid"), 1408.0 / (32.0 + 256 * 4.0));
}

TEST(EntropyBounds, Q3KConditionalOnScale) {
  // Value i equals (scale index) % 8 and the 16 scales are distinct: H(q) = 3, H(q | scale) = 0.
  std::vector<uint8_t> data;
  for (int b = 0; b < 8; ++b) {
    uint8_t block[110] = {};
    uint8_t q[256], sc[16];
    for (int i = 0; i < 256; ++i) q[i] = static_cast<uint8_t>((i / 16) % 8);
    for (int s = 0; s < 16; ++s) sc[s] = static_cast<uint8_t>(s);
    ggml::pack_q3k_quants(q, block, block + 32);
    ggml::pack_q3k_scales(sc, block + 96);
    block[109] = 0x3c;
    data.insert(data.end(), block, block + 110);
  }
  auto m = measure_bounds(data, type::kQ3_K);
  EXPECT_DOUBLE_EQ(measure_value(m, "q3k_h_q"), 3.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q3k_h_q_given_scale"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "q3k_h_scale"), 4.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_conditional"), 880.0 / 64.0);
}

TEST(EntropyBounds, MXFP4CodesGivenExponent) {
  // Block b has e = 120 + b % 4 and all 32 codes equal b % 4: H(code) = 2, H(code | e) = 0.
  std::vector<uint8_t> data;
  for (int b = 0; b < 16; ++b) {
    data.push_back(static_cast<uint8_t>(120 + b % 4));
    for (int k = 0; k < 16; ++k) data.push_back(static_cast<uint8_t>((b % 4) * 0x11));
  }
  auto m = measure_bounds(data, type::kMXFP4);
  EXPECT_DOUBLE_EQ(measure_value(m, "mxfp4_h_e"), 2.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "mxfp4_h_code"), 2.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "mxfp4_h_code_given_e"), 0.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_iid"), 136.0 / 66.0);
  EXPECT_DOUBLE_EQ(measure_value(m, "bound_fields_conditional"), 136.0 / 2.0);
}

TEST(TensorNames, HuggingFaceAndGgufMapToOneVocabulary) {
  auto hf = parse_tensor_role("model.layers.3.self_attn.q_proj.weight");
  EXPECT_EQ(hf.role, "q_proj");
  EXPECT_EQ(hf.layer, 3);
  auto gguf = parse_tensor_role("blk.3.attn_q.weight");
  EXPECT_EQ(gguf.role, "q_proj");
  EXPECT_EQ(gguf.layer, 3);
  EXPECT_EQ(parse_tensor_role("blk.12.ffn_down.weight").role, "down_proj");
  EXPECT_EQ(parse_tensor_role("model.layers.0.mlp.down_proj.weight").role, "down_proj");
  EXPECT_EQ(parse_tensor_role("blk.0.attn_norm.weight").role, "input_layernorm");
  EXPECT_EQ(parse_tensor_role("model.layers.0.input_layernorm.weight").role, "input_layernorm");
  auto embed = parse_tensor_role("token_embd.weight");
  EXPECT_EQ(embed.role, "embed_tokens");
  EXPECT_EQ(embed.layer, -1);
  EXPECT_EQ(parse_tensor_role("model.embed_tokens.weight").role, "embed_tokens");
  EXPECT_EQ(parse_tensor_role("output.weight").role, "lm_head");
  EXPECT_EQ(parse_tensor_role("lm_head.weight").role, "lm_head");
  EXPECT_EQ(parse_tensor_role("output_norm.weight").role, "norm");
  EXPECT_EQ(parse_tensor_role("model.layers.1.self_attn.q_proj.bias").role, "q_proj.bias");
  EXPECT_EQ(parse_tensor_role("bert.encoder.layer.2.output.dense.weight").role, "other");
  EXPECT_EQ(parse_tensor_role("bert.encoder.layer.2.output.dense.weight").detail, "dense");
  EXPECT_EQ(parse_tensor_role("weird").role, "other");
  // Meta, GPT-2 and BERT names, FP8 scales, and names that are no LLM role.
  EXPECT_EQ(parse_tensor_role("layers.2.attention.wq.weight").role, "q_proj");
  EXPECT_EQ(parse_tensor_role("layers.2.feed_forward.w2.weight").role, "down_proj");
  EXPECT_EQ(parse_tensor_role("h.0.attn.c_attn.weight").role, "qkv_proj");
  EXPECT_EQ(parse_tensor_role("h.0.attn.c_proj.weight").role, "o_proj");
  EXPECT_EQ(parse_tensor_role("h.0.mlp.c_proj.weight").role, "down_proj");
  EXPECT_EQ(parse_tensor_role("transformer.wte.weight").role, "embed_tokens");
  EXPECT_EQ(parse_tensor_role("transformer.ln_f.weight").role, "norm");
  EXPECT_EQ(parse_tensor_role("bert.encoder.layer.0.attention.self.query.weight").role, "q_proj");
  EXPECT_EQ(parse_tensor_role("blk.0.attn_q.weight_scale_inv").role, "q_proj.scale");
  EXPECT_EQ(parse_tensor_role("conv1.weight").role, "other");
  EXPECT_EQ(parse_tensor_role("features.3.bn.running_mean").role, "other");
  EXPECT_EQ(parse_tensor_role("weird").layer, -1);
}

}  // namespace
}  // namespace lcl::analysis
