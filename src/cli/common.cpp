#include "cli/common.hpp"

#include <cstdio>
#include <iostream>

#include "lcl/error.hpp"
#include "lcl/threads.hpp"

namespace lcl::cli {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.2f %s", value, units[unit]);
  return text;
}

std::string ratio_text(uint64_t original, uint64_t compressed) {
  if (compressed == 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4fx",
                static_cast<double>(original) / static_cast<double>(compressed));
  return text;
}

std::string threads_help() {
  return "worker threads (default: one per core; at most 4 per core and 256, now " +
         std::to_string(max_threads()) +
         "). Memory grows with threads x chunk size: about 4 chunks per thread";
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

int run_reporting_errors(const std::function<void()>& work) {
  try {
    work();
    return 0;
  } catch (const Error& e) {
    std::cerr << "lcl: " << e.what() << "\n";
    return e.kind() == ErrorKind::kUsage ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "lcl: out of memory\n";
    return 1;
  }
}

}  // namespace lcl::cli
