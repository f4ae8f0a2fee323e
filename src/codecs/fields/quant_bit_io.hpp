#pragma once
// Bit-level writer and reader for the compact model tables of the quantized codecs. The reader
// never reads outside its span: running past the end throws lcl::Error(kCorruptInput).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/error.hpp"

namespace lcl::quant {

class BitWriter {
 public:
  void bits(uint32_t value, unsigned count) {  // count <= 32, least significant bit first
    // A byte's worth at a time: packed fields write every symbol through here.
    uint64_t v = count < 32 ? value & ((1u << count) - 1) : value;
    while (count > 0) {
      if (used_ == 0) bytes_.push_back(0);
      const unsigned take = std::min(8 - used_, count);
      bytes_.back() |= static_cast<uint8_t>((v & ((1u << take) - 1)) << used_);
      v >>= take;
      count -= take;
      used_ = (used_ + take) & 7;
    }
  }
  void bit(unsigned b) {
    if (used_ == 0) bytes_.push_back(0);
    bytes_.back() |= static_cast<uint8_t>((b & 1) << used_);
    used_ = (used_ + 1) & 7;
  }
  // Elias gamma code of value >= 1: 2*floor(log2 v) + 1 bits.
  void gamma(uint32_t value) {
    unsigned width = 0;
    while ((value >> width) > 1) ++width;
    for (unsigned i = 0; i < width; ++i) bit(0);
    bit(1);
    bits(value & ((1u << width) - 1), width);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  uint64_t bit_count() const { return bytes_.size() * 8 - (used_ ? 8 - used_ : 0); }

 private:
  std::vector<uint8_t> bytes_;
  unsigned used_ = 0;
};

// Counts what a BitWriter would write, for cost estimates that need no bytes.
class BitCounter {
 public:
  void bits(uint32_t, unsigned count) { count_ += count; }
  void bit(unsigned) { ++count_; }
  void gamma(uint32_t value) { count_ += 2 * static_cast<uint64_t>(std::bit_width(value)) - 1; }
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> in) : in_(in) {}
  uint32_t bits(unsigned count) {  // count <= 32
    // One bounds check and at most 5 byte loads instead of a check per bit: packed fields read
    // every symbol through here.
    if (count == 0) return 0;
    if (count > in_.size() * 8 - position_) throw_corrupt("model table: truncated");
    const size_t first = position_ >> 3;
    const unsigned shift = position_ & 7;
    const size_t bytes = (shift + count + 7) / 8;
    uint64_t window = 0;
    for (size_t i = 0; i < bytes; ++i) window |= uint64_t{in_[first + i]} << (8 * i);
    position_ += count;
    return static_cast<uint32_t>((window >> shift) & ((uint64_t{1} << count) - 1));
  }
  uint32_t bit() {
    if (position_ >= in_.size() * 8) throw_corrupt("model table: truncated");
    uint32_t b = (in_[position_ >> 3] >> (position_ & 7)) & 1;
    ++position_;
    return b;
  }
  uint32_t gamma() {
    unsigned width = 0;
    while (bit() == 0)
      if (++width > 31) throw_corrupt("model table: gamma code too long");
    return (1u << width) | bits(width);
  }

 private:
  std::span<const uint8_t> in_;
  uint64_t position_ = 0;
};

}  // namespace lcl::quant
