#pragma once
// Each `lcl` subcommand lives in its own file cmd_<name>.cpp and exposes one function that adds
// its subcommand to the app. The callback stores the exit status in `exit_code`; lcl::Error thrown
// from it is turned into one stderr line and exit code 1 (2 for usage errors) by main.cpp.
#include <CLI/CLI.hpp>

namespace lcl::cli {

using AddCommand = void (*)(CLI::App& app, int& exit_code);

void add_compress_command(CLI::App& app, int& exit_code);
void add_decompress_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_info_command(CLI::App& app, int& exit_code);
void add_extract_command(CLI::App& app, int& exit_code);
// Research and sanity commands.
void add_atlas_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_summarize_command(CLI::App& app, int& exit_code);
void add_figures_command(CLI::App& app, int& exit_code);
void add_crosslayer_command(CLI::App& app, int& exit_code);
void add_smoke_command(CLI::App& app, int& exit_code);
void add_sanity_command(CLI::App& app, int& exit_code);

}  // namespace lcl::cli
