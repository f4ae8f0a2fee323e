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
  EXPECT_EQ(by_model.size(), 8u);  // 4 models x 2 methods
  EXPECT_EQ(by_model[0].domain, "model0");
  EXPECT_NEAR(by_model[0].ratios.byte_weighted, 3000.0 / (400 + 410 + 420), 1e-12);

  auto markdown = format_summary_markdown(a, rows, SummaryOptions{});
  EXPECT_NE(markdown.find("| x | 12 | 0 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("without model3"), std::string::npos);
}

}  // namespace
}  // namespace lcl::bench
