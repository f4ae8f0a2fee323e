// lcl bench --corpus DIR... [--methods LIST] --out results.jsonl.zst [--threads N] [--shard I/N]
// [--resume] [--profiles DIR] [--model-of FILE] [--whole-file-ablation]: every method on every
// tensor and file, every row roundtrip-verified. --train-profiles DIR writes trained profiles.
// lcl bench --base-of FT=BASE [--out results.jsonl.zst]: a fine-tune's tensors given its base
// (bench/delta_methods.hpp), with a summary per method.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "bench/delta_methods.hpp"
#include "bench/jsonl_zstd.hpp"
#include "bench/method.hpp"
#include "bench/model_identity.hpp"
#include "bench/runner.hpp"
#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/shard.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

namespace {
// Byte-weighted ratio per method over the rows, printed as a table.
void print_delta_summary(const std::vector<bench::ResultRow>& rows) {
  struct Total {
    uint64_t original = 0, compressed = 0;
    double encode = 0, decode = 0;
    size_t failures = 0;
  };
  std::vector<std::pair<std::string, Total>> totals;
  for (const auto& row : rows) {
    auto it = std::find_if(totals.begin(), totals.end(),
                           [&](const auto& t) { return t.first == row.method; });
    if (it == totals.end()) it = totals.insert(totals.end(), {row.method, Total{}});
    it->second.original += row.original_bytes;
    it->second.compressed += row.compressed_bytes;
    it->second.encode += row.encode_seconds;
    it->second.decode += row.decode_seconds;
    it->second.failures += !row.roundtrip_ok;
  }
  std::printf("%-18s %14s %14s %9s %12s %12s %9s\n", "method", "bytes", "compressed", "ratio",
              "encode MB/s", "decode MB/s", "failures");
  for (const auto& [name, t] : totals)
    std::printf(
        "%-18s %14llu %14llu %8.4fx %12.1f %12.1f %9zu\n", name.c_str(),
        static_cast<unsigned long long>(t.original), static_cast<unsigned long long>(t.compressed),
        t.compressed ? static_cast<double>(t.original) / static_cast<double>(t.compressed) : 0.0,
        static_cast<double>(t.original) / 1e6 / std::max(t.encode, 1e-9),
        static_cast<double>(t.original) / 1e6 / std::max(t.decode, 1e-9), t.failures);
}

int run_base_of(const std::string& pair, const std::string& out) {
  const size_t eq = pair.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size())
    throw Error(ErrorKind::kUsage, "--base-of wants FT=BASE, got \"" + pair + "\"");
  bench::DeltaBenchOptions options;
  options.tuned = pair.substr(0, eq);
  options.base = pair.substr(eq + 1);
  options.tool_version = std::string("lcl ") + LCL_VERSION;
  options.log = [](const std::string& line) { std::cerr << line << "\n"; };
  const auto rows = bench::run_delta_bench(options);
  if (!out.empty()) {
    bench::JsonlZstdWriter writer(out);
    for (const auto& row : rows) writer.write_line(bench::to_json(row).dump());
    writer.close();
  }
  print_delta_summary(rows);
  for (const auto& row : rows)
    if (!row.roundtrip_ok) return 3;
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> corpus;
    std::string methods;
    std::string out;
    unsigned threads = 0;
    std::string shard = "0/1";
    bool resume = false;
    bool list = false;
    std::string base_of;
    bool ablation = false;
    std::string train_profiles, profiles, model_of;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "bench", "Run compression methods over a corpus, verifying every roundtrip");
  cmd->add_option("--corpus", args->corpus, "corpus directories (one subdirectory per model)");
  cmd->add_option("--threads", args->threads, "worker threads (default: one per core)");
  cmd->add_option("--shard", args->shard, shard_help("the work units"));
  cmd->add_flag("--resume", args->resume, "keep the rows already in --out and skip their work");
  cmd->add_flag("--list-methods", args->list, "print the available methods and exit");
  cmd->add_flag("--whole-file-ablation", args->ablation,
                "also run the GGUF decomposer with each stream choice switched (zstd level, byte "
                "grouping, per-stream vs per-file)");
  struct TextOption {
    const char* name;
    std::string* value;
    const char* help;
  };
  const TextOption text_options[] = {
      {"--methods", &args->methods, "comma-separated method names (default: all)"},
      {"--out", &args->out, "results file (JSON lines, zstd-compressed)"},
      {"--base-of", &args->base_of,
       "FT=BASE: code the fine-tune FT given its base model BASE (delta codec, XOR baselines, and "
       "FT alone), one row per method and shared tensor"},
      {"--train-profiles", &args->train_profiles,
       "train each trained method on the whole corpus, write DIR/<method>.profile.json and exit"},
      {"--profiles", &args->profiles,
       "profiles of trained methods (DIR/<method>.profile.json), used for the models they were "
       "not trained on"},
      {"--model-of", &args->model_of,
       "file of \"FOLDER-OR-FILE MODEL\" lines: which folders hold the same model (one bootstrap "
       "unit)"},
  };
  for (const TextOption& option : text_options)
    cmd->add_option(option.name, *option.value, option.help);
  cmd->callback([args, &exit_code] {
    if (!args->base_of.empty()) {
      exit_code = run_base_of(args->base_of, args->out);
      return;
    }
    auto factory = args->ablation ? bench::all_methods_with_ablation : bench::all_methods;
    if (args->list) {
      for (const auto& m : factory())
        std::cout << m->name() << (m->scope() == bench::MethodScope::kFile ? "  (whole file)" : "")
                  << (m->is_trained() ? "  (trained, model-level split)" : "") << "\n";
      exit_code = 0;
      return;
    }
    if (args->corpus.empty() || (args->out.empty() && args->train_profiles.empty()))
      throw Error(ErrorKind::kUsage,
                  "bench needs --corpus DIR and --out FILE (or --train-profiles DIR)");
    bench::BenchOptions options;
    options.method_factory = factory;
    if (!args->model_of.empty()) options.model_of = bench::read_model_map(args->model_of);
    options.profiles_dir = args->profiles;
    if (!args->profiles.empty() && !std::filesystem::is_directory(args->profiles))
      throw Error(ErrorKind::kUsage, "--profiles: not a directory: " + args->profiles);
    options.corpus_dirs.assign(args->corpus.begin(), args->corpus.end());
    options.methods = split_commas(args->methods);
    options.out = args->out;
    options.threads =
        args->threads ? args->threads : std::max(1u, std::thread::hardware_concurrency());
    const Shard shard = parse_shard(args->shard);
    options.shard_index = shard.index;
    options.shard_count = shard.count;
    options.resume = args->resume;
    options.tool_version = std::string("lcl ") + LCL_VERSION;
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    if (!args->train_profiles.empty()) {
      for (const auto& path : bench::train_profiles(options, args->train_profiles))
        std::cout << path.string() << "\n";
      exit_code = 0;
      return;
    }
    auto report = bench::run_bench(options);
    std::cerr << "bench: " << report.rows_written << " new rows (" << report.rows_kept << " kept), "
              << report.roundtrip_failures << " roundtrip failures, " << report.skipped
              << " skipped (no profile), " << report.units_in_shard << " work units in shard "
              << options.shard_index << "/" << options.shard_count << ", " << report.seconds
              << " s\n";
    // A failed roundtrip is a finding, reported in the rows; the exit status says so too.
    exit_code = report.roundtrip_failures ? 3 : 0;
  });
}

}  // namespace lcl::cli
