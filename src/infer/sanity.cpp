#include "infer/sanity.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "infer/model_files.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl::infer {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxPromptsFileBytes = 16u << 20;

// A directory under the system temp dir, removed with everything in it when this goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "lcl-sanity-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw Error(ErrorKind::kIo,
                  "cannot create a temporary directory in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void say(const SanityOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

fs::path archive_name(const fs::path& file) {
  return file.filename().string() + ".lcl";
}

struct Generations {
  std::vector<std::vector<Token>> outputs;
  double seconds = 0;
};

Generations generate_all(const ModelSources& sources, const std::vector<std::string>& prompts,
                         size_t tokens) {
  const LlamaModel model = load_llama(sources);
  Generations result;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& prompt : prompts)
    result.outputs.push_back(generate_greedy(model, byte_tokens(model, prompt), tokens));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

bool SanityReport::all_identical() const {
  for (const PromptComparison& p : prompts)
    if (!p.identical()) return false;
  return true;
}

std::vector<std::string> read_prompts_file(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxPromptsFileBytes)
    throw_corrupt(path.string() + " is too large for a prompts file");
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array() || json.empty())
    throw_corrupt(path.string() + " is not a non-empty JSON array of prompt strings");
  std::vector<std::string> prompts;
  for (const nlohmann::json& item : json) {
    if (!item.is_string() || item.get<std::string>().empty())
      throw_corrupt(path.string() + ": every prompt must be a non-empty string");
    prompts.push_back(item.get<std::string>());
  }
  return prompts;
}

std::string bytes_text(const std::vector<Token>& tokens) {
  std::string text;
  text.reserve(tokens.size());
  for (Token t : tokens) text.push_back(char(uint8_t(t)));
  return text;
}

SanityReport run_sanity(const fs::path& model, const std::vector<std::string>& prompts,
                        const SanityOptions& options) {
  if (options.tokens == 0) throw Error(ErrorKind::kUsage, "--tokens must be at least 1");
  const ModelLocation location = locate_model(model);
  SanityReport report;
  report.model_files = location.files;

  // Find or make the .lcl form of every model file.
  std::optional<ScratchDir> scratch;
  std::error_code ec;  // a path that cannot be checked counts as absent
  bool all_beside = true;
  for (const fs::path& file : location.files)
    all_beside = all_beside && fs::exists(file.parent_path() / archive_name(file), ec);
  for (const fs::path& file : location.files) {
    if (options.archive_dir) {
      fs::path archive = *options.archive_dir / archive_name(file);
      if (!fs::exists(archive, ec))
        throw Error(ErrorKind::kUsage, archive.string() + " does not exist");
      report.archives.push_back(archive);
    } else if (all_beside) {
      report.archives.push_back(file.parent_path() / archive_name(file));
    } else {
      if (!scratch) scratch.emplace();
      fs::path archive = scratch->path() / archive_name(file);
      say(options, "compressing " + file.string() + " into a temporary .lcl");
      CompressOptions compress;
      compress.threads = options.threads;
      compress_file(file, archive, compress);
      report.archives.push_back(archive);
      report.compressed_here = true;
    }
  }

  // One model in memory at a time: originals first, then the archives.
  say(options, "generating from the original files");
  Generations original = generate_all(open_model_files(location), prompts, options.tokens);
  say(options, "generating from the .lcl files");
  Generations archived =
      generate_all(open_model_archives(location, report.archives), prompts, options.tokens);

  report.generate_seconds_original = original.seconds;
  report.generate_seconds_archive = archived.seconds;
  for (size_t i = 0; i < prompts.size(); ++i)
    report.prompts.push_back(
        {prompts[i], std::move(original.outputs[i]), std::move(archived.outputs[i])});
  return report;
}

}  // namespace lcl::infer
