#pragma once
// Loads a Llama model from byte sources, whatever they read from: model files on disk, or the
// original bytes of .lcl archives decoded on demand (lcl::open_original). Tensors are located with
// lcl::read_layout, so the loader depends on the format parsers and nothing else.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/llama_model.hpp"
#include "lcl/source.hpp"

namespace lcl::infer {

struct ModelSources {
  // A HF checkpoint: config.json text plus its safetensors files (one or all shards).
  // A GGUF model: one .gguf file and no config (hyper-parameters come from its metadata).
  std::optional<std::string> hf_config_json;
  std::vector<std::unique_ptr<ByteSource>> files;
};

// Throws lcl::Error: kCorruptInput for missing tensors, wrong shapes or unreadable files,
// kUnsupported for architectures or weight types the forward pass does not handle.
LlamaModel load_llama(const ModelSources& sources);

// GGUF stores the q/k rows of every head permuted (llama.cpp's converter interleaves the two
// rotary halves: GGUF row 2j+s of a head is HF row s*head_dim/2 + j). Puts a matrix of `heads`
// heads back into HF order.
void unpermute_rotary_rows(Matrix& matrix, size_t heads);

}  // namespace lcl::infer
