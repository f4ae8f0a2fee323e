#include "bench/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace lcl::bench {
namespace {

ResultRow row(std::string model, std::string tensor, std::string method, uint64_t original,
              uint64_t compressed, double encode_s = 0.001, bool ok = true) {
  ResultRow r;
  r.model = std::move(model);
  r.file = "f";
  r.tensor = std::move(tensor);
  r.role = "q_proj";
  r.dtype = "BF16";
  r.method = std::move(method);
  r.original_bytes = original;
  r.compressed_bytes = compressed;
  r.encode_seconds = encode_s;
  r.decode_seconds = encode_s / 2;
  r.roundtrip_ok = ok;
  r.tool_version = "unit-test";
  return r;
}

TEST(Summary, HandComputedRatiosAndThroughput) {
  // Method "m": ratios 2 (a/t1), 4 (a/t2), 1.25 (b/t1); one failed row that must not count.
  std::vector<ResultRow> rows = {
      row("a", "t1", "m", 1000000, 500000, 0.01), row("a", "t2", "m", 2000000, 500000, 0.01),
      row("b", "t1", "m", 1000000, 800000, 0.02), row("b", "t2", "m", 1000000, 1, 0.02, false)};
  SummaryOptions options;
  options.bootstrap = 0;
  auto s = summarize(rows, options);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].domain, "BF16");
  EXPECT_EQ(s[0].ratios.count, 3u);
  EXPECT_EQ(s[0].failures, 1u);
  EXPECT_DOUBLE_EQ(s[0].ratios.median, 2.0);
  EXPECT_NEAR(s[0].ratios.geometric_mean, std::cbrt(2.0 * 4.0 * 1.25), 1e-12);
  EXPECT_NEAR(s[0].ratios.byte_weighted, 4.0 / 1.8, 1e-12);
  EXPECT_NEAR(s[0].encode_mb_per_s, 4.0 / 0.04, 1e-9);  // 4 MB in 0.04 s
  EXPECT_NEAR(s[0].decode_mb_per_s, 4.0 / 0.02, 1e-9);
  // Leaving out a: only b/t1 -> 1.25; leaving out b: 3 MB / 1 MB = 3.
  ASSERT_EQ(s[0].leave_one_out.size(), 2u);
  EXPECT_NEAR(s[0].leave_one_out[0].summary.byte_weighted, 1.25, 1e-12);
  EXPECT_NEAR(s[0].leave_one_out[1].summary.byte_weighted, 3.0, 1e-12);
}

TEST(Summary, DuplicateRowsCountOnceLastWins) {
  std::vector<ResultRow> rows = {row("a", "t1", "m", 100, 100), row("a", "t1", "m", 100, 50)};
  auto unique = deduplicate(rows);
  ASSERT_EQ(unique.size(), 1u);
  EXPECT_EQ(unique[0].compressed_bytes, 50u);
}

TEST(Summary, ProfileIsChargedOncePerModel) {
  // Two tensors of 300 and 100 bytes, 100 bytes each compressed, a 40-byte profile: it is spread
  // 30/10, so the byte-weighted ratio is 400 / 240 exactly.
  auto r1 = row("a", "t1", "m", 300, 100);
  auto r2 = row("a", "t2", "m", 100, 100);
  r1.profile_bytes = r2.profile_bytes = 40;
  std::vector<const ResultRow*> rows = {&r1, &r2};
  auto samples = samples_of(rows);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].compressed_bytes, 130u);
  EXPECT_EQ(samples[1].compressed_bytes, 110u);
  EXPECT_NEAR(analysis::byte_weighted_ratio(samples), 400.0 / 240.0, 1e-12);
}

