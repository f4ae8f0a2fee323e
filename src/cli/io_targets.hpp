#pragma once
// Where the compress and decompress commands read and write: "-" is standard input or output, as
// in zstd; directories are walked with -r.
#include <filesystem>
#include <string>
#include <vector>

#include "cli/shard.hpp"

namespace lcl::cli {

inline bool is_stdio(const std::string& name) {
  return name == "-";
}

// Refuses (kUsage) to write binary data to a terminal, as zstd does.
void check_stdout_not_terminal();

// A file to work on and, for files found under a directory given with -r, its path relative to
// that directory (kept under an output directory).
struct InputFile {
  std::string path;
  std::filesystem::path relative;  // empty for inputs named on the command line
};

// The inputs named, with directories expanded (when `recursive`) to the files under them that
// `wanted` accepts, in sorted order, and then only those of `shard` (keyed by the relative path,
// or the name given). A directory without `recursive` is a usage error.
std::vector<InputFile> expand_inputs(const std::vector<std::string>& names, bool recursive,
                                     const Shard& shard,
                                     bool (*wanted)(const std::filesystem::path&));

// True when `output` names a directory: it exists as one or ends with '/'.
bool names_directory(const std::string& output);

}  // namespace lcl::cli
