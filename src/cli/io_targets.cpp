#include "cli/io_targets.hpp"

#include <unistd.h>

#include <algorithm>

#include "lcl/error.hpp"

namespace lcl::cli {

void check_stdout_not_terminal() {
  if (::isatty(STDOUT_FILENO))
    throw Error(ErrorKind::kUsage,
                "standard output is a terminal; redirect it, or name an output with -o");
}

std::vector<InputFile> expand_inputs(const std::vector<std::string>& names, bool recursive,
                                     const Shard& shard,
                                     bool (*wanted)(const std::filesystem::path&)) {
  std::vector<InputFile> files;
  for (const std::string& name : names) {
    std::error_code ec;
    if (is_stdio(name) || !std::filesystem::is_directory(name, ec)) {
      if (shard_of_key(name, shard.count) == shard.index) files.push_back({name, {}});
      continue;
    }
    if (!recursive) throw Error(ErrorKind::kUsage, name + " is a directory (use -r)");
    std::vector<std::filesystem::path> found;
    for (auto it = std::filesystem::recursive_directory_iterator(name, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && wanted(it->path())) found.push_back(it->path());
    if (ec) throw Error(ErrorKind::kIo, "cannot list " + name + ": " + ec.message());
    std::sort(found.begin(), found.end());
    for (const auto& path : found) {
      std::filesystem::path relative = path.lexically_relative(name);
      if (shard_of_key(relative.generic_string(), shard.count) == shard.index)
        files.push_back({path.string(), relative});
    }
  }
  return files;
}

bool names_directory(const std::string& output) {
  std::error_code ec;
  return !output.empty() && (output.back() == '/' || std::filesystem::is_directory(output, ec));
}

}  // namespace lcl::cli
