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
    auto svgs = bench::write_figures(inputs, args->out);
    for (const auto& path : svgs) std::cout << path.string() << "\n";
    // PNG beside each SVG for papers and slides; the SVG stays the source.
    for (const auto& path : bench::render_pngs(svgs)) std::cout << path.string() << "\n";
    if (!bench::have_rsvg_convert()) std::cerr << "figures: rsvg-convert not found, SVG only\n";
    exit_code = 0;
  });
}

}  // namespace lcl::cli
