// Q3_K codec (id 9). Each 110-byte block is split into its fields: 256 three-bit values
// q (the weight is d * scale * (q - 4)) reassembled from the qs bit pairs and the hmask bits,
// sixteen 6-bit scales (stored + 32) and the f16 d. The quantizer maps each 16-value group's
// largest-magnitude weight to the end of the grid and each block's largest-magnitude scale to
// -32 (stored 0); both facts are coded once per group or block (quant_anchored.hpp) instead of
// being paid for by an iid model. The values also see a bucket of their group's scale (its top
// four bits). Measured on bytellama-25m-Q3_K (plug-in, bits per value): 2.877 iid, 2.863 given
// the scale bucket, 2.827 anchored in groups of 16 with the bucket.
#include <algorithm>
#include <iterator>
#include <string>

#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/ggml_blocks/ggml_blocks.hpp"
#include "codecs/q3k/q3k_codec.hpp"
#include "codecs/q6k/value_lanes.hpp"
#include "util/byte_io.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kQ3KVersions[0];
static_assert(std::size(kQ3KVersions) == 1);
constexpr size_t kBlock = ggml::kQ3KBlockBytes;
constexpr uint32_t kScalesPerBlock = 16;
constexpr uint32_t kScaleBuckets = 16;  // the stored scale's top 4 bits

// Scale groups: the block's largest-magnitude scale is quantized to -32, stored as 0.
constexpr quant::AnchoredShape kScaleGroups{64, kScalesPerBlock, 1, 2};

struct Q3KFields {
  std::span<uint16_t> d;
  std::span<uint16_t> scales;  // 16 per block, as stored (0..63)
  std::span<uint8_t> values;   // 256 per block, element order (value i uses scale i / 16)
  explicit Q3KFields(size_t blocks)
      : d(quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks)),
        scales(quant::scratch<uint16_t, quant::kScratchScales>(blocks * kScalesPerBlock)),
        values(quant::scratch<uint8_t, quant::kScratchSixBitValues>(blocks * 256)) {}
};

std::span<const uint8_t> group_contexts(const Q3KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchGroupContexts>(f.scales.size());
  for (size_t s = 0; s < f.scales.size(); ++s) c[s] = static_cast<uint8_t>(f.scales[s] >> 2);
  return c;
}

class Q3KCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ3_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&,
              std::vector<uint8_t>& out) const override {
    if (input.size() % kBlock != 0)
      throw Error(ErrorKind::kUnsupported,
                  "q3k: " + std::to_string(input.size()) + " bytes are not whole blocks");
    const size_t blocks = input.size() / kBlock;
    Q3KFields f(blocks);
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      ggml::unpack_q3k_quants(block, block + 32, f.values.data() + b * 256);
      uint8_t sc[kScalesPerBlock];
      ggml::unpack_q3k_scales(block + 96, sc);
      std::copy_n(sc, kScalesPerBlock, f.scales.data() + b * kScalesPerBlock);
      f.d[b] = ggml::load_u16(block + 108);
    }
    out.reserve(out.size() + input.size() + 64);
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_halves(w, f.d, {}, 0);
    quant::write_anchored_groups(w, f.scales, std::vector<uint8_t>(blocks, 0), kScaleGroups);
    quant::write_value_groups(w, f.values, group_contexts(f), kScaleBuckets);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out) const override {
    ByteReader r(payload, "q3k payload");
    if (r.u8() != kFormatVersion) r.fail("unknown q3k format version");
    const uint64_t blocks = r.varint();
    if (out.size() % kBlock != 0 || blocks != out.size() / kBlock)
      r.fail("block count does not match the output size");
    Q3KFields f(blocks);
    quant::read_halves(r, {}, 0, f.d);
    quant::read_anchored_groups(r, std::vector<uint8_t>(blocks, 0), kScaleGroups, f.scales);
    quant::read_value_groups(r, group_contexts(f), kScaleBuckets, f.values);
    if (!r.at_end()) r.fail("trailing bytes");
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* v = f.values.data() + b * 256;
      // The value lanes take values up to 63; a Q3_K value has 3 bits.
      uint8_t high = 0;
      for (int i = 0; i < 256; ++i) high |= v[i];
      if (high > 7) r.fail("a value above 7");
      uint8_t* block = out.data() + b * kBlock;
      ggml::pack_q3k_quants(v, block, block + 32);
      ggml::pack_q3k_scales(f.scales.data() + b * kScalesPerBlock, block + 96);
      ggml::store_u16(block + 108, f.d[b]);
    }
  }
};

}  // namespace

const Codec& q3k_codec() {
  static const Q3KCodec codec;
  return codec;
}

}  // namespace lcl