TEST(Summary, BootstrapIntervalsAreDeterministicAndGroupingWorks) {
  std::vector<ResultRow> rows;
  for (int m = 0; m < 4; ++m)
    for (int t = 0; t < 3; ++t) {
      // Appending rather than "model" + to_string(): GCC 12 warns falsely (-Wrestrict) on the
      // latter.
      std::string model = "model", tensor = "t";
      model += std::to_string(m);
      tensor += std::to_string(t);
      rows.push_back(row(model, tensor, "x", 1000, 400 + 50 * m + 10 * t));
      rows.push_back(row(model, tensor, "y", 1000, 900));
    }
  SummaryOptions options;
  options.bootstrap = 300;
  options.seed = 11;
  auto a = summarize(rows, options);
  auto b = summarize(rows, options);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].method, "x");  // methods keep their first-seen order
  EXPECT_EQ(a[0].byte_weighted_ci.low, b[0].byte_weighted_ci.low);
  EXPECT_EQ(a[0].byte_weighted_ci.high, b[0].byte_weighted_ci.high);
  EXPECT_LT(a[0].byte_weighted_ci.low, a[0].byte_weighted_ci.high);
  EXPECT_LE(a[0].byte_weighted_ci.low, a[0].ratios.byte_weighted);
  EXPECT_GE(a[0].byte_weighted_ci.high, a[0].ratios.byte_weighted);
  // Method y is 1000/900 everywhere: its interval is a point.
  EXPECT_DOUBLE_EQ(a[1].byte_weighted_ci.low, 1000.0 / 900.0);
  EXPECT_DOUBLE_EQ(a[1].byte_weighted_ci.high, 1000.0 / 900.0);

  options.by = GroupBy::kModel;
  auto by_model = summarize(rows, options);
  EXPECT_EQ(by_model.size(), 8u);                 // 4 models x 2 methods
  EXPECT_EQ(by_model[0].domain, "model0, BF16");  // a model's types are never pooled
  EXPECT_NEAR(by_model[0].ratios.byte_weighted, 3000.0 / (400 + 410 + 420), 1e-12);

  auto markdown = format_summary_markdown(a, rows, SummaryOptions{});
  EXPECT_NE(markdown.find("| x | 12 | 0 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("without model3"), std::string::npos);
}

TEST(Summary, FiltersSelectRowsAndSkippedRowsNeverPrintZeros) {
  std::vector<ResultRow> rows = {row("a", "t1", "m", 100, 50), row("a", "t2", "m", 10, 8),
                                 row("b", "t1", "m", 1000, 400)};
  rows[1].role = "input_layernorm";
  rows[2].dtype = "q4_K";
  RowFilter filter;
  filter.min_bytes = 50;
  EXPECT_EQ(filter_rows(rows, filter).size(), 2u);
  filter.dtypes = {"q4_K", "F16"};
  ASSERT_EQ(filter_rows(rows, filter).size(), 1u);
  EXPECT_EQ(filter_rows(rows, filter)[0].model, "b");
  filter = {};
  filter.roles = {"input_layernorm"};
  EXPECT_EQ(filter_rows(rows, filter).size(), 1u);
  filter = {};
  filter.models = {"a"};
  EXPECT_EQ(filter_rows(rows, filter).size(), 2u);
  filter.min_bytes = 20;
  EXPECT_EQ(filter.describe(), "model a; at least 20 bytes");

  // A method whose every row was skipped: counted, explained, never a 0.0000 ratio.
  ResultRow skipped = row("a", "t1", "trained", 100, 0, 0, false);
  skipped.skipped = "no profile (no other model has training data; see --profiles)";
  std::vector<ResultRow> with_skip = {row("a", "t1", "m", 100, 50), skipped};
  SummaryOptions options;
  options.bootstrap = 0;
  auto summaries = summarize(with_skip, options);
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[1].skipped, 1u);
  EXPECT_EQ(summaries[1].failures, 0u);
  auto markdown = format_summary_markdown(summaries, with_skip, options);
  EXPECT_EQ(markdown.find("0.0000"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("skipped (1 rows: no profile"), std::string::npos) << markdown;
  EXPECT_EQ(markdown.find("failed their roundtrip"), std::string::npos);
}

TEST(Summary, WholeFileAblationTable) {
  auto file_row = [](std::string method, std::string file, uint64_t original, uint64_t compressed) {
    ResultRow r = row("m", "", std::move(method), original, compressed);
    r.file = std::move(file);
    r.dtype = "file";
    return r;
  };
  EXPECT_EQ(format_ablation_markdown({file_row("file-zstd-19", "a.gguf", 100, 90)}), "");
  std::vector<ResultRow> rows = {
      file_row("decomp_perstream_zstd19_bg", "a.gguf", 1000, 900),
      file_row("decomp_perstream_zstd19_bg", "b.gguf", 1000, 800),
      file_row("decomp_perstream_zstd19", "a.gguf", 1000, 950),
      file_row("decomp_perstream_zstd19", "b.gguf", 1000, 850),
      file_row("lcl", "a.gguf", 1000, 700),
      file_row("lcl", "b.gguf", 1000, 700),
      file_row("lcl", "c.safetensors", 1000, 500),  // not a GGUF file: not in the table
  };
  auto table = format_ablation_markdown(rows);
  const double base = std::sqrt(1000.0 / 900 * 1000.0 / 800);
  char expected[128];
  std::snprintf(expected, sizeof expected,
                "| decomp_perstream_zstd19_bg | 2 | 0 | %.4f | %.4f | +0.00%%",
                (1000.0 / 900 + 1000.0 / 800) / 2, base);
  EXPECT_NE(table.find(expected), std::string::npos) << table;
  EXPECT_NE(table.find("| lcl | 2 | 0 | 1.4286 | 1.4286 |"), std::string::npos) << table;
  std::snprintf(expected, sizeof expected, "%.2f%%",
                (std::sqrt(1000.0 / 950 * 1000.0 / 850) / base - 1) * 100);
  EXPECT_NE(table.find(expected), std::string::npos) << table;
}

}  // namespace
}  // namespace lcl::bench
