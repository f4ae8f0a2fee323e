// Generic codec for the ggml block types without a codec of their own (id 6):
// Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q2_K, Q8_K, the IQ types, TQ1_0 and TQ2_0. Each
// field of the block layout (ggml_block_layouts.hpp) is gathered across the chunk's blocks and
// coded with its own static model: f16 scales as byte planes, bytes and nibbles as symbols. When
// zstd (at the planner's level) or plain storage would be smaller, the chunk is coded that way
// instead, so the codec is never worse than zstd on the same bytes.
#include <zstd.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "codecs/block_frame.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kGgmlBlockVersions[0];
static_assert(std::size(kGgmlBlockVersions) == 1);

enum class Mode : uint8_t { kStored = 0, kZstd = 1, kFields = 2 };

// Byte fields of up to this many bytes get a context per byte position (scale bytes, qh words).
constexpr uint32_t kMaxPositionContexts = 64;

// The position of every symbol in its block's field (a per-thread scratch array).
std::span<const uint8_t> position_contexts(size_t count, uint32_t period) {
  auto c = quant::scratch<uint8_t, quant::kScratchCandidateContexts1>(count);
  // Period by period: a division per symbol was a visible part of the field coding.
  for (size_t i = 0; i < count; i += period)
    for (uint32_t p = 0; p < period && i + p < count; ++p) c[i + p] = static_cast<uint8_t>(p);
  return c;
}

quant::ContextCandidate byte_candidate(size_t count, uint32_t field_size, uint8_t choice) {
  if (choice == 0) return {{}, {256, 1}};
  return {position_contexts(count, field_size), {256, field_size}};
}
size_t byte_candidates(uint32_t field_size) {
  return field_size <= kMaxPositionContexts ? 2 : 1;
}

quant::ContextCandidate nibble_candidate(size_t count, uint8_t choice) {
  if (choice == 0) return {{}, {16, 1}};
  return {position_contexts(count, 2), {16, 2}};  // low and high nibbles apart
}
constexpr size_t kNibbleCandidates = 2;

void encode_fields(std::span<const uint8_t> input, const ggml::BlockLayout& layout, ByteWriter& w) {
  const size_t blocks = input.size() / layout.block_bytes;
  for (const ggml::BlockField& field : layout.fields) {
    // An empty tensor has no data pointer to offset: its fields are coded as empty.
    const uint8_t* base = blocks == 0 ? nullptr : input.data() + field.offset;
    switch (field.kind) {
      case ggml::FieldKind::kHalf: {
        std::vector<uint16_t> values(blocks);
        for (size_t b = 0; b < blocks; ++b) values[b] = load_u16le(base + b * layout.block_bytes);
        quant::write_halves(w, values, {}, 0);
        break;
      }
      case ggml::FieldKind::kBytes: {
        std::vector<uint16_t> symbols(blocks * field.size);
        for (size_t b = 0; b < blocks; ++b)
          std::copy_n(base + b * layout.block_bytes, field.size,
                      symbols.begin() + static_cast<std::ptrdiff_t>(b * field.size));
        std::vector<quant::ContextCandidate> candidates;
        for (uint8_t c = 0; c < byte_candidates(field.size); ++c)
          candidates.push_back(byte_candidate(symbols.size(), field.size, c));
        quant::write_best_field(w, symbols, candidates);
        break;
      }
      case ggml::FieldKind::kNibbles: {
        std::vector<uint16_t> symbols(blocks * field.size * 2);
        size_t k = 0;
        for (size_t b = 0; b < blocks; ++b)
          for (uint32_t i = 0; i < field.size; ++i) {
            const uint8_t byte = base[b * layout.block_bytes + i];
            symbols[k++] = byte & 0xF;
            symbols[k++] = byte >> 4;
          }
        std::vector<quant::ContextCandidate> candidates;
        for (uint8_t c = 0; c < kNibbleCandidates; ++c)
          candidates.push_back(nibble_candidate(symbols.size(), c));
        quant::write_best_field(w, symbols, candidates);
        break;
      }
    }
  }
}

