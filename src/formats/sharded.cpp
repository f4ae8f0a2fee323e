// Sharded safetensors checkpoints and the list of model files a path stands for.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl {
namespace {

// Index files list one line per tensor; even a model with a million tensors stays far below this.
constexpr uintmax_t kMaxIndexBytes = 256ull << 20;

namespace fs = std::filesystem;

// A shard must be a plain file name next to the index: no directories, no "..", nothing absolute,
// so a hostile index cannot make us read (or later write) outside the checkpoint's folder.
bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.find_first_of(std::string("/\\\0", 3)) == std::string::npos;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ShardedCheckpoint read_sharded_index(const fs::path& index_json) {
  const std::string file = index_json.string();
  std::error_code ec;
  uintmax_t size = fs::file_size(index_json, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot read " + file + ": " + ec.message());
  if (size > kMaxIndexBytes) throw_corrupt(file + ": index file is implausibly large");
  std::ifstream in(index_json, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, "cannot open " + file);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::kIo, "cannot read " + file);

  nlohmann::json index;
  try {
    index = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw_corrupt(file + ": not valid JSON (" + e.what() + ")");
  }
  if (!index.is_object()) throw_corrupt(file + ": not a JSON object");
  auto map_it = index.find("weight_map");
  if (map_it == index.end() || !map_it->is_object()) throw_corrupt(file + ": no weight_map object");

  ShardedCheckpoint checkpoint;
  checkpoint.index_path = index_json;
  if (auto meta = index.find("metadata"); meta != index.end()) {
    if (!meta->is_object()) throw_corrupt(file + ": metadata is not a JSON object");
    if (auto total = meta->find("total_size"); total != meta->end()) {
      if (!total->is_number_unsigned()) throw_corrupt(file + ": metadata.total_size is not a size");
      checkpoint.declared_total_size = total->get<uint64_t>();
    }
  }
  std::set<std::string> shard_names;  // sorted, unique
  for (const auto& [tensor, shard] : map_it->items()) {
    if (!shard.is_string())
      throw_corrupt(file + ": weight_map entry '" + tensor + "' is not a string");
    std::string name = shard.get<std::string>();
    if (!is_plain_file_name(name))
      throw_corrupt(file + ": shard '" + name + "' is not a plain file name in the index's folder");
    shard_names.insert(name);
    checkpoint.weight_map.emplace_back(tensor, std::move(name));
  }
  const fs::path dir = index_json.parent_path();
  for (const std::string& name : shard_names) {
    fs::path shard = dir / name;
    if (!fs::is_regular_file(shard, ec))
      throw Error(ErrorKind::kIo, file + ": shard " + shard.string() + " does not exist");
    checkpoint.shards.push_back(std::move(shard));
  }
  return checkpoint;
}

std::vector<std::string> check_weight_map(const ShardedCheckpoint& checkpoint,
                                          const std::vector<Layout>& layouts) {
  // Where each tensor really is, by the shards' headers.
  std::map<std::string, std::vector<std::string>> found;
  for (size_t i = 0; i < checkpoint.shards.size() && i < layouts.size(); ++i)
    for (const Region& r : layouts[i].regions)
      if (!r.tensor.name.empty())
        found[r.tensor.name].push_back(checkpoint.shards[i].filename().string());
  auto list = [](const std::vector<std::string>& shards) {
    std::string text;
    for (const std::string& s : shards) text += (text.empty() ? "" : ", ") + s;
    return text;
  };
  std::vector<std::string> warnings;
  std::set<std::string> mapped;
  for (const auto& [tensor, shard] : checkpoint.weight_map) {
    mapped.insert(tensor);
    auto it = found.find(tensor);
    if (it == found.end())
      warnings.push_back("weight_map lists tensor '" + tensor + "' in " + shard +
                         ", but no shard holds it");
    else if (std::find(it->second.begin(), it->second.end(), shard) == it->second.end())
      warnings.push_back("weight_map puts tensor '" + tensor + "' in " + shard + ", but it is in " +
                         list(it->second));
  }
  for (const auto& [tensor, shards] : found)
    if (!mapped.count(tensor))
      warnings.push_back("tensor '" + tensor + "' in " + list(shards) +
                         " is missing from the weight_map");
  return warnings;
}

std::vector<fs::path> model_files(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      std::string ext = entry.path().extension().string();
      if (ext == ".safetensors" || ext == ".gguf") files.push_back(entry.path());
    }
    if (ec) throw Error(ErrorKind::kIo, "cannot list " + path.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
  }
  if (!fs::exists(path, ec))
    throw Error(ErrorKind::kIo, "cannot open " + path.string() + ": no such file");
  if (ends_with(path.filename().string(), ".index.json")) return read_sharded_index(path).shards;
  return {path};
}

}  // namespace lcl
