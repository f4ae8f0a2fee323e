#pragma once
// Internal to quant_rans*.cpp: the AVX2 coder of wide fields (32 or 64 lanes, four or eight vectors
// of 8 states; run when kernels::avx2_available(), kernel_dispatch.hpp), also compiled for AVX-512
// CPUs with their 32 vector registers (run when kernels::avx512_available()). Vectors of 8 beat
// vectors of 16 on AMD Zen 5: a two-vector AVX-512 coder of 32 lanes decoded MXFP4 15% and encoded
// it 12% slower, its two dependency chains leaving the core waiting. They produce exactly the
// symbols and words of the portable loops they replace.
#include <cstddef>
#include <cstdint>

namespace lcl::quant::field_simd {

inline constexpr int kLanes = 32;
inline constexpr int kLanes64 = 64;

// Decodes groups of 32 symbols from symbol `first` on, while a whole group remains and at least
// 64 bytes remain at p (what one group's refill may read); returns how many symbols it decoded.
// slots: FlatDecodeTable::slots() at this precision; contexts: one per symbol, or null for
// context 0. x: the 32 states (in and out), words consumed in lane order as the portable loop
// does.
size_t decode_wide_avx2(const uint32_t* slots, uint32_t precision, const uint8_t* contexts,
                        uint16_t* symbols, size_t first, size_t n, uint32_t (&x)[kLanes],
                        const uint8_t*& p, const uint8_t* end);
// The same for 64 lanes (eight vectors; groups of 64 symbols, 128 bytes at p).
size_t decode_wide_avx2(const uint32_t* slots, uint32_t precision, const uint8_t* contexts,
                        uint16_t* symbols, size_t first, size_t n, uint32_t (&x)[kLanes64],
                        const uint8_t*& p, const uint8_t* end);

// Codes whole groups 0 .. groups - 1 of 32 symbols, last to first, into the states x, storing the
// words below w (16 words of room below what it writes) as entropy::encode_interleaved<32> would.
// entries: entropy::pack_encoder_symbol of symbol s in context c at c * alphabet + s; contexts as
// for decode_wide_avx2.
void encode_wide_avx2(const uint64_t* entries, uint32_t alphabet, uint32_t precision,
                      const uint16_t* symbols, const uint8_t* contexts, size_t groups,
                      uint32_t (&x)[kLanes], uint16_t*& w);
// The same for 64 lanes (groups of 64 symbols).
void encode_wide_avx2(const uint64_t* entries, uint32_t alphabet, uint32_t precision,
                      const uint16_t* symbols, const uint8_t* contexts, size_t groups,
                      uint32_t (&x)[kLanes64], uint16_t*& w);

// The same four coders compiled for AVX-512 CPUs (quant_rans_avx512.cpp): the AVX2 instructions
// with 32 vector registers. Only called when kernels::avx512_available().
size_t decode_wide_avx512(const uint32_t* slots, uint32_t precision, const uint8_t* contexts,
                          uint16_t* symbols, size_t first, size_t n, uint32_t (&x)[kLanes],
                          const uint8_t*& p, const uint8_t* end);
size_t decode_wide_avx512(const uint32_t* slots, uint32_t precision, const uint8_t* contexts,
                          uint16_t* symbols, size_t first, size_t n, uint32_t (&x)[kLanes64],
                          const uint8_t*& p, const uint8_t* end);
void encode_wide_avx512(const uint64_t* entries, uint32_t alphabet, uint32_t precision,
                        const uint16_t* symbols, const uint8_t* contexts, size_t groups,
                        uint32_t (&x)[kLanes], uint16_t*& w);
void encode_wide_avx512(const uint64_t* entries, uint32_t alphabet, uint32_t precision,
                        const uint16_t* symbols, const uint8_t* contexts, size_t groups,
                        uint32_t (&x)[kLanes64], uint16_t*& w);

}  // namespace lcl::quant::field_simd
