#pragma once
// What the float decoder's kernels share: the validated view of one payload body and the escape
// path. Internal to float_decode*.cpp.
#include <cstdint>
#include <span>

#include "entropy/bit_pack.hpp"
#include "entropy/rans_tables.hpp"
#include "lcl/error.hpp"

namespace lcl::float_format {

// Everything the hot loop needs, checked for consistency before decoding starts.
struct Body {
  uint64_t n;
  uint32_t symbol_bits, raw_bits, precision, escape;
  const entropy::DecoderSlot* slots;
  std::span<const uint8_t> stream;
  // At least 8 readable bytes past the packed fields: a padded copy, or the payload itself
  // (see decode_body). The stashed bytes' place holds zeros or other bytes.
  const uint8_t* raw_fields;
  const uint8_t* escape_fields;  // padded as well
  uint64_t escape_count;
  uint8_t* out;
};

// The next escaped symbol (the rare path; bounded by the stored escape count).
inline uint32_t next_escape(const Body& b, uint64_t& escapes_read) {
  if (escapes_read == b.escape_count) throw_corrupt("float payload: more escapes than stored");
  return entropy::unpack_field_padded(b.escape_fields, escapes_read++, b.symbol_bits);
}

}  // namespace lcl::float_format
