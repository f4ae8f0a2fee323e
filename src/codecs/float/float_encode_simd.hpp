#pragma once
// The float encoder's x86-64 kernels (AVX-512 or AVX2 rANS, BMI2 raw-bit packing) (dispatch in
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
// `avx512`: the whole groups by the AVX-512 kernel (kernels::avx512_available()), else by the AVX2
// one (kernels::avx2_available()).
std::span<const uint8_t> encode_symbols_simd(const uint8_t* data, uint64_t n, uint32_t elem_bytes,
                                             uint32_t raw_bits,
                                             const entropy::EncoderSymbol* entries,
                                             uint32_t alphabet, uint32_t precision,
                                             const uint32_t (&initial)[kLanes],
                                             const entropy::EncoderSymbol* escape_entry,
                                             bool avx512, FloatEncodeScratch& scratch);

// The AVX2 kernel (float_encode_avx2.cpp): codes the `groups` whole groups of kLanes elements at
// `data`, from the last down, into the states x and the words below w (room for 8 more words
// below what it writes), with the packed entries `table` (entropy::pack_encoder_symbol at
// `precision` <= 14) per symbol = element >> raw_bits; escaped elements (fields equal to
// escape_packed) are appended to escaped_at in no particular order.
void encode_groups_avx2(const uint8_t* data, uint64_t groups, uint32_t elem_bytes,
                        uint32_t raw_bits, const uint64_t* table, uint32_t precision,
                        uint32_t escape_packed, uint32_t (&x)[kLanes], uint16_t*& w,
                        std::vector<uint64_t>& escaped_at);

// As entropy::append_packed with field i = element i & ((1 << raw_bits) - 1), packed in `scratch`.
void append_raw_bits_bmi2(const uint8_t* data, uint64_t n, uint32_t elem_bytes, uint32_t raw_bits,
                          std::vector<uint8_t>& out, std::vector<uint8_t>& scratch);

}  // namespace lcl::float_format
