#pragma once
// Runs the lcl binary the way a shell user does and captures what it prints and its exit status.
// A CLI test file starts with `using namespace lcl::test::cli;` for all it needs.
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl::test {

struct CliRun {
  int status = -1;
  std::string out;  // what the command line printed (stdout, and stderr where it says 2>&1)
};

// Runs `command` with /bin/sh and collects its standard output.
inline CliRun run_shell(const std::string& command) {
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// `args` is appended to the binary's path and run by /bin/sh (quote paths with q()).
inline CliRun run_lcl(const std::string& args, const std::string& prefix = "") {
  return run_shell(prefix + cli_path().string() + " " + args + " 2>&1");
}

// Runs a bash command line in `dir` with `lcl` naming the binary under test (pipes, redirections
// and several commands, as a user types them); stdout and stderr of the whole line are collected.
inline CliRun run_bash_in(const std::filesystem::path& dir, const std::string& line) {
  std::string script =
      "cd '" + dir.string() + "' && lcl() { '" + cli_path().string() + "' \"$@\"; }; " + line;
  ::setenv("LCL_TEST_SCRIPT", script.c_str(), 1);  // passed through the environment: no quoting
  return run_shell("bash -c \"$LCL_TEST_SCRIPT\" 2>&1");
}

// Single-quoted for the shell (built by appending: GCC 12 warns falsely about "'" + s + "'").
inline std::string q(const std::filesystem::path& p) {
  std::string quoted = "'";
  quoted += p.native();
  quoted += '\'';
  return quoted;
}

// What the CLI tests use, brought in by one using-directive.
namespace cli {
using test::CliRun;
using test::q;
using test::TempDir;
inline CliRun lcl(const std::string& args) {
  return run_lcl(args);
}
}  // namespace cli

}  // namespace lcl::test
