#pragma once
// Bit-level writing and reading, least significant bit first: bit j of a bit string is bit j % 8
// of byte j / 8, and a multi-bit value's lowest bit comes first (docs/FORMAT.md, bit strings).
// One writer serves the packed fields, the quant fields' model tables and their size estimates
// (BitCounter); the reader never reads outside its span: running past the end throws
// lcl::Error(kCorruptInput).
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/error.hpp"

namespace lcl::entropy {

// Appends bits to a byte vector; the last byte is completed with zero bits by flush() (also on
// destruction), after which writing starts on a byte boundary.
class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
  ~BitWriter() { flush(); }
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;

  // The low `count` (<= 32) bits of `value`.
  void bits(uint32_t value, unsigned count) {
    const uint64_t v = count < 32 ? value & ((uint32_t{1} << count) - 1) : value;
    acc_ |= v << used_;
    used_ += count;
    if (used_ >= 32) {
      const auto low = static_cast<uint32_t>(acc_);
      const size_t at = out_.size();
      out_.resize(at + 4);
      for (int b = 0; b < 4; ++b) out_[at + b] = static_cast<uint8_t>(low >> (8 * b));
      acc_ >>= 32;
      used_ -= 32;
    }
  }
  void bit(unsigned b) { bits(b & 1, 1); }
  // Elias gamma code of value >= 1: 2 * floor(log2 v) + 1 bits.
  void gamma(uint32_t value) {
    const auto width = static_cast<unsigned>(std::bit_width(value) - 1);
    bits(0, width);
    bit(1);
    bits(value, width);
  }
  void flush() {
    while (used_ > 0) {
      out_.push_back(static_cast<uint8_t>(acc_));
      acc_ >>= 8;
      used_ = used_ > 8 ? used_ - 8 : 0;
    }
    acc_ = 0;
  }

 private:
  std::vector<uint8_t>& out_;
  uint64_t acc_ = 0;
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
    if (count > in_.size() * 8 - position_) throw_corrupt("bit string: truncated");
    const size_t first = position_ >> 3;
    const unsigned shift = position_ & 7;
    const size_t bytes = (shift + count + 7) / 8;
    uint64_t window = 0;
    for (size_t i = 0; i < bytes; ++i) window |= uint64_t{in_[first + i]} << (8 * i);
    position_ += count;
    return static_cast<uint32_t>((window >> shift) & ((uint64_t{1} << count) - 1));
  }
  uint32_t bit() {
    if (position_ >= in_.size() * 8) throw_corrupt("bit string: truncated");
    const uint32_t b = (in_[position_ >> 3] >> (position_ & 7)) & 1;
    ++position_;
    return b;
  }
  uint32_t gamma() {
    unsigned width = 0;
    while (bit() == 0)
      if (++width > 31) throw_corrupt("bit string: gamma code too long");
    return (1u << width) | bits(width);
  }

 private:
  std::span<const uint8_t> in_;
  uint64_t position_ = 0;
};

}  // namespace lcl::entropy
