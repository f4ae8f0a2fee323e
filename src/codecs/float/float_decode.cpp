// Float codec decoder: validates the payload's structure up front, then one fused pass that
// decodes a symbol, resolves an escape and appends the raw bits per element.
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "codecs/codec_scratch.hpp"
#include "codecs/float/float_coder.hpp"
#include "codecs/float/float_decode_body.hpp"
#include "codecs/float/float_decode_simd.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

// Any raw width and precision: the per-symbol path, also used for the last partial group.
template <class Elem>
auto generic_step(const Body& b, uint64_t& escapes_read) {
  return [&b, &escapes_read, slots = b.slots, precision = b.precision, escape = b.escape,
          raw_bits = b.raw_bits, raw = b.raw_fields, out = b.out](size_t i, uint32_t& x) {
    uint32_t s = entropy::decode_symbol(x, slots, precision);
    if (s == escape) [[unlikely]]
      s = next_escape(b, escapes_read);
    const Elem v = static_cast<Elem>((Elem{static_cast<Elem>(s)} << raw_bits) |
                                     entropy::unpack_field_padded(raw, i, raw_bits));
    std::memcpy(out + i * sizeof(Elem), &v, sizeof v);
  };
}

// A whole group by the generic steps.
template <class Elem>
auto generic_group(const Body& b, uint64_t& escapes_read) {
  return [&b, &escapes_read](size_t i, uint32_t(&x)[kLanes], const uint8_t*& p) {
    auto step = generic_step<Elem>(b, escapes_read);
    for (int l = 0; l < kLanes; ++l) {
      step(i + l, x[l]);
      entropy::renormalize(x[l], p);
    }
  };
}

// The bulk stage of the portable decoders: none.
size_t no_bulk(uint32_t (&)[kLanes], const uint8_t*&, const uint8_t*) {
  return 0;
}

// Every decoder leaves the lanes' final states (which hold the stashed raw bytes) in `final`.
template <class Elem>
void decode_generic(const Body& b, uint64_t& escapes_read, uint32_t (&final)[kLanes]) {
  entropy::decode_interleaved_bulk<kLanes>(b.stream, b.n, generic_step<Elem>(b, escapes_read),
                                           generic_group<Elem>(b, escapes_read), no_bulk, final);
}

// Raw width W and precision P known at compile time: each 8 raw fields of a group fill exactly
// W bytes, so every field is read at a constant byte offset and shift, and no shift count needs
// a register (what made the generic loop spill). The scalar path, for CPUs without AVX2.
template <class Elem, uint32_t W, uint32_t P>
void decode_fixed(const Body& b, uint64_t& escapes_read, uint32_t (&final)[kLanes]) {
  static_assert(kLanes % 8 == 0, "a group's raw fields fill whole bytes per 8 lanes");
  const entropy::DecoderSlot* const slots = b.slots;
  const uint8_t* const raw = b.raw_fields;
  uint8_t* const out = b.out;
  const uint32_t escape = b.escape;
  auto group = [&](size_t i, uint32_t(&x)[kLanes], const uint8_t*& p) {
    for (int part = 0; part < kLanes; part += 8) {
      const uint8_t* block = raw + ((i + part) / 8) * W;
      Elem values[8];
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        uint32_t& xl = x[part + j];
        const entropy::DecoderSlot d = slots[xl & ((1u << P) - 1)];
        xl = d.freq * (xl >> P) + d.offset;
        uint32_t s = d.symbol;
        if (s == escape) [[unlikely]]
          s = next_escape(b, escapes_read);
        uint64_t window;
        std::memcpy(&window, block + (j * W) / 8, 8);
        const auto field =
            static_cast<uint32_t>((window >> ((j * W) % 8)) & ((uint64_t{1} << W) - 1));
        values[j] = static_cast<Elem>((s << W) | field);
        entropy::renormalize(xl, p);
      }
      std::memcpy(out + (i + part) * sizeof(Elem), values, sizeof values);
    }
  };
  entropy::decode_interleaved_bulk<kLanes>(b.stream, b.n, generic_step<Elem>(b, escapes_read),
                                           group, no_bulk, final);
}

