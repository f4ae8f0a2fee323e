#pragma once
// Which files make up a model on disk, and opening them either directly or through their .lcl
// compressed forms, so that the same loader reads both.
#include <filesystem>
#include <vector>

#include "infer/model_loader.hpp"

namespace lcl::infer {

struct ModelLocation {
  std::filesystem::path config_json;         // HF checkpoints; empty for GGUF
  std::vector<std::filesystem::path> files;  // the safetensors shards or the one .gguf
};

// MODEL may be a checkpoint directory (config.json + *.safetensors, or one .gguf), a .gguf file,
// a .safetensors file or a model.safetensors.index.json (config.json beside them).
ModelLocation locate_model(const std::filesystem::path& model);

ModelSources open_model_files(const ModelLocation& location);

// Opens archives[i] as the compressed form of location.files[i] (decoded through the library on
// demand). Throws kUsage when an archive does not record that original (name and size).
ModelSources open_model_archives(const ModelLocation& location,
                                 const std::vector<std::filesystem::path>& archives);

}  // namespace lcl::infer
