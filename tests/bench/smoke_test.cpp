#include "bench/smoke.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/test_paths.hpp"

namespace lcl::bench {
namespace {

std::filesystem::path fixtures() {
  return test::source_dir() / "tests" / "fixtures" / "smoke";
}

nlohmann::json expected() {
  std::ifstream in(fixtures() / "expected.json");
  return nlohmann::json::parse(in);
}

TEST(Smoke, FixturesMatchRecordedOutputs) {
  auto run = run_smoke(fixtures());
  ASSERT_EQ(run.entries.size(), 4u);
  for (const auto& e : run.entries)
    EXPECT_TRUE(e.roundtrip_ok) << e.file << " " << e.method << ": " << e.error;
  std::vector<std::string> notes;
  auto problems = compare_smoke(run, expected(), notes);
  for (const auto& n : notes) std::cout << "note: " << n << "\n";
  EXPECT_TRUE(problems.empty())
      << problems.front() << "\n(if intended: lcl smoke --fixtures tests/fixtures/smoke --record)";
}

TEST(Smoke, AChangedOutputIsDetected) {
  auto run = run_smoke(fixtures());
  std::vector<std::string> notes;
  auto changed = run;
  changed.entries[0].sha256_16 = "0000000000000000";
  EXPECT_FALSE(compare_smoke(changed, expected(), notes).empty());
  auto failed = run;
  failed.entries[1].roundtrip_ok = false;
  EXPECT_FALSE(compare_smoke(failed, expected(), notes).empty());
  auto version = run;
  version.format_version += 1;
  EXPECT_FALSE(compare_smoke(version, expected(), notes).empty());
}

TEST(Smoke, CommandLineRunsAndPasses) {
  std::string command =
      test::cli_path().string() + " smoke --fixtures " + fixtures().string() + " > /dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
}

}  // namespace
}  // namespace lcl::bench
