// The research commands end to end through the lcl binary on a tiny synthetic corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench_fixture.hpp"

namespace lcl::test {
namespace {

int run(const std::string& args, const std::filesystem::path& stdout_file) {
  std::string command =
      cli_path().string() + " " + args + " > " + stdout_file.string() + " 2>/dev/null";
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Cli, AtlasBenchSummarizeCrosslayerFigures) {
  TempDir dir;
  write_tiny_corpus(dir / "corpus");
  auto corpus = (dir / "corpus").string(), d = dir.path().string();
  auto out = dir / "stdout.txt";

  ASSERT_EQ(
      run("atlas " + corpus + "/model-a " + corpus + "/model-b --jsonl " + d + "/atlas.jsonl", out),
      0);
  EXPECT_NE(read_text(out).find("q_proj"), std::string::npos);
  EXPECT_NE(read_text(dir / "atlas.jsonl").find("bound_iid16"), std::string::npos);

  ASSERT_EQ(run("bench --corpus " + corpus + " --methods zstd-3,lcl --threads 2 --out " + d +
                    "/r.jsonl.zst",
                out),
            0);
  ASSERT_EQ(run("bench --corpus " + corpus + " --methods zstd-3,lcl --shard 0/2 --out " + d +
                    "/s0.jsonl.zst",
                out),
            0);
  ASSERT_EQ(run("bench --corpus " + corpus + " --methods zstd-3,lcl --shard 1/2 --out " + d +
                    "/s1.jsonl.zst",
                out),
            0);
  EXPECT_EQ(run("bench --corpus " + corpus + " --shard 2/2 --out " + d + "/x.jsonl.zst", out),
            2);  // usage
  EXPECT_EQ(run("bench --corpus " + corpus + " --methods nope --out " + d + "/x.jsonl.zst", out),
            2);

  // The merged shards summarize exactly like the single run.
  ASSERT_EQ(run("summarize " + d + "/r.jsonl.zst --bootstrap 100 --seed 1", dir / "one.md"), 0);
  ASSERT_EQ(run("summarize " + d + "/s0.jsonl.zst " + d + "/s1.jsonl.zst --bootstrap 100 --seed 1",
                dir / "two.md"),
            0);
  auto one = read_text(dir / "one.md"), two = read_text(dir / "two.md");
  EXPECT_NE(one.find("| lcl | 6 | 0 |"), std::string::npos) << one;
  // Throughput columns differ between runs; compare the ratio columns of the lcl line.
  auto ratios = [](const std::string& md) {
    auto start = md.find("| lcl | 6 | 0 |");
    auto line = md.substr(start, md.find('\n', start) - start);
    return line.substr(0, line.rfind(" | ", line.rfind(" | ") - 1));
  };
  EXPECT_EQ(ratios(one), ratios(two));
  EXPECT_EQ(run("summarize " + d + "/r.jsonl.zst --by nonsense", out), 2);
  EXPECT_EQ(run("summarize " + d + "/atlas.jsonl", out), 1);  // not zstd: corrupt input

  ASSERT_EQ(run("crosslayer " + corpus + "/model-a --ranks 4 --jsonl " + d + "/cl.jsonl", out), 0);
  EXPECT_NE(read_text(out).find("median Pearson r"), std::string::npos);
  EXPECT_EQ(run("crosslayer " + corpus + "/model-a --ranks 65", out), 2);

  ASSERT_EQ(run("figures " + d + "/r.jsonl.zst --atlas " + d + "/atlas.jsonl --crosslayer " + d +
                    "/cl.jsonl --out " + d + "/figs",
                out),
            0);
  for (const char* f : {"byte_plane_entropy", "ratio_vs_bound", "q4k_nibble_entropy",
                        "crosslayer_pearson", "pareto"})
    EXPECT_TRUE(std::filesystem::exists(dir / "figs" / (std::string(f) + ".svg"))) << f;
}

TEST(Cli, AtlasGivenABaseBoundsFloatAndQuantizedTensors) {
  TempDir dir;
  const std::string golden = (source_dir() / "tests/golden").string(), d = dir.path().string();
  ASSERT_EQ(run("atlas " + golden + "/tiny-finetune-q8_0.gguf --base " + golden +
                    "/tiny-base-q8_0.gguf --jsonl " + d + "/q.jsonl",
                dir / "q.txt"),
            0);
  EXPECT_NE(read_text(dir / "q.txt").find("order-0 entropy of the field differences"),
            std::string::npos);
  const std::string jsonl = read_text(dir / "q.jsonl");
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 4);  // the tensors the base holds
  EXPECT_NE(jsonl.find("bits_field_differences"), std::string::npos);
  ASSERT_EQ(run("atlas " + golden + "/tiny-finetune.safetensors --base " + golden +
                    "/tiny-base.safetensors",
                dir / "f.txt"),
            0);
  EXPECT_NE(read_text(dir / "f.txt").find("diff|e"), std::string::npos);
}

}  // namespace
}  // namespace lcl::test
