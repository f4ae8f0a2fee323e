#include <gtest/gtest.h>

#include <fstream>

#include "formats/layout_expectations.hpp"
#include "lcl/layout.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void write_file(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

TEST(Sharded, IndexListsItsShardsSortedAndUnique) {
  test::TempDir dir;
  for (const char* shard :
       {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
    write_file(dir / shard, test::build_safetensors({{"x", "U8", {2}, {1, 2}}}));
  }
  write_file(dir / "config.json", std::string("{}"));
  const auto index = dir / "model.safetensors.index.json";
  write_file(index, std::string(R"({"metadata":{"total_size":4},"weight_map":{)"
                                R"("b":"model-00002-of-00002.safetensors",)"
                                R"("a":"model-00001-of-00002.safetensors",)"
                                R"("c":"model-00002-of-00002.safetensors"}})"));
  ShardedCheckpoint checkpoint = read_sharded_index(index);
  EXPECT_EQ(checkpoint.index_path, index);
  EXPECT_EQ(checkpoint.declared_total_size, 4u);
  ASSERT_EQ(checkpoint.shards.size(), 2u);
  EXPECT_EQ(checkpoint.shards[0], dir / "model-00001-of-00002.safetensors");
  EXPECT_EQ(checkpoint.shards[1], dir / "model-00002-of-00002.safetensors");
  EXPECT_EQ(model_files(index), checkpoint.shards);
  EXPECT_EQ(model_files(dir.path()), checkpoint.shards);  // config.json and the index are skipped
}

TEST(Sharded, HostileIndexesAreRejected) {
  test::TempDir dir;
  write_file(dir / "ok.safetensors", test::build_safetensors({}));
  const std::pair<const char*, std::string> corrupt[] = {
      {"parent dir", R"({"weight_map":{"a":"../ok.safetensors"}})"},
      {"absolute", R"({"weight_map":{"a":"/etc/passwd"}})"},
      {"subdir", R"({"weight_map":{"a":"sub/ok.safetensors"}})"},
      {"backslash", R"({"weight_map":{"a":"..\\ok.safetensors"}})"},
      {"dotdot", R"({"weight_map":{"a":".."}})"},
      {"empty name", R"({"weight_map":{"a":""}})"},
      {"not a string", R"({"weight_map":{"a":3}})"},
      {"no weight_map", R"({"metadata":{}})"},
      {"metadata not an object", R"({"metadata":[],"weight_map":{}})"},
      {"bad total_size", R"({"metadata":{"total_size":-1},"weight_map":{}})"},
      {"invalid json", R"({"weight_map":)"},
      {"not an object", R"([1])"},
  };
  for (const auto& [why, text] : corrupt) {
    SCOPED_TRACE(why);
    write_file(dir / "bad.index.json", text);
    EXPECT_EQ(test::kind_of_failure([&] { read_sharded_index(dir / "bad.index.json"); }),
              ErrorKind::kCorruptInput);
  }
  write_file(dir / "missing.index.json", std::string(R"({"weight_map":{"a":"gone.safetensors"}})"));
  EXPECT_EQ(test::kind_of_failure([&] { read_sharded_index(dir / "missing.index.json"); }),
            ErrorKind::kIo);
  EXPECT_EQ(test::kind_of_failure([&] { model_files(dir / "absent"); }), ErrorKind::kIo);
}

}  // namespace
}  // namespace lcl
