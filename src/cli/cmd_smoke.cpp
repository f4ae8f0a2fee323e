// lcl smoke [--fixtures DIR] [--record] [--make-fixtures CORPUS]: fixed fixtures through our main
// paths, roundtrips asserted, outputs compared with recorded fingerprints (see bench/smoke.hpp).
#include <fstream>
#include <iostream>
#include <vector>

#include "bench/smoke.hpp"
#include "cli/command.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

namespace {

constexpr const char* kFixturesInRepo = "tests/fixtures/smoke";

// The committed fixtures, wherever lcl runs from: the working directory (the repository root),
// next to the binary in a build tree (build/<type>/lcl), or the source tree it was built from.
std::filesystem::path default_fixtures() {
  std::error_code ec;
  std::vector<std::filesystem::path> candidates = {kFixturesInRepo};
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path() / "../.." / kFixturesInRepo);
  candidates.push_back(std::filesystem::path(LCL_SOURCE_DIR) / kFixturesInRepo);
  for (const auto& c : candidates)
    if (std::filesystem::is_regular_file(c / "expected.json", ec)) return c.lexically_normal();
  return kFixturesInRepo;  // the error then names the usual place
}

}  // namespace

void add_smoke_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string fixtures;
    std::string expected;
    std::string make_fixtures;
    bool record = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "smoke", "Compress fixed fixtures, assert roundtrips, compare with recorded outputs");
  cmd->add_option("--fixtures", args->fixtures,
                  "fixture directory (default: tests/fixtures/smoke of the working directory, "
                  "of the build tree lcl runs from, or of the source tree it was built from)");
  cmd->add_option("--expected", args->expected,
                  "recorded expectations (default FIXTURES/expected.json)");
  cmd->add_flag("--record", args->record,
                "write the expectations from this run instead of comparing");
  cmd->add_option("--make-fixtures", args->make_fixtures,
                  "regenerate the fixtures from this corpus directory first");
  cmd->callback([args, &exit_code] {
    std::filesystem::path fixtures =
        args->fixtures.empty() ? default_fixtures() : std::filesystem::path(args->fixtures);
    std::filesystem::path expected_path =
        args->expected.empty() ? fixtures / "expected.json" : std::filesystem::path(args->expected);
    if (!args->make_fixtures.empty()) bench::make_smoke_fixtures(args->make_fixtures, fixtures);
    auto run = bench::run_smoke(fixtures);
    for (const auto& e : run.entries)
      std::cout << e.file << "  " << e.method << "  " << e.original_bytes << " -> "
                << e.compressed_bytes << " bytes  sha256[:16] " << e.sha256_16 << "  "
                << (e.roundtrip_ok ? "roundtrip ok" : "ROUNDTRIP FAILED") << "\n";
    if (args->record) {
      for (const auto& e : run.entries)
        if (!e.roundtrip_ok)
          throw Error(ErrorKind::kCorruptInput,
                      "not recording: " + e.file + " " + e.method + " failed: " + e.error);
      std::ofstream out(expected_path);
      if (!out) throw Error(ErrorKind::kIo, "cannot create " + expected_path.string());
      out << bench::to_json(run).dump(2) << "\n";
      if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + expected_path.string());
      std::cout << "recorded " << expected_path.string() << "\n";
      exit_code = 0;
      return;
    }
    std::ifstream in(expected_path);
    if (!in)
      throw Error(ErrorKind::kIo,
                  "cannot open " + expected_path.string() + " (record it with --record)");
    auto expected = nlohmann::json::parse(in, nullptr, false);
    if (expected.is_discarded())
      throw Error(ErrorKind::kCorruptInput, expected_path.string() + " is not JSON");
    std::vector<std::string> notes;
    auto problems = bench::compare_smoke(run, expected, notes);
    for (const auto& n : notes) std::cout << "note: " << n << "\n";
    for (const auto& p : problems) std::cout << "FAIL: " << p << "\n";
    std::cout << (problems.empty() ? "smoke: all outputs match the recorded ones\n"
                                   : "smoke: FAILED\n");
    exit_code = problems.empty() ? 0 : 1;
  });
}

}  // namespace lcl::cli
