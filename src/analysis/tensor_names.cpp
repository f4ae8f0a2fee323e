#include "analysis/tensor_names.hpp"

#include <array>
#include <charconv>
#include <utility>
#include <vector>

namespace lcl::analysis {

namespace {

// GGUF (llama.cpp) names -> Hugging Face names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kGgufToHf = {{
    {"attn_q", "q_proj"},
    {"attn_k", "k_proj"},
    {"attn_v", "v_proj"},
    {"attn_output", "o_proj"},
    {"attn_qkv", "qkv_proj"},
    {"ffn_gate", "gate_proj"},
    {"ffn_up", "up_proj"},
    {"ffn_down", "down_proj"},
    {"attn_norm", "input_layernorm"},
    {"ffn_norm", "post_attention_layernorm"},
    {"token_embd", "embed_tokens"},
    {"output", "lm_head"},
    {"output_norm", "norm"},
    {"rope_freqs", "rope_freqs"},
}};

std::vector<std::string_view> split_dots(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool parse_index(std::string_view text, int& value) {
  if (text.empty() || text.size() > 6) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool is_suffix(std::string_view part) {
  return part == "weight" || part == "bias" || part == "scale";
}

}  // namespace

TensorRole parse_tensor_role(std::string_view name) {
  TensorRole result;
  auto parts = split_dots(name);
  // The layer: the number after "layers", "layer", "h" or "blk" (HF, GPT-2 style, GGUF).
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] == "layers" || parts[i] == "layer" || parts[i] == "h" || parts[i] == "blk") {
      int index = 0;
      if (parse_index(parts[i + 1], index)) {
        result.layer = index;
        break;
      }
    }
  }
  // The role: the last component that is neither a suffix like "weight" nor a number.
  std::string_view role;
  for (size_t i = parts.size(); i-- > 0;) {
    int ignored = 0;
    if (is_suffix(parts[i]) || parse_index(parts[i], ignored)) continue;
    role = parts[i];
    break;
  }
  if (role.empty()) role = name;
  // GGUF's "output" is the LM head only outside the blocks; inside a block (BERT-style HF names
  // such as "layer.0.output.dense") it means something else and stays as it is.
  for (const auto& [gguf, hf] : kGgufToHf)
    if (role == gguf && !(gguf == "output" && result.layer >= 0)) role = hf;
  // A bias is a different tensor population than the matrix it belongs to.
  result.role = std::string(role);
  if (!parts.empty() && parts.back() == "bias") result.role += ".bias";
  return result;
}

}  // namespace lcl::analysis
