#include "infer/model_loader.hpp"

#include <algorithm>
#include <map>

#include "infer/dequantize.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl::infer {

namespace {

// Where one tensor's bytes are, in which source.
struct TensorRef {
  const ByteSource* source = nullptr;
  TensorInfo info;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The tensors of all files of one model, by name.
class TensorCatalog {
 public:
  explicit TensorCatalog(const ModelSources& sources) {
    if (sources.files.empty()) throw Error(ErrorKind::kUsage, "no model files given");
    for (const auto& source : sources.files) {
      Layout layout = read_layout(*source);
      if (layout.format == FileFormat::kOpaque) {
        std::string why = layout.warnings.empty() ? "" : " (" + layout.warnings.front() + ")";
        throw_corrupt(source->name() + " is not a safetensors or GGUF model file" + why);
      }
      if (format_ != FileFormat::kOpaque && layout.format != format_)
        throw Error(ErrorKind::kUsage, "a model mixes safetensors and GGUF files");
      format_ = layout.format;
      if (format_ == FileFormat::kGguf) metadata_ = layout.metadata;
      for (const Region& region : layout.regions) {
        if (region.kind != RegionKind::kTensor) continue;
        TensorRef ref{source.get(), region.tensor, region.offset, region.size};
        if (!tensors_.emplace(region.tensor.name, std::move(ref)).second)
          throw_corrupt("tensor " + region.tensor.name + " appears twice in the model files");
      }
    }
    if (format_ == FileFormat::kGguf && sources.files.size() != 1)
      throw Error(ErrorKind::kUnsupported, "split GGUF models are not supported; give one file");
  }

  FileFormat format() const { return format_; }
  const auto& metadata() const { return metadata_; }

  const TensorRef* find(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
  }
  const TensorRef& require(const std::string& name) const {
    if (const TensorRef* ref = find(name)) return *ref;
    throw_corrupt("the model has no tensor " + name);
  }

  // {rows, cols} of a tensor in HF order (GGUF lists ne0, the row length, first). A vector is
  // {1, n}. Extra dimensions of size 1 are allowed, anything else is rejected.
  std::pair<uint64_t, uint64_t> matrix_shape(const TensorRef& ref) const {
    std::vector<uint64_t> dims = ref.info.shape;
    if (format_ == FileFormat::kGguf) std::reverse(dims.begin(), dims.end());
    while (dims.size() > 2 && dims.front() == 1) dims.erase(dims.begin());
    if (dims.size() == 1) return {1, dims[0]};
    if (dims.size() == 2) return {dims[0], dims[1]};
    throw_corrupt("tensor " + ref.info.name + " has " + std::to_string(dims.size()) +
                  " dimensions where a matrix or vector was expected");
  }

 private:
  FileFormat format_ = FileFormat::kOpaque;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::map<std::string, TensorRef> tensors_;
};

std::string shape_text(uint64_t rows, uint64_t cols) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&.
  std::string text = "[";
  text += std::to_string(rows);
  text += " x ";
  text += std::to_string(cols);
  text += "]";
  return text;
}

// Reads a tensor of exactly rows x cols values (checked before anything is allocated) as f32.
std::vector<float> read_values(const TensorCatalog& catalog, const std::string& name, size_t rows,
                               size_t cols) {
  const TensorRef& ref = catalog.require(name);
  const auto [file_rows, file_cols] = catalog.matrix_shape(ref);
  if (file_rows != rows || file_cols != cols)
    throw_corrupt("tensor " + name + " has shape " + shape_text(file_rows, file_cols) + ", the " +
                  "config asks for " + shape_text(rows, cols));
  if (!can_dequantize(ref.info.type))
    throw Error(ErrorKind::kUnsupported, "tensor " + name + " has type " +
                                             type_name(ref.info.type) +
                                             ", which the forward pass cannot read");
  // Rows of a block type must be whole blocks (ggml blocks never straddle rows).
  const size_t row_bytes = stored_bytes(ref.info.type, cols);
  if (ref.size != row_bytes * rows)
    throw_corrupt("tensor " + name + " holds " + std::to_string(ref.size) + " bytes, its shape " +
                  "and type need " + std::to_string(row_bytes * rows));
  std::vector<uint8_t> bytes(ref.size);
  ref.source->read(ref.offset, bytes);
  std::vector<float> values(rows * cols);
  dequantize(ref.info.type, bytes, values);
  return values;
}

Matrix read_matrix(const TensorCatalog& catalog, const std::string& name, size_t rows,
                   size_t cols) {
  return Matrix{rows, cols, read_values(catalog, name, rows, cols)};
}

std::vector<float> read_vector(const TensorCatalog& catalog, const std::string& name, size_t n) {
  return read_values(catalog, name, 1, n);
}

// The tensor names of the two conventions.
struct TensorNames {
  bool gguf = false;
  std::string layer(size_t i, const char* hf, const char* gguf_name) const {
    return gguf ? "blk." + std::to_string(i) + "." + gguf_name + ".weight"
                : "model.layers." + std::to_string(i) + "." + hf + ".weight";
  }
  std::string embedding() const { return gguf ? "token_embd.weight" : "model.embed_tokens.weight"; }
  std::string final_norm() const { return gguf ? "output_norm.weight" : "model.norm.weight"; }
  std::string lm_head() const { return gguf ? "output.weight" : "lm_head.weight"; }
};

}  // namespace

