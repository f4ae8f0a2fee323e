#include "bench/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "analysis/tensor_names.hpp"
#include "bench/jsonl_zstd.hpp"
#include "bench/model_identity.hpp"
#include "bench/profiles.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "util/hash.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool is_model_file(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".safetensors" || ext == ".gguf";
}

}  // namespace

std::vector<CorpusFile> scan_corpus(const std::vector<fs::path>& corpus_dirs,
                                    const std::map<std::string, std::string>& model_of) {
  std::vector<CorpusFile> files;
  for (const auto& dir : corpus_dirs) {
    if (!fs::is_directory(dir))
      throw Error(ErrorKind::kUsage, "corpus directory not found: " + dir.string());
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& entry : entries) {
      if (fs::is_directory(entry)) {
        for (const auto& file : model_files(entry))
          files.push_back({entry.filename().string(), file, ""});
      } else if (is_model_file(entry)) {
        files.push_back({entry.stem().string(), entry, ""});
      }
    }
  }
  // Folder -> model identity (one bootstrap unit per model, whatever the folders are called).
  std::vector<ModelFolder> folders;
  for (const auto& f : files) {
    if (folders.empty() || folders.back().folder != f.model) folders.push_back({f.model, {}});
    folders.back().files.push_back(f.path);
  }
  std::map<std::string, std::vector<std::string>> declared;
  for (const auto& folder : folders) declared[folder.folder] = declared_names(folder);
  auto models = resolve_models(folders, declared, model_of);
  for (auto& f : files) {
    const std::string folder = f.model;
    f.model = models.at(folder);
    f.label =
        folder == f.model ? f.path.filename().string() : folder + "/" + f.path.filename().string();
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const CorpusFile& a, const CorpusFile& b) { return a.model < b.model; });
  return files;
}

unsigned shard_of(const std::string& model, const std::string& file, const std::string& tensor,
                  unsigned shard_count) {
  if (shard_count <= 1) return 0;
  std::string key = model + '\n' + file + '\n' + tensor;
  return static_cast<unsigned>(xxh64({reinterpret_cast<const uint8_t*>(key.data()), key.size()}) %
                               shard_count);
}

ResultRow measure(const Method& method, std::span<const uint8_t> input, const TensorInfo& tensor,
                  std::vector<uint8_t>* payload_out) {
  ResultRow row;
  row.method = method.name();
  row.original_bytes = input.size();
  row.skipped = method.skip_reason();
  if (!row.skipped.empty()) return row;
  row.profile_bytes = method.profile_bytes();
  try {
    auto start = Clock::now();
    std::vector<uint8_t> payload = method.compress(input, tensor);
    row.encode_seconds = seconds_since(start);
    row.compressed_bytes = payload.size();
    std::vector<uint8_t> decoded(input.size());
    start = Clock::now();
    method.decompress(payload, tensor, decoded);
    row.decode_seconds = seconds_since(start);
    row.roundtrip_ok = std::equal(decoded.begin(), decoded.end(), input.begin(), input.end());
    if (!row.roundtrip_ok) {
      auto diff = std::mismatch(decoded.begin(), decoded.end(), input.begin());
      row.error = "decoded bytes differ from the original at byte " +
                  std::to_string(diff.first - decoded.begin());
    }
    if (payload_out) *payload_out = std::move(payload);
  } catch (const std::exception& e) {
    row.roundtrip_ok = false;
    row.error = e.what();
  }
  return row;
}

