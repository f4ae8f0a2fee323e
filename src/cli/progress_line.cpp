#include "cli/progress_line.hpp"

#include <unistd.h>

#include <cstdio>

namespace lcl::cli {

ProgressLine::ProgressLine(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressLine::~ProgressLine() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void ProgressLine::update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double percent = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  std::fprintf(stderr, "\r\033[K%s: %5.1f%%  %llu / %llu MiB  %.0f MiB/s", label_.c_str(), percent,
               static_cast<unsigned long long>(done >> 20),
               static_cast<unsigned long long>(total >> 20),
               static_cast<double>(done) / 1048576.0 / seconds);
  std::fflush(stderr);
}

}  // namespace lcl::cli
