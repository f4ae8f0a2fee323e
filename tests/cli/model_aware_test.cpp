// Commands that know what a model is: info over directories of archives and over sharded indexes
// (checked against the shards), tensors of unknown GGUF types, names that are not UTF-8, and the
// small conveniences (-o DIR, smoke from anywhere, extract of names beginning with '-').
#include <gtest/gtest.h>

#include <fstream>

#include "lcl/types.hpp"
#include "support/cli_runner.hpp"
#include "support/file_utils.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

using namespace test::cli;

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Two shards and an index whose weight map disagrees with them: "a2" is mapped to the wrong
// shard, "ghost" to no tensor at all, and "b2" is not mapped.
void write_disagreeing_checkpoint(const std::filesystem::path& dir) {
  test::write_file(dir / "model-1.safetensors",
                   test::build_safetensors({{"a1", "BF16", {2048}, test::skewed_bytes(4096, 1)},
                                            {"a2", "BF16", {16}, test::pattern_bytes(32)}}));
  test::write_file(dir / "model-2.safetensors",
                   test::build_safetensors({{"b1", "F32", {1024}, test::skewed_bytes(4096, 2)},
                                            {"b2", "F32", {4}, test::pattern_bytes(16)}}));
  write_text(dir / "model.safetensors.index.json",
             R"({"metadata":{},"weight_map":{"a1":"model-1.safetensors",)"
             R"("a2":"model-2.safetensors","b1":"model-2.safetensors",)"
             R"("ghost":"model-1.safetensors"}})");
}

TEST(ModelAware, IndexWeightMapIsCheckedAgainstTheShards) {
  TempDir dir;
  write_disagreeing_checkpoint(dir.path());
  CliRun info = lcl("info " + q(dir / "model.safetensors.index.json"));
  ASSERT_EQ(info.status, 0) << info.out;
  EXPECT_NE(info.out.find("'a2' in model-2.safetensors, but it is in model-1.safetensors"),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("'ghost' in model-1.safetensors, but no shard holds it"),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("'b2' in model-2.safetensors is missing from the weight_map"),
            std::string::npos)
      << info.out;
  EXPECT_EQ(info.out.find("'a1'"), std::string::npos) << info.out;  // mapped right: no warning
  EXPECT_NE(info.out.find("total: 4 tensors"), std::string::npos) << info.out;

  // Compression does not rely on the map: every shard round-trips byte for byte.
  std::filesystem::create_directory(dir / "packed");
  ASSERT_EQ(lcl("compress -q " + q(dir / "model-1.safetensors") + " " +
                q(dir / "model-2.safetensors") + " -o " + q(dir / "packed"))
                .status,
            0);
  for (const char* shard : {"model-1.safetensors", "model-2.safetensors"}) {
    auto packed = dir / "packed" / (std::string(shard) + ".lcl");
    ASSERT_EQ(lcl("decompress -q " + q(packed) + " -o " + q(dir / "restored")).status, 0);
    EXPECT_EQ(test::read_file(dir / "restored"), test::read_file(dir / shard)) << shard;
    std::filesystem::remove(dir / "restored");
  }

  // info on the directory of archives lists every shard's tensors.
  CliRun listing = lcl("info " + q(dir / "packed"));
  ASSERT_EQ(listing.status, 0) << listing.out;
  EXPECT_NE(listing.out.find("total: 4 tensors"), std::string::npos) << listing.out;
  for (const char* name : {"a1", "a2", "b1", "b2", "model-1.safetensors", "model-2.safetensors"})
    EXPECT_NE(listing.out.find(name), std::string::npos) << name;
}

// A GGUF as ggml's writer makes them: an empty tensor of an unknown type at the offset of the
// next, a tensor of an unknown type with data, and a name cut inside a UTF-8 character.
std::vector<uint8_t> gguf_with_unknown_types() {
  return test::GgufBuilder()
      .tensor({"empty_nvfp4x", 43, {0}, {}})
      .tensor({"w", type::kF32, {64}, test::skewed_bytes(256, 3)})
      .tensor({"caf\xc3", 42, {64}, test::pattern_bytes(18)})
      .tensor({"-dash", type::kF32, {8}, test::pattern_bytes(32)})
      .build()
      .bytes;
}

TEST(ModelAware, UnknownGgufTypesAreListedAndExtractable) {
  TempDir dir;
  const auto file = gguf_with_unknown_types();
  test::write_file(dir / "m.gguf", file);
  CliRun plain = lcl("info " + q(dir / "m.gguf"));
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(plain.out.find("treated as opaque"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("ggml_type_42"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("total: 4 tensors"), std::string::npos) << plain.out;

  ASSERT_EQ(lcl("compress -q " + q(dir / "m.gguf")).status, 0);
  for (const auto& path : {dir / "m.gguf", dir / "m.gguf.lcl"}) {
    CliRun json = lcl("info --json " + q(path));
    ASSERT_EQ(json.status, 0) << json.out;
    EXPECT_NE(json.out.find("caf\xef\xbf\xbd"), std::string::npos) << json.out;  // U+FFFD
    EXPECT_NE(json.out.find("ggml_type_42"), std::string::npos) << json.out;
  }
  CliRun extract =
      lcl("extract " + q(dir / "m.gguf.lcl") + " -o " + q(dir / "t") + " -- " + q("caf\xc3"));
  ASSERT_EQ(extract.status, 0) << extract.out;
  auto bytes = test::read_file(dir / "t");
  ASSERT_GE(bytes.size(), 18u);  // its 18 bytes, then the padding up to the next tensor
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.begin() + 18, test::pattern_bytes(18).begin()));
  // Names beginning with '-' go after "--", as --help says.
  CliRun dash = lcl("extract " + q(dir / "m.gguf.lcl") + " -o " + q(dir / "d") + " -- -dash");
  ASSERT_EQ(dash.status, 0) << dash.out;
  EXPECT_EQ(test::read_file(dir / "d"), test::pattern_bytes(32));
  CliRun help = lcl("extract --help");
  EXPECT_NE(help.out.find("after '--'"), std::string::npos) << help.out;
}

TEST(ModelAware, CompressIntoADirectoryWithOneInput) {
  TempDir dir;
  std::filesystem::create_directory(dir / "out");
  test::write_file(dir / "w.bin", test::skewed_bytes(3000, 4));
  CliRun c = lcl("compress -q " + q(dir / "w.bin") + " -o " + q(dir / "out"));
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "out" / "w.bin.lcl"));
}

TEST(ModelAware, SmokeRunsFromAnyWorkingDirectory) {
  CliRun smoke = test::run_lcl("smoke", "cd / && ");
  EXPECT_EQ(smoke.status, 0) << smoke.out;
  EXPECT_NE(smoke.out.find("all outputs match"), std::string::npos) << smoke.out;
}

}  // namespace
}  // namespace lcl