// The AVX-512 kernel for the whole groups (any W and P), the generic steps for the rest.
template <class Elem>
void decode_simd(const Body& b, uint64_t& escapes_read, uint32_t (&final)[kLanes]) {
  entropy::decode_interleaved_bulk<kLanes>(
      b.stream, b.n, generic_step<Elem>(b, escapes_read), generic_group<Elem>(b, escapes_read),
      [&](uint32_t(&x)[kLanes], const uint8_t*& p, const uint8_t* end) {
        return decode_groups_avx512(b, escapes_read, x, p, end);
      },
      final);
}

// The AVX2 kernel for the whole groups (any W and P, any element width), the generic steps for
// the rest.
template <class Elem>
void decode_avx2(const Body& b, uint64_t& escapes_read, uint32_t (&final)[kLanes]) {
  entropy::decode_interleaved_bulk<kLanes>(
      b.stream, b.n, generic_step<Elem>(b, escapes_read), generic_group<Elem>(b, escapes_read),
      [&](uint32_t(&x)[kLanes], const uint8_t*& p, const uint8_t* end) {
        return decode_groups_avx2(b, sizeof(Elem), escapes_read, x, p, end);
      },
      final);
}

using DecodeFn = void (*)(const Body&, uint64_t&, uint32_t (&)[kLanes]);

template <class Elem, uint32_t W>
DecodeFn fixed_for_precision(uint32_t precision) {
  switch (precision) {
    case 12:
      return decode_fixed<Elem, W, 12>;
    case 13:
      return decode_fixed<Elem, W, 13>;
    case 14:
      return decode_fixed<Elem, W, 14>;
    default:
      return nullptr;
  }
}

// The raw widths each element size can have: 16-bit floats 1..10 (bf16 7 - k, fp16 10 - k),
// fp32 17..23 (23 - k).
template <class Elem, uint32_t... Ws>
DecodeFn pick_fixed(uint32_t raw_bits, uint32_t precision, std::integer_sequence<uint32_t, Ws...>) {
  DecodeFn fn = nullptr;
  ((raw_bits == Ws ? (fn = fixed_for_precision<Elem, Ws>(precision), 0) : 0), ...);
  return fn;
}

// `full_width`: the elements fill their Elem (the low-bit versions' shifted elements do not: the
// AVX-512 kernel steps aside for them, the AVX2 kernel takes them).
template <class Elem>
DecodeFn choose_decoder(uint32_t raw_bits, uint32_t precision, bool full_width) {
  if constexpr (kernels::kAvx512Built)
    if (full_width && kernels::avx512_available()) return decode_simd<Elem>;
  if constexpr (kernels::kAvx512Built)
    if (kernels::avx2_available()) return decode_avx2<Elem>;
  DecodeFn fn = nullptr;
  if constexpr (sizeof(Elem) == 2)
    fn = pick_fixed<Elem>(raw_bits, precision,
                          std::integer_sequence<uint32_t, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10>{});
  else
    fn = pick_fixed<Elem>(raw_bits, precision,
                          std::integer_sequence<uint32_t, 17, 18, 19, 20, 21, 22, 23>{});
  return fn ? fn : decode_generic<Elem>;
}

