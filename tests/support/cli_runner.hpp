#pragma once
// Runs the lcl binary the way a shell user does and captures what it prints and its exit status.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/test_paths.hpp"

namespace lcl::test {

struct CliRun {
  int status = -1;
  std::string out;  // stdout and stderr together
};

// `args` is appended to the binary's path and run by /bin/sh (quote paths with q()).
inline CliRun run_lcl(const std::string& args, const std::string& prefix = "") {
  std::string command = prefix + cli_path().string() + " " + args + " 2>&1";
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

// Single-quoted for the shell (built by appending: GCC 12 warns falsely about "'" + s + "'").
inline std::string q(const std::filesystem::path& p) {
  std::string quoted = "'";
  quoted += p.native();
  quoted += '\'';
  return quoted;
}

}  // namespace lcl::test
