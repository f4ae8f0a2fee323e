// A synthetic sharded checkpoint: every shard and the index round-trip, and the archive's tensor
// table matches the shards' headers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lcl/container.hpp"
#include "support/file_utils.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

TEST(Sharded, EveryShardRoundTripsAndKeepsItsTensorTable) {
  test::TempDir dir;
  nlohmann::json weight_map = nlohmann::json::object();
  std::vector<std::string> files;
  for (int shard = 1; shard <= 3; ++shard) {
    std::vector<test::SafetensorsTensor> tensors;
    for (int layer = 0; layer < 2; ++layer) {
      std::string name =
          "model.layers." + std::to_string(shard * 2 + layer) + ".mlp.up_proj.weight";
      tensors.push_back(
          {name, "BF16", {64, 96}, test::skewed_bytes(64 * 96 * 2, shard * 10 + layer)});
      weight_map[name] = "model-0000" + std::to_string(shard) + "-of-00003.safetensors";
    }
    std::string file = "model-0000" + std::to_string(shard) + "-of-00003.safetensors";
    test::write_file(dir / file, test::build_safetensors(tensors));
    files.push_back(file);
  }
  std::string index = nlohmann::json{
      {"metadata", {{"total_size", 3 * 2 * 64 * 96 * 2}}},
      {"weight_map",
       weight_map}}.dump(2);
  test::write_file(dir / "model.safetensors.index.json", {index.begin(), index.end()});
  files.push_back("model.safetensors.index.json");

  EXPECT_EQ(model_files(dir / "model.safetensors.index.json").size(), 3u);
  CompressOptions options;
  options.threads = 2;
  options.verify_chunks = true;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    compress_file(dir / file, dir / (file + ".lcl"), options, false);
    decompress_file(dir / (file + ".lcl"), dir / (file + ".out"), {}, false);
    EXPECT_EQ(test::read_file(dir / (file + ".out")), test::read_file(dir / file));
    auto archive = Archive::open(dir / (file + ".lcl"));
    if (file.ends_with(".json")) {
      EXPECT_TRUE(archive->index().tensors.empty());
      continue;
    }
    Layout layout = read_layout(dir / file);
    ASSERT_EQ(archive->index().tensors.size(), 2u);
    for (const TensorEntry& t : archive->index().tensors) {
      auto region = std::find_if(layout.regions.begin(), layout.regions.end(),
                                 [&](const Region& r) { return r.tensor.name == t.info.name; });
      ASSERT_NE(region, layout.regions.end());
      EXPECT_EQ(t.original_offset, region->offset);
      EXPECT_EQ(t.info.shape, region->tensor.shape);
      EXPECT_EQ(t.info.type, type::kBF16);
      auto bytes = archive->read_tensor(t.info.name);
      auto whole = test::read_file(dir / file);
      EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), whole.begin() + t.original_offset));
    }
  }
}

}  // namespace
}  // namespace lcl
