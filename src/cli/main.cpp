// lcl: lossless compression of model weight files (see README.md).
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "lcl/error.hpp"

namespace {

// The subcommands, in the order `lcl --help` lists them.
constexpr lcl::cli::AddCommand kCommands[] = {
    lcl::cli::add_compress_command, lcl::cli::add_decompress_command,
    lcl::cli::add_verify_command,   lcl::cli::add_info_command,
    lcl::cli::add_extract_command,  lcl::cli::add_atlas_command,
    lcl::cli::add_bench_command,    lcl::cli::add_summarize_command,
    lcl::cli::add_figures_command,  lcl::cli::add_crosslayer_command,
    lcl::cli::add_smoke_command,    lcl::cli::add_sanity_command,
};

}  // namespace

int main(int argc, char** argv) {
  // Chunk buffers (up to a few MiB, one set per thread) are freed and allocated again for every
  // chunk. By default glibc serves them with fresh mmaps or trims them back to the system, and
  // every page is faulted in again: on a VM that was a third of decompression time. Serving them
  // from the heap and keeping freed memory reuses the same pages; the peak stays what the
  // threads hold at once.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{
      "lcl - lossless compression of LLM weight files (safetensors, GGUF) and measurement "
      "of how close methods come to the entropy limit"};
  app.set_version_flag("--version", std::string("lcl ") + LCL_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  for (auto add : kCommands) add(app, exit_code);
  // "lcl -d ..." is "lcl decompress ...", as in zstd.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "-d") args[0] = "decompress";
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const lcl::Error& e) {
    std::cerr << "lcl: " << e.what() << "\n";
    return e.kind() == lcl::ErrorKind::kUsage ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "lcl: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "lcl: internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
