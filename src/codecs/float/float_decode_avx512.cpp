// The float decoder's AVX-512 kernel: the 32 rANS lanes as two vectors of 16 states, so that
// the two dependency chains (gather -> multiply-add -> refill) overlap. Per vector and group:
// two 8 x 64-bit gathers fetch the DecoderSlots, the 16 raw fields come from one masked load
// spread to dword lanes by a byte permute, and the refill words (consecutive in the stream, in
// lane order, one for every lane whose state fell below 2^16) are distributed by vpexpandw.
// Compiled with target attributes so the rest of the library keeps the default flags; the
// decoder calls it only when kernels::avx512_available() (kernel_dispatch.hpp).

#include "codecs/float/float_decode_simd.hpp"
#include "entropy/rans_avx512.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

// Loop-invariant vectors of one body.
struct Constants {
  __m512i slot_mask, low16, even_dwords, odd_dwords, escape, raw_index, raw_shift, raw_mask;
  __m128i precision, raw_bits;
  __mmask64 raw_bytes;  // the 2 * W bytes that hold one vector's 16 raw fields
};

LCL_AVX512_KERNEL Constants make_constants(const Body& b) {
  Constants c;
  c.slot_mask = _mm512_set1_epi32(static_cast<int>((1u << b.precision) - 1));
  c.low16 = _mm512_set1_epi32(0xFFFF);
  c.even_dwords = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  c.odd_dwords = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  c.escape = _mm512_set1_epi32(static_cast<int>(b.escape));
  // Field l starts at bit l * W of the vector's bytes: its dword lane gets the 4 bytes from
  // (l * W) / 8 (W + 7 <= 30 bits, so 4 bytes hold it) and shifts right by (l * W) % 8.
  alignas(64) uint8_t index[64];
  alignas(64) uint32_t shift[16];
  const uint32_t w = b.raw_bits;
  for (uint32_t l = 0; l < 16; ++l) {
    for (uint32_t j = 0; j < 4; ++j) index[4 * l + j] = static_cast<uint8_t>((l * w) / 8 + j);
    shift[l] = (l * w) % 8;
  }
  c.raw_index = _mm512_load_si512(index);
  c.raw_shift = _mm512_load_si512(shift);
  c.raw_mask = _mm512_set1_epi32(static_cast<int>((1u << w) - 1));
  c.precision = _mm_cvtsi32_si128(static_cast<int>(b.precision));
  c.raw_bits = _mm_cvtsi32_si128(static_cast<int>(w));
  c.raw_bytes = ~__mmask64{0} >> (64 - 2 * w);  // 2 * W <= 46
  return c;
}

// Replaces the escape symbols of the marked lanes by the escape stream's next values, in lane
// order (the rare path).
LCL_AVX512_KERNEL __attribute__((noinline)) __m512i resolve_escapes(const Body& b,
                                                                    uint64_t& escapes_read,
                                                                    __m512i symbols,
                                                                    __mmask16 lanes) {
  alignas(64) uint32_t s[16];
  _mm512_store_si512(s, symbols);
  for (unsigned m = lanes; m != 0; m &= m - 1) s[__builtin_ctz(m)] = next_escape(b, escapes_read);
  return _mm512_load_si512(s);
}

// Decodes 16 lanes: the new states in x, the symbols returned.
LCL_AVX512_KERNEL inline __m512i decode_step(const Constants& c, const entropy::DecoderSlot* slots,
                                             __m512i& x) {
  const __m512i slot = _mm512_and_si512(x, c.slot_mask);
  // DecoderSlot = {u32 freq, u16 offset, u16 symbol}: one 64-bit gather element per lane.
  const __m512i lo = _mm512_i32gather_epi64(_mm512_castsi512_si256(slot), slots, 8);
  const __m512i hi = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(slot, 1), slots, 8);
  const __m512i freq = _mm512_permutex2var_epi32(lo, c.even_dwords, hi);
  const __m512i offset_symbol = _mm512_permutex2var_epi32(lo, c.odd_dwords, hi);
  x = _mm512_add_epi32(_mm512_mullo_epi32(freq, _mm512_srl_epi32(x, c.precision)),
                       _mm512_and_si512(offset_symbol, c.low16));
  return _mm512_srli_epi32(offset_symbol, 16);
}

// Raw fields of 16 lanes from the 2 * W bytes at raw, joined below their symbols.
LCL_AVX512_KERNEL inline __m512i join_raw(const Constants& c, const uint8_t* raw, __m512i symbols) {
  const __m512i bytes = _mm512_maskz_loadu_epi8(c.raw_bytes, raw);
  const __m512i spread = _mm512_permutexvar_epi8(c.raw_index, bytes);
  const __m512i field = _mm512_and_si512(_mm512_srlv_epi32(spread, c.raw_shift), c.raw_mask);
  return _mm512_or_si512(_mm512_sll_epi32(symbols, c.raw_bits), field);
}

template <class Elem>
LCL_AVX512_KERNEL size_t decode_groups(const Body& b, uint64_t& escapes_read,
                                       uint32_t (&xs)[kLanes], const uint8_t*& p_ref,
                                       const uint8_t* end) {
  static_assert(kLanes == 32, "the kernel holds the lanes in two vectors of 16");
  const Constants c = make_constants(b);
  const entropy::DecoderSlot* const slots = b.slots;
  const uint8_t* p = p_ref;
  __m512i xa = _mm512_loadu_si512(xs);
  __m512i xb = _mm512_loadu_si512(xs + 16);
  const size_t vector_raw_bytes = 2 * b.raw_bits;
  const uint8_t* raw = b.raw_fields;
  uint8_t* out = b.out;
  size_t i = 0;
  while (b.n - i >= kLanes && end - p >= 2 * kLanes) {
    __m512i sa = decode_step(c, slots, xa);
    __m512i sb = decode_step(c, slots, xb);
    const __mmask16 ea = _mm512_cmpeq_epi32_mask(sa, c.escape);
    const __mmask16 eb = _mm512_cmpeq_epi32_mask(sb, c.escape);
    if ((ea | eb) != 0) [[unlikely]] {
      sa = resolve_escapes(b, escapes_read, sa, ea);
      sb = resolve_escapes(b, escapes_read, sb, eb);
    }
    const __m512i va = join_raw(c, raw, sa);
    const __m512i vb = join_raw(c, raw + vector_raw_bytes, sb);
    raw += 2 * vector_raw_bytes;
    if constexpr (sizeof(Elem) == 2) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtepi32_epi16(va));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32), _mm512_cvtepi32_epi16(vb));
    } else {
      _mm512_storeu_si512(out, va);
      _mm512_storeu_si512(out + 64, vb);
    }
    out += kLanes * sizeof(Elem);
    rans_avx512::refill2(xa, xb, p);
    i += kLanes;
  }
  _mm512_storeu_si512(xs, xa);
  _mm512_storeu_si512(xs + 16, xb);
  p_ref = p;
  return i;
}

}  // namespace

size_t decode_groups_avx512(const Body& b, uint64_t& escapes_read, uint32_t (&x)[kLanes],
                            const uint8_t*& p, const uint8_t* end) {
  if (b.symbol_bits + b.raw_bits == 16) return decode_groups<uint16_t>(b, escapes_read, x, p, end);
  return decode_groups<uint32_t>(b, escapes_read, x, p, end);
}

}  // namespace lcl::float_format
