#pragma once
// An AtomicOutputFile as a ByteSink: bytes are appended; zeros become a hole (the file is sized
// at the end), so a sparse original stays sparse.
#include <string>

#include "lcl/stream.hpp"
#include "util/atomic_file.hpp"

namespace lcl::container {

class AtomicFileSink final : public ByteSink {
 public:
  AtomicFileSink(AtomicOutputFile& file, std::string name) : file_(file), name_(std::move(name)) {}
  void write(std::span<const uint8_t> bytes) override {
    file_.write_at(offset_, bytes);
    offset_ += bytes.size();
  }
  void write_zeros(uint64_t n) override { offset_ += n; }
  std::string name() const override { return name_; }
  // Sets the file's length to everything written (including trailing zeros) and renames it into
  // place.
  void commit() {
    file_.resize(offset_);
    file_.commit();
  }

 private:
  AtomicOutputFile& file_;
  std::string name_;
  uint64_t offset_ = 0;
};

}  // namespace lcl::container