std::vector<ResultRow> read_results(const fs::path& path) {
  auto contents = read_jsonl_zstd(path);
  std::vector<ResultRow> rows;
  rows.reserve(contents.lines.size());
  for (size_t i = 0; i < contents.lines.size(); ++i) {
    nlohmann::json j =
        nlohmann::json::parse(contents.lines[i], nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      throw_corrupt(path.string() + ": line " + std::to_string(i + 1) + " is not JSON");
    rows.push_back(row_from_json(j));
  }
  return rows;
}

namespace {

// One tensor of a file (region >= 0) or the whole file (region == -1), and the methods to run.
struct WorkUnit {
  size_t file = 0;
  int region = -1;
  std::vector<const Method*> methods;
};

struct FileState {
  Layout layout;
  std::unique_ptr<FileSource> source;
};

using MethodFactory = std::function<std::vector<std::unique_ptr<Method>>()>;

std::vector<std::unique_ptr<Method>> select_methods(const MethodFactory& factory,
                                                    const std::vector<std::string>& names) {
  auto available = factory();
  if (names.empty()) return available;
  std::vector<std::unique_ptr<Method>> chosen;
  for (const auto& name : names) {
    auto it = std::find_if(available.begin(), available.end(),
                           [&](const auto& m) { return m && m->name() == name; });
    if (it == available.end()) {
      std::string list;
      for (const auto& m : factory()) list += (list.empty() ? "" : ", ") + m->name();
      throw Error(ErrorKind::kUsage, "unknown method \"" + name + "\" (available: " + list + ")");
    }
    chosen.push_back(std::move(*it));
  }
  return chosen;
}

// Stands in for a trained method whose training failed: every row it measures fails with the
// reason, so the failure is visible in the results instead of aborting the run.
class UntrainableMethod final : public Method {
 public:
  UntrainableMethod(std::string name, std::string why)
      : name_(std::move(name)), why_(std::move(why)) {}
  std::string name() const override { return name_; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo&) const override { return true; }
  bool is_trained() const override { return true; }
  std::vector<uint8_t> compress(std::span<const uint8_t>, const TensorInfo&) const override {
    throw Error(ErrorKind::kUnsupported, "training failed: " + why_);
  }
  void decompress(std::span<const uint8_t>, const TensorInfo&, std::span<uint8_t>) const override {
    throw Error(ErrorKind::kUnsupported, "training failed: " + why_);
  }

 private:
  std::string name_, why_;
};

// Stands in for a trained method that has nothing to learn from for this model (no other model
// has its kind of tensors) and no usable profile: its rows are "skipped", not failed.
class SkippedMethod final : public Method {
 public:
  SkippedMethod(std::string name, std::string why) : name_(std::move(name)), why_(std::move(why)) {}
  std::string name() const override { return name_; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo&) const override { return true; }
  bool is_trained() const override { return true; }
  std::string skip_reason() const override { return why_; }
  std::vector<uint8_t> compress(std::span<const uint8_t>, const TensorInfo&) const override {
    throw Error(ErrorKind::kUsage, name_ + " skipped: " + why_);
  }
  void decompress(std::span<const uint8_t>, const TensorInfo&, std::span<uint8_t>) const override {
    throw Error(ErrorKind::kUsage, name_ + " skipped: " + why_);
  }

 private:
  std::string name_, why_;
};

// The first bytes of a tensor, whole blocks only, for training.
std::vector<uint8_t> training_sample(const FileSource& source, const Region& region,
                                     uint64_t limit) {
  uint64_t size = std::min(region.size, limit);
  if (const TypeInfo* info = find_type(region.tensor.type); info && info->block_bytes > 0)
    size = size / info->block_bytes * info->block_bytes;
  std::vector<uint8_t> bytes(size);
  source.read(region.offset, bytes);
  return bytes;
}

}  // namespace

BenchReport run_bench(const BenchOptions& options) {
  auto start = Clock::now();
  if (options.shard_count == 0 || options.shard_index >= options.shard_count)
    throw Error(ErrorKind::kUsage, "--shard I/N needs 0 <= I < N");
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  BenchReport report;

  MethodFactory factory =
      options.method_factory ? options.method_factory : MethodFactory(all_methods);
  auto methods = select_methods(factory, options.methods);
  auto corpus = scan_corpus(options.corpus_dirs, options.model_of);
  if (corpus.empty()) throw Error(ErrorKind::kUsage, "no model files in the corpus directories");

  std::vector<ResultRow> kept;
  std::set<std::string> done;
  if (options.resume && fs::exists(options.out)) {
    kept = read_results(options.out);
    for (const auto& row : kept) done.insert(row.key());
  }
  JsonlZstdWriter writer(options.out);
  for (const auto& row : kept) writer.write_line(to_json(row).dump());
  writer.flush();
  report.rows_kept = kept.size();

  std::vector<FileState> files(corpus.size());
  for (size_t f = 0; f < corpus.size(); ++f) {
    files[f].source = std::make_unique<FileSource>(corpus[f].path);
    files[f].layout = read_layout(*files[f].source);
    for (const auto& warning : files[f].layout.warnings)
      log(corpus[f].path.string() + ": " + warning);
  }
  // The samples a trained method learns from for `model`: every other model's tensors it applies
  // to (the model-level split; an empty `model` takes every model).
  auto training_data = [&](const Method& method, const std::string& model) {
    std::pair<std::vector<std::vector<uint8_t>>, std::vector<TensorInfo>> data;
    for (size_t f = 0; f < corpus.size(); ++f) {
      if (!model.empty() && corpus[f].model == model) continue;
      for (const auto& region : files[f].layout.regions) {
        if (region.kind != RegionKind::kTensor || !method.applies_to(region.tensor)) continue;
        data.first.push_back(
            training_sample(*files[f].source, region, options.train_bytes_per_tensor));
        data.second.push_back(region.tensor);
      }
    }
    return data;
  };

  // Whether one of `model`'s tensors was a training sample of `profile` (a renamed copy of a
  // training model is in-sample too).
  auto holds_training_sample = [&](const Method& method, const std::string& model,
                                   const StoredProfile& profile) {
    for (size_t f = 0; f < corpus.size(); ++f) {
      if (corpus[f].model != model) continue;
      for (const auto& region : files[f].layout.regions) {
        if (region.kind != RegionKind::kTensor || !method.applies_to(region.tensor)) continue;
        auto sample = training_sample(*files[f].source, region, options.train_bytes_per_tensor);
        if (std::binary_search(profile.trained_on_tensors.begin(), profile.trained_on_tensors.end(),
                               xxh64(sample)))
          return true;
      }
    }
    return false;
  };

  // Trained methods: one instance per (method, measured model): a profile from --profiles that
  // was not trained on this model, else trained here on every other model, else skipped.
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Method>> trained;
  auto trained_instance = [&](const Method& method, const std::string& model) -> const Method& {
    auto key = std::make_pair(method.name(), model);
    auto it = trained.find(key);
    if (it != trained.end()) return *it->second;
    auto fresh = select_methods(factory, {method.name()});
    bool profile_in_sample = false;
    if (!options.profiles_dir.empty()) {
      const fs::path path = profile_path(options.profiles_dir, method.name());
      if (fs::exists(path)) {
        StoredProfile profile = read_profile(path);
        profile_in_sample = std::find(profile.trained_on.begin(), profile.trained_on.end(),
                                      model) != profile.trained_on.end() ||
                            holds_training_sample(*fresh[0], model, profile);
        if (!profile_in_sample) {
          fresh[0]->load_profile(profile.bytes);
          log("profile " + path.string() + " (" + std::to_string(profile.bytes.size()) +
              " bytes) used for " + method.name() + " on " + model);
          return *(trained[key] = std::move(fresh[0]));
        }
      }
    }
    auto samples_and_infos = training_data(*fresh[0], model);
    auto& [samples, infos] = samples_and_infos;
    if (samples.empty()) {
      std::string why = profile_in_sample
                            ? "no profile (the profile was trained on this model; no other model "
                              "has training data)"
                            : "no profile (no other model has training data; see --profiles)";
      log(method.name() + " on " + model + ": skipped, " + why);
      return *(trained[key] = std::make_unique<SkippedMethod>(method.name(), why));
    }
    try {
      fresh[0]->train(samples, infos);
    } catch (const std::exception& e) {
      // Training that fails on data it was given is a finding about this model's rows, not a
      // reason to stop the run: they are reported as failed rows.
      log("training " + method.name() + " for " + model + " failed: " + e.what());
      return *(trained[key] = std::make_unique<UntrainableMethod>(method.name(), e.what()));
    }
    log("trained " + method.name() + " for " + model + " on " + std::to_string(samples.size()) +
        " tensors of other models");
    return *(trained[key] = std::move(fresh[0]));
  };

  for (size_t f = 0; f < corpus.size(); ++f) {
    const auto& model = corpus[f].model;
    const std::string file_name = corpus[f].label;
    const auto& regions = files[f].layout.regions;
    std::vector<WorkUnit> units;
    auto add_unit = [&](int region, const TensorInfo& info, MethodScope scope) {
      const std::string tensor_name = region < 0 ? "" : info.name;
      if (shard_of(model, file_name, tensor_name, options.shard_count) != options.shard_index)
        return;
      WorkUnit unit{f, region, {}};
      for (const auto& method : methods) {
        if (method->scope() != scope || !method->applies_to(info)) continue;
        ResultRow probe;
        probe.model = model;
        probe.file = file_name;
        probe.tensor = tensor_name;
        probe.method = method->name();
        if (done.count(probe.key())) continue;
        unit.methods.push_back(method->is_trained() ? &trained_instance(*method, model)
                                                    : method.get());
        // Whole-file methods each take a unit of their own: one unit holding all of them (zstd
        // -19, xz -9 and the decomposers over a 50 MB file) would run on one thread while the
        // others finish the tensors and wait.
        if (region < 0) {
          units.push_back({f, region, {unit.methods.back()}});
          unit.methods.clear();
        }
      }
      ++report.units_in_shard;
      if (!unit.methods.empty()) units.push_back(std::move(unit));
    };
    // The whole-file units first: they are the longest, and starting them last would leave the
    // other threads idle while they finish.
    TensorInfo whole_file{
        corpus[f].path.filename().string(), type::kOpaque, {files[f].layout.file_size}};
    add_unit(-1, whole_file, MethodScope::kFile);
    for (size_t r = 0; r < regions.size(); ++r)
      if (regions[r].kind == RegionKind::kTensor)
        add_unit(static_cast<int>(r), regions[r].tensor, MethodScope::kTensor);
    if (units.empty()) continue;

    auto file_start = Clock::now();
    std::vector<std::vector<ResultRow>> results(units.size());
    auto process_unit = [&](size_t u) {
      const WorkUnit& unit = units[u];
      ResultRow base;
      base.model = model;
      base.file = file_name;
      base.tool_version = options.tool_version;
      std::vector<uint8_t> bytes;
      TensorInfo info = whole_file;
      if (unit.region >= 0) {
        const Region& region = regions[static_cast<size_t>(unit.region)];
        info = region.tensor;
        auto role = analysis::parse_tensor_role(info.name);
        base.tensor = info.name;
        base.role = role.role;
        base.layer = role.layer;
        base.dtype = type_name(info.type);
        bytes.resize(region.size);
        files[f].source->read(region.offset, bytes);
      } else {
        base.role = "file";
        base.dtype = "file";
        bytes.resize(files[f].layout.file_size);
        files[f].source->read(0, bytes);
      }
      for (const Method* method : unit.methods) {
        std::vector<uint8_t> payload;
        ResultRow row = measure(*method, bytes, info, unit.region < 0 ? &payload : nullptr);
        if (unit.region < 0 && row.roundtrip_ok) {
          // A whole-file method cut by tensor: one row per tensor, its part of the payload.
          for (const TensorPart& part : method->tensor_parts(payload, bytes, row.encode_seconds)) {
            ResultRow t = base;  // its model, file and tool; the tensor's own labels below
            t.tensor = part.name;
            auto role = analysis::parse_tensor_role(part.name);
            t.role = role.role;
            t.layer = role.layer;
            t.dtype.clear();
            for (const auto& region : regions)
              if (region.kind == RegionKind::kTensor && region.tensor.name == part.name)
                t.dtype = type_name(region.tensor.type);
            t.method = method->name();
            t.original_bytes = part.original_bytes;
            t.compressed_bytes = part.compressed_bytes;
            t.encode_seconds = part.encode_seconds;
            t.decode_seconds = part.decode_seconds;
            t.roundtrip_ok = part.roundtrip_ok;
            t.error = part.error;
            results[u].push_back(std::move(t));
          }
        }
        std::tie(row.model, row.file, row.tensor, row.role, row.layer, row.dtype,
                 row.tool_version) = std::tie(base.model, base.file, base.tensor, base.role,
                                              base.layer, base.dtype, base.tool_version);
        results[u].push_back(std::move(row));
      }
    };
    std::atomic<size_t> next{0};
    std::exception_ptr
        failure;  // an I/O error reading the file stops the run (not a method's fault)
    std::mutex failure_mutex;
    auto worker = [&] {
      try {
        for (size_t u; (u = next.fetch_add(1)) < units.size();) process_unit(u);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = units.size();
      }
    };
    unsigned threads = std::max(1u, std::min<unsigned>(options.threads, units.size()));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);

    size_t rows = 0, failures = 0;
    for (const auto& unit_rows : results)
      for (const auto& row : unit_rows) {
        writer.write_line(to_json(row).dump());
        ++rows;
        if (!row.skipped.empty()) {
          ++report.skipped;
        } else if (!row.roundtrip_ok) {
          ++failures;
          log("ROUNDTRIP FAILED: " + row.method + " on " + row.file + " " + row.tensor + ": " +
              row.error);
        }
      }
    writer.flush();
    report.rows_written += rows;
    report.roundtrip_failures += failures;
    char line[256];
    std::snprintf(line, sizeof line, "%s/%s: %zu rows, %zu failed, %.1f s", model.c_str(),
                  file_name.c_str(), rows, failures, seconds_since(file_start));
    log(line);
  }
  writer.close();
  report.seconds = seconds_since(start);
  return report;
}

