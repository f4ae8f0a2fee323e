#include "infer/llama_config.hpp"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "lcl/error.hpp"

namespace lcl::infer {

namespace {

// Limits far above any model this pass is meant for, but small enough that products of them
// cannot overflow or ask for terabytes before the tensors themselves are checked.
constexpr size_t kMaxDim = 1u << 20;
constexpr size_t kMaxLayers = 4096;
constexpr size_t kMaxContext = 1u << 24;

size_t checked_size(const std::string& key, double value, size_t max) {
  if (!(value >= 1 && value <= double(max)) || value != double(size_t(value)))
    throw_corrupt("model config: " + key + " = " + std::to_string(value) + " is out of range");
  return size_t(value);
}

float checked_positive(const std::string& key, double value) {
  if (!(value > 0 && value < 1e30))
    throw_corrupt("model config: " + key + " = " + std::to_string(value) + " is out of range");
  return float(value);
}

// ---- HF config.json ----

double json_number(const nlohmann::json& config, const std::string& key) {
  auto it = config.find(key);
  if (it == config.end() || !it->is_number())
    throw_corrupt("config.json: \"" + key + "\" is missing or not a number");
  return it->get<double>();
}

double json_number_or(const nlohmann::json& config, const std::string& key, double fallback) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_number()) throw_corrupt("config.json: \"" + key + "\" is not a number");
  return it->get<double>();
}

// ---- GGUF metadata (values as text) ----

std::optional<std::string> find_value(
    const std::vector<std::pair<std::string, std::string>>& metadata, const std::string& key) {
  for (const auto& [k, v] : metadata)
    if (k == key) return v;
  return std::nullopt;
}

double parse_number(const std::string& key, const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin || *end != '\0')
    throw_corrupt("GGUF metadata: " + key + " = \"" + text + "\" is not a number");
  return value;
}

double gguf_number(const std::vector<std::pair<std::string, std::string>>& metadata,
                   const std::string& key) {
  auto text = find_value(metadata, key);
  if (!text) throw_corrupt("GGUF metadata: " + key + " is missing");
  return parse_number(key, *text);
}

double gguf_number_or(const std::vector<std::pair<std::string, std::string>>& metadata,
                      const std::string& key, double fallback) {
  auto text = find_value(metadata, key);
  return text ? parse_number(key, *text) : fallback;
}

}  // namespace

void validate(const LlamaConfig& c) {
  if (c.heads == 0 || c.kv_heads == 0 || c.head_dim == 0 || c.hidden == 0 || c.layers == 0 ||
      c.ffn == 0 || c.vocab == 0 || c.context == 0)
    throw_corrupt("model config: a size is zero");
  if (c.heads % c.kv_heads != 0)
    throw_corrupt("model config: " + std::to_string(c.heads) + " attention heads are not a " +
                  "multiple of " + std::to_string(c.kv_heads) + " key/value heads");
  if (c.head_dim % 2 != 0) throw_corrupt("model config: rotary needs an even head dimension");
  if (c.q_dim() > kMaxDim) throw_corrupt("model config: heads x head_dim is out of range");
}

