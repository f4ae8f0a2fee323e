// lcl summarize results.jsonl.zst... [--bootstrap 1000 --seed 42] [--by model|role|dtype]
// [--min-bytes N] [--dtype T,...] [--role R,...] [--model M,...] [--headline --atlas FILE]
#include <iostream>

#include "analysis/atlas.hpp"
#include "bench/headline.hpp"
#include "bench/runner.hpp"
#include "bench/summary.hpp"
#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

void add_summarize_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> results;
    int bootstrap = 1000;
    uint64_t seed = 42;
    std::string by = "dtype";
    uint64_t min_bytes = 0;
    std::string dtype, role, model, atlas;
    bool headline = false;
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
  cmd->add_option("--min-bytes", args->min_bytes, "only tensors (files) of at least N bytes");
  cmd->add_option("--dtype", args->dtype, "only these types (comma-separated, e.g. BF16,q4_K)");
  cmd->add_option("--role", args->role,
                  "only these roles (comma-separated, e.g. q_proj,down_proj)");
  cmd->add_option("--model", args->model, "only these models (comma-separated)");
  cmd->add_flag("--headline", args->headline,
                "only the headline table (domain, compressor, best ratio, ceiling); needs --atlas");
  cmd->add_option("--atlas", args->atlas, "JSON lines of lcl atlas (the ceilings of --headline)");
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
    options.filter.min_bytes = args->min_bytes;
    options.filter.dtypes = split_commas(args->dtype);
    options.filter.roles = split_commas(args->role);
    options.filter.models = split_commas(args->model);
    std::vector<bench::ResultRow> rows;
    for (const auto& path : args->results) {
      auto more = bench::read_results(path);
      rows.insert(rows.end(), more.begin(), more.end());
    }
    rows = bench::filter_rows(rows, options.filter);
    if (args->headline) {
      if (args->atlas.empty()) throw Error(ErrorKind::kUsage, "--headline needs --atlas FILE");
      std::cout << bench::format_headline_markdown(rows, analysis::read_atlas_jsonl(args->atlas));
      exit_code = 0;
      return;
    }
    auto summaries = bench::summarize(rows, options);
    std::cout << bench::format_summary_markdown(summaries, rows, options);
    std::cout << bench::format_ablation_markdown(rows);
    exit_code = 0;
  });
}

}  // namespace lcl::cli
