#pragma once
// Little-endian serialisation with bounds checks. ByteReader never reads past its span: any read
// beyond the end throws lcl::Error(kCorruptInput), which is how every decoder reports a truncated
// or inconsistent payload.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lcl/error.hpp"

namespace lcl {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { put_le(v, 2); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void varint(uint64_t v) {  // LEB128, at most 10 bytes
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void string(std::string_view s) {  // varint length + bytes
    varint(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& buffer() { return out_; }

 private:
  void put_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in, std::string_view what = "payload")
      : in_(in), what_(what) {}
  uint8_t u8() { return static_cast<uint8_t>(get_le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get_le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get_le(4)); }
  uint64_t u64() { return get_le(8); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = u8();
      if (shift == 63 && b > 1) fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  // A varint that must not exceed `limit` (use it for every count or size read from input).
  uint64_t varint_at_most(uint64_t limit, std::string_view field) {
    uint64_t v = varint();
    if (v > limit)
      fail(std::string(field) + " " + std::to_string(v) + " exceeds " + std::to_string(limit));
    return v;
  }
  std::span<const uint8_t> bytes(uint64_t n) {
    need(n);
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::string string(uint64_t max_length) {
    uint64_t n = varint_at_most(max_length, "string length");
    auto b = bytes(n);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == in_.size(); }
  [[noreturn]] void fail(const std::string& why) const {
    throw_corrupt(std::string(what_) + ": " + why + " (at byte " + std::to_string(pos_) + ")");
  }

 private:
  void need(uint64_t n) const {
    if (n > in_.size() - pos_) fail("truncated, needs " + std::to_string(n) + " more bytes");
  }
  uint64_t get_le(int n) {
    need(n);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(in_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string_view what_;
};

}  // namespace lcl