// Takes the stashed raw bytes from the final states (each must be 2^16 plus its two bytes, zero
// past the stash) and rewrites the raw bits of the elements whose fields reach into them (the
// decoders saw zeros or other bytes there); `raw` is the raw section as stored.
template <class Elem>
void restore_stashed_bits(const Body& b, const uint32_t (&final)[kLanes],
                          std::span<const uint8_t> raw, size_t stashed) {
  uint8_t stash[2 * kLanes];
  for (int l = 0; l < kLanes; ++l) {
    if (final[l] >> 16 != 1) throw_corrupt("float payload: rANS final state out of range");
    stash[2 * l] = static_cast<uint8_t>(final[l]);
    stash[2 * l + 1] = static_cast<uint8_t>(final[l] >> 8);
  }
  for (size_t j = stashed; j < sizeof stash; ++j)
    if (stash[j] != 0) throw_corrupt("float payload: rANS final state mismatch");
  if (stashed == 0) return;  // no raw bits (all of every element is in its symbol)
  // The fields from the first one that reaches the stash, rebuilt in a small padded buffer.
  const uint32_t w = b.raw_bits;
  const uint64_t first = raw.size() * 8 / w;
  const uint64_t from = first * w / 8;
  uint8_t tail[2 * kLanes + 4 + 8] = {};  // < 4 stored bytes precede the stash (w <= 23)
  std::memcpy(tail, raw.data() + from, raw.size() - from);
  std::memcpy(tail + (raw.size() - from), stash, stashed);
  for (uint64_t i = first; i < b.n; ++i) {
    const uint64_t bit = i * w - from * 8;
    uint64_t window;
    std::memcpy(&window, tail + bit / 8, 8);
    const auto field = static_cast<uint32_t>((window >> (bit % 8)) & ((uint64_t{1} << w) - 1));
    Elem v;
    std::memcpy(&v, b.out + i * sizeof(Elem), sizeof v);
    v = static_cast<Elem>((v >> w << w) | field);
    std::memcpy(b.out + i * sizeof(Elem), &v, sizeof v);
  }
}

template <class Elem>
void decode_body(ByteReader& in, uint64_t n, const FloatLayout& layout, bool full_width,
                 bool smooth_table, uint8_t* out, FloatDecodeScratch& scratch) {
  const uint32_t k = in.u8();
  if (k > layout.max_k())
    in.fail("float payload: k " + std::to_string(k) + " beyond the symbol width");
  Body b;
  b.n = n;
  b.out = out;
  b.symbol_bits = layout.symbol_bits(k);
  b.raw_bits = layout.raw_bits(k);
  b.escape = 1u << b.symbol_bits;
  const entropy::FrequencyTable table = smooth_table
                                            ? entropy::read_smooth_compact_table(in, b.escape + 1)
                                            : entropy::read_compact_table(in, b.escape + 1);
  if (table.freq.size() != b.escape + 1) in.fail("float payload: table alphabet does not match k");
  entropy::DecoderTable& decoder = scratch.decoder;
  decoder = entropy::make_decoder_table(table);
  if (decoder.slots.empty()) in.fail("float payload: empty symbol table");
  b.slots = decoder.slots.data();
  b.precision = decoder.precision_bits;

  b.escape_count = in.varint_at_most(n, "escape count");
  const auto escapes = in.bytes(entropy::packed_bytes(b.escape_count, b.symbol_bits));
  const uint64_t raw_bytes = entropy::packed_bytes(n, b.raw_bits);
  const size_t stashed = stashed_raw_bytes(raw_bytes);
  const auto raw = in.bytes(raw_bytes - stashed);
  b.stream = in.bytes(in.remaining());
  b.escape_fields = scratch.padded_escapes.assign(escapes);
  const DecodeFn decode = choose_decoder<Elem>(b.raw_bits, b.precision, full_width);
  bool in_place = false;  // the x86-64 kernels, which read the raw section where it is
  if constexpr (kernels::kAvx512Built)
    in_place = decode == decode_simd<Elem> || decode == decode_avx2<Elem>;
  if (in_place) {
    // Read in place: the stream follows the raw section and holds at least 4 * kLanes bytes
    // before any field is read (the rANS header check), which covers the stash's place, every
    // 8-byte window of a field and the AVX2 kernel's 16-byte loads. Fields reaching into the stash
    // are rewritten below.
    b.raw_fields = raw.data();
  } else {
    // A padded copy lets the portable loops read 8-byte windows without an end check.
    std::vector<uint8_t>& raw_fields = scratch.raw_fields;
    raw_fields.resize(raw_bytes + 8);
    if (!raw.empty()) std::memcpy(raw_fields.data(), raw.data(), raw.size());
    std::memset(raw_fields.data() + raw.size(), 0, stashed + 8);
    b.raw_fields = raw_fields.data();
  }

  uint64_t escapes_read = 0;
  uint32_t final[kLanes];
  decode(b, escapes_read, final);
  if (escapes_read != b.escape_count) throw_corrupt("float payload: fewer escapes than stored");
  restore_stashed_bits<Elem>(b, final, raw, stashed);
}