std::vector<fs::path> train_profiles(const BenchOptions& options, const fs::path& dir) {
  MethodFactory factory =
      options.method_factory ? options.method_factory : MethodFactory(all_methods);
  auto methods = select_methods(factory, options.methods);
  auto corpus = scan_corpus(options.corpus_dirs, options.model_of);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot create " + dir.string() + ": " + ec.message());
  std::vector<fs::path> written;
  for (const auto& method : methods) {
    if (!method->is_trained()) continue;
    std::vector<std::vector<uint8_t>> samples;
    std::vector<TensorInfo> infos;
    std::set<std::string> models;
    std::vector<uint64_t> hashes;
    for (const auto& file : corpus) {
      FileSource source(file.path);
      Layout layout = read_layout(source);
      for (const auto& region : layout.regions) {
        if (region.kind != RegionKind::kTensor || !method->applies_to(region.tensor)) continue;
        samples.push_back(training_sample(source, region, options.train_bytes_per_tensor));
        infos.push_back(region.tensor);
        models.insert(file.model);
        hashes.push_back(xxh64(samples.back()));
      }
    }
    if (samples.empty()) {
      if (options.log) options.log(method->name() + ": no training data in the corpus, no profile");
      continue;
    }
    method->train(samples, infos);
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    StoredProfile profile{method->name(),
                          options.tool_version,
                          {models.begin(), models.end()},
                          hashes,
                          method->save_profile()};
    fs::path path = profile_path(dir, method->name());
    write_profile(path, profile);
    if (options.log)
      options.log(path.string() + ": " + std::to_string(profile.bytes.size()) + " bytes from " +
                  std::to_string(samples.size()) + " tensors of " + std::to_string(models.size()) +
                  " models");
    written.push_back(path);
  }
  return written;
}

}  // namespace lcl::bench
