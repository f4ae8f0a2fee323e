// `lcl atlas --base`: the bounds of a fine-tune's tensors given its base, on the committed
// miniature pair (slices of a real fine-tune, as safetensors and as Q8_0 GGUF).
#include <gtest/gtest.h>

#include "analysis/delta_bounds.hpp"
#include "support/test_paths.hpp"

namespace lcl::analysis {
namespace {

std::filesystem::path golden(const std::string& name) {
  return test::source_dir() / "tests/golden" / name;
}

TEST(DeltaBounds, FloatTensorsGivenTheBaseAreBoundedWellBelowAlone) {
  const DeltaBounds bounds =
      build_delta_bounds({golden("tiny-finetune.safetensors")}, golden("tiny-base.safetensors"));
  const auto& rows = bounds.floats;
  // BF16 and F16 tensors the base holds alike: q, v and the unchanged one (k is F32; the
  // fine-tune's only_finetune has no base).
  ASSERT_EQ(rows.size(), 3u);
  for (const DeltaBoundRow& r : rows) {
    SCOPED_TRACE(r.tensor);
    if (r.tensor == "same.bf16") {
      EXPECT_EQ(r.changed, 0.0);
      EXPECT_EQ(r.given_exponent, 0.0);
      continue;
    }
    EXPECT_GT(r.changed, 0.2);
    EXPECT_GT(r.alone, 8.0);
    EXPECT_LE(r.given_exponent, r.difference + 1e-9);  // conditioning never adds bits
    EXPECT_LT(r.difference, r.alone / 2);
  }
  EXPECT_NE(format_delta_bounds_table(rows).find("same.bf16"), std::string::npos);
}

TEST(DeltaBounds, QuantizedTensorsGivenTheBaseCostAFractionOfTheirBytes) {
  const DeltaBounds bounds =
      build_delta_bounds({golden("tiny-finetune-q8_0.gguf")}, golden("tiny-base-q8_0.gguf"));
  const auto& rows = bounds.blocks;
  ASSERT_EQ(rows.size(), 4u);  // only_finetune.bf16 has no base
  for (const BlockDeltaBoundRow& r : rows) {
    SCOPED_TRACE(r.tensor);
    EXPECT_EQ(r.dtype, "q8_0");
    EXPECT_EQ(r.values, r.bytes / 34 * 33);  // a scale word and 32 bytes per block
    if (r.tensor == "same.bf16") {
      EXPECT_EQ(r.changed, 0.0);
      EXPECT_EQ(r.bits, 0.0);
      continue;
    }
    EXPECT_GT(r.changed, 0.0);
    EXPECT_LT(r.bits, 8.0 * static_cast<double>(r.bytes) / 4);
  }
  const std::string table = format_block_delta_bounds_table(rows);
  EXPECT_NE(table.find("q8_0"), std::string::npos);
  EXPECT_NE(table.find("all"), std::string::npos);
  // The float pair has no quantized tensors.
  EXPECT_TRUE(
      build_delta_bounds({golden("tiny-finetune.safetensors")}, golden("tiny-base.safetensors"))
          .blocks.empty());
}

}  // namespace
}  // namespace lcl::analysis
