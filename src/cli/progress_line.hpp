#pragma once
// A one-line progress display on stderr, shown only when stderr is a terminal and the work has
// taken more than a second (so scripts and quick runs see nothing).
#include <chrono>
#include <cstdint>
#include <string>

namespace lcl::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label, bool enabled = true);
  ~ProgressLine();  // clears the line if anything was drawn
  void update(uint64_t done, uint64_t total);

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace lcl::cli
