// Every model file of the shared corpus parses into a layout that covers it byte for byte, with
// the tensor counts and types the files really hold (counted independently from their headers).
#include <gtest/gtest.h>

#include <map>

#include "lcl/layout.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

std::map<TypeId, int> tensor_type_counts(const Layout& layout) {
  std::map<TypeId, int> counts;
  for (const Region& r : layout.regions) {
    if (r.kind == RegionKind::kTensor) ++counts[r.tensor.type];
  }
  return counts;
}

Layout parse_checked(const std::filesystem::path& path) {
  Layout layout = read_layout(path);
  EXPECT_TRUE(layout.warnings.empty()) << path << ": " << layout.warnings.front();
  EXPECT_EQ(layout.file_size, std::filesystem::file_size(path));
  EXPECT_NO_THROW(validate_layout(layout));
  return layout;
}

TEST(CorpusLayouts, BytellamaShardsAreBf16Safetensors) {
  LCL_REQUIRE_CORPUS();
  const auto dir = test::corpus_dir() / "bytellama-25m";
  const int expected_tensors[] = {20, 18, 18, 19};
  std::vector<std::filesystem::path> shards = model_files(dir / "model.safetensors.index.json");
  ASSERT_EQ(shards.size(), 4u);
  uint64_t tensor_bytes = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    EXPECT_EQ(shards[i].filename().string(),
              "model-0000" + std::to_string(i + 1) + "-of-00004.safetensors");
    Layout layout = parse_checked(shards[i]);
    EXPECT_EQ(layout.format, FileFormat::kSafetensors);
    EXPECT_EQ(tensor_type_counts(layout),
              (std::map<TypeId, int>{{type::kBF16, expected_tensors[i]}}));
    EXPECT_FALSE(layout.metadata.empty());  // these shards carry {"format": "pt"}
    for (const Region& r : layout.regions) {
      if (r.kind == RegionKind::kTensor) tensor_bytes += r.size;
    }
  }
  ShardedCheckpoint checkpoint = read_sharded_index(dir / "model.safetensors.index.json");
  EXPECT_EQ(checkpoint.declared_total_size, 50873344u);
  EXPECT_EQ(tensor_bytes, checkpoint.declared_total_size);
}

TEST(CorpusLayouts, ModelFilesOfADirectoryAreSortedModelFiles) {
  LCL_REQUIRE_CORPUS();
  auto files = model_files(test::corpus_dir() / "bytellama-25m");
  ASSERT_EQ(files.size(), 4u);  // config.json and the index are not model files
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  EXPECT_EQ(model_files(files[0]), std::vector<std::filesystem::path>{files[0]});
}

TEST(CorpusLayouts, OtherSafetensorsFiles) {
  LCL_REQUIRE_CORPUS();
  Layout stories = parse_checked(test::corpus_dir() / "stories260K/stories260K-bf16.safetensors");
  EXPECT_EQ(tensor_type_counts(stories), (std::map<TypeId, int>{{type::kBF16, 48}}));
  Layout use = parse_checked(test::corpus_dir() / "use-lite/use-lite-bf16.safetensors");
  EXPECT_EQ(tensor_type_counts(use), (std::map<TypeId, int>{{type::kBF16, 20}}));
}

struct GgufCase {
  const char* path;
  std::map<TypeId, int> types;
};

TEST(CorpusLayouts, GgufFilesHaveTheirTensorTypes) {
  LCL_REQUIRE_CORPUS();
  const GgufCase cases[] = {
      {"bytellama-25m-gguf/bytellama-25m-BF16.gguf", {{type::kF32, 17}, {type::kBF16, 58}}},
      {"bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf",
       {{type::kF32, 17}, {type::kQ4_K, 49}, {type::kQ6_K, 9}}},
      {"bytellama-25m-gguf/bytellama-25m-Q6_K.gguf", {{type::kF32, 17}, {type::kQ6_K, 58}}},
      {"bytellama-25m-gguf/bytellama-25m-Q8_0.gguf", {{type::kF32, 17}, {type::kQ8_0, 58}}},
      {"stories260K/stories260K-Q4_K_M.gguf",
       {{type::kF32, 11}, {type::kF16, 5}, {type::kQ5_0, 29}, {type::kQ8_0, 3}}},
      {"use-lite/use-lite-Q4_K_M.gguf", {{type::kF32, 5}, {type::kQ4_K, 12}, {type::kQ6_K, 3}}},
  };
  for (const GgufCase& c : cases) {
    SCOPED_TRACE(c.path);
    Layout layout = parse_checked(test::corpus_dir() / c.path);
    EXPECT_EQ(layout.format, FileFormat::kGguf);
    EXPECT_EQ(tensor_type_counts(layout), c.types);
    // The first region is the header, padded to the 32-byte alignment of the data section.
    ASSERT_FALSE(layout.regions.empty());
    EXPECT_EQ(layout.regions[0].kind, RegionKind::kOpaque);
    EXPECT_EQ(layout.regions[1].offset % 32, 0u);
    bool has_architecture = false;
    for (const auto& [key, value] : layout.metadata)
      has_architecture |= key == "general.architecture";
    EXPECT_TRUE(has_architecture);
  }
}

TEST(CorpusLayouts, Q4KmStoriesGgufSizesMatchItsSourceNotes) {
  LCL_REQUIRE_CORPUS();
  Layout layout = parse_checked(test::corpus_dir() / "stories260K/stories260K-Q4_K_M.gguf");
  std::map<TypeId, uint64_t> bytes;
  for (const Region& r : layout.regions) {
    if (r.kind == RegionKind::kTensor) bytes[r.tensor.type] += r.size;
  }
  // Figures from stories260K/SOURCE.md.
  EXPECT_EQ(bytes[type::kQ5_0], 137632u);
  EXPECT_EQ(bytes[type::kQ8_0], 39168u);
  EXPECT_EQ(bytes[type::kF16], 110080u);
  EXPECT_EQ(bytes[type::kF32], 2816u);
}

TEST(CorpusLayouts, NonModelFilesAreOpaque) {
  LCL_REQUIRE_CORPUS();
  for (const char* name : {"stories260K/stories260K.bin", "bytellama-25m/config.json"}) {
    Layout layout = read_layout(test::corpus_dir() / name);
    EXPECT_EQ(layout.format, FileFormat::kOpaque) << name;
    ASSERT_EQ(layout.regions.size(), 1u);
    EXPECT_EQ(layout.regions[0].size, layout.file_size);
  }
}

}  // namespace
}  // namespace lcl