// Version 3 (float_format.hpp): the exponent classes that kept their low bits and those bits,
// then the body of the shifted elements, which are shifted back with their low bits in place.
template <class Elem>
void decode_low_bits_body(ByteReader& in, uint64_t n, const FloatLayout& layout, bool smooth_table,
                          uint8_t* out, FloatDecodeScratch& scratch) {
  const uint32_t t = in.u8();
  if (t < 1 || t > layout.mantissa_bits) in.fail("low bit count out of range");
  const auto bitmap = in.bytes(layout.classes() / 8);
  const uint64_t kept_count = in.varint_at_most(n, "kept element count");
  const auto kept_bytes = in.bytes(entropy::packed_bytes(kept_count, t));
  decode_body<Elem>(in, n, layout.without_low_bits(t), false, smooth_table, out, scratch);
  const uint32_t class_shift = layout.mantissa_bits - t;
  uint64_t kept_read = 0;
  for (uint64_t i = 0; i < n; ++i) {
    Elem v;
    std::memcpy(&v, out + i * sizeof(Elem), sizeof v);
    const uint32_t c = static_cast<uint32_t>(v >> class_shift);  // < classes: v has bits - t bits
    uint32_t low = 0;
    if (bitmap[c / 8] >> (c % 8) & 1) {
      if (kept_read == kept_count) throw_corrupt("float payload: more kept elements than stored");
      low = entropy::unpack_field(kept_bytes, kept_read++, t);
    }
    v = static_cast<Elem>(v << t | low);
    std::memcpy(out + i * sizeof(Elem), &v, sizeof v);
  }
  if (kept_read != kept_count) throw_corrupt("float payload: fewer kept elements than stored");
}

}  // namespace

void decode_floats(std::span<const uint8_t> payload, std::span<uint8_t> out, Workspace& workspace) {
  FloatDecodeScratch& scratch = workspace.scratch().float_decode;
  ByteReader in(payload, "float payload");
  const uint8_t version = in.u8();
  if (version < kVersionBytewiseTable || version > kVersionLowBits) in.fail("unknown version");
  const bool low_bits = version == kVersionBytewiseTableLowBits || version == kVersionLowBits;
  const bool smooth_table = version >= kVersion;
  const FloatLayout* layout = layout_of_kind(in.u8());
  if (!layout) in.fail("unknown float kind");
  const uint64_t n = in.varint_at_most(out.size() / layout->bytes, "element count");
  const uint64_t tail = in.varint_at_most(layout->bytes - 1, "tail length");
  if (n * layout->bytes + tail != out.size()) in.fail("size does not match the output");
  const auto tail_bytes = in.bytes(tail);
  if (tail) std::memcpy(out.data() + n * layout->bytes, tail_bytes.data(), tail);
  if (n == 0) {
    if (low_bits) in.fail("low bits taken off without elements");
    if (!in.at_end()) in.fail("trailing bytes");
    return;
  }
  if (low_bits) {
    if (layout->bytes == 2)
      decode_low_bits_body<uint16_t>(in, n, *layout, smooth_table, out.data(), scratch);
    else
      decode_low_bits_body<uint32_t>(in, n, *layout, smooth_table, out.data(), scratch);
  } else if (layout->bytes == 2) {
    decode_body<uint16_t>(in, n, *layout, true, smooth_table, out.data(), scratch);
  } else {
    decode_body<uint32_t>(in, n, *layout, true, smooth_table, out.data(), scratch);
  }
}

}  // namespace lcl::float_format
