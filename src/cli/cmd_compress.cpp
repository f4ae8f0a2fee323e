// lcl compress IN... [-o OUT] [-f] [-T N] [-q|-v]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/progress.hpp"

namespace lcl::cli {

namespace {

struct CompressArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false;
  unsigned threads = 0;
  bool quiet = false;
  bool verbose = false;
  int level = 3;
  uint64_t chunk_mib = 4;
  bool store = false;
  bool check = false;
};

std::filesystem::path output_for(const CompressArgs& args, const std::filesystem::path& input) {
  if (args.output.empty()) return std::filesystem::path(input.string() + ".lcl");
  std::filesystem::path out = args.output;
  if (args.inputs.size() > 1 || std::filesystem::is_directory(out))
    return out / (input.filename().string() + ".lcl");
  return out;
}

int run(const CompressArgs& args) {
  if (args.inputs.size() > 1 && !args.output.empty() && !std::filesystem::is_directory(args.output))
    throw Error(ErrorKind::kUsage, "with several inputs, -o must name an existing directory");
  CompressOptions options;
  options.threads = args.threads;
  options.plan.zstd_level = args.level;
  options.plan.chunk_size = args.chunk_mib << 20;
  options.plan.store_only = args.store;
  options.verify_chunks = args.check;
  int status = 0;
  for (const std::string& input : args.inputs) {
    std::filesystem::path out = output_for(args, input);
    int rc = run_reporting_errors([&] {
      if (std::filesystem::is_directory(input))
        throw Error(ErrorKind::kUsage, input + " is a directory (name its files)");
      ProgressLine progress("compress " + input, !args.quiet);
      options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
      auto start = std::chrono::steady_clock::now();
      CompressResult result = compress_file(input, out, options, args.force);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!args.quiet)
        for (const auto& w : result.warnings)
          std::cerr << "lcl: warning: " << input << ": " << w << "\n";
      if (args.quiet) return;
      std::printf("%s -> %s: %llu -> %llu bytes (%s)", input.c_str(), out.c_str(),
                  static_cast<unsigned long long>(result.original_size),
                  static_cast<unsigned long long>(result.compressed_size),
                  ratio_text(result.original_size, result.compressed_size).c_str());
      if (args.verbose)
        std::printf(", %.2f s, %.1f MB/s", seconds,
                    static_cast<double>(result.original_size) / 1e6 / std::max(seconds, 1e-9));
      std::printf("\n");
    });
    status = std::max(status, rc);
  }
  return status;
}

}  // namespace

void add_compress_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CompressArgs>();
  CLI::App* cmd = app.add_subcommand("compress", "compress model files (or any file) to .lcl");
  cmd->add_option("inputs", args->inputs, "files to compress")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("-o,--output", args->output,
                  "output file (default: INPUT.lcl), or an existing directory to write "
                  "INPUT.lcl into (required with several inputs)");
  cmd->add_flag("-f,--force", args->force, "overwrite existing output files");
  cmd->add_option("-T,--threads", args->threads, threads_help());
  auto* quiet = cmd->add_flag("-q,--quiet", args->quiet, "print nothing but errors");
  cmd->add_flag("-v,--verbose", args->verbose, "also print time and speed")->excludes(quiet);
  cmd->add_option("--level", args->level, "zstd level for metadata and opaque data (default 3)")
      ->check(CLI::Range(1, 22));
  cmd->add_option("--chunk-size", args->chunk_mib, "chunk size in MiB (default 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--store", args->store, "store without compression");
  cmd->add_flag("--check", args->check, "decode every chunk after encoding it and compare");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace lcl::cli
