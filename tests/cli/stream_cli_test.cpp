// The zstd-like forms of lcl: standard input and output through pipes (`cat`), -d, -t, -c, --rm,
// -r with --shard, and inputs that are not regular files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>

#include "support/cli_runner.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

using namespace test::cli;

// A bash command line in `dir`, `lcl` naming the binary under test.
CliRun sh(const std::filesystem::path& dir, const std::string& line) {
  return test::run_bash_in(dir, line);
}

std::filesystem::path model() {
  return test::source_dir() / "tests/golden/tiny-float.safetensors";
}

TEST(CliStream, PipesThroughCatBothWays) {
  TempDir dir;
  std::filesystem::copy_file(model(), dir / "m.safetensors");
  auto original = test::read_file(model());
  CliRun c = sh(dir.path(), "cat m.safetensors | lcl compress - | cat > a.lcl");
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_TRUE(c.out.empty()) << c.out;  // nothing but the archive, and that went to the pipe
  CliRun d = sh(dir.path(), "cat a.lcl | lcl decompress - | cat > a.out");
  ASSERT_EQ(d.status, 0) << d.out;
  EXPECT_EQ(test::read_file(dir / "a.out"), original);

  ASSERT_EQ(sh(dir.path(), "lcl compress -c m.safetensors | cat > b.lcl").status, 0);
  ASSERT_EQ(sh(dir.path(), "cat b.lcl | lcl -d -c - | cat > b.out").status, 0);
  EXPECT_EQ(test::read_file(dir / "b.out"), original);
  ASSERT_EQ(sh(dir.path(), "lcl compress m.safetensors -o - | lcl -d - -o c.out").status, 0);
  EXPECT_EQ(test::read_file(dir / "c.out"), original);
  // A file archive read from a redirected (seekable) stdin and written with -o -.
  ASSERT_EQ(sh(dir.path(), "lcl -d - -o - < b.lcl | cat > d.out").status, 0);
  EXPECT_EQ(test::read_file(dir / "d.out"), original);
  // A version-1 archive from a redirected stdin into a named file.
  const auto v1 = test::source_dir() / "tests/golden/tiny-quant.gguf.store.lcl";
  ASSERT_EQ(sh(dir.path(), "lcl -d -q - -o v1.out < '" + v1.string() + "'").status, 0);
  EXPECT_EQ(test::read_file(dir / "v1.out"),
            test::read_file(test::source_dir() / "tests/golden/tiny-quant.gguf"));
  // From a pipe into a named file: the file appears complete.
  ASSERT_EQ(sh(dir.path(), "cat m.safetensors | lcl compress -q - -o e.lcl").status, 0);
  ASSERT_EQ(sh(dir.path(), "lcl -d -q e.lcl -o e.out").status, 0);
  EXPECT_EQ(test::read_file(dir / "e.out"), original);
  // The piped archive keeps the tensor table.
  CliRun info = sh(dir.path(), "lcl info a.lcl");
  EXPECT_EQ(info.status, 0) << info.out;
  EXPECT_EQ(info.out.find(" 0 tensors"), std::string::npos) << info.out;
}

TEST(CliStream, TestModeChecksWithoutWriting) {
  TempDir dir;
  test::write_file(dir / "x", test::skewed_bytes(200000, 4));
  ASSERT_EQ(sh(dir.path(), "lcl compress -q x").status, 0);
  CliRun t = sh(dir.path(), "lcl decompress -t x.lcl && cat x.lcl | lcl -d -t -");
  EXPECT_EQ(t.status, 0) << t.out;
  auto bytes = test::read_file(dir / "x.lcl");
  bytes[bytes.size() / 2] ^= 0x20;
  test::write_file(dir / "bad.lcl", bytes);
  EXPECT_EQ(sh(dir.path(), "lcl -d -t bad.lcl").status, 1);
  CliRun piped = sh(dir.path(), "cat bad.lcl | lcl -d -t -");
  EXPECT_EQ(piped.status, 1) << piped.out;
  EXPECT_NE(piped.out.find("lcl: "), std::string::npos) << piped.out;
  EXPECT_EQ(sh(dir.path(), "cat bad.lcl | lcl -d - -o never").status, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "never"));
  EXPECT_EQ(
      std::filesystem::directory_iterator(dir.path())->path().filename().string().find(".tmp-"),
      std::string::npos);
}

