#pragma once
// `lcl summarize`: result rows -> Markdown tables per domain and method, with model-level
// bootstrap confidence intervals and leave-one-model-out tables.
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/statistics.hpp"
#include "bench/result_row.hpp"

namespace lcl::bench {

enum class GroupBy { kDtype, kRole, kModel };

// Which rows a summary covers (`lcl summarize --min-bytes N --dtype T --role R --model M`; each
// list matches any of its entries, an empty list matches everything).
struct RowFilter {
  uint64_t min_bytes = 0;  // original bytes of the tensor or file
  std::vector<std::string> dtypes, roles, models;
  bool empty() const { return min_bytes == 0 && dtypes.empty() && roles.empty() && models.empty(); }
  std::string describe() const;  // e.g. "dtype BF16, at least 4096 bytes"
};
std::vector<ResultRow> filter_rows(const std::vector<ResultRow>& rows, const RowFilter& filter);

struct SummaryOptions {
  GroupBy by = GroupBy::kDtype;
  int bootstrap = 1000;  // resamples; 0 disables the intervals
  uint64_t seed = 42;
  RowFilter filter;  // already applied to the rows; named in the header
};

// One line of a summary table: a method within a domain (a dtype, role or model).
struct MethodSummary {
  std::string domain;
  std::string method;
  size_t failures = 0;  // rows whose roundtrip failed (not in the statistics)
  size_t skipped = 0;   // rows the method did not run (no profile); not in the statistics
  std::string skip_reason;
  analysis::RatioSummary ratios;
  analysis::Interval median_ci, geomean_ci, byte_weighted_ci;
  double encode_mb_per_s = 0;
  double decode_mb_per_s = 0;
  std::vector<analysis::LeaveOneOut> leave_one_out;
};

// Rows with the same key (model, file, tensor, method) count once: the last one wins, so merged
// shards and resumed runs never double-count.
std::vector<ResultRow> deduplicate(const std::vector<ResultRow>& rows);

// The samples of the statistics: successful rows, each charged its share of its model's profile
// (a trained method's profile is spread over that model's rows in proportion to their size, so the
// byte-weighted ratio counts every profile exactly once).
std::vector<analysis::RatioSample> samples_of(const std::vector<const ResultRow*>& rows);

std::vector<MethodSummary> summarize(const std::vector<ResultRow>& rows,
                                     const SummaryOptions& options);

std::string format_summary_markdown(const std::vector<MethodSummary>& summaries,
                                    const std::vector<ResultRow>& rows,
                                    const SummaryOptions& options);

// The whole-file GGUF ablation (rows of `lcl bench --whole-file-ablation`): each decomposer
// variant next to lcl and the general compressors on the same GGUF files. Empty without
// decomposer rows.
std::string format_ablation_markdown(const std::vector<ResultRow>& rows);

}  // namespace lcl::bench
