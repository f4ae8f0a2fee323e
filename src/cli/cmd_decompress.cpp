// lcl decompress IN.lcl... [-o OUT] [-f] [-T N]
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/progress.hpp"

namespace lcl::cli {

namespace {

struct DecompressArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false;
  unsigned threads = 0;
  bool quiet = false;
};

std::filesystem::path output_for(const DecompressArgs& args, const std::filesystem::path& input) {
  std::filesystem::path stripped = input;
  if (input.extension() == ".lcl") stripped.replace_extension();
  if (args.output.empty()) {
    if (input.extension() != ".lcl")
      throw Error(ErrorKind::kUsage,
                  input.string() + " does not end in .lcl; name the output with -o");
    return stripped;
  }
  if (args.inputs.size() > 1) return std::filesystem::path(args.output) / stripped.filename();
  return args.output;
}

int run(const DecompressArgs& args) {
  if (args.inputs.size() > 1 && !args.output.empty() && !std::filesystem::is_directory(args.output))
    throw Error(ErrorKind::kUsage, "with several inputs, -o must name an existing directory");
  int status = 0;
  for (const std::string& input : args.inputs) {
    status = std::max(status, run_reporting_errors([&] {
                        std::filesystem::path out = output_for(args, input);
                        ProgressLine progress("decompress " + input, !args.quiet);
                        DecompressOptions options;
                        options.threads = args.threads;
                        options.progress = [&](uint64_t done, uint64_t total) {
                          progress.update(done, total);
                        };
                        decompress_file(input, out, options, args.force);
                        if (!args.quiet)
                          std::printf("%s -> %s: verified\n", input.c_str(), out.c_str());
                      }));
  }
  return status;
}

}  // namespace

void add_decompress_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DecompressArgs>();
  CLI::App* cmd = app.add_subcommand(
      "decompress",
      "restore the original files; output appears only after every checksum verified");
  cmd->add_option("inputs", args->inputs, ".lcl files")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output,
                  "output file (default: INPUT without .lcl); a directory with several inputs");
  cmd->add_flag("-f,--force", args->force, "overwrite existing output files");
  cmd->add_option("-T,--threads", args->threads, threads_help());
  cmd->add_flag("-q,--quiet", args->quiet, "print nothing but errors");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace lcl::cli
