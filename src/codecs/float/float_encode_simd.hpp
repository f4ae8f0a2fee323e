#pragma once
// The float encoder's x86-64 kernels (AVX-512 rANS, BMI2 raw-bit packing) (dispatch in
// kernel_dispatch.hpp). Internal to float_encode*.cpp. Each produces exactly the bytes of the
// portable code it replaces.
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/float/float_format.hpp"
#include "codecs/float/float_scratch.hpp"
#include "entropy/rans_tables.hpp"

namespace lcl::float_format {

// As entropy::encode_interleaved<kLanes> with symbol i = element i >> raw_bits coded by
// entries[symbol], starting from the states `initial`: returns the same stream, held in
// scratch.kernel_words until the next call. elem_bytes is 2 or 4; every entry a symbol of the data
// refers to must come from make_encoder_symbol at precision <= 14. The indices of the elements
// whose entry is *escape_entry (when not null) go to scratch.escaped_at, in increasing order.
std::span<const uint8_t> encode_symbols_avx512(const uint8_t* data, uint64_t n, uint32_t elem_bytes,
                                               uint32_t raw_bits,
                                               const entropy::EncoderSymbol* entries,
                                               uint32_t alphabet, uint32_t precision,
                                               const uint32_t (&initial)[kLanes],
                                               const entropy::EncoderSymbol* escape_entry,
                                               FloatEncodeScratch& scratch);

// As entropy::append_packed with field i = element i & ((1 << raw_bits) - 1), packed in `scratch`.
void append_raw_bits_bmi2(const uint8_t* data, uint64_t n, uint32_t elem_bytes, uint32_t raw_bits,
                          std::vector<uint8_t>& out, std::vector<uint8_t>& scratch);

}  // namespace lcl::float_format
