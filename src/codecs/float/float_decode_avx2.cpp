// The float decoder's AVX2 kernel, for x86-64 CPUs without AVX-512: the 32 rANS lanes as four
// vectors of 8 states. Per vector and group: scalar loads fetch the lanes' DecoderSlots, the 8 raw
// fields (exactly W bytes) come from two 16-byte loads spread to dword lanes by a byte shuffle per
// 128-bit half, and the refill words are distributed in lane order (rans_avx2.hpp). The decoder
// calls it only when kernels::avx2_available() (kernel_dispatch.hpp).
#if defined(LCL_AVX512_KERNELS)  // x86-64 builds that compile the kernels (CMakeLists.txt)
#include <immintrin.h>

#include <cstring>

#include "codecs/float/float_decode_simd.hpp"
#include "entropy/rans_avx2.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

// Loop-invariant vectors of one body.
struct Constants {
  __m256i slot_mask, low16, escape, raw_index, raw_shift, raw_mask;
  __m128i precision, raw_bits;
  size_t high_half;  // the byte of a vector's raw fields that the upper 128-bit half starts at
};

LCL_AVX2_KERNEL Constants make_constants(const Body& b) {
  Constants c;
  c.slot_mask = _mm256_set1_epi32(static_cast<int>((1u << b.precision) - 1));
  c.low16 = _mm256_set1_epi32(0xFFFF);
  c.escape = _mm256_set1_epi32(static_cast<int>(b.escape));
  // Field l starts at bit l * W of the vector's W bytes: its dword lane gets the 4 bytes from
  // (l * W) / 8 (W + 7 <= 30 bits) and shifts right by (l * W) % 8. The byte shuffle stays in its
  // 128-bit half, so the upper half (lanes 4..7) reads from its own load at (4 * W) / 8: its bytes
  // end at most (7 * 23) / 8 + 4 - (4 * 23) / 8 = 13 bytes in.
  const uint32_t w = b.raw_bits;
  c.high_half = (4 * w) / 8;
  alignas(32) uint8_t index[32];
  alignas(32) uint32_t shift[8];
  for (uint32_t l = 0; l < 8; ++l) {
    const uint32_t base = l < 4 ? 0 : static_cast<uint32_t>(c.high_half);
    for (uint32_t j = 0; j < 4; ++j)
      index[4 * l + j] = static_cast<uint8_t>((l * w) / 8 - base + j);
    shift[l] = (l * w) % 8;
  }
  c.raw_index = _mm256_load_si256(reinterpret_cast<const __m256i*>(index));
  c.raw_shift = _mm256_load_si256(reinterpret_cast<const __m256i*>(shift));
  c.raw_mask = _mm256_set1_epi32(static_cast<int>((1u << w) - 1));
  c.precision = _mm_cvtsi32_si128(static_cast<int>(b.precision));
  c.raw_bits = _mm_cvtsi32_si128(static_cast<int>(w));
  return c;
}

// The 8 lanes' DecoderSlots {u32 freq, u16 offset, u16 symbol} by scalar 64-bit loads: AMD's
// Zen 2/3 run vpgatherdd at a fraction of this rate (two gathers per vector took ~55% of the
// kernel's cycles). Slots 0, 1, 4, 5 go to one vector and 2, 3, 6, 7 to the other, so that one
// shuffle per dword field leaves the fields in lane order.
LCL_AVX2_KERNEL inline void load_slots(const entropy::DecoderSlot* slots, __m256i index,
                                       __m256i& freq, __m256i& offset_symbol) {
  static_assert(sizeof(entropy::DecoderSlot) == 8, "one 64-bit load per slot");
  alignas(32) uint32_t at[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(at), index);
  auto slot = [&](int l) {
    long long v;
    std::memcpy(&v, slots + at[l], 8);
    return v;
  };
  const __m256 a = _mm256_castsi256_ps(_mm256_set_epi64x(slot(5), slot(4), slot(1), slot(0)));
  const __m256 b = _mm256_castsi256_ps(_mm256_set_epi64x(slot(7), slot(6), slot(3), slot(2)));
  freq = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
  offset_symbol = _mm256_castps_si256(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

// Decodes 8 lanes: the new states in x, the symbols returned.
LCL_AVX2_KERNEL inline __m256i decode_step(const Constants& c, const entropy::DecoderSlot* slots,
                                           __m256i& x) {
  __m256i freq, offset_symbol;
  load_slots(slots, _mm256_and_si256(x, c.slot_mask), freq, offset_symbol);
  x = _mm256_add_epi32(_mm256_mullo_epi32(freq, _mm256_srl_epi32(x, c.precision)),
                       _mm256_and_si256(offset_symbol, c.low16));
  return _mm256_srli_epi32(offset_symbol, 16);
}

LCL_AVX2_KERNEL inline uint32_t escape_lanes(const Constants& c, __m256i symbols) {
  return static_cast<uint32_t>(
      _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(symbols, c.escape))));
}

