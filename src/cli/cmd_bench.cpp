// lcl bench --corpus DIR... [--methods LIST] --out results.jsonl.zst [--threads N] [--shard I/N]
// [--resume]: every method on every tensor, every row roundtrip-verified.
#include <iostream>
#include <thread>

#include "bench/method.hpp"
#include "bench/runner.hpp"
#include "cli/command.hpp"
#include "cli/shard.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

void add_bench_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> corpus;
    std::string methods;
    std::string out;
    unsigned threads = 0;
    std::string shard = "0/1";
    bool resume = false;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "bench", "Run compression methods over a corpus, verifying every roundtrip");
  cmd->add_option("--corpus", args->corpus, "corpus directories (one subdirectory per model)");
  cmd->add_option("--methods", args->methods, "comma-separated method names (default: all)");
  cmd->add_option("--out", args->out, "results file (JSON lines, zstd-compressed)");
  cmd->add_option("--threads", args->threads, "worker threads (default: one per core)");
  cmd->add_option("--shard", args->shard,
                  "run only shard I of N (0-based); N runs with I = 0..N-1 cover everything once");
  cmd->add_flag("--resume", args->resume, "keep the rows already in --out and skip their work");
  cmd->add_flag("--list-methods", args->list, "print the available methods and exit");
  cmd->callback([args, &exit_code] {
    if (args->list) {
      for (const auto& m : bench::all_methods())
        std::cout << m->name() << (m->scope() == bench::MethodScope::kFile ? "  (whole file)" : "")
                  << (m->is_trained() ? "  (trained, model-level split)" : "") << "\n";
      exit_code = 0;
      return;
    }
    if (args->corpus.empty() || args->out.empty())
      throw Error(ErrorKind::kUsage, "bench needs --corpus DIR and --out FILE");
    bench::BenchOptions options;
    options.corpus_dirs.assign(args->corpus.begin(), args->corpus.end());
    for (size_t start = 0; start < args->methods.size();) {
      size_t comma = args->methods.find(',', start);
      if (comma == std::string::npos) comma = args->methods.size();
      if (comma > start) options.methods.push_back(args->methods.substr(start, comma - start));
      start = comma + 1;
    }
    options.out = args->out;
    options.threads =
        args->threads ? args->threads : std::max(1u, std::thread::hardware_concurrency());
    const Shard shard = parse_shard(args->shard);
    options.shard_index = shard.index;
    options.shard_count = shard.count;
    options.resume = args->resume;
    options.tool_version = std::string("lcl ") + LCL_VERSION;
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    auto report = bench::run_bench(options);
    std::cerr << "bench: " << report.rows_written << " new rows (" << report.rows_kept << " kept), "
              << report.roundtrip_failures << " roundtrip failures, " << report.units_in_shard
              << " work units in shard " << options.shard_index << "/" << options.shard_count
              << ", " << report.seconds << " s\n";
    // A failed roundtrip is a finding, reported in the rows; the exit status says so too.
    exit_code = report.roundtrip_failures ? 3 : 0;
  });
}

}  // namespace lcl::cli
