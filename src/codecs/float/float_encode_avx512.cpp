// The float encoder's x86-64 kernels. rANS: the 32 lanes as two vectors of 16 states, coded in
// reverse like entropy::encode_interleaved; per vector, one 8 x 64-bit gather pair fetches each
// symbol's reciprocal and {frequency, start, shift}, and rans_avx512::encode_step codes them (the
// AVX2 kernel's groups are in float_encode_avx2.cpp; the ragged tail and the final states here
// serve both). Raw bits: BMI2 pext gathers the low bits of 4 (or 2) elements at a time.

#include <algorithm>
#include <bit>
#include <cstring>

#include "codecs/float/float_encode_simd.hpp"
#include "codecs/float/float_format.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_avx512.hpp"
#include "util/avx512_intrinsics.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

struct Constants {
  __m512i escape_packed;  // the escape entry's high dword (an impossible value without escapes)
  __m128i raw_bits;
  rans_avx512::EncodeConstants rans;
};

LCL_AVX512_KERNEL Constants make_constants(uint32_t raw_bits, uint32_t precision,
                                           uint32_t escape_packed) {
  Constants c;
  c.escape_packed = _mm512_set1_epi32(static_cast<int>(escape_packed));
  c.raw_bits = _mm_cvtsi32_si128(static_cast<int>(raw_bits));
  c.rans = rans_avx512::encode_constants(precision);
  return c;
}

// Codes the 16 elements at `elements` into the 16 states x (encode_step per lane), storing the
// emitted words in lane order just below w; returns the lanes whose symbol was escaped.
template <class Elem>
LCL_AVX512_KERNEL inline __mmask16 encode_vector(const Constants& c, const uint64_t* table,
                                                 const uint8_t* elements, __m512i& x,
                                                 uint16_t*& w) {
  __m512i values;
  if constexpr (sizeof(Elem) == 2)
    values = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(elements)));
  else
    values = _mm512_loadu_si512(elements);
  __m512i reciprocal, packed;
  rans_avx512::gather_entries(table, _mm512_srl_epi32(values, c.raw_bits), reciprocal, packed);
  rans_avx512::encode_packed_step(c.rans, reciprocal, packed, 0xFFFF, x, w);
  return _mm512_cmpeq_epi32_mask(packed, c.escape_packed);
}

template <class Elem>
LCL_AVX512_KERNEL void encode_groups(const uint8_t* data, uint64_t groups, const uint64_t* table,
                                     const Constants& c, uint32_t (&xs)[kLanes], uint16_t*& w_ref,
                                     std::vector<uint64_t>& escaped_at) {
  static_assert(kLanes == 32, "the kernel holds the lanes in two vectors of 16");
  __m512i xa = _mm512_loadu_si512(xs);
  __m512i xb = _mm512_loadu_si512(xs + 16);
  uint16_t* w = w_ref;
  for (uint64_t g = groups; g-- > 0;) {
    const uint8_t* group = data + g * kLanes * sizeof(Elem);
    // The decoder reads lanes 0-15's words first, so they are stored last (lowest).
    const __mmask16 eb = encode_vector<Elem>(c, table, group + 16 * sizeof(Elem), xb, w);
    const __mmask16 ea = encode_vector<Elem>(c, table, group, xa, w);
    if ((ea | eb) != 0) [[unlikely]] {
      const unsigned lanes = ea | unsigned{eb} << 16;
      for (unsigned m = lanes; m != 0; m &= m - 1)
        escaped_at.push_back(g * kLanes + static_cast<uint64_t>(__builtin_ctz(m)));
    }
  }
  _mm512_storeu_si512(xs, xa);
  _mm512_storeu_si512(xs + 16, xb);
  w_ref = w;
}

template <class Elem>
uint32_t symbol_at(const uint8_t* data, uint64_t i, uint32_t raw_bits) {
  Elem v;
  std::memcpy(&v, data + i * sizeof(Elem), sizeof v);
  return static_cast<uint32_t>(v >> raw_bits);
}

}  // namespace

