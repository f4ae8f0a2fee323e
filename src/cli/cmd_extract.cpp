// lcl extract IN.lcl TENSOR_NAME -o OUT [--base BASE]
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/container.hpp"
#include "util/atomic_file.hpp"

namespace lcl::cli {

void add_extract_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string input;
    std::string tensor;
    std::string output;
    bool force = false;
    std::string base;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "write the raw bytes of one tensor, decoding only the chunks that hold it");
  cmd->add_option("input", args->input, ".lcl file")->required()->check(CLI::ExistingFile);
  cmd->add_option("tensor", args->tensor, "tensor name (see lcl info)")->required();
  cmd->add_option("-o,--output", args->output, "output file")->required();
  cmd->add_flag("-f,--force", args->force, "overwrite an existing output file");
  cmd->add_option("--base", args->base, "the base model an archive was compressed against")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] {
    exit_code = run_reporting_errors([&] {
      auto archive = Archive::open(args->input);
      if (!args->base.empty()) archive->attach_base(args->base);
      std::vector<uint8_t> bytes = archive->read_tensor(args->tensor);
      AtomicOutputFile out(args->output, args->force);
      out.write(bytes);
      out.commit();
    });
  });
}

}  // namespace lcl::cli
