#pragma once
// Which files hold the same model. The bootstrap resamples models, so two copies of the same
// weights (a safetensors checkpoint and its GGUF conversions) must be one unit, not two: the
// identity comes from the weights' own declarations, not from how folders happen to be named.
//   - every file of one folder belongs to one model;
//   - folders whose files declare the same model name are merged: GGUF `general.name`, a
//     config.json "_name_or_path" / "name" (its last path component), and the folder's own name
//     all count as names of the folder's model;
//   - an explicit mapping (`--model-of FILE`: lines "FOLDER-OR-FILE MODEL", '#' comments) wins
//     over all of that.
// The merged model is named after the folder whose name one of its files declares, else after the
// (alphabetically first) declared name, else after the alphabetically first folder: renamed
// folders or files of a model that declares its name keep that name.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lcl::bench {

struct ModelFolder {
  std::string folder;  // as the corpus lists it (a folder name, or a file's stem)
  std::vector<std::filesystem::path> files;
};

// The names a folder's files declare (GGUF general.name, config.json), without duplicates.
std::vector<std::string> declared_names(const ModelFolder& folder);

// Reads a mapping file: "FOLDER-OR-FILE MODEL" per line (whitespace-separated; blank lines and
// '#' comments ignored). Throws lcl::Error(kUsage) naming a malformed line.
std::map<std::string, std::string> read_model_map(const std::filesystem::path& path);

// folder -> model. `declared` gives each folder's declared names (declared_names() in use; tests
// pass their own). `explicit_map` keys are folder names or file names.
std::map<std::string, std::string> resolve_models(
    const std::vector<ModelFolder>& folders,
    const std::map<std::string, std::vector<std::string>>& declared,
    const std::map<std::string, std::string>& explicit_map);

}  // namespace lcl::bench