TEST(CliStream, NonRegularInputsAreReadAsStreams) {
  TempDir dir;
  std::filesystem::copy_file(model(), dir / "m.safetensors");
  auto original = test::read_file(model());
  // Process substitution (a pipe with a path) and a FIFO: st_size is 0 for both.
  CliRun sub = sh(dir.path(),
                  "lcl compress -q <(cat m.safetensors) -o sub.lcl && "
                  "lcl -d -q sub.lcl -o sub.out");
  ASSERT_EQ(sub.status, 0) << sub.out;
  EXPECT_EQ(test::read_file(dir / "sub.out"), original);
  CliRun fifo = sh(dir.path(),
                   "mkfifo f && (cat m.safetensors > f &) && "
                   "lcl compress -q f -o f.lcl && lcl -d -q f.lcl -o f.out");
  ASSERT_EQ(fifo.status, 0) << fifo.out;
  EXPECT_EQ(test::read_file(dir / "f.out"), original);
  // A /proc file reports size 0 but has content.
  CliRun proc = sh(dir.path(),
                   "lcl compress -q /proc/self/status -o p.lcl && "
                   "lcl -d -q p.lcl -o p.out");
  ASSERT_EQ(proc.status, 0) << proc.out;
  auto status_text = test::read_file(dir / "p.out");
  EXPECT_NE(std::string(status_text.begin(), status_text.end()).find("Name:"), std::string::npos);
  // A version-1 archive cannot be decoded from a pipe, and says so.
  CliRun v1 =
      sh(dir.path(), "cat '" +
                         (test::source_dir() / "tests/golden/tiny-quant.gguf.store.lcl").string() +
                         "' | lcl -d -c - > /dev/null");
  EXPECT_EQ(v1.status, 1) << v1.out;
  EXPECT_NE(v1.out.find("from a file"), std::string::npos) << v1.out;
}

TEST(CliStream, RecursiveWithShardsAndOutputDirectory) {
  TempDir dir;
  std::filesystem::create_directories(dir / "store/a/b");
  std::filesystem::create_directories(dir / "store/c");
  std::vector<std::string> files = {"a/one.safetensors", "a/b/two.safetensors", "c/three.gguf",
                                    "four.safetensors", "a/b/five.gguf"};
  for (size_t i = 0; i < files.size(); ++i)
    test::write_file(dir / ("store/" + files[i]), test::skewed_bytes(3000 + i, i));
  test::write_file(dir / "store/notes.txt", test::skewed_bytes(100, 9));
  // The two shards run at once, as two machines would (the recipe in docs/SCALE.md).
  CliRun shards = sh(dir.path(),
                     "lcl compress -q -r store --shard 0/2 -o out/ & a=$!; "
                     "lcl compress -q -r store --shard 1/2 -o out/ & b=$!; "
                     "wait $a && wait $b");
  ASSERT_EQ(shards.status, 0) << shards.out;
  // Each file is in exactly one shard.
  CliRun again = sh(dir.path(), "lcl compress -q -r store --shard 1/2 -o out/");
  EXPECT_EQ(again.status, 1) << again.out;  // its outputs exist
  std::set<std::string> found;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir / "out"))
    if (e.is_regular_file())
      found.insert(std::filesystem::relative(e.path(), dir / "out").string());
  std::set<std::string> expected;
  for (const auto& f : files) expected.insert(f + ".lcl");
  EXPECT_EQ(found, expected);
  for (const auto& f : files) {
    ASSERT_EQ(sh(dir.path(), "lcl -d -q out/" + f + ".lcl -o restored").status, 0);
    EXPECT_EQ(test::read_file(dir / "restored"), test::read_file(dir / ("store/" + f))) << f;
    std::filesystem::remove(dir / "restored");
  }
  EXPECT_EQ(sh(dir.path(), "lcl compress -q store").status, 2);  // a directory needs -r
  EXPECT_EQ(sh(dir.path(), "lcl compress -q store/four.safetensors --shard 0/2").status, 2);
}

TEST(CliStream, SeveralInputsIntoANewDirectoryAndRemoveAfterVerifiedWrite) {
  TempDir dir;
  test::write_file(dir / "x", test::skewed_bytes(5000, 1));
  test::write_file(dir / "y", test::skewed_bytes(6000, 2));
  auto x = test::read_file(dir / "x");
  ASSERT_EQ(sh(dir.path(), "lcl compress -q x y -o new/").status, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "new/x.lcl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "new/y.lcl"));
  // --rm keeps the input when the write fails (the output exists) and removes it after a
  // verified write.
  ASSERT_EQ(sh(dir.path(), "lcl compress -q x -o new/x.lcl --rm").status, 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "x"));
  ASSERT_EQ(sh(dir.path(), "lcl compress -q x --rm").status, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));
  ASSERT_EQ(sh(dir.path(), "lcl -d -q x.lcl --rm").status, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.lcl"));
  EXPECT_EQ(test::read_file(dir / "x"), x);
  EXPECT_EQ(sh(dir.path(), "lcl compress -q - --rm < x").status, 2);
}

}  // namespace
}  // namespace lcl