void unpermute_rotary_rows(Matrix& matrix, size_t heads) {
  if (heads == 0 || matrix.rows % heads != 0 || (matrix.rows / heads) % 2 != 0)
    throw_corrupt("q/k matrix rows do not split into heads of even size");
  const size_t head_dim = matrix.rows / heads, half = head_dim / 2, cols = matrix.cols;
  std::vector<float> hf_order(matrix.values.size());
  for (size_t h = 0; h < heads; ++h)
    for (size_t j = 0; j < half; ++j)
      for (size_t s = 0; s < 2; ++s) {
        const float* from = matrix.values.data() + (h * head_dim + 2 * j + s) * cols;
        float* to = hf_order.data() + (h * head_dim + s * half + j) * cols;
        std::copy(from, from + cols, to);
      }
  matrix.values = std::move(hf_order);
}

LlamaModel load_llama(const ModelSources& sources) {
  TensorCatalog catalog(sources);
  const bool gguf = catalog.format() == FileFormat::kGguf;
  const TensorNames names{gguf};

  LlamaModel model;
  if (gguf) {
    if (sources.hf_config_json)
      throw Error(ErrorKind::kUsage, "a GGUF model takes its config from its own metadata");
    const auto [vocab, hidden] = catalog.matrix_shape(catalog.require(names.embedding()));
    (void)hidden;
    model.config =
        parse_gguf_config(catalog.metadata(), size_t(std::min<uint64_t>(vocab, 1u << 30)));
    model.config.tied_embeddings = catalog.find(names.lm_head()) == nullptr;
  } else {
    if (!sources.hf_config_json)
      throw Error(ErrorKind::kUsage, "a safetensors checkpoint needs its config.json");
    model.config = parse_hf_config(*sources.hf_config_json);
  }
  const LlamaConfig& c = model.config;

  model.token_embedding = read_matrix(catalog, names.embedding(), c.vocab, c.hidden);
  model.layers.resize(c.layers);
  for (size_t i = 0; i < c.layers; ++i) {
    LlamaLayer& layer = model.layers[i];
    layer.attention_norm =
        read_vector(catalog, names.layer(i, "input_layernorm", "attn_norm"), c.hidden);
    layer.wq =
        read_matrix(catalog, names.layer(i, "self_attn.q_proj", "attn_q"), c.q_dim(), c.hidden);
    layer.wk =
        read_matrix(catalog, names.layer(i, "self_attn.k_proj", "attn_k"), c.kv_dim(), c.hidden);
    layer.wv =
        read_matrix(catalog, names.layer(i, "self_attn.v_proj", "attn_v"), c.kv_dim(), c.hidden);
    layer.wo = read_matrix(catalog, names.layer(i, "self_attn.o_proj", "attn_output"), c.hidden,
                           c.q_dim());
    layer.ffn_norm =
        read_vector(catalog, names.layer(i, "post_attention_layernorm", "ffn_norm"), c.hidden);
    layer.w_gate =
        read_matrix(catalog, names.layer(i, "mlp.gate_proj", "ffn_gate"), c.ffn, c.hidden);
    layer.w_up = read_matrix(catalog, names.layer(i, "mlp.up_proj", "ffn_up"), c.ffn, c.hidden);
    layer.w_down =
        read_matrix(catalog, names.layer(i, "mlp.down_proj", "ffn_down"), c.hidden, c.ffn);
    if (gguf) {
      unpermute_rotary_rows(layer.wq, c.heads);
      unpermute_rotary_rows(layer.wk, c.kv_heads);
    }
  }
  model.final_norm = read_vector(catalog, names.final_norm(), c.hidden);
  if (!c.tied_embeddings) model.lm_head = read_matrix(catalog, names.lm_head(), c.vocab, c.hidden);
  return model;
}

}  // namespace lcl::infer
