#pragma once
// Sequential little-endian reads from a ByteSource through a small window, for headers that can
// be megabytes long (GGUF vocabularies) without reading the file's data. Every read past the end
// of the source throws kCorruptInput.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "lcl/error.hpp"
#include "lcl/source.hpp"

namespace lcl::formats {

class SourceCursor {
 public:
  explicit SourceCursor(const ByteSource& source) : source_(source), size_(source.size()) {}

  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }

  void skip(uint64_t n) {
    need(n);
    pos_ += n;
  }
  // n was checked against remaining() before any allocation.
  std::string string(uint64_t n) {
    need(n);
    std::string s;
    s.reserve(n);
    while (s.size() < n) {
      fill();
      uint64_t in_window = window_start_ + window_.size() - pos_;
      uint64_t take = std::min<uint64_t>(in_window, n - s.size());
      const uint8_t* p = window_.data() + (pos_ - window_start_);
      s.append(reinterpret_cast<const char*>(p), take);
      pos_ += take;
    }
    return s;
  }

 private:
  static constexpr uint64_t kWindow = 64 * 1024;

  void need(uint64_t n) const {
    if (n > remaining())
      throw_corrupt("unexpected end of " + source_.name() + " (needs " + std::to_string(n) +
                    " bytes at offset " + std::to_string(pos_) + ")");
  }
  // Makes the window hold the byte at pos_ (caller has checked pos_ < size_).
  void fill() {
    if (pos_ >= window_start_ && pos_ < window_start_ + window_.size()) return;
    window_start_ = pos_;
    window_.resize(std::min<uint64_t>(kWindow, size_ - pos_));
    source_.read(window_start_, window_);
  }
  uint64_t le(int n) {
    need(n);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      fill();
      v |= static_cast<uint64_t>(window_[pos_ - window_start_]) << (8 * i);
      ++pos_;
    }
    return v;
  }

  const ByteSource& source_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t window_start_ = 0;
  std::vector<uint8_t> window_;
};

}  // namespace lcl::formats
