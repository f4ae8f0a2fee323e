#pragma once
// Where tests find the shared corpus, committed fixtures and the lcl binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace lcl::test {

// LCL_CORPUS_DIR in the environment overrides the default (a checkout elsewhere than beside it).
inline std::filesystem::path corpus_dir() {
  const char* env = std::getenv("LCL_CORPUS_DIR");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path(LCL_CORPUS_DIR);
}
inline std::filesystem::path source_dir() {
  return LCL_SOURCE_DIR;
}
inline std::filesystem::path cli_path() {
  return LCL_CLI_PATH;
}

// Skips the current test (reported as skipped, with the reason) when the corpus is absent.
#define LCL_REQUIRE_CORPUS()                                                               \
  do {                                                                                     \
    if (!std::filesystem::exists(::lcl::test::corpus_dir()))                               \
      GTEST_SKIP() << "shared corpus not found at " << ::lcl::test::corpus_dir().string(); \
  } while (0)

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / "lcl-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace lcl::test
