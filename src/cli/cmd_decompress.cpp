// lcl decompress IN.lcl... [-o OUT|-c|-t] [--base BASE] [-f] [--rm] [-T N]; IN "-" is stdin
// ("lcl -d" too).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/io_targets.hpp"
#include "cli/progress_line.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

namespace {

struct DecompressArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool to_stdout = false;
  bool test = false;
  bool force = false;
  bool keep = false;
  bool remove_input = false;
  unsigned threads = 0;
  bool quiet = false;
  std::string base;
};

// "" means standard output.
std::string output_for(const DecompressArgs& args, const std::string& input) {
  if (args.to_stdout || is_stdio(args.output)) return "";
  std::filesystem::path path = input;
  std::filesystem::path stripped = path;
  if (path.extension() == ".lcl") stripped.replace_extension();
  if (args.output.empty()) {
    if (is_stdio(input)) return "";
    if (path.extension() != ".lcl")
      throw Error(ErrorKind::kUsage, input + " does not end in .lcl; name the output with -o");
    return stripped.string();
  }
  // A single input into an existing directory only when it is named as one ("DIR/").
  if (args.inputs.size() > 1 || args.output.back() == '/')
    return (std::filesystem::path(args.output) / stripped.filename()).string();
  return args.output;
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Decodes `input` into `sink` in order: at random through the index from a regular file (any
// format version), front to back from anything else (version 2).
void decode_into(const std::string& input, ByteSink& sink, const DecompressOptions& options) {
  const std::string path = is_stdio(input) ? "/dev/stdin" : input;
  if (is_regular(path)) {
    auto archive = Archive::open(path);
    // The base is found and checked before the sink sees a byte.
    if (options.base) archive->attach_base(*options.base);
    archive->require_base();
    archive->decode_all(
        options.threads, [&](uint64_t, std::span<const uint8_t> bytes) { sink.write(bytes); },
        options.progress);
    return;
  }
  if (is_stdio(input)) {
    FdInputStream in(STDIN_FILENO, "standard input");
    decompress_stream(in, sink, options);
  } else {
    auto in = open_input_stream(input);
    decompress_stream(*in, sink, options);
  }
}

void decompress_one(const DecompressArgs& args, const std::string& input, const std::string& out,
                    const DecompressOptions& options) {
  if (args.test) {
    NullSink sink;
    return decode_into(input, sink, options);
  }
  if (out.empty()) {
    check_stdout_not_terminal();
    FdSink sink(STDOUT_FILENO, "standard output");
    return decode_into(input, sink, options);
  }
  const std::string path = is_stdio(input) ? "/dev/stdin" : input;
  if (is_regular(path)) return decompress_file(path, out, options, args.force);
  decompress_stream_to_file(path, out, options, args.force);
}

int run(const DecompressArgs& args) {
  if (args.inputs.size() > 1 && !args.output.empty() && !names_directory(args.output))
    throw Error(ErrorKind::kUsage, "with several inputs, -o must name a directory");
  if (args.remove_input && args.keep) throw Error(ErrorKind::kUsage, "--rm and -k contradict");
  int status = 0;
  for (const std::string& input : args.inputs) {
    status = std::max(
        status, run_reporting_errors([&] {
          const std::string out = args.test ? "" : output_for(args, input);
          if (args.remove_input && (out.empty() || is_stdio(input)))
            throw Error(ErrorKind::kUsage, "--rm needs an input file and an output file");
          const bool report = !args.quiet && (args.test || !out.empty());
          ProgressLine progress("decompress " + input, report);
          DecompressOptions options;
          options.threads = args.threads;
          if (!args.base.empty()) options.base = args.base;
          options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
          decompress_one(args, input, out, options);
          // Every checksum was verified before the output was committed.
          if (args.remove_input) std::filesystem::remove(input);
          if (!report) return;
          const char* name = is_stdio(input) ? "<stdin>" : input.c_str();
          if (args.test)
            std::fprintf(stderr, "%s: OK\n", name);
          else
            std::printf("%s -> %s: verified\n", name, out.c_str());
        }));
  }
  return status;
}

}  // namespace

void add_decompress_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DecompressArgs>();
  CLI::App* cmd = app.add_subcommand(
      "decompress",
      "restore the original files; output appears only after every checksum verified "
      "(\"lcl -d\" is short for \"lcl decompress\")");
  cmd->add_option("inputs", args->inputs, ".lcl files (\"-\": standard input)")
      ->required()
      ->check(CLI::ExistingPath | CLI::IsMember({"-"}));
  cmd->add_option("-o,--output", args->output,
                  "output file (default: INPUT without .lcl; standard output for \"-\"; \"-\": "
                  "standard output); a directory with several inputs");
  cmd->add_flag("-c,--stdout", args->to_stdout, "write to standard output");
  cmd->add_flag("-t,--test", args->test, "decode and check every checksum, write nothing");
  cmd->add_flag("-f,--force", args->force, "overwrite existing output files");
  cmd->add_flag("-k,--keep", args->keep, "keep the input files (the default)");
  cmd->add_flag("--rm", args->remove_input, "remove each input after its output is verified");
  cmd->add_option("-T,--threads", args->threads, threads_help());
  cmd->add_flag("-q,--quiet", args->quiet, "print nothing but errors");
  cmd->add_option("--base", args->base,
                  "the base model an archive was compressed against (checked by its hashes)")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace lcl::cli