std::span<const uint8_t> encode_symbols_simd(const uint8_t* data, uint64_t n, uint32_t elem_bytes,
                                             uint32_t raw_bits,
                                             const entropy::EncoderSymbol* entries,
                                             uint32_t alphabet, uint32_t precision,
                                             const uint32_t (&initial)[kLanes],
                                             const entropy::EncoderSymbol* escape_entry,
                                             bool avx512, FloatEncodeScratch& scratch) {
  std::vector<uint64_t>& escaped_at = scratch.escaped_at;
  escaped_at.clear();
  if (n == 0) return {};
  // Escaped elements are those whose entry is the escape's (its start is unique to it).
  const uint32_t escape_packed =
      escape_entry
          ? static_cast<uint32_t>(entropy::pack_encoder_symbol(*escape_entry, precision) >> 32)
          : ~0u;
  std::vector<uint64_t>& table = scratch.kernel_table;
  table.resize(alphabet);
  for (uint32_t s = 0; s < alphabet; ++s)
    table[s] = entropy::pack_encoder_symbol(entries[s], precision);

  // The same buffer layout as encode_interleaved, with 16 more words of room at the bottom for
  // the vector stores.
  std::vector<uint16_t>& words = scratch.kernel_words;
  words.resize(std::max<size_t>(words.size(), n + 2 * kLanes + 16));
  uint16_t* const end = words.data() + n + 2 * kLanes + 16;
  uint16_t* w = end;
  uint32_t x[kLanes];
  std::memcpy(x, initial, sizeof x);
  // The ragged tail first, one lane at a time, exactly as encode_interleaved does.
  uint64_t i = n;
  while (i % kLanes != 0) {
    --i;
    const uint32_t s = elem_bytes == 2 ? symbol_at<uint16_t>(data, i, raw_bits)
                                       : symbol_at<uint32_t>(data, i, raw_bits);
    if (static_cast<uint32_t>(table[s] >> 32) == escape_packed) escaped_at.push_back(i);
    entropy::encode_step(x[i % kLanes], entries[s], w);
  }
  if (!avx512) {
    encode_groups_avx2(data, i / kLanes, elem_bytes, raw_bits, table.data(), precision,
                       escape_packed, x, w, escaped_at);
  } else {
    const Constants c = make_constants(raw_bits, precision, escape_packed);
    if (elem_bytes == 2)
      encode_groups<uint16_t>(data, i / kLanes, table.data(), c, x, w, escaped_at);
    else
      encode_groups<uint32_t>(data, i / kLanes, table.data(), c, x, w, escaped_at);
  }
  std::sort(escaped_at.begin(), escaped_at.end());  // found last to first
  for (int l = kLanes - 1; l >= 0; --l) {
    *--w = static_cast<uint16_t>(x[l] >> 16);
    *--w = static_cast<uint16_t>(x[l]);
  }
  static_assert(std::endian::native == std::endian::little, "words are stored little-endian");
  const auto* bytes = reinterpret_cast<const uint8_t*>(w);
  return {bytes, reinterpret_cast<const uint8_t*>(end)};
}

namespace {

// Appends fields to a byte buffer 64 bits at a time.
struct BitSink {
  uint8_t* p;
  uint64_t acc = 0;
  uint32_t used = 0;                         // < 64
  void put(uint64_t bits, uint32_t width) {  // bits < 2^width, width < 64
    acc |= bits << used;
    used += width;
    if (used >= 64) {
      std::memcpy(p, &acc, 8);
      p += 8;
      used -= 64;
      acc = used == 0 ? 0 : bits >> (width - used);
    }
  }
};

// BMI2 alone: the AVX2 and the AVX-512 paths both pack with it.
template <class Elem>
__attribute__((target("bmi2"))) void pack_raw(const uint8_t* data, uint64_t n, uint32_t raw_bits,
                                              uint8_t* dst) {
  constexpr uint32_t kPerWord = 8 / sizeof(Elem);
  uint64_t field_mask = 0;
  for (uint32_t j = 0; j < kPerWord; ++j)
    field_mask |= ((uint64_t{1} << raw_bits) - 1) << (j * 8 * sizeof(Elem));
  const uint32_t width = kPerWord * raw_bits;
  BitSink sink{dst};
  uint64_t i = 0;
  for (; i + kPerWord <= n; i += kPerWord) {
    uint64_t word;
    std::memcpy(&word, data + i * sizeof(Elem), 8);
    sink.put(_pext_u64(word, field_mask), width);
  }
  for (; i < n; ++i) {
    Elem v;
    std::memcpy(&v, data + i * sizeof(Elem), sizeof v);
    sink.put(v & ((uint64_t{1} << raw_bits) - 1), raw_bits);
  }
  std::memcpy(sink.p, &sink.acc, 8);
}

}  // namespace

void append_raw_bits_bmi2(const uint8_t* data, uint64_t n, uint32_t elem_bytes, uint32_t raw_bits,
                          std::vector<uint8_t>& out, std::vector<uint8_t>& scratch) {
  const uint64_t bytes = entropy::packed_bytes(n, raw_bits);
  scratch.resize(std::max<size_t>(scratch.size(), bytes + 8));  // + the last whole-word store
  if (elem_bytes == 2)
    pack_raw<uint16_t>(data, n, raw_bits, scratch.data());
  else
    pack_raw<uint32_t>(data, n, raw_bits, scratch.data());
  out.insert(out.end(), scratch.data(), scratch.data() + bytes);
}

}  // namespace lcl::float_format
