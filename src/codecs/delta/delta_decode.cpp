// Delta codec decoder: validates the header and tables, then one fused pass per element: the
// base element's exponent picks the table, the symbol (plus raw bits for large moves) gives the
// difference of ordered codes, which restores the element.
#include <cstring>
#include <string>

#include "codecs/codec_scratch.hpp"
#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_format.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::delta_format {

namespace {

struct Header {
  Mode mode;
  ReferenceRange reference;
};

Header read_header(ByteReader& in, uint64_t chunk_size) {
  if (in.u8() != kVersion) in.fail("unknown version");
  const uint8_t mode = in.u8();
  if (mode > static_cast<uint8_t>(Mode::kFloat)) in.fail("unknown mode");
  Header h;
  h.mode = static_cast<Mode>(mode);
  h.reference.file = static_cast<uint32_t>(in.varint_at_most(0xffffffffu, "reference file"));
  h.reference.offset = in.varint_at_most(~uint64_t{0} - chunk_size, "reference offset");
  h.reference.size = chunk_size;
  return h;
}

// Raw bits read in element order from a padded copy; the reads are bounded by the stored size.
class RawBits {
 public:
  RawBits(const uint8_t* bytes, uint64_t size) : bytes_(bytes), limit_(size * 8) {}
  uint32_t get(uint32_t width) {
    if (width > limit_ - position_) throw_corrupt("delta payload: raw bits run out");
    uint64_t window;
    std::memcpy(&window, bytes_ + position_ / 8, 8);
    const auto v =
        static_cast<uint32_t>((window >> (position_ % 8)) & ((uint64_t{1} << width) - 1));
    position_ += width;
    return v;
  }
  // Whole bytes consumed (the encoder pads the last one with zeros).
  uint64_t bytes_used() const { return (position_ + 7) / 8; }

 private:
  const uint8_t* bytes_;
  uint64_t limit_;
  uint64_t position_ = 0;
};

template <class Elem>
void decode_float_body(ByteReader& in, uint64_t n, const FloatLayout& layout, const uint8_t* ref,
                       uint8_t* out, DeltaDecodeScratch& scratch) {
  const uint32_t k = in.u8();
  const uint32_t m = in.u8();
  if (m < 1 || m >= k || k > 8 || m > 4) in.fail("bucket widths out of range");
  const uint32_t precision = in.u8();
  if (precision < 10 || precision > 14) in.fail("precision out of range");
  const uint32_t alphabet = alphabet_size(layout.bits, k, m);
  const uint32_t contexts = 1u << exponent_bits(layout);
  const uint32_t table_count = static_cast<uint32_t>(in.varint_at_most(kMaxTables, "table count"));
  if (table_count == 0) in.fail("no tables");
  const uint64_t first = in.varint_at_most(contexts, "first context");
  const uint64_t count = in.varint_at_most(contexts - first, "context count");
  uint8_t table_of[256] = {};
  const auto map = in.bytes(count);
  for (uint64_t c = 0; c < count; ++c) {
    if (map[c] >= table_count) in.fail("context table index out of range");
    table_of[first + c] = map[c];
  }
  std::vector<entropy::DecoderSlot>& slots = scratch.slots;
  slots.resize(static_cast<size_t>(table_count) << precision);
  for (uint32_t t = 0; t < table_count; ++t) {
    const entropy::FrequencyTable table = entropy::read_compact_table(in, alphabet);
    if (table.freq.size() != alphabet || table.precision_bits != precision)
      in.fail("table does not match the alphabet or precision");
    const entropy::DecoderTable decoder = entropy::make_decoder_table(table);
    if (decoder.slots.size() != (size_t{1} << precision)) in.fail("empty table");
    std::memcpy(slots.data() + (size_t{t} << precision), decoder.slots.data(),
                decoder.slots.size() * sizeof(entropy::DecoderSlot));
  }
  const entropy::DecoderSlot* slots_of[256];
  for (uint32_t c = 0; c < contexts; ++c)
    slots_of[c] = slots.data() + (size_t{table_of[c]} << precision);
  const uint64_t raw_size = in.varint_at_most(in.remaining(), "raw byte count");
  RawBits raw(scratch.padded_raw.assign(in.bytes(raw_size)), raw_size);
  const auto stream = in.bytes(in.remaining());

  const uint32_t shift = layout.mantissa_bits;
  const uint32_t mask = (1u << precision) - 1;
  const uint32_t exact = 1u << k;
  const uint32_t top_mask = (1u << m) - 1;
  entropy::decode_interleaved<kLanes>(stream, n, [&](size_t i, uint32_t& x) {
    Elem b;
    std::memcpy(&b, ref + i * sizeof(Elem), sizeof b);
    const entropy::DecoderSlot d = slots_of[(b >> shift) & (contexts - 1)][x & mask];
    x = d.freq * (x >> precision) + d.offset;
    uint32_t z = d.symbol;
    if (z >= exact) [[unlikely]] {
      const uint32_t j = z - exact;
      const uint32_t raw_bits = (j >> m) + k - m;  // bit width - 1 - m
      z = (((1u << m) | (j & top_mask)) << raw_bits) | raw.get(raw_bits);
    }
    const Elem v = from_ordered(static_cast<Elem>(ordered(b) + unzigzag(static_cast<Elem>(z))));
    std::memcpy(out + i * sizeof(Elem), &v, sizeof v);
  });
  if (raw.bytes_used() != raw_size) throw_corrupt("delta payload: unused raw bits");
}

}  // namespace

ReferenceRange read_reference(std::span<const uint8_t> payload, uint64_t chunk_size) {
  ByteReader in(payload, "delta payload");
  return read_header(in, chunk_size).reference;
}

void decode_delta(std::span<const uint8_t> payload, std::span<const uint8_t> reference,
                  std::span<uint8_t> out, Workspace& workspace) {
  DeltaDecodeScratch& scratch = workspace.scratch().delta_decode;
  ByteReader in(payload, "delta payload");
  const Header h = read_header(in, out.size());
  if (reference.size() != out.size()) throw_corrupt("delta payload: reference size mismatch");
  if (h.mode == Mode::kIdentical) {
    if (!in.at_end()) in.fail("trailing bytes");
    if (!out.empty()) std::memcpy(out.data(), reference.data(), out.size());
    return;
  }
  const FloatLayout* layout = float_format::layout_of_kind(in.u8());
  if (!layout) in.fail("unknown float kind");
  const uint64_t n = in.varint_at_most(out.size() / layout->bytes, "element count");
  const uint64_t tail = in.varint_at_most(layout->bytes - 1, "tail length");
  if (n * layout->bytes + tail != out.size()) in.fail("size does not match the output");
  const auto tail_bytes = in.bytes(tail);
  if (tail) std::memcpy(out.data() + n * layout->bytes, tail_bytes.data(), tail);
  if (n == 0) {
    if (!in.at_end()) in.fail("trailing bytes");
    return;
  }
  if (layout->bytes == 2)
    decode_float_body<uint16_t>(in, n, *layout, reference.data(), out.data(), scratch);
  else
    decode_float_body<uint32_t>(in, n, *layout, reference.data(), out.data(), scratch);
}

}  // namespace lcl::delta_format
