#pragma once
// What the delta decoder's portable loop and its AVX2 kernel share: the raw-bit reader, the
// escape rule for large moves, and the packed tables the kernel gathers from.
#include <cstdint>
#include <cstring>
#include <vector>

#include "codecs/delta/delta_format.hpp"
#include "lcl/error.hpp"

namespace lcl::delta_format {

// Raw bits read in element order from a padded copy; the reads are bounded by the stored size.
class RawBits {
 public:
  RawBits(const uint8_t* bytes, uint64_t size) : bytes_(bytes), limit_(size * 8) {}
  uint32_t get(uint32_t width) {
    if (width > limit_ - position_) throw_corrupt("delta payload: raw bits run out");
    uint64_t window;
    std::memcpy(&window, bytes_ + position_ / 8, 8);
    const auto v =
        static_cast<uint32_t>((window >> (position_ % 8)) & ((uint64_t{1} << width) - 1));
    position_ += width;
    return v;
  }
  // Whole bytes consumed (the encoder pads the last one with zeros).
  uint64_t bytes_used() const { return (position_ + 7) / 8; }

 private:
  const uint8_t* bytes_;
  uint64_t limit_;
  uint64_t position_ = 0;
};

// The model's widths: K exact bits, M bits of a bucket below its top bit.
struct Buckets {
  uint32_t k, m;
};

// z of a symbol at or above 2^K (a bucket): its top bits from the symbol, the rest raw.
inline uint32_t unbucket(uint32_t symbol, Buckets b, RawBits& raw) {
  const uint32_t j = symbol - (1u << b.k);
  const uint32_t raw_bits = (j >> b.m) + b.k - b.m;  // bit width - 1 - M
  return (((1u << b.m) | (j & ((1u << b.m) - 1))) << raw_bits) | raw.get(raw_bits);
}

// The decoder tables packed for the AVX2 kernel: per slot, (freq - 1) | symbol << 12 |
// offset << 20, which holds every table at precision <= 12 over an alphabet of <= 256 symbols
// (16-bit elements); per context (base exponent), the first slot of its table.
struct PackedTables {
  uint32_t precision_bits = 12;
  uint32_t mantissa_bits = 7;  // the shift from an element to its exponent field
  uint32_t contexts = 256;
  std::vector<uint32_t> slots;
  uint32_t first_slot[256] = {};
  // When every context with a table of its own lies in [map_first, map_first + 32): the tables
  // of those 32 contexts (the rest use table 0), looked up in registers instead of gathered.
  bool small_map = false;
  uint32_t map_first = 0;
  uint8_t map[32] = {};
};

// Fills a table's packed slots from its frequencies (which sum to the slot count), in vectors of
// 8 slots that may run up to 7 slots past the table: the caller keeps that room after the last.
// Only called when kernels::avx2_available().
void pack_slots_avx2(const uint32_t* freq, size_t alphabet, uint32_t* slots);
inline constexpr size_t kPackedSlotsPadding = 8;

// The AVX2 kernel for 16-bit elements: decodes whole groups of kLanes elements while at least
// 2 * kLanes stream bytes remain at p, consuming words and raw bits exactly as the portable loop
// does; returns the elements decoded. Only called when kernels::avx2_available().
size_t decode_groups_avx2(const PackedTables& tables, Buckets buckets, uint32_t (&x)[kLanes],
                          const uint8_t*& p, const uint8_t* end, const uint8_t* ref, uint8_t* out,
                          size_t n, RawBits& raw);

}  // namespace lcl::delta_format
