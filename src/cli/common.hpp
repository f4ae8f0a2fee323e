#pragma once
// Small helpers shared by the lcl subcommands: printing sizes and running one file at a time so
// that a failure on one input is reported and the others still run (like zstd).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lcl::cli {

std::string human_bytes(uint64_t bytes);                         // "12.3 MiB"
std::string ratio_text(uint64_t original, uint64_t compressed);  // "1.524x"

// "a,b,,c" -> {"a", "b", "c"}: the comma-separated lists of options (empty items dropped).
std::vector<std::string> split_commas(const std::string& text);

// Help text of -T/--threads, with the cap and the memory it implies.
std::string threads_help();

// Runs `work`, printing "lcl: <message>" on stderr for an lcl::Error; returns the exit status
// (0, 1 for bad input or I/O, 2 for usage errors).
int run_reporting_errors(const std::function<void()>& work);

}  // namespace lcl::cli
