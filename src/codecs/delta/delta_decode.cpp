// Delta codec decoder: validates the header and tables, then one fused pass per element: the
// base element's exponent picks the table, the symbol (plus raw bits for large moves) gives the
// difference of ordered codes, which restores the element.
#include <cstring>
#include <string>

#include "codecs/codec_scratch.hpp"
#include "codecs/delta/delta_blocks.hpp"
#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_decode_kernel.hpp"
#include "codecs/delta/delta_format.hpp"
#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

struct Header {
  Mode mode;
  ReferenceRange reference;
};

Header read_header(ByteReader& in, uint64_t chunk_size) {
  const uint8_t version = in.u8();
  if (version != kVersion && version != kVersionWithoutBlocks) in.fail("unknown version");
  const uint8_t mode = in.u8();
  const Mode last = version == kVersion ? Mode::kBlocks : Mode::kFloat;
  if (mode > static_cast<uint8_t>(last)) in.fail("unknown mode");
  Header h;
  h.mode = static_cast<Mode>(mode);
  h.reference.file = static_cast<uint32_t>(in.varint_at_most(0xffffffffu, "reference file"));
  h.reference.offset = in.varint_at_most(~uint64_t{0} - chunk_size, "reference offset");
  h.reference.size = chunk_size;
  return h;
}

// A table's slots in the AVX2 kernel's packing (PackedTables); the checks of
// entropy::make_decoder_table.
void pack_slots(const entropy::FrequencyTable& table, uint32_t* slots) {
  uint64_t sum = 0;
  for (uint32_t f : table.freq) sum += f;
  if (sum == 0) throw_corrupt("delta payload: empty table");
  if (sum != (uint64_t{1} << table.precision_bits))
    throw_corrupt("rANS frequency table does not sum to 1 << precision_bits");
  if constexpr (kernels::kAvx512Built) pack_slots_avx2(table.freq.data(), table.freq.size(), slots);
}

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
  // The AVX2 kernel's packed slots hold alphabets of <= 256 symbols at precision <= 12; it then
  // gets its tables built straight from the frequencies (building the portable slots first and
  // packing them was ~10% of the decoding time), and the portable steps around it read them too.
  bool use_kernel = false;
  if constexpr (kernels::kAvx512Built && sizeof(Elem) == 2)
    use_kernel = alphabet <= 256 && precision <= 12 && kernels::avx2_available();
  std::vector<entropy::DecoderSlot>& slots = scratch.slots;
  PackedTables& packed = scratch.packed;
  if (use_kernel)
    packed.slots.resize((static_cast<size_t>(table_count) << precision) + kPackedSlotsPadding);
  else
    slots.resize(static_cast<size_t>(table_count) << precision);
  for (uint32_t t = 0; t < table_count; ++t) {
    const entropy::FrequencyTable table = entropy::read_compact_table(in, alphabet);
    if (table.freq.size() != alphabet || table.precision_bits != precision)
      in.fail("table does not match the alphabet or precision");
    if (use_kernel) {
      pack_slots(table, packed.slots.data() + (size_t{t} << precision));
      continue;
    }
    const entropy::DecoderTable decoder = entropy::make_decoder_table(table);
    if (decoder.slots.size() != (size_t{1} << precision)) in.fail("empty table");
    std::memcpy(slots.data() + (size_t{t} << precision), decoder.slots.data(),
                decoder.slots.size() * sizeof(entropy::DecoderSlot));
  }
  const entropy::DecoderSlot* slots_of[256];
  if (!use_kernel)
    for (uint32_t c = 0; c < contexts; ++c)
      slots_of[c] = slots.data() + (size_t{table_of[c]} << precision);
  const uint64_t raw_size = in.varint_at_most(in.remaining(), "raw byte count");
  RawBits raw(scratch.padded_raw.assign(in.bytes(raw_size)), raw_size);
  const auto stream = in.bytes(in.remaining());

  const uint32_t shift = layout.mantissa_bits;
  const uint32_t mask = (1u << precision) - 1;
  const uint32_t exact = 1u << k;
  const Buckets buckets{k, m};
  auto restore = [&](size_t i, Elem b, uint32_t z) {
    if (z >= exact) [[unlikely]]
      z = unbucket(z, buckets, raw);
    const Elem v = from_ordered(static_cast<Elem>(ordered(b) + unzigzag(static_cast<Elem>(z))));
    std::memcpy(out + i * sizeof(Elem), &v, sizeof v);
  };
  auto step = [&](size_t i, uint32_t& x) {
    Elem b;
    std::memcpy(&b, ref + i * sizeof(Elem), sizeof b);
    const entropy::DecoderSlot d = slots_of[(b >> shift) & (contexts - 1)][x & mask];
    x = d.freq * (x >> precision) + d.offset;
    restore(i, b, d.symbol);
  };
  auto group = [&](size_t i, uint32_t(&x)[kLanes], const uint8_t*& p) {
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) {
      step(i + l, x[l]);
      entropy::renormalize(x[l], p);
    }
  };
  if constexpr (kernels::kAvx512Built && sizeof(Elem) == 2) {
    if (use_kernel) {
      packed.precision_bits = precision;
      packed.mantissa_bits = shift;
      packed.contexts = contexts;
      for (uint32_t c = 0; c < contexts; ++c)
        packed.first_slot[c] = uint32_t{table_of[c]} << precision;
      packed.small_map = count <= sizeof packed.map;
      packed.map_first = static_cast<uint32_t>(first);
      for (uint32_t j = 0; j < sizeof packed.map; ++j)
        packed.map[j] = first + j < contexts ? table_of[first + j] : 0;
      // The elements around the kernel's groups, from the packed slots.
      const uint32_t* const packed_slots = packed.slots.data();
      auto packed_step = [&](size_t i, uint32_t& x) {
        Elem b;
        std::memcpy(&b, ref + i * sizeof(Elem), sizeof b);
        const uint32_t d =
            packed_slots[packed.first_slot[(b >> shift) & (contexts - 1)] + (x & mask)];
        x = ((d & 0xFFF) + 1) * (x >> precision) + (d >> 20);
        restore(i, b, d >> 12 & 0xFF);
      };
      auto packed_group = [&](size_t i, uint32_t(&x)[kLanes], const uint8_t*& p) {
        for (int l = 0; l < kLanes; ++l) {
          packed_step(i + l, x[l]);
          entropy::renormalize(x[l], p);
        }
      };
      entropy::decode_interleaved_bulk<kLanes>(
          stream, n, packed_step, packed_group,
          [&](uint32_t(&x)[kLanes], const uint8_t*& p, const uint8_t* end) {
            return decode_groups_avx2(packed, buckets, x, p, end, ref, out, n, raw);
          });
    }
  }
  if (!use_kernel) entropy::decode_interleaved<kLanes>(stream, n, step, group);
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
  if (h.mode == Mode::kBlocks) {
    // The inner payload names its type, whose blocks must tile the chunk (the ggml-blocks decoder
    // checks the block count against out.size()).
    const auto inner = in.bytes(in.remaining());
    ggml_block_codec().decode(inner, out, workspace);
    add_block_differences(*ggml::find_block_layout(ggml_block_type(inner)), reference, out);
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
