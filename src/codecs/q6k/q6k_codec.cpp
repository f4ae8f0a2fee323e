// Q6_K codec (id 4). Each 210-byte block is split into its fields: 256 six-bit values
// reassembled from the ql/qh bit planes, sixteen i8 scales and the f16 d. The quantizer maps the
// largest-magnitude weight of each 16-value group to the low end of the grid (value 0 or 1) and
// the largest scale of each block to -128; both facts are coded once per group or block
// (quant_anchored.hpp) instead of being paid for by an iid model. Values also see a coarse
// bucket of their scale (sign and half of the magnitude range): finer buckets were measured to
// cost more in tables than they gain on real tensors.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <iterator>
#include <string>

#include "codecs/block_frame.hpp"
#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/ggml_blocks/ggml_blocks_simd.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q6k/value_lanes.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

// The payload versions (docs/FORMAT.md, q6k): 3 written, 2 still decoded.
constexpr uint8_t kFormatVersion = 3;
constexpr uint8_t kFormatVersionAnchoredFields = 2;
static_assert(std::size(kQ6KVersions) == 2 && kQ6KVersions[0] == kFormatVersionAnchoredFields &&
              kQ6KVersions[1] == kFormatVersion);
constexpr size_t kBlock = ggml::kQ6KBlockBytes;
constexpr uint32_t kScalesPerBlock = 16;

// Per-thread scratch arrays (quant_scratch.hpp): every element is written before it is read.
struct Q6KFields {
  std::span<uint16_t> d;
  std::span<uint16_t> scales;  // 16 per block, the i8 as its byte
  std::span<uint8_t> quants;   // 256 per block, element order
  explicit Q6KFields(size_t blocks)
      : d(quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks)),
        scales(quant::scratch<uint16_t, quant::kScratchScales>(blocks * kScalesPerBlock)),
        quants(quant::scratch<uint8_t, quant::kScratchSixBitValues>(blocks * 256)) {}
};

// Scale bucket of every 16-value group, the group context of the anchored value groups: sign
// and half of the magnitude range, i.e. 2 for a negative scale plus 1 for a magnitude of at
// least 64 (-128 included). Arithmetic on the byte, which vectorises; a table lookup per group
// does not.
std::span<uint8_t> group_contexts(const Q6KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchGroupContexts>(f.scales.size());
  // A magnitude of at least 64 is a byte in 64..192 (64..127 positive, -128..-64 negative).
  for (size_t s = 0; s < f.scales.size(); ++s) {
    const uint32_t byte = f.scales[s] & 0xFF;
    c[s] = static_cast<uint8_t>(2 * (byte >> 7) + (byte - 64 <= 128));
  }
  return c;
}

// Value groups: the quantizer puts each group's largest-magnitude weight at the end of the grid,
// so a group's smallest value is 0 or 1.
constexpr quant::AnchoredShape kValueGroups{64, 16, 4, 3};
// Scale groups: the block's largest-magnitude scale is quantized to -128, so the scales offset
// by 128 have a 0.
constexpr quant::AnchoredShape kScaleGroups{256, kScalesPerBlock, 1, 2};

// i8 scale byte <-> scale + 128 (so -128 becomes 0); the map is its own inverse.
std::vector<uint16_t> flip_scale_signs(std::span<const uint16_t> scale_bytes) {
  std::vector<uint16_t> c(scale_bytes.size());
  for (size_t i = 0; i < scale_bytes.size(); ++i) c[i] = scale_bytes[i] ^ 0x80;
  return c;
}

}  // namespace

void encode_q6k(std::span<const uint8_t> input, uint8_t version, std::vector<uint8_t>& out,
                Workspace& workspace) {
  const quant::FieldScratchScope scope(workspace);
  check_version_known(version, kQ6KVersions, "q6k");
  const size_t blocks = whole_blocks(input, kBlock, "q6k");
  Q6KFields f(blocks);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* block = input.data() + b * kBlock;
    ggml::unpack_q6k_quants(block, block + 128, f.quants.data() + b * 256);
    std::copy_n(block + 192, kScalesPerBlock, f.scales.data() + b * kScalesPerBlock);
    f.d[b] = load_u16le(block + 208);
  }
  // The payload is about the input's size: one allocation instead of repeated doubling.
  out.reserve(out.size() + input.size() + 64);
  ByteWriter w(out);
  w.u8(version);
  w.varint(blocks);
  quant::write_halves(w, f.d, {}, 0);
  quant::write_anchored_groups(w, flip_scale_signs(f.scales), std::vector<uint8_t>(blocks, 0),
                               kScaleGroups);
  if (version == kFormatVersion) {
    quant::write_value_groups(w, f.quants, group_contexts(f), kValueGroups.group_contexts);
  } else {
    const std::vector<uint16_t> values(f.quants.begin(), f.quants.end());
    quant::write_anchored_groups(w, values, group_contexts(f), kValueGroups);
  }
}

namespace {

class Q6KCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ6_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    encode_q6k(input, kFormatVersion, out, workspace);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "q6k payload");
    const uint8_t version = read_frame_version(r, kQ6KVersions);
    const size_t blocks = read_frame_blocks(r, out.size(), kBlock);
    Q6KFields f(blocks);
    quant::read_halves(r, {}, 0, f.d);
    quant::read_anchored_groups(r, std::vector<uint8_t>(blocks, 0), kScaleGroups, f.scales);
    const auto scales = flip_scale_signs(f.scales);
    std::copy(scales.begin(), scales.end(), f.scales.begin());
    if (version == kFormatVersion) {
      quant::read_value_groups(r, group_contexts(f), kValueGroups.group_contexts, f.quants);
    } else {
      auto values = quant::scratch<uint16_t, quant::kScratchValues>(f.quants.size());
      quant::read_anchored_groups(r, group_contexts(f), kValueGroups, values);
      std::copy(values.begin(), values.end(), f.quants.begin());
    }
    check_frame_end(r);
    const bool packed = kernels::avx512_available();
    if constexpr (kernels::kAvx512Built)
      if (packed) ggml::pack_q6k_blocks_avx512(f.quants.data(), blocks, out.data());
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* block = out.data() + b * kBlock;
      if (!packed) ggml::pack_q6k_quants(f.quants.data() + b * 256, block, block + 128);
      for (uint32_t j = 0; j < kScalesPerBlock; ++j)
        block[192 + j] = static_cast<uint8_t>(f.scales[b * kScalesPerBlock + j]);
      store_u16le(block + 208, f.d[b]);
    }
  }
};

}  // namespace

const Codec& q6k_codec() {
  static const Q6KCodec codec;
  return codec;
}

}  // namespace lcl
