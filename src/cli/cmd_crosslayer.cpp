// lcl crosslayer MODEL [--jsonl FILE] [--ranks 8,64]: adjacent-layer prediction study.
#include <fstream>
#include <iostream>

#include "analysis/crosslayer.hpp"
#include "cli/command.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

void add_crosslayer_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string model, jsonl;
    std::vector<int> ranks = {8, 64};
    bool verbose = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "crosslayer",
      "Pearson r and affine / low-rank prediction of layer K+1 from layer K, net of costs");
  cmd->add_option("model", args->model, "model file or directory")->required();
  cmd->add_option("--jsonl", args->jsonl, "also write one JSON object per layer pair");
  cmd->add_option("--ranks", args->ranks, "ranks of the low-rank correction to try (each <= 64)")
      ->delimiter(',');
  cmd->add_flag("--verbose", args->verbose, "one progress line per pair on stderr");
  cmd->callback([args, &exit_code] {
    analysis::CrossLayerOptions options;
    for (int r : args->ranks)
      if (r < 1 || r > 64) throw Error(ErrorKind::kUsage, "--ranks must be between 1 and 64");
    options.ranks = args->ranks;
    if (args->verbose) options.log = [](const std::string& s) { std::cerr << s << "\n"; };
    auto report = analysis::cross_layer_study(args->model, options);
    if (!args->jsonl.empty()) {
      std::ofstream out(args->jsonl);
      if (!out) throw Error(ErrorKind::kIo, "cannot create " + args->jsonl);
      for (const auto& p : report.pairs) out << analysis::to_json(p).dump() << "\n";
      if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + args->jsonl);
    }
    std::cout << analysis::format_cross_layer_report(report);
    exit_code = 0;
  });
}

}  // namespace lcl::cli