// Replaces the escape symbols of the marked lanes (bit 8 * v + j: vector v, lane j) by the escape
// stream's next values, in lane order (the rare path).
LCL_AVX2_KERNEL __attribute__((noinline)) void resolve_escapes(const Body& b,
                                                               uint64_t& escapes_read,
                                                               uint32_t lanes, __m256i (&s)[4]) {
  alignas(32) uint32_t symbols[kLanes];
  for (int v = 0; v < 4; ++v) _mm256_store_si256(reinterpret_cast<__m256i*>(symbols + 8 * v), s[v]);
  for (uint32_t m = lanes; m != 0; m &= m - 1)
    symbols[__builtin_ctz(m)] = next_escape(b, escapes_read);
  for (int v = 0; v < 4; ++v)
    s[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(symbols + 8 * v));
}

// Raw fields of 8 lanes from the W bytes at raw (16 readable bytes past the upper half's start),
// joined below their symbols.
LCL_AVX2_KERNEL inline __m256i join_raw(const Constants& c, const uint8_t* raw, __m256i symbols) {
  const __m256i bytes = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(raw + c.high_half),
                                            reinterpret_cast<const __m128i*>(raw));
  const __m256i spread = _mm256_shuffle_epi8(bytes, c.raw_index);
  const __m256i field = _mm256_and_si256(_mm256_srlv_epi32(spread, c.raw_shift), c.raw_mask);
  return _mm256_or_si256(_mm256_sll_epi32(symbols, c.raw_bits), field);
}

template <class Elem>
LCL_AVX2_KERNEL size_t decode_groups(const Body& b, uint64_t& escapes_read, uint32_t (&xs)[kLanes],
                                     const uint8_t*& p_ref, const uint8_t* end) {
  static_assert(kLanes == 32, "the kernel holds the lanes in four vectors of 8");
  const Constants c = make_constants(b);
  const entropy::DecoderSlot* const slots = b.slots;
  const uint8_t* p = p_ref;
  __m256i x[4];
  rans_avx2::load_states(xs, x[0], x[1], x[2], x[3]);
  const size_t w = b.raw_bits;
  const uint8_t* raw = b.raw_fields;
  uint8_t* out = b.out;
  size_t i = 0;
  while (b.n - i >= kLanes && end - p >= 2 * kLanes) {
    __m256i s[4];
    for (int v = 0; v < 4; ++v) s[v] = decode_step(c, slots, x[v]);
    const uint32_t escaped = escape_lanes(c, s[0]) | escape_lanes(c, s[1]) << 8 |
                             escape_lanes(c, s[2]) << 16 | escape_lanes(c, s[3]) << 24;
    if (escaped != 0) [[unlikely]]
      resolve_escapes(b, escapes_read, escaped, s);
    __m256i e[4];
    for (int v = 0; v < 4; ++v) e[v] = join_raw(c, raw + v * w, s[v]);
    raw += 4 * w;
    if constexpr (sizeof(Elem) == 2) {
      // Elements < 2^16, so the unsigned packs keep them; the permute undoes their 128-bit
      // interleave.
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                          _mm256_permute4x64_epi64(_mm256_packus_epi32(e[0], e[1]), 0xD8));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32),
                          _mm256_permute4x64_epi64(_mm256_packus_epi32(e[2], e[3]), 0xD8));
    } else {
      for (int v = 0; v < 4; ++v)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * v), e[v]);
    }
    out += kLanes * sizeof(Elem);
    for (int v = 0; v < 4; ++v) x[v] = rans_avx2::renormalize(x[v], p);
    i += kLanes;
  }
  rans_avx2::store_states(xs, x[0], x[1], x[2], x[3]);
  p_ref = p;
  return i;
}

}  // namespace

LCL_AVX2_KERNEL size_t decode_groups_avx2(const Body& b, size_t element_bytes,
                                          uint64_t& escapes_read, uint32_t (&x)[kLanes],
                                          const uint8_t*& p, const uint8_t* end) {
  if (element_bytes == 2) return decode_groups<uint16_t>(b, escapes_read, x, p, end);
  return decode_groups<uint32_t>(b, escapes_read, x, p, end);
}

}  // namespace lcl::float_format
#endif
