// lcl extract IN.lcl TENSOR_NAME -o OUT [-f] [-T N] [--base BASE]
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/container.hpp"

namespace lcl::cli {

void add_extract_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string input;
    std::string tensor;
    std::string output;
    bool force = false;
    unsigned threads = 0;
    std::string base;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "extract",
      "write the raw bytes of one tensor, decoding only the chunks that hold it (streamed: memory "
      "stays a few chunks whatever the tensor's size). A tensor name that begins with '-' goes "
      "after '--': lcl extract IN.lcl -o OUT -- -name");
  cmd->add_option("input", args->input, ".lcl file")->required()->check(CLI::ExistingFile);
  cmd->add_option("tensor", args->tensor,
                  "tensor name (see lcl info); after -- if it begins with -")
      ->required();
  cmd->add_option("-o,--output", args->output, "output file")->required();
  cmd->add_flag("-f,--force", args->force, "overwrite an existing output file");
  cmd->add_option("-T,--threads", args->threads, threads_help());
  cmd->add_option("--base", args->base, "the base model an archive was compressed against")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] {
    exit_code = run_reporting_errors([&] {
      auto archive = Archive::open(args->input);
      archive->find_tensor(args->tensor);  // an unknown name fails before the output is created
      // The base is found and checked before the output exists.
      if (!args->base.empty()) archive->attach_base(args->base);
      archive->require_base();
      FileSink out(args->output, args->force, {args->input});
      archive->read_tensor_to(
          args->tensor, [&](std::span<const uint8_t> bytes) { out.write(bytes); }, args->threads);
      out.finish();
    });
  });
}

}  // namespace lcl::cli
