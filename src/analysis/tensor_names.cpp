#include "analysis/tensor_names.hpp"

#include <array>
#include <charconv>
#include <utility>
#include <vector>

namespace lcl::analysis {

namespace {

// Name components (any naming scheme) -> role, where the component alone decides.
constexpr std::array<std::pair<std::string_view, std::string_view>, 62> kRoles = {{
    // attention
    {"q_proj", "q_proj"},
    {"k_proj", "k_proj"},
    {"v_proj", "v_proj"},
    {"o_proj", "o_proj"},
    {"attn_q", "q_proj"},
    {"attn_k", "k_proj"},
    {"attn_v", "v_proj"},
    {"attn_output", "o_proj"},
    {"wq", "q_proj"},
    {"wk", "k_proj"},
    {"wv", "v_proj"},
    {"wo", "o_proj"},
    {"query", "q_proj"},
    {"key", "k_proj"},
    {"value", "v_proj"},
    {"out_proj", "o_proj"},
    {"qkv_proj", "qkv_proj"},
    {"attn_qkv", "qkv_proj"},
    {"c_attn", "qkv_proj"},
    {"query_key_value", "qkv_proj"},
    {"Wqkv", "qkv_proj"},
    {"W_pack", "qkv_proj"},
    {"q_norm", "q_norm"},
    {"k_norm", "k_norm"},
    {"attn_q_norm", "q_norm"},
    {"attn_k_norm", "k_norm"},
    // feed-forward
    {"gate_proj", "gate_proj"},
    {"up_proj", "up_proj"},
    {"down_proj", "down_proj"},
    {"gate_up_proj", "gate_up_proj"},
    {"ffn_gate", "gate_proj"},
    {"ffn_up", "up_proj"},
    {"ffn_down", "down_proj"},
    {"w1", "gate_proj"},
    {"w3", "up_proj"},
    {"w2", "down_proj"},
    {"fc1", "up_proj"},
    {"fc2", "down_proj"},
    {"c_fc", "up_proj"},
    // embeddings and head
    {"embed_tokens", "embed_tokens"},
    {"token_embd", "embed_tokens"},
    {"tok_embeddings", "embed_tokens"},
    {"word_embeddings", "embed_tokens"},
    {"wte", "embed_tokens"},
    {"embed_positions", "embed_positions"},
    {"position_embeddings", "embed_positions"},
    {"wpe", "embed_positions"},
    {"lm_head", "lm_head"},
    // norms
    {"input_layernorm", "input_layernorm"},
    {"attn_norm", "input_layernorm"},
    {"attention_norm", "input_layernorm"},
    {"ln_1", "input_layernorm"},
    {"post_attention_layernorm", "post_attention_layernorm"},
    {"ffn_norm", "post_attention_layernorm"},
    {"ln_2", "post_attention_layernorm"},
    {"pre_feedforward_layernorm", "pre_feedforward_layernorm"},
    {"post_feedforward_layernorm", "post_feedforward_layernorm"},
    {"output_norm", "norm"},
    {"ln_f", "norm"},
    {"final_layernorm", "norm"},
    {"final_layer_norm", "norm"},
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
  return part == "weight" || part == "bias" || part == "scale" || part == "weight_scale_inv" ||
         part == "weight_scale" || part == "scales";
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
  // The role component: the last one that is neither a suffix like "weight" nor a number.
  size_t at = parts.size();
  for (size_t i = parts.size(); i-- > 0;) {
    int ignored = 0;
    if (is_suffix(parts[i]) || parse_index(parts[i], ignored)) continue;
    at = i;
    break;
  }
  std::string_view component = at < parts.size() ? parts[at] : name;
  std::string_view parent = at > 0 && at < parts.size() ? parts[at - 1] : std::string_view();
  result.detail = std::string(component);
  std::string_view role = "other";
  for (const auto& [key, value] : kRoles)
    if (component == key) role = value;
  // Components whose meaning depends on where they sit.
  if (component == "c_proj") role = parent == "mlp" ? "down_proj" : "o_proj";  // GPT-2
  if (component == "output" && result.layer < 0) role = "lm_head";  // GGUF's head, not BERT's
  if (component == "norm" && result.layer < 0) role = "norm";       // the final norm
  if (component == "embeddings" && result.layer < 0 && parent.empty()) role = "embed_tokens";
  result.role = std::string(role);
  const std::string_view last = parts.empty() ? std::string_view() : parts.back();
  if (result.role != "other") {
    if (last == "bias")
      result.role += ".bias";
    else if (last == "weight_scale_inv" || last == "weight_scale" || last == "scales" ||
             (last == "scale" && at + 1 < parts.size()))
      result.role += ".scale";
  }
  return result;
}

}  // namespace lcl::analysis
