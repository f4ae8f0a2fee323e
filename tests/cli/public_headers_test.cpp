// The lcl command uses the library as any program would: through the installed headers
// (include/lcl) only. The research commands also use the research layers' headers (analysis,
// bench, infer), which are not part of the installed library.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/test_paths.hpp"

namespace lcl::test {
namespace {

TEST(CliIncludes, OnlyPublicAndResearchHeaders) {
  const std::regex quoted_include(R"(^\s*#\s*include\s+\"([^\"]+)\")");
  const std::regex allowed(R"(^(lcl|cli|analysis|bench|infer)/.*)");
  std::vector<std::string> offending;
  size_t includes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "src" / "cli")) {
    std::ifstream file(entry.path());
    std::string line;
    std::smatch match;
    while (std::getline(file, line)) {
      if (!std::regex_search(line, match, quoted_include)) continue;
      ++includes;
      if (!std::regex_match(match[1].str(), allowed))
        offending.push_back(entry.path().filename().string() + ": " + match[1].str());
    }
  }
  EXPECT_GT(includes, 0u) << "no #include found under src/cli";
  EXPECT_TRUE(offending.empty()) << "src/cli includes private library headers: "
                                 << ::testing::PrintToString(offending);
}

}  // namespace
}  // namespace lcl::test
