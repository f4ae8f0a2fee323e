// lcl summarize results.jsonl.zst... [--bootstrap 1000 --seed 42] [--by model|role|dtype]
#include <iostream>

#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "cli/command.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

void add_summarize_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> results;
    int bootstrap = 1000;
    uint64_t seed = 42;
    std::string by = "dtype";
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("summarize", "Markdown tables of benchmark results with bootstrap CIs");
  cmd->add_option("results", args->results, "results files of lcl bench (shards are merged)")
      ->required();
  cmd->add_option("--bootstrap", args->bootstrap,
                  "model-level bootstrap resamples (0: no intervals)");
  cmd->add_option("--seed", args->seed, "seed of the bootstrap");
  cmd->add_option("--by", args->by, "domain of the tables: dtype, role or model");
  cmd->callback([args, &exit_code] {
    bench::SummaryOptions options;
    if (args->by == "dtype")
      options.by = bench::GroupBy::kDtype;
    else if (args->by == "role")
      options.by = bench::GroupBy::kRole;
    else if (args->by == "model")
      options.by = bench::GroupBy::kModel;
    else
      throw Error(ErrorKind::kUsage, "--by wants dtype, role or model");
    if (args->bootstrap < 0) throw Error(ErrorKind::kUsage, "--bootstrap must be >= 0");
    options.bootstrap = args->bootstrap;
    options.seed = args->seed;
    std::vector<bench::ResultRow> rows;
    for (const auto& path : args->results) {
      auto more = bench::read_results(path);
      rows.insert(rows.end(), more.begin(), more.end());
    }
    auto summaries = bench::summarize(rows, options);
    std::cout << bench::format_summary_markdown(summaries, rows, options);
    exit_code = 0;
  });
}

}  // namespace lcl::cli
