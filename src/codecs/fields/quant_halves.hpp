#pragma once
// Coding of a sequence of 16-bit block scales (f16 d, dmin): the high byte (sign, exponent, top
// mantissa bits) is predictable, the low byte nearly uniform. Each is a field of its own; the
// high byte may be conditioned on a context the caller supplies (e.g. the exponent of the other
// scale of the same block), the low byte on its own high byte's sign and exponent. The encoder
// keeps whichever option measures cheaper.
#include <cstdint>
#include <span>
#include <vector>

#include "util/byte_io.hpp"

namespace lcl::quant {

// The sign-and-exponent part of an f16 (6 bits), a context other fields use.
inline uint8_t half_exponent_context(uint16_t half) {
  return static_cast<uint8_t>(half >> 10);
}

// hi_contexts: optional per-value contexts (< hi_context_count <= 256) for the high bytes.
void write_halves(ByteWriter& out, std::span<const uint16_t> values,
                  std::span<const uint8_t> hi_contexts, uint32_t hi_context_count);
void read_halves(ByteReader& in, std::span<const uint8_t> hi_contexts, uint32_t hi_context_count,
                 std::span<uint16_t> values);

}  // namespace lcl::quant
