// lcl atlas PATH... [--jsonl FILE] [--base BASE]: entropy ceilings of every tensor (with --base:
// of a fine-tune's tensors given its base model, analysis/delta_bounds.hpp).
#include <fstream>
#include <iostream>

#include "analysis/atlas.hpp"
#include "analysis/delta_bounds.hpp"
#include "cli/command.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

void add_atlas_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> paths;
    std::string jsonl;
    bool quiet = false;
    std::string base;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("atlas",
                                 "Entropy ceilings per tensor: byte planes, 16-bit iid, exponent; "
                                 "Q4_K/Q5_K/Q3_K/Q6_K/Q8_0/MXFP4 fields");
  cmd->add_option("paths", args->paths, "model files or directories")->required();
  cmd->add_option("--jsonl", args->jsonl, "also write one JSON object per tensor to this file");
  cmd->add_flag("--quiet", args->quiet, "no table on stdout");
  cmd->add_option("--base", args->base,
                  "the fine-tune's base model: bounds of each 16-bit float tensor given the base's "
                  "(XOR, difference of ordered codes, that difference given the base exponent) "
                  "and of each quantized tensor's field differences from the base's")
      ->check(CLI::ExistingPath);
  cmd->callback([args, &exit_code] {
    std::vector<std::filesystem::path> paths(args->paths.begin(), args->paths.end());
    if (!args->base.empty()) {
      const analysis::DeltaBounds bounds = analysis::build_delta_bounds(
          paths, args->base,
          [](const auto& file) { std::cerr << "atlas: " << file.string() << "\n"; });
      const auto& rows = bounds.floats;
      const auto& block_rows = bounds.blocks;
      if (!args->jsonl.empty()) {
        std::ofstream out(args->jsonl);
        if (!out) throw Error(ErrorKind::kIo, "cannot create " + args->jsonl);
        for (const auto& row : rows) out << analysis::to_json(row).dump() << "\n";
        for (const auto& row : block_rows) out << analysis::to_json(row).dump() << "\n";
        if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + args->jsonl);
      }
      if (!args->quiet) {
        if (!rows.empty() || block_rows.empty())
          std::cout << analysis::format_delta_bounds_table(rows);
        if (!block_rows.empty())
          std::cout << (rows.empty() ? "" : "\n")
                    << analysis::format_block_delta_bounds_table(block_rows);
      }
      exit_code = 0;
      return;
    }
    auto rows = analysis::build_atlas(paths, [](const std::filesystem::path& file) {
      std::cerr << "atlas: " << file.string() << "\n";
    });
    if (!args->jsonl.empty()) {
      std::ofstream out(args->jsonl);
      if (!out) throw Error(ErrorKind::kIo, "cannot create " + args->jsonl);
      for (const auto& row : rows) out << analysis::to_json(row).dump() << "\n";
      if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + args->jsonl);
    }
    if (!args->quiet) std::cout << analysis::format_atlas_table(rows);
    exit_code = 0;
  });
}

}  // namespace lcl::cli
