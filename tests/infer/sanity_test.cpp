// The sanity check end to end: lcl sanity on a real model (compressing it to a temporary .lcl),
// the library runner with archives given by directory, and its refusal of archives that belong to
// another file. Kept to a few tokens per prompt: the known-output tests check the pass itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "infer/model_files.hpp"
#include "infer/sanity.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/test_paths.hpp"

namespace lcl::infer {
namespace {

namespace fs = std::filesystem;

fs::path q4_k_m() {
  return test::corpus_dir() / "bytellama-25m-gguf" / "bytellama-25m-Q4_K_M.gguf";
}

std::string run_command(const std::string& command, int& status) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  status = pclose(pipe);
  return output;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(SanityPrompts, ShippedFileHoldsEightPrompts) {
  const auto prompts = read_prompts_file(test::source_dir() / "prompts" / "sanity_prompts.json");
  EXPECT_EQ(prompts.size(), 8u);
}

TEST(SanityPrompts, RejectsFilesThatAreNotArraysOfStrings) {
  test::TempDir dir;
  for (const char* text : {"{\"a\": 1}", "[]", "[\"ok\", 3]", "[\"\"]", "[\"unterminated"}) {
    write_file(dir / "p.json", text);
    EXPECT_THROW(read_prompts_file(dir / "p.json"), Error) << text;
  }
  EXPECT_THROW(read_prompts_file(dir / "missing.json"), Error);
}

TEST(SanityCommand, GgufRoundtripGivesIdenticalTokens) {
  LCL_REQUIRE_CORPUS();
  test::TempDir dir;
  write_file(dir / "prompts.json", R"(["def main():\n    ", "The sea was calm and "])");
  int status = 0;
  const std::string output =
      run_command(test::cli_path().string() + " sanity " + q4_k_m().string() + " --prompts " +
                      (dir / "prompts.json").string() + " --tokens 8",
                  status);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("[1/2] identical"), std::string::npos) << output;
  EXPECT_NE(output.find("[2/2] identical"), std::string::npos) << output;
  EXPECT_NE(output.find("2/2 prompts identical"), std::string::npos) << output;
}

TEST(SanityCommand, UsageErrorsExitWithTwo) {
  LCL_REQUIRE_CORPUS();
  test::TempDir dir;
  write_file(dir / "prompts.json", R"(["x"])");
  int status = 0;
  // A directory with several GGUFs is ambiguous.
  const std::string output =
      run_command(test::cli_path().string() + " sanity " +
                      (test::corpus_dir() / "bytellama-25m-gguf").string() + " --prompts " +
                      (dir / "prompts.json").string() + " --tokens 2",
                  status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << output;
  EXPECT_NE(output.find("several GGUF files"), std::string::npos) << output;
}

TEST(SanityRunner, ArchivesBesideTheModelOrInADirectory) {
  LCL_REQUIRE_CORPUS();
  test::TempDir dir;
  const fs::path copy = dir / q4_k_m().filename().string();
  fs::copy_file(q4_k_m(), copy);
  CompressOptions options;
  options.threads = 2;
  compress_file(copy, dir / (copy.filename().string() + ".lcl"), options);
  SanityOptions sanity;
  sanity.tokens = 4;

  // FILE.lcl beside FILE is used as it is.
  const SanityReport beside = run_sanity(copy, {"x = ", "print("}, sanity);
  EXPECT_FALSE(beside.compressed_here);
  ASSERT_EQ(beside.archives.size(), 1u);
  EXPECT_EQ(beside.archives[0], dir / (copy.filename().string() + ".lcl"));
  ASSERT_EQ(beside.prompts.size(), 2u);
  EXPECT_TRUE(beside.all_identical());
  EXPECT_EQ(beside.prompts[0].from_original.size(), 4u);
  // The continuations depend on the prompt (a pass that ignored its input would still agree).
  EXPECT_NE(beside.prompts[0].from_original, beside.prompts[1].from_original);

  // --lcl-dir: the archives of the (read-only) corpus model are looked up in a directory.
  sanity.archive_dir = dir.path();
  const SanityReport from_dir = run_sanity(q4_k_m(), {"x = "}, sanity);
  EXPECT_FALSE(from_dir.compressed_here);
  EXPECT_TRUE(from_dir.all_identical());
  EXPECT_EQ(from_dir.prompts[0].from_archive, beside.prompts[0].from_original);

  // An archive of another file under the expected name is refused, not silently compared.
  test::TempDir wrong;
  const fs::path other = dir / "other.bin";
  write_file(other, std::string(1000, 'a'));
  compress_file(other, wrong / (copy.filename().string() + ".lcl"), options);
  sanity.archive_dir = wrong.path();
  try {
    run_sanity(q4_k_m(), {"x"}, sanity);
    FAIL() << "a mismatched archive was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
  // A missing archive in --lcl-dir is a usage error too.
  sanity.archive_dir = dir / "nowhere";
  EXPECT_THROW(run_sanity(q4_k_m(), {"x"}, sanity), Error);
}

TEST(ModelLoading, RejectsWhatIsNotAModel) {
  const std::vector<uint8_t> junk(4096, 0x5a);
  ModelSources sources;
  sources.files.push_back(std::make_unique<MemorySource>(junk, "junk"));
  try {
    load_llama(sources);
    FAIL() << "junk was loaded as a model";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput);
  }
}

}  // namespace
}  // namespace lcl::infer
