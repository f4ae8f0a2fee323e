// The lcl command line as users and scripts see it: outputs, exit codes, refusals.
#include <gtest/gtest.h>

#include "support/cli_runner.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

using namespace test::cli;

TEST(Cli, CompressDecompressVerify) {
  TempDir dir;
  auto data = test::skewed_bytes(300000, 5);
  test::write_file(dir / "w.bin", data);
  CliRun c = lcl("compress " + q(dir / "w.bin") + " -T 2");
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_NE(c.out.find("300000 ->"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("x)"), std::string::npos) << c.out;
  ASSERT_TRUE(std::filesystem::exists(dir / "w.bin.lcl"));

  CliRun v = lcl("verify " + q(dir / "w.bin.lcl") + " " + q(dir / "w.bin"));
  EXPECT_EQ(v.status, 0) << v.out;

  std::filesystem::remove(dir / "w.bin");
  CliRun d = lcl("decompress " + q(dir / "w.bin.lcl"));
  ASSERT_EQ(d.status, 0) << d.out;
  EXPECT_EQ(test::read_file(dir / "w.bin"), data);
}

TEST(Cli, NeverOverwritesWithoutForce) {
  TempDir dir;
  test::write_file(dir / "a", test::skewed_bytes(1000, 1));
  ASSERT_EQ(lcl("compress -q " + q(dir / "a")).status, 0);
  CliRun again = lcl("compress " + q(dir / "a"));
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
  EXPECT_EQ(lcl("compress -q -f " + q(dir / "a")).status, 0);
  CliRun d = lcl("decompress " + q(dir / "a.lcl"));
  EXPECT_EQ(d.status, 1) << d.out;  // the original is still there
  EXPECT_EQ(lcl("decompress -f " + q(dir / "a.lcl")).status, 0);
}

TEST(Cli, ExplicitOutputsAndSeveralInputs) {
  TempDir dir;
  std::filesystem::create_directory(dir / "out");
  test::write_file(dir / "x", test::skewed_bytes(5000, 1));
  test::write_file(dir / "y", test::skewed_bytes(6000, 2));
  ASSERT_EQ(
      lcl("compress -q " + q(dir / "x") + " " + q(dir / "y") + " -o " + q(dir / "out")).status, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "x.lcl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "y.lcl"));
  ASSERT_EQ(lcl("decompress -q " + q(dir / "out" / "x.lcl") + " -o " + q(dir / "x2")).status, 0);
  EXPECT_EQ(test::read_file(dir / "x2"), test::read_file(dir / "x"));
  // several inputs with -o naming a file is a usage error
  EXPECT_EQ(lcl("compress " + q(dir / "x") + " " + q(dir / "y") + " -o " + q(dir / "z")).status, 2);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(lcl("").status, 2);
  EXPECT_EQ(lcl("frobnicate").status, 2);
  EXPECT_EQ(lcl("compress").status, 2);
  EXPECT_EQ(lcl("compress /nonexistent/file").status, 2);
  EXPECT_EQ(lcl("--version").status, 0);
}

TEST(Cli, CorruptInputExitsOneNamingTheChunk) {
  TempDir dir;
  test::write_file(dir / "d", test::skewed_bytes(200000, 9));
  ASSERT_EQ(lcl("compress -q " + q(dir / "d")).status, 0);
  auto bytes = test::read_file(dir / "d.lcl");
  bytes[100] ^= 0x40;
  test::write_file(dir / "bad.lcl", bytes);
  CliRun v = lcl("verify " + q(dir / "bad.lcl"));
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.out.find("chunk 0"), std::string::npos) << v.out;
  EXPECT_EQ(std::count(v.out.begin(), v.out.end(), '\n'), 1) << v.out;  // one line
  CliRun d = lcl("decompress " + q(dir / "bad.lcl") + " -o " + q(dir / "restored"));
  EXPECT_EQ(d.status, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "restored"));
  bytes.resize(bytes.size() / 2);
  test::write_file(dir / "short.lcl", bytes);
  CliRun t = lcl("info " + q(dir / "short.lcl"));
  EXPECT_EQ(t.status, 1) << t.out;
}

TEST(Cli, InfoAndExtractOnCorpusSafetensors) {
  LCL_REQUIRE_CORPUS();
  TempDir dir;
  auto shard = test::corpus_dir() / "bytellama-25m" / "model-00001-of-00004.safetensors";
  ASSERT_EQ(lcl("compress -q " + q(shard) + " -o " + q(dir / "s.lcl")).status, 0);
  CliRun info = lcl("info " + q(dir / "s.lcl"));
  ASSERT_EQ(info.status, 0) << info.out;
  EXPECT_NE(info.out.find("model.embed_tokens.weight"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("BF16"), std::string::npos);
  CliRun json = lcl("info --json " + q(dir / "s.lcl"));
  ASSERT_EQ(json.status, 0);
  EXPECT_NE(json.out.find("\"compressed_bytes\""), std::string::npos);
  CliRun extract =
      lcl("extract " + q(dir / "s.lcl") + " model.embed_tokens.weight -o " + q(dir / "emb"));
  ASSERT_EQ(extract.status, 0) << extract.out;
  EXPECT_EQ(std::filesystem::file_size(dir / "emb"), 256u * 512u * 2u);
  EXPECT_EQ(lcl("extract " + q(dir / "s.lcl") + " no.such.tensor -o " + q(dir / "x")).status, 2);
}

TEST(Cli, InfoListsShardedCheckpoint) {
  LCL_REQUIRE_CORPUS();
  CliRun info =
      lcl("info " + q(test::corpus_dir() / "bytellama-25m" / "model.safetensors.index.json"));
  ASSERT_EQ(info.status, 0) << info.out;
  for (const char* shard : {"model-00001-of-00004", "model-00004-of-00004"})
    EXPECT_NE(info.out.find(shard), std::string::npos) << shard;
  EXPECT_NE(info.out.find("model.layers.7.mlp.down_proj.weight"), std::string::npos);
}

}  // namespace
}  // namespace lcl
