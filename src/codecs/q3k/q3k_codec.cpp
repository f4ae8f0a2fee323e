// Q3_K codec (id 9). Each 110-byte block is split into its fields: 256 three-bit values
// q (the weight is d * scale * (q - 4)) reassembled from the qs bit pairs and the hmask bits,
// sixteen 6-bit scales (stored + 32) and the f16 d. The quantizer maps each block's
// largest-magnitude scale to -32 (stored 0), which the scales code once per block
// (quant_anchored.hpp). The values are coded in pairs (one 6-bit symbol for two neighbours of a
// 16-value group) in the context of the group's scale bucket (its top four bits): half as many
// rANS steps as values. Measured on bytellama-25m-Q3_K (plug-in, bits per value): 2.877 iid, 2.863
// given the scale bucket, 2.861 as pairs given the bucket; anchoring each 16-value group on its
// extreme (as the Q6_K value lanes do) gives 2.827, but decodes at less than half the speed
// (docs/BENCH_QUANT.md).
#include <algorithm>
#include <iterator>
#include <string>

#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q3k/q3k_codec.hpp"
#include "codecs/q3k/q3k_simd.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kQ3KVersions[0];
static_assert(std::size(kQ3KVersions) == 1);
constexpr size_t kBlock = ggml::kQ3KBlockBytes;
constexpr uint32_t kScalesPerBlock = 16;
constexpr uint32_t kScaleBuckets = 16;  // the stored scale's top 4 bits
constexpr size_t kPairs = 128;          // value pairs per block

// Scale groups: the block's largest-magnitude scale is quantized to -32, stored as 0.
constexpr quant::AnchoredShape kScaleGroups{64, kScalesPerBlock, 1, 2};

struct Q3KFields {
  std::span<uint16_t> d;
  std::span<uint16_t> scales;  // 16 per block, as stored (0..63)
  // 128 per block: pair i is 8 * value 2i + value 2i+1 (element order), of scale 2i / 16
  std::span<uint16_t> pairs;
  explicit Q3KFields(size_t blocks)
      : d(quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks)),
        scales(quant::scratch<uint16_t, quant::kScratchScales>(blocks * kScalesPerBlock)),
        pairs(quant::scratch<uint16_t, quant::kScratchValues>(blocks * kPairs)) {}
};

// The scale bucket of every pair (8 pairs per scale).
std::span<const uint8_t> scale_contexts(const Q3KFields& f) {
  constexpr size_t kPairsPerScale = kPairs / kScalesPerBlock;
  auto c = quant::scratch<uint8_t, quant::kScratchGroupContexts>(f.pairs.size());
  if constexpr (kernels::kAvx512Built) {
    if (kernels::avx2_available()) {
      q3k_simd::scale_buckets_avx2(f.scales.data(), f.scales.size(), c.data());
      return c;
    }
  }
  for (size_t s = 0; s < f.scales.size(); ++s)
    std::fill_n(c.data() + s * kPairsPerScale, kPairsPerScale,
                static_cast<uint8_t>(f.scales[s] >> 2));
  return c;
}

quant::ContextCandidate pair_candidate(const Q3KFields& f, uint8_t choice) {
  if (choice == 0) return {{}, {64, 1}};
  return {scale_contexts(f), {64, kScaleBuckets}};
}
constexpr size_t kPairCandidates = 2;

class Q3KCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ3_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    if (input.size() % kBlock != 0)
      throw Error(ErrorKind::kUnsupported,
                  "q3k: " + std::to_string(input.size()) + " bytes are not whole blocks");
    const size_t blocks = input.size() / kBlock;
    Q3KFields f(blocks);
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      uint8_t q[256];
      ggml::unpack_q3k_quants(block, block + 32, q);
      for (size_t i = 0; i < kPairs; ++i)
        f.pairs[b * kPairs + i] = static_cast<uint16_t>(q[2 * i] << 3 | q[2 * i + 1]);
      uint8_t sc[kScalesPerBlock];
      ggml::unpack_q3k_scales(block + 96, sc);
      std::copy_n(sc, kScalesPerBlock, f.scales.data() + b * kScalesPerBlock);
      f.d[b] = load_u16le(block + 108);
    }
    out.reserve(out.size() + input.size() + 64);
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_halves(w, f.d, {}, 0);
    quant::write_anchored_groups(w, f.scales, std::vector<uint8_t>(blocks, 0), kScaleGroups);
    std::vector<quant::ContextCandidate> candidates;
    for (uint8_t c = 0; c < kPairCandidates; ++c) candidates.push_back(pair_candidate(f, c));
    quant::write_best_field(w, f.pairs, candidates);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "q3k payload");
    if (r.u8() != kFormatVersion) r.fail("unknown q3k format version");
    const uint64_t blocks = r.varint();
    if (out.size() % kBlock != 0 || blocks != out.size() / kBlock)
      r.fail("block count does not match the output size");
    Q3KFields f(blocks);
    quant::read_halves(r, {}, 0, f.d);
    quant::read_anchored_groups(r, std::vector<uint8_t>(blocks, 0), kScaleGroups, f.scales);
    auto c = pair_candidate(f, quant::read_candidate_index(r, kPairCandidates));
    quant::read_field(r, c.contexts, c.shape, f.pairs);  // checks every pair < 64
    if (!r.at_end()) r.fail("trailing bytes");
    if constexpr (kernels::kAvx512Built) {
      if (kernels::avx2_available()) {  // pairs below 64: the reader checks the alphabet
        q3k_simd::pack_q3k_pairs_avx2(f.pairs.data(), blocks, out.data());
        for (size_t b = 0; b < blocks; ++b) {
          uint8_t* block = out.data() + b * kBlock;
          ggml::pack_q3k_scales(f.scales.data() + b * kScalesPerBlock, block + 96);
          store_u16le(block + 108, f.d[b]);
        }
        return;
      }
    }
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t v[256];
      for (size_t i = 0; i < kPairs; ++i) {
        const uint16_t pair = f.pairs[b * kPairs + i];
        v[2 * i] = static_cast<uint8_t>(pair >> 3);
        v[2 * i + 1] = static_cast<uint8_t>(pair & 7);
      }
      uint8_t* block = out.data() + b * kBlock;
      ggml::pack_q3k_quants(v, block, block + 32);
      ggml::pack_q3k_scales(f.scales.data() + b * kScalesPerBlock, block + 96);
      store_u16le(block + 108, f.d[b]);
    }
  }
};

}  // namespace

const Codec& q3k_codec() {
  static const Q3KCodec codec;
  return codec;
}

}  // namespace lcl
