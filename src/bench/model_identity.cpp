#include "bench/model_identity.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

std::vector<std::string> declared_names(const ModelFolder& folder) {
  std::set<std::string> names;
  for (const auto& file : folder.files) {
    if (file.extension() != ".gguf") continue;
    Layout layout = read_layout(file);
    for (const auto& [key, value] : layout.metadata)
      if (key == "general.name" && !value.empty()) names.insert(value);
  }
  if (!folder.files.empty()) {
    fs::path config = folder.files.front().parent_path() / "config.json";
    std::ifstream in(config);
    if (in) {
      auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (j.is_object())
        for (const char* key : {"_name_or_path", "name"}) {
          auto it = j.find(key);
          if (it != j.end() && it->is_string() && !it->get<std::string>().empty())
            names.insert(fs::path(it->get<std::string>()).filename().string());
        }
    }
  }
  return {names.begin(), names.end()};
}

std::map<std::string, std::string> read_model_map(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kUsage, "cannot open the model map " + path.string());
  std::map<std::string, std::string> map;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key, model, extra;
    if (!(words >> key)) continue;
    if (!(words >> model) || (words >> extra))
      throw Error(ErrorKind::kUsage,
                  path.string() + ":" + std::to_string(number) + ": want \"FOLDER-OR-FILE MODEL\"");
    map[key] = model;
  }
  return map;
}

std::map<std::string, std::string> resolve_models(
    const std::vector<ModelFolder>& folders,
    const std::map<std::string, std::vector<std::string>>& declared,
    const std::map<std::string, std::string>& explicit_map) {
  // Union-find over folders: two folders join when they share a name (declared or their own).
  std::vector<size_t> parent(folders.size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  std::function<size_t(size_t)> root = [&](size_t i) {
    return parent[i] == i ? i : parent[i] = root(parent[i]);
  };
  std::map<std::string, size_t> owner;  // a name -> the first folder that carries it
  auto names_of = [&](size_t i) {
    std::vector<std::string> names = {folders[i].folder};
    if (auto it = declared.find(folders[i].folder); it != declared.end())
      names.insert(names.end(), it->second.begin(), it->second.end());
    return names;
  };
  for (size_t i = 0; i < folders.size(); ++i) {
    if (explicit_map.count(folders[i].folder)) continue;  // mapped folders stay as mapped
    for (const auto& name : names_of(i)) {
      auto [it, inserted] = owner.emplace(name, i);
      if (!inserted && !explicit_map.count(folders[it->second].folder))
        parent[root(i)] = root(it->second);
    }
  }
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < folders.size(); ++i) groups[root(i)].push_back(i);
  std::map<std::string, std::string> result;
  for (const auto& [r, members] : groups) {
    std::set<std::string> member_folders, all_declared;
    for (size_t i : members) {
      member_folders.insert(folders[i].folder);
      if (auto it = declared.find(folders[i].folder); it != declared.end())
        all_declared.insert(it->second.begin(), it->second.end());
    }
    // The weights' own name wins over how a folder happens to be called: a folder named after a
    // declared name, else the first declared name, else the first folder.
    std::string name = all_declared.empty() ? *member_folders.begin() : *all_declared.begin();
    for (const auto& folder : member_folders)
      if (all_declared.count(folder)) {
        name = folder;
        break;
      }
    for (size_t i : members) result[folders[i].folder] = name;
  }
  for (const auto& folder : folders) {
    if (auto it = explicit_map.find(folder.folder); it != explicit_map.end())
      result[folder.folder] = it->second;
    for (const auto& file : folder.files)  // a file-level entry names the file's folder's model
      if (auto it = explicit_map.find(file.filename().string()); it != explicit_map.end())
        result[folder.folder] = it->second;
  }
  return result;
}

}  // namespace lcl::bench
