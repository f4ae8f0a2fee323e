#include "analysis/atlas.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl::analysis {
namespace {

TEST(Atlas, RowsOfASyntheticFileAndJsonRoundtrip) {
  test::TempDir dir;
  // BF16 tensor of 4 values with 2 bits in each byte plane (see entropy_bounds_test).
  std::vector<uint8_t> bf16;
  const uint16_t values[4] = {0x3f80, 0xbf01, 0x4002, 0xc003};
  for (int i = 0; i < 256; ++i) test::put_le(bf16, values[i % 4], 2);
  auto bytes =
      test::build_safetensors({{"model.layers.2.mlp.up_proj.weight", "BF16", {16, 16}, bf16},
                               {"ids", "I32", {4}, std::vector<uint8_t>(16, 0)}});
  auto path = dir.path() / "m" / "x.safetensors";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());

  auto rows = build_atlas({path});
  ASSERT_EQ(rows.size(), 2u);
  const AtlasRow& up = rows[0].tensor == "ids" ? rows[1] : rows[0];
  EXPECT_EQ(up.model, "m");
  EXPECT_EQ(up.role, "up_proj");
  EXPECT_EQ(up.layer, 2);
  EXPECT_EQ(up.dtype, "BF16");
  EXPECT_EQ(up.bytes, 512u);
  EXPECT_DOUBLE_EQ(measure_value(up.measures, "bound_iid16"), 8.0);
  EXPECT_DOUBLE_EQ(measure_value(up.measures, "bound_byte_marginal"), 4.0);

  auto back = atlas_row_from_json(to_json(up));
  EXPECT_EQ(back.tensor, up.tensor);
  EXPECT_EQ(back.shape, up.shape);
  EXPECT_DOUBLE_EQ(measure_value(back.measures, "h_exponent"),
                   measure_value(up.measures, "h_exponent"));
  auto table = format_atlas_table(rows);
  EXPECT_NE(table.find("up_proj"), std::string::npos);
  EXPECT_NE(table.find("16-bit iid 8.0000x"), std::string::npos) << table;
}

TEST(Atlas, CorpusQ4KMatchesPublishedEntropies) {
  LCL_REQUIRE_CORPUS();
  auto rows =
      build_atlas({test::corpus_dir() / "bytellama-25m-gguf" / "bytellama-25m-Q4_K_M.gguf"});
  // Pool the per-tensor nibble entropies by bytes: the corpus README measured 3.867 bits
  // overall and 3.794 given the sub-block's scale and min (per-tensor conditionals are a little
  // lower since each tensor has its own table).
  double weighted = 0, total = 0;
  for (const auto& r : rows) {
    double h = measure_value(r.measures, "q4k_h_nibble");
    if (h < 0) continue;
    weighted += h * r.bytes;
    total += r.bytes;
    EXPECT_LT(measure_value(r.measures, "q4k_h_nibble_given_scale_min"), h);
  }
  ASSERT_GT(total, 0);
  EXPECT_NEAR(weighted / total, 3.867, 0.01);
}

TEST(Atlas, TableShowsFullNames) {
  AtlasRow r;
  r.model = "m";
  r.file = "a-rather-long-file-name-of-a-sharded-checkpoint-00001-of-00004.safetensors";
  r.tensor = "model.language_model.layers.17.self_attn.q_proj.weight_scale_inv";
  r.role = "q_proj.scale";
  r.layer = 17;
  r.dtype = "F8_E4M3";
  r.bytes = 1 << 16;
  r.measures = {{"h_high", 3.5}, {"h_low", 7.25}};
  AtlasRow s = r;
  s.file = "b.gguf";
  s.tensor = "t";
  const std::string table = format_atlas_table({r, s});
  EXPECT_NE(table.find(r.file + " " + r.tensor + " q_proj.scale"), std::string::npos) << table;
  EXPECT_NE(table.find("3.500  7.250"), std::string::npos) << table;
}

}  // namespace
}  // namespace lcl::analysis
