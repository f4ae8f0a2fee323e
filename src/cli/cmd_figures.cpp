// lcl figures results.jsonl.zst... --atlas atlas.jsonl [--crosslayer crosslayer.jsonl] --out DIR
#include <iostream>

#include "bench/figures.hpp"
#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "cli/command.hpp"

namespace lcl::cli {

void add_figures_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> results;
    std::string atlas, crosslayer, out;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "figures", "SVG figures from benchmark results, an atlas and a cross-layer study");
  cmd->add_option("results", args->results, "results files of lcl bench")->required();
  cmd->add_option("--atlas", args->atlas, "JSON lines written by lcl atlas --jsonl")->required();
  cmd->add_option("--crosslayer", args->crosslayer, "JSON lines written by lcl crosslayer --jsonl");
  cmd->add_option("--out", args->out, "output directory")->required();
  cmd->callback([args, &exit_code] {
    bench::FigureInputs inputs;
    for (const auto& path : args->results) {
      auto rows = bench::read_results(path);
      inputs.results.insert(inputs.results.end(), rows.begin(), rows.end());
    }
    inputs.results = bench::deduplicate(inputs.results);
    inputs.atlas = analysis::read_atlas_jsonl(args->atlas);
    if (!args->crosslayer.empty()) bench::read_pearson_jsonl(args->crosslayer, inputs);
    for (const auto& path : bench::write_figures(inputs, args->out))
      std::cout << path.string() << "\n";
    exit_code = 0;
  });
}

}  // namespace lcl::cli
