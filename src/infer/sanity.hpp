#pragma once
// `lcl sanity`: generate greedily from a model loaded from its original files and again from its
// .lcl forms (decoded through the library), and compare the token sequences.
//
// Which .lcl files: for each model file F, `archive_dir`/F.lcl when archive_dir is given (they
// must all be there), else F.lcl beside F when every one exists, else each F is compressed with
// the default options into a temporary directory that is removed afterwards.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "infer/llama_forward.hpp"

namespace lcl::infer {

struct SanityOptions {
  size_t tokens = 64;
  std::optional<std::filesystem::path> archive_dir;
  unsigned threads = 0;                         // for compressing (0: one per core)
  std::function<void(const std::string&)> log;  // progress lines; may be empty
};

struct PromptComparison {
  std::string prompt;
  std::vector<Token> from_original;
  std::vector<Token> from_archive;
  bool identical() const { return from_original == from_archive; }
};

struct SanityReport {
  std::vector<std::filesystem::path> model_files;
  std::vector<std::filesystem::path> archives;  // the .lcl files used (temporary ones: deleted)
  bool compressed_here = false;                 // archives were made by this run
  std::vector<PromptComparison> prompts;
  double generate_seconds_original = 0;  // all prompts, excluding loading
  double generate_seconds_archive = 0;
  bool all_identical() const;
};

// A JSON array of strings (kCorruptInput otherwise, kIo when unreadable).
std::vector<std::string> read_prompts_file(const std::filesystem::path& path);

SanityReport run_sanity(const std::filesystem::path& model, const std::vector<std::string>& prompts,
                        const SanityOptions& options);

// Tokens of a byte-level vocabulary back to text.
std::string bytes_text(const std::vector<Token>& tokens);

}  // namespace lcl::infer
