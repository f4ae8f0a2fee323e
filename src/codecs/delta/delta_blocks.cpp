#include "codecs/delta/delta_blocks.hpp"

#include "util/endian.hpp"

namespace lcl::delta_format {
namespace {

// Applies op(field kind, a, b) -> result to every field byte (halves: to the 16-bit word) of
// every block: out = op(a, b).
template <bool Add>
void combine(const ggml::BlockLayout& layout, const uint8_t* a, const uint8_t* b, uint8_t* out,
             size_t bytes) {
  const size_t blocks = bytes / layout.block_bytes;
  for (size_t blk = 0; blk < blocks; ++blk) {
    const size_t at = blk * layout.block_bytes;
    for (const ggml::BlockField& field : layout.fields) {
      const size_t from = at + field.offset, to = from + field.size;
      switch (field.kind) {
        case ggml::FieldKind::kHalf: {
          const uint16_t x = load_u16le(a + from), y = load_u16le(b + from);
          store_u16le(out + from, static_cast<uint16_t>(Add ? x + y : x - y));
          break;
        }
        case ggml::FieldKind::kBytes:
          for (size_t i = from; i < to; ++i)
            out[i] = static_cast<uint8_t>(Add ? a[i] + b[i] : a[i] - b[i]);
          break;
        case ggml::FieldKind::kNibbles:
          for (size_t i = from; i < to; ++i) {
            const uint32_t low = Add ? (a[i] & 0xF) + (b[i] & 0xF) : (a[i] & 0xF) - (b[i] & 0xF);
            const uint32_t high = Add ? (a[i] >> 4) + (b[i] >> 4) : (a[i] >> 4) - (b[i] >> 4);
            out[i] = static_cast<uint8_t>((low & 0xF) | (high & 0xF) << 4);
          }
          break;
      }
    }
  }
}

}  // namespace

void block_differences(const ggml::BlockLayout& layout, std::span<const uint8_t> chunk,
                       std::span<const uint8_t> reference, std::span<uint8_t> out) {
  combine<false>(layout, chunk.data(), reference.data(), out.data(), chunk.size());
}

void add_block_differences(const ggml::BlockLayout& layout, std::span<const uint8_t> reference,
                           std::span<uint8_t> inout) {
  combine<true>(layout, inout.data(), reference.data(), inout.data(), inout.size());
}

}  // namespace lcl::delta_format