LlamaConfig parse_hf_config(std::string_view config_json) {
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) throw_corrupt("config.json is not a JSON object");
  auto model_type = config.find("model_type");
  if (model_type == config.end() || !model_type->is_string() || *model_type != "llama")
    throw Error(ErrorKind::kUnsupported,
                "config.json: only model_type \"llama\" is supported by the built-in forward pass");
  if (auto scaling = config.find("rope_scaling"); scaling != config.end() && !scaling->is_null())
    throw Error(ErrorKind::kUnsupported, "config.json: rope_scaling is not supported");
  for (const char* flag : {"attention_bias", "mlp_bias"})
    if (auto it = config.find(flag); it != config.end() && it->is_boolean() && it->get<bool>())
      throw Error(ErrorKind::kUnsupported,
                  std::string("config.json: ") + flag + " is not supported");
  if (auto act = config.find("hidden_act"); act != config.end() && *act != "silu")
    throw Error(ErrorKind::kUnsupported, "config.json: only hidden_act \"silu\" is supported");

  LlamaConfig c;
  c.hidden = checked_size("hidden_size", json_number(config, "hidden_size"), kMaxDim);
  c.layers =
      checked_size("num_hidden_layers", json_number(config, "num_hidden_layers"), kMaxLayers);
  c.heads =
      checked_size("num_attention_heads", json_number(config, "num_attention_heads"), kMaxDim);
  c.kv_heads =
      checked_size("num_key_value_heads",
                   json_number_or(config, "num_key_value_heads", double(c.heads)), kMaxDim);
  c.head_dim = checked_size(
      "head_dim", json_number_or(config, "head_dim", double(c.hidden / c.heads)), kMaxDim);
  c.ffn = checked_size("intermediate_size", json_number(config, "intermediate_size"), kMaxDim);
  c.vocab = checked_size("vocab_size", json_number(config, "vocab_size"), kMaxDim);
  c.context = checked_size("max_position_embeddings",
                           json_number_or(config, "max_position_embeddings", 2048), kMaxContext);
  c.rms_eps = checked_positive("rms_norm_eps", json_number_or(config, "rms_norm_eps", 1e-6));
  c.rope_theta = checked_positive("rope_theta", json_number_or(config, "rope_theta", 10000));
  if (auto tie = config.find("tie_word_embeddings"); tie != config.end()) {
    if (!tie->is_boolean()) throw_corrupt("config.json: tie_word_embeddings is not a boolean");
    c.tied_embeddings = tie->get<bool>();
  }
  validate(c);
  return c;
}

LlamaConfig parse_gguf_config(const std::vector<std::pair<std::string, std::string>>& metadata,
                              size_t vocab_fallback) {
  auto arch = find_value(metadata, "general.architecture");
  if (!arch || *arch != "llama")
    throw Error(ErrorKind::kUnsupported,
                "GGUF general.architecture is \"" + arch.value_or("") +
                    "\"; only llama is supported by the built-in forward pass");
  if (auto scaling = find_value(metadata, "llama.rope.scaling.type"); scaling && *scaling != "none")
    throw Error(ErrorKind::kUnsupported, "GGUF: rope scaling is not supported");
  LlamaConfig c;
  c.hidden = checked_size("llama.embedding_length", gguf_number(metadata, "llama.embedding_length"),
                          kMaxDim);
  c.layers =
      checked_size("llama.block_count", gguf_number(metadata, "llama.block_count"), kMaxLayers);
  c.heads = checked_size("llama.attention.head_count",
                         gguf_number(metadata, "llama.attention.head_count"), kMaxDim);
  c.kv_heads = checked_size(
      "llama.attention.head_count_kv",
      gguf_number_or(metadata, "llama.attention.head_count_kv", double(c.heads)), kMaxDim);
  c.head_dim = checked_size(
      "llama.attention.key_length",
      gguf_number_or(metadata, "llama.attention.key_length", double(c.hidden / c.heads)), kMaxDim);
  const size_t rope_dims = checked_size(
      "llama.rope.dimension_count",
      gguf_number_or(metadata, "llama.rope.dimension_count", double(c.head_dim)), kMaxDim);
  if (rope_dims != c.head_dim)
    throw Error(ErrorKind::kUnsupported, "GGUF: partial rotary (rope.dimension_count " +
                                             std::to_string(rope_dims) + " < head dimension " +
                                             std::to_string(c.head_dim) + ") is not supported");
  c.ffn = checked_size("llama.feed_forward_length",
                       gguf_number(metadata, "llama.feed_forward_length"), kMaxDim);
  c.vocab =
      checked_size("llama.vocab_size",
                   gguf_number_or(metadata, "llama.vocab_size", double(vocab_fallback)), kMaxDim);
  c.context = checked_size("llama.context_length",
                           gguf_number_or(metadata, "llama.context_length", 2048), kMaxContext);
  c.rms_eps = checked_positive("llama.attention.layer_norm_rms_epsilon",
                               gguf_number(metadata, "llama.attention.layer_norm_rms_epsilon"));
  c.rope_theta = checked_positive("llama.rope.freq_base",
                                  gguf_number_or(metadata, "llama.rope.freq_base", 10000));
  validate(c);
  return c;
}

}  // namespace lcl::infer
