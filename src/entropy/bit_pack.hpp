#pragma once
// Packing of fixed-width raw bit fields (the mantissa bits an entropy coder cannot compress).
// Fields are stored LSB-first: field i of width w occupies bits [i*w, (i+1)*w) of the byte string,
// bit j of the string being bit (j % 8) of byte j / 8. Random access by index keeps the decoder
// free of a serial bit-position dependency, so it overlaps with the rANS state chains.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "lcl/error.hpp"

namespace lcl::entropy {

static_assert(std::endian::native == std::endian::little, "unpack_field loads words little-endian");

// Bytes needed for `count` fields of `width` bits.
constexpr uint64_t packed_bytes(uint64_t count, uint32_t width) {
  return (count * width + 7) / 8;
}

// Appends `count` fields of `width` (<= 32) bits, field i being field_of(i), in one pass with
// whole-word stores (the bulk path of the float codec's raw mantissa bits). Packed into
// `scratch` (kept by the caller's workspace), then inserted: out.resize() would zero-fill first.
template <class FieldOf>
void append_packed(std::vector<uint8_t>& out, uint64_t count, uint32_t width, FieldOf&& field_of,
                   std::vector<uint8_t>& scratch) {
  const uint64_t bytes = packed_bytes(count, width);
  scratch.resize(std::max<size_t>(scratch.size(), bytes + 8));  // + slack for whole-word stores
  uint8_t* p = scratch.data();
  uint64_t acc = 0;
  uint32_t used = 0;
  for (uint64_t i = 0; i < count; ++i) {
    acc |= uint64_t{field_of(i)} << used;  // used < 32 and width <= 32: no overflow
    used += width;
    if (used >= 32) {
      const uint32_t low = static_cast<uint32_t>(acc);
      std::memcpy(p, &low, 4);
      p += 4;
      acc >>= 32;
      used -= 32;
    }
  }
  std::memcpy(p, &acc, 8);
  out.insert(out.end(), scratch.data(), scratch.data() + bytes);
}
// The same with a buffer of its own for the one call (tests and tools).
template <class FieldOf>
void append_packed(std::vector<uint8_t>& out, uint64_t count, uint32_t width, FieldOf&& field_of) {
  std::vector<uint8_t> scratch;
  append_packed(out, count, width, field_of, scratch);
}

// Field `index` of width `width` (<= 32) from `bytes`, which must hold packed_bytes(index + 1,
// width) bytes (the caller checks the size once for all fields).
inline uint32_t unpack_field(std::span<const uint8_t> bytes, uint64_t index, uint32_t width) {
  const uint64_t bit = index * width;
  const uint64_t byte = bit / 8;
  uint64_t window = 0;
  if (byte + 8 <= bytes.size()) {
    std::memcpy(&window, bytes.data() + byte, 8);
  } else {
    for (uint64_t b = byte; b < bytes.size(); ++b) window |= uint64_t{bytes[b]} << (8 * (b - byte));
  }
  // width + bit % 8 <= 39 < 64: the field lies inside the window.
  return static_cast<uint32_t>((window >> (bit % 8)) & ((uint64_t{1} << width) - 1));
}

namespace detail {
// unpack_fields at a constant width: eight fields of W bits are W bytes, read as one word, so the
// shifts and masks are constants and the loop has no per-field position arithmetic.
template <uint32_t W>
void unpack_eights(std::span<const uint8_t> bytes, std::span<uint16_t> out) {
  constexpr uint64_t mask = (uint64_t{1} << W) - 1;
  const size_t eights = out.size() / 8;
  for (size_t g = 0; g < eights; ++g) {
    uint64_t window = 0;
    const size_t at = g * W;
    if (at + 8 <= bytes.size()) {
      std::memcpy(&window, bytes.data() + at, 8);
    } else {
      std::memcpy(&window, bytes.data() + at, W);  // the last eight: W bytes remain
    }
    for (uint32_t j = 0; j < 8; ++j)
      out[8 * g + j] = static_cast<uint16_t>((window >> (W * j)) & mask);
  }
}
}  // namespace detail

// Fields 0..out.size()-1 of width `width` (<= 32) from `bytes`, which must hold
// packed_bytes(out.size(), width) bytes; each field must fit in 16 bits. Widths up to 8 (the
// quantized codecs' packed fields) go eight fields at a time.
inline void unpack_fields(std::span<const uint8_t> bytes, uint32_t width, std::span<uint16_t> out) {
  size_t done = 0;
  switch (width) {
#define LCL_UNPACK_CASE(W)                \
  case W:                                 \
    detail::unpack_eights<W>(bytes, out); \
    done = out.size() / 8 * 8;            \
    break;
    LCL_UNPACK_CASE(1)
    LCL_UNPACK_CASE(2)
    LCL_UNPACK_CASE(3)
    LCL_UNPACK_CASE(4)
    LCL_UNPACK_CASE(5)
    LCL_UNPACK_CASE(6)
    LCL_UNPACK_CASE(7)
    LCL_UNPACK_CASE(8)
#undef LCL_UNPACK_CASE
    default:
      break;
  }
  for (size_t i = done; i < out.size(); ++i)
    out[i] = static_cast<uint16_t>(unpack_field(bytes, i, width));
}

// The same without the end check, for a buffer followed by at least 8 readable padding bytes
// (see PaddedBytes).
inline uint32_t unpack_field_padded(const uint8_t* bytes, uint64_t index, uint32_t width) {
  const uint64_t bit = index * width;
  uint64_t window;
  std::memcpy(&window, bytes + bit / 8, 8);
  return static_cast<uint32_t>((window >> (bit % 8)) & ((uint64_t{1} << width) - 1));
}

// A copy of a byte span with 8 zero bytes after it, so that unpack_field_padded never reads past
// the allocation. Reuses its storage between calls.
class PaddedBytes {
 public:
  const uint8_t* assign(std::span<const uint8_t> bytes) {
    storage_.resize(bytes.size() + 8);
    if (!bytes.empty()) std::memcpy(storage_.data(), bytes.data(), bytes.size());
    std::memset(storage_.data() + bytes.size(), 0, 8);
    return storage_.data();
  }

 private:
  std::vector<uint8_t> storage_;
};

}  // namespace lcl::entropy
