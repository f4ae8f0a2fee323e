#pragma once
// `lcl bench`: every method on every tensor (and whole file) of a corpus, every row decoded and
// compared with the original. A corpus directory holds one subdirectory per model; a model file
// directly inside the corpus directory counts as a model of its own.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/method.hpp"
#include "bench/result_row.hpp"

namespace lcl::bench {

struct CorpusFile {
  std::string model;  // the model's identity (model_identity.hpp): the bootstrap unit
  std::filesystem::path path;
  std::string
      label;  // the row's "file": the file name, or FOLDER/NAME when the model spans folders
};

// The model files of the corpus directories, grouped by model (sorted by model, then file).
// `model_of`: an explicit folder-or-file -> model mapping that overrides the declared names.
std::vector<CorpusFile> scan_corpus(const std::vector<std::filesystem::path>& corpus_dirs,
                                    const std::map<std::string, std::string>& model_of = {});

struct BenchOptions {
  std::vector<std::filesystem::path> corpus_dirs;
  std::vector<std::string> methods;  // names; empty: every method of all_methods()
  std::filesystem::path out;         // results.jsonl.zst
  unsigned threads = 1;
  unsigned shard_index = 0;  // this process runs the work units whose key hashes to shard_index
  unsigned shard_count = 1;
  bool resume = false;  // keep the rows already in `out` and skip their work
  std::string tool_version;
  // Trained methods learn from at most this many bytes of each tensor of the other models.
  uint64_t train_bytes_per_tensor = 256u << 10;
  std::map<std::string, std::string> model_of;  // explicit model identities (--model-of)
  // Profiles of trained methods (--profiles DIR): used for every model the profile was not
  // trained on; a model it was trained on is measured with a profile trained on the other
  // models instead (or skipped when there are none), so no row is coded with its own statistics.
  std::filesystem::path profiles_dir;
  std::function<void(const std::string&)> log;  // progress lines (may be empty)
  // Where methods come from (default: all_methods()). Called once per trained instance too, so
  // it must return fresh, untrained objects each time.
  std::function<std::vector<std::unique_ptr<Method>>()> method_factory;
};

struct BenchReport {
  size_t rows_written = 0;  // new rows of this run
  size_t rows_kept = 0;     // rows carried over by --resume
  size_t roundtrip_failures = 0;
  size_t skipped = 0;  // rows of a trained method with neither training data nor a profile
  size_t units_in_shard = 0;
  double seconds = 0;
};

BenchReport run_bench(const BenchOptions& options);

// `lcl bench --train-profiles DIR`: trains each selected trained method on every model of the
// corpus and writes DIR/<method>.profile.json; returns the files written.
std::vector<std::filesystem::path> train_profiles(const BenchOptions& options,
                                                  const std::filesystem::path& dir);

// Which shard a work unit (model, file, tensor; tensor empty for a whole-file unit) belongs to.
// A hash of the names, so the partition does not depend on directory listing order or on which
// other files exist: N machines given the same corpus split it the same way.
unsigned shard_of(const std::string& model, const std::string& file, const std::string& tensor,
                  unsigned shard_count);

// Measures one method on one input: compresses, decompresses, compares. Never throws for a
// method's failure: an exception becomes a row with roundtrip_ok = false and the message.
// `payload` (optional) receives the compressed bytes.
ResultRow measure(const Method& method, std::span<const uint8_t> input, const TensorInfo& tensor,
                  std::vector<uint8_t>* payload = nullptr);

// Reads rows from results files (several concatenated frames and a truncated tail are fine).
std::vector<ResultRow> read_results(const std::filesystem::path& path);

}  // namespace lcl::bench
