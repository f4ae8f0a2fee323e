#pragma once
// `lcl atlas`: the entropy ceilings of every tensor of some model files (see entropy_bounds.hpp
// for what each measure means), as rows for a table and for JSON lines.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/entropy_bounds.hpp"

namespace lcl::analysis {

struct AtlasRow {
  std::string model;  // the directory that holds the file
  std::string file;   // file name
  std::string tensor;
  std::string role;
  int layer = -1;
  std::string dtype;
  std::vector<uint64_t> shape;
  uint64_t bytes = 0;
  Measures measures;  // empty for types without an analysis
};

// Rows for every tensor of every model file under `paths` (files, directories, index.json files).
// `on_file` (optional) is told each file before it is read.
std::vector<AtlasRow> build_atlas(
    const std::vector<std::filesystem::path>& paths,
    const std::function<void(const std::filesystem::path&)>& on_file = {});

nlohmann::json to_json(const AtlasRow& row);
AtlasRow atlas_row_from_json(const nlohmann::json& j);  // throws kCorruptInput
// Reads an atlas written with --jsonl (plain JSON lines).
std::vector<AtlasRow> read_atlas_jsonl(const std::filesystem::path& path);

// A fixed-width text table of the rows (one line per tensor) followed by per-type totals.
std::string format_atlas_table(const std::vector<AtlasRow>& rows);

}  // namespace lcl::analysis