void decode_fields(ByteReader& r, const ggml::BlockLayout& layout, std::span<uint8_t> out) {
  const size_t blocks = out.size() / layout.block_bytes;
  for (const ggml::BlockField& field : layout.fields) {
    uint8_t* base = out.data() + field.offset;
    switch (field.kind) {
      case ggml::FieldKind::kHalf: {
        std::vector<uint16_t> values(blocks);
        quant::read_halves(r, {}, 0, values);
        for (size_t b = 0; b < blocks; ++b) store_u16le(base + b * layout.block_bytes, values[b]);
        break;
      }
      case ggml::FieldKind::kBytes: {
        std::vector<uint16_t> symbols(blocks * field.size);
        auto c = byte_candidate(symbols.size(), field.size,
                                quant::read_candidate_index(r, byte_candidates(field.size)));
        quant::read_field(r, c.contexts, c.shape, symbols);
        for (size_t b = 0; b < blocks; ++b)
          for (uint32_t i = 0; i < field.size; ++i)
            base[b * layout.block_bytes + i] = static_cast<uint8_t>(symbols[b * field.size + i]);
        break;
      }
      case ggml::FieldKind::kNibbles: {
        std::vector<uint16_t> symbols(blocks * field.size * 2);
        auto c =
            nibble_candidate(symbols.size(), quant::read_candidate_index(r, kNibbleCandidates));
        quant::read_field(r, c.contexts, c.shape, symbols);
        size_t k = 0;
        for (size_t b = 0; b < blocks; ++b)
          for (uint32_t i = 0; i < field.size; ++i, k += 2)
            base[b * layout.block_bytes + i] =
                static_cast<uint8_t>(symbols[k] | (symbols[k + 1] << 4));
        break;
      }
    }
  }
}

// The payload's version and block type, as the layout of that type; fails on others.
const ggml::BlockLayout* read_layout(ByteReader& r) {
  read_frame_version(r, kGgmlBlockVersions);
  const uint64_t type = r.varint();
  const ggml::BlockLayout* layout =
      type <= 0xFFFFFFFFu ? ggml::find_block_layout(static_cast<TypeId>(type)) : nullptr;
  if (!layout) r.fail("unknown block type " + std::to_string(type));
  return layout;
}

std::vector<uint8_t> zstd_compress(std::span<const uint8_t> input, int level) {
  std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
  if (ZSTD_isError(n))
    throw Error(ErrorKind::kUnsupported, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

class GgmlBlockCodec final : public Codec {
 public:
  // Types with a codec of their own are not routed here. Their layouts stay: chunks this codec
  // coded before the Q3_K, Q5_K and MXFP4 codecs existed still decode, and the delta codec codes
  // block differences of every type (Q4_K, Q6_K and Q8_0 too) with this codec's payload.
  bool accepts(TypeId type) const override {
    switch (type) {
      case type::kQ3_K:
      case type::kQ4_K:
      case type::kQ5_K:
      case type::kQ6_K:
      case type::kQ8_0:
      case type::kMXFP4:
        return false;
      default:
        return ggml::find_block_layout(type) != nullptr;
    }
  }

  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    const ggml::BlockLayout* layout = ggml::find_block_layout(context.type);
    if (!layout)
      throw Error(ErrorKind::kUnsupported,
                  "ggml-blocks: no block layout for " + std::to_string(context.type));
    const size_t blocks = whole_blocks(input, layout->block_bytes, "ggml-blocks");
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(context.type);
    w.varint(blocks);
    std::vector<uint8_t> fields;
    ByteWriter fw(fields);
    encode_fields(input, *layout, fw);
    const std::vector<uint8_t> zstd =
        zstd_compress(input, std::clamp(context.level, 1, ZSTD_maxCLevel()));
    if (fields.size() <= zstd.size() && fields.size() < input.size()) {
      w.u8(static_cast<uint8_t>(Mode::kFields));
      w.bytes(fields);
    } else if (zstd.size() < input.size()) {
      w.u8(static_cast<uint8_t>(Mode::kZstd));
      w.bytes(zstd);
    } else {
      w.u8(static_cast<uint8_t>(Mode::kStored));
      w.bytes(input);
    }
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "ggml-blocks payload");
    const ggml::BlockLayout* layout = read_layout(r);
    read_frame_blocks(r, out.size(), layout->block_bytes);
    const auto mode = static_cast<Mode>(r.u8());
    switch (mode) {
      case Mode::kStored: {
        auto bytes = r.bytes(out.size());
        std::copy(bytes.begin(), bytes.end(), out.begin());
        break;
      }
      case Mode::kZstd: {
        auto frame = r.bytes(r.remaining());
        const size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
        if (ZSTD_isError(n) || n != out.size())
          r.fail("zstd frame does not decode to the block bytes");
        break;
      }
      case Mode::kFields:
        decode_fields(r, *layout, out);
        break;
      default:
        r.fail("unknown mode");
    }
    check_frame_end(r);
  }
};

}  // namespace

const Codec& ggml_block_codec() {
  static const GgmlBlockCodec codec;
  return codec;
}

TypeId ggml_block_type(std::span<const uint8_t> payload) {
  ByteReader r(payload, "ggml-blocks payload");
  return read_layout(r)->type;
}

}  // namespace lcl
