// lcl compress IN... [-o OUT|-c] [--base BASE] [-r [--shard I/N]] [-f] [--rm] [-T N] [-q|-v];
// IN "-" is stdin.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/io_targets.hpp"
#include "cli/progress_line.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

namespace {

struct CompressArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool to_stdout = false;
  bool force = false;
  bool keep = false;
  bool remove_input = false;
  bool recursive = false;
  std::string shard = "0/1";
  unsigned threads = 0;
  bool quiet = false;
  bool verbose = false;
  int level = 3;
  uint64_t chunk_mib = 4;
  bool store = false;
  bool check = false;
  std::string base;
};

bool is_model_file(const std::filesystem::path& path) {
  return path.extension() == ".safetensors" || path.extension() == ".gguf";
}

// "" means standard output.
std::string output_for(const CompressArgs& args, const InputFile& input, bool several) {
  if (args.to_stdout || is_stdio(args.output)) return "";
  if (args.output.empty()) return is_stdio(input.path) ? "" : input.path + ".lcl";
  if (several || names_directory(args.output)) {
    std::filesystem::path name =
        input.relative.empty() ? std::filesystem::path(input.path).filename() : input.relative;
    if (is_stdio(input.path)) name = "stdin";
    return (std::filesystem::path(args.output) / name).string() + ".lcl";
  }
  return args.output;
}

CompressResult compress_one(const CompressArgs& args, const InputFile& input,
                            const std::string& out, const CompressOptions& options) {
  if (out.empty()) {
    check_stdout_not_terminal();
    FdSink sink(STDOUT_FILENO, "standard output");
    if (is_stdio(input.path)) {
      FdInputStream in(STDIN_FILENO, "standard input");
      return compress_stream(in, "", sink, options);
    }
    const std::string name = std::filesystem::path(input.path).filename().string();
    if (!reads_as_stream(input.path)) {
      FileSource source(input.path);
      return compress(source, sink, options, name);
    }
    auto in = open_input_stream(input.path);
    return compress_stream(*in, name, sink, options);
  }
  // Directories are created for the tree that -r keeps and for an output named "DIR/", never
  // for a file named in a directory that does not exist.
  const bool makes_directories =
      !input.relative.empty() || (!args.output.empty() && args.output.back() == '/');
  std::filesystem::path parent = std::filesystem::path(out).parent_path();
  if (makes_directories && !parent.empty()) std::filesystem::create_directories(parent);
  // Standard input is read as a stream (or at random, when it is a redirected file); the archive
  // appears only when complete.
  return compress_file(is_stdio(input.path) ? "/dev/stdin" : input.path, out, options, args.force);
}

int run(const CompressArgs& args) {
  const Shard shard = parse_shard(args.shard);
  if (args.shard != "0/1" && !args.recursive)
    throw Error(ErrorKind::kUsage, "--shard splits the files that -r finds; add -r");
  if (args.remove_input && args.keep) throw Error(ErrorKind::kUsage, "--rm and -k contradict");
  std::vector<InputFile> inputs = expand_inputs(args.inputs, args.recursive, shard, is_model_file);
  const bool several = args.inputs.size() > 1 || args.recursive;
  const bool to_stdout = args.to_stdout || is_stdio(args.output);
  if (to_stdout && inputs.size() > 1)
    throw Error(ErrorKind::kUsage, "several inputs cannot all go to standard output");
  if (several && !to_stdout && !args.output.empty() && !names_directory(args.output))
    throw Error(ErrorKind::kUsage, "with several inputs or -r, -o must name a directory");
  CompressOptions options;
  options.threads = args.threads;
  options.plan.zstd_level = args.level;
  options.plan.chunk_size = args.chunk_mib << 20;
  options.plan.store_only = args.store;
  options.verify_chunks = args.check;
  if (!args.base.empty()) options.base = args.base;
  int status = 0;
  for (const InputFile& input : inputs) {
    int rc = run_reporting_errors([&] {
      const std::string out = output_for(args, input, several);
      if (args.remove_input && (out.empty() || is_stdio(input.path)))
        throw Error(ErrorKind::kUsage, "--rm needs an input file and an output file");
      // Nothing but the archive goes to standard output, and no progress line.
      const bool report = !args.quiet && !out.empty();
      ProgressLine progress("compress " + input.path, report);
      options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
      auto start = std::chrono::steady_clock::now();
      CompressResult result = compress_one(args, input, out, options);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!args.quiet)
        for (const auto& w : result.warnings)
          std::cerr << "lcl: warning: " << input.path << ": " << w << "\n";
      if (args.remove_input) {
        // Only after the archive on disk decodes back to exactly the input's bytes.
        DecompressOptions check;
        check.threads = args.threads;
        verify_file(out, std::filesystem::path(input.path), check);
        std::filesystem::remove(input.path);
      }
      if (!report && !(args.verbose && out.empty())) return;
      std::FILE* to = out.empty() ? stderr : stdout;
      std::fprintf(to, "%s -> %s: %llu -> %llu bytes (%s)",
                   is_stdio(input.path) ? "<stdin>" : input.path.c_str(),
                   out.empty() ? "<stdout>" : out.c_str(),
                   static_cast<unsigned long long>(result.original_size),
                   static_cast<unsigned long long>(result.compressed_size),
                   ratio_text(result.original_size, result.compressed_size).c_str());
      if (args.verbose)
        std::fprintf(to, ", %.2f s, %.1f MB/s", seconds,
                     static_cast<double>(result.original_size) / 1e6 / std::max(seconds, 1e-9));
      std::fprintf(to, "\n");
    });
    status = std::max(status, rc);
  }
  return status;
}

}  // namespace

void add_compress_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CompressArgs>();
  CLI::App* cmd = app.add_subcommand("compress", "compress model files (or any file) to .lcl");
  cmd->add_option("inputs", args->inputs, "files to compress (\"-\": standard input)")
      ->required()
      ->check(CLI::ExistingPath | CLI::IsMember({"-"}));
  cmd->add_option("-o,--output", args->output,
                  "output file (default: INPUT.lcl; \"-\": standard output); a directory (existing "
                  "or ending in /) with several inputs or -r");
  cmd->add_flag("-c,--stdout", args->to_stdout, "write to standard output");
  cmd->add_flag("-f,--force", args->force, "overwrite existing output files");
  cmd->add_flag("-k,--keep", args->keep, "keep the input files (the default)");
  cmd->add_flag("--rm", args->remove_input,
                "remove each input after its archive is written and verified against it");
  cmd->add_flag("-r,--recursive", args->recursive,
                "compress the .safetensors and .gguf files under directories, keeping their "
                "layout under -o DIR");
  cmd->add_option("--shard", args->shard, "with -r: " + shard_help("the files found"));
  cmd->add_option("-T,--threads", args->threads, threads_help());
  auto* quiet = cmd->add_flag("-q,--quiet", args->quiet, "print nothing but errors");
  cmd->add_flag("-v,--verbose", args->verbose, "also print time and speed")->excludes(quiet);
  cmd->add_option("--level", args->level, "zstd level for metadata and opaque data (default 3)")
      ->check(CLI::Range(1, 22));
  cmd->add_option("--chunk-size", args->chunk_mib, "chunk size in MiB (default 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--store", args->store, "store without compression");
  cmd->add_flag("--check", args->check, "decode every chunk after encoding it and compare");
  cmd->add_option("--base", args->base,
                  "base model (file, directory or index.json): tensors it holds with the same "
                  "name, type and shape are coded against it; decompressing needs it again")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace lcl::cli
