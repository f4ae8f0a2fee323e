// Float codec decoder: validates the payload's structure up front, then one fused pass that
// decodes a symbol, resolves an escape and appends the raw bits per element.
#include <cstring>
#include <string>

#include "codecs/float_coder.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/byte_io.hpp"

namespace lcl::float_format {

namespace {

constexpr int kLanes = 8;

template <class Elem>
void decode_body(ByteReader& in, uint64_t n, const FloatLayout& layout, uint8_t* out) {
  const uint32_t k = in.u8();
  if (k > layout.max_k())
    in.fail("float payload: k " + std::to_string(k) + " beyond the symbol width");
  const uint32_t symbol_bits = layout.symbol_bits(k);
  const uint32_t raw_bits = layout.raw_bits(k);
  const uint32_t escape = 1u << symbol_bits;
  const entropy::FrequencyTable table = entropy::read_frequency_table(in, escape + 1);
  if (table.freq.size() != escape + 1) in.fail("float payload: table alphabet does not match k");
  const entropy::DecoderTable decoder = entropy::make_decoder_table(table);
  if (decoder.slots.empty()) in.fail("float payload: empty symbol table");

  const uint64_t escape_count = in.varint_at_most(n, "escape count");
  const auto escapes = in.bytes(entropy::packed_bytes(escape_count, symbol_bits));
  const auto raw = in.bytes(entropy::packed_bytes(n, raw_bits));
  const auto stream = in.bytes(in.remaining());

  uint64_t escapes_read = 0;
  const entropy::DecoderSlot* slots = decoder.slots.data();
  const uint32_t precision = decoder.precision_bits;
  entropy::decode_interleaved<kLanes>(stream, n, [&](size_t i, uint32_t& x) {
    uint32_t s = entropy::decode_symbol(x, slots, precision);
    if (s == escape) [[unlikely]] {
      if (escapes_read == escape_count) throw_corrupt("float payload: more escapes than stored");
      s = entropy::unpack_field(escapes, escapes_read++, symbol_bits);
    }
    const Elem v = static_cast<Elem>((Elem{static_cast<Elem>(s)} << raw_bits) |
                                     entropy::unpack_field(raw, i, raw_bits));
    std::memcpy(out + i * sizeof(Elem), &v, sizeof v);
  });
  if (escapes_read != escape_count) throw_corrupt("float payload: fewer escapes than stored");
}

}  // namespace

void decode_floats(std::span<const uint8_t> payload, std::span<uint8_t> out) {
  ByteReader in(payload, "float payload");
  if (in.u8() != kVersion) in.fail("unknown version");
  const FloatLayout* layout = layout_of_kind(in.u8());
  if (!layout) in.fail("unknown float kind");
  const uint64_t n = in.varint_at_most(out.size() / layout->bytes, "element count");
  const uint64_t tail = in.varint_at_most(layout->bytes - 1, "tail length");
  if (n * layout->bytes + tail != out.size()) in.fail("size does not match the output");
  const auto tail_bytes = in.bytes(tail);
  std::memcpy(out.data() + n * layout->bytes, tail_bytes.data(), tail);
  if (n == 0) {
    if (!in.at_end()) in.fail("trailing bytes");
    return;
  }
  if (layout->bytes == 2)
    decode_body<uint16_t>(in, n, *layout, out.data());
  else
    decode_body<uint32_t>(in, n, *layout, out.data());
}

}  // namespace lcl::float_format
