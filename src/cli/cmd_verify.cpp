// lcl verify IN.lcl [ORIGINAL] [--base BASE]
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/progress_line.hpp"
#include "lcl/container.hpp"

namespace lcl::cli {

void add_verify_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string input;
    std::string original;
    unsigned threads = 0;
    std::string base;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "decode without writing and check every checksum (and, given ORIGINAL, every byte)");
  cmd->add_option("input", args->input, ".lcl file")->required()->check(CLI::ExistingFile);
  cmd->add_option("original", args->original, "the original file to compare with")
      ->check(CLI::ExistingFile);
  cmd->add_option("-T,--threads", args->threads, threads_help());
  cmd->add_option("--base", args->base, "the base model an archive was compressed against")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] {
    exit_code = run_reporting_errors([&] {
      ProgressLine progress("verify " + args->input);
      DecompressOptions options;
      options.threads = args->threads;
      if (!args->base.empty()) options.base = args->base;
      options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
      std::optional<std::filesystem::path> original;
      if (!args->original.empty()) original = args->original;
      verify_file(args->input, original, options);
      std::printf("%s: OK%s\n", args->input.c_str(),
                  original ? (", identical to " + args->original).c_str() : "");
    });
  });
}

}  // namespace lcl::cli
