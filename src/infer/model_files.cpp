#include "infer/model_files.hpp"

#include <fstream>
#include <iterator>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl::infer {

namespace fs = std::filesystem;

namespace {

// config.json is small; anything large is not one.
constexpr uintmax_t kMaxConfigBytes = 1u << 20;

std::string read_config(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxConfigBytes) throw_corrupt(path.string() + " is too large for a config.json");
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw Error(ErrorKind::kIo, "cannot read " + path.string());
  return text;
}

bool has_extension(const fs::path& path, const char* extension) {
  return path.extension() == extension;
}

}  // namespace

ModelLocation locate_model(const fs::path& model) {
  std::error_code ec;
  if (!fs::exists(model, ec)) throw Error(ErrorKind::kUsage, model.string() + " does not exist");
  ModelLocation location;
  std::vector<fs::path> ggufs, safetensors;
  for (const fs::path& file : model_files(model)) {
    if (has_extension(file, ".gguf")) ggufs.push_back(file);
    if (has_extension(file, ".safetensors")) safetensors.push_back(file);
  }
  if (!safetensors.empty()) {
    // A directory with a safetensors checkpoint is taken as that checkpoint, GGUFs beside it aside.
    location.files = safetensors;
    const fs::path dir = fs::is_directory(model, ec) ? model : model.parent_path();
    location.config_json = dir / "config.json";
    if (!fs::exists(location.config_json, ec))
      throw Error(ErrorKind::kUsage, "no config.json beside the safetensors files in " +
                                         (dir.empty() ? fs::path(".") : dir).string());
  } else if (ggufs.size() == 1) {
    location.files = ggufs;
  } else if (ggufs.size() > 1) {
    throw Error(ErrorKind::kUsage, model.string() + " holds several GGUF files; name one of them");
  } else {
    throw Error(ErrorKind::kUsage, model.string() + " holds no safetensors or GGUF model files");
  }
  return location;
}

ModelSources open_model_files(const ModelLocation& location) {
  ModelSources sources;
  if (!location.config_json.empty()) sources.hf_config_json = read_config(location.config_json);
  for (const fs::path& file : location.files)
    sources.files.push_back(std::make_unique<FileSource>(file));
  return sources;
}

ModelSources open_model_archives(const ModelLocation& location,
                                 const std::vector<fs::path>& archives) {
  if (archives.size() != location.files.size())
    throw Error(ErrorKind::kUsage, std::to_string(location.files.size()) + " model files but " +
                                       std::to_string(archives.size()) + " archives");
  ModelSources sources;
  if (!location.config_json.empty()) sources.hf_config_json = read_config(location.config_json);
  for (size_t i = 0; i < archives.size(); ++i) {
    std::shared_ptr<const Archive> archive = Archive::open(archives[i]);
    const ArchiveIndex& index = archive->index();
    const std::string expected_name = location.files[i].filename().string();
    std::error_code ec;
    const uintmax_t expected_size = fs::file_size(location.files[i], ec);
    if (ec)
      throw Error(ErrorKind::kIo,
                  "cannot read " + location.files[i].string() + ": " + ec.message());
    if (index.source_name != expected_name || index.original_size != expected_size)
      throw Error(ErrorKind::kUsage, archives[i].string() + " holds " + index.source_name + " (" +
                                         std::to_string(index.original_size) + " bytes), not " +
                                         expected_name + " (" + std::to_string(expected_size) +
                                         " bytes)");
    sources.files.push_back(open_original(std::move(archive)));
  }
  return sources;
}

}  // namespace lcl::infer
