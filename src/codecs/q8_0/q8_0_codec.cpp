// Q8_0 codec (id 5). Each 34-byte block is an f16 d and 32 i8 values. The quantizer
// sets d = max|x| / 127, so a block with a large d holds one outlier and its other values crowd
// around 0: the values are coded with the table of their block's d exponent (and top mantissa
// bit), which the decoder has from the d field decoded first.
#include <algorithm>
#include <iterator>
#include <string>

#include "codecs/block_frame.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kQ8_0Versions[0];
static_assert(std::size(kQ8_0Versions) == 1);
constexpr size_t kBlock = ggml::kQ8_0BlockBytes;
constexpr size_t kValues = 32;

// The contexts of every value (per-thread scratch arrays, one per candidate: the encoder holds
// them all at once).
template <int Tag>
std::span<const uint8_t> scale_contexts(std::span<const uint16_t> d, unsigned mantissa_bits) {
  auto c = quant::scratch<uint8_t, Tag>(d.size() * kValues);
  for (size_t b = 0; b < d.size(); ++b) {
    // Magnitude only: the sign of d flips every value and is rare in practice.
    const auto ctx = static_cast<uint8_t>((d[b] & 0x7FFF) >> (10 - mantissa_bits));
    std::fill_n(c.data() + b * kValues, kValues, ctx);
  }
  return c;
}

quant::ContextCandidate quant_candidate(std::span<const uint16_t> d, uint8_t choice) {
  if (choice == 0) return {{}, {256, 1}};
  if (choice == 1) return {scale_contexts<quant::kScratchCandidateContexts1>(d, 0), {256, 32}};
  return {scale_contexts<quant::kScratchCandidateContexts2>(d, 1), {256, 64}};
}
constexpr size_t kQuantCandidates = 3;

class Q8_0Codec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ8_0; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    const size_t blocks = whole_blocks(input, kBlock, "q8_0");
    std::vector<uint16_t> d(blocks);
    auto quants = quant::scratch<uint16_t, quant::kScratchValues>(blocks * kValues);
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      d[b] = load_u16le(block);
      std::copy_n(block + 2, kValues, quants.begin() + static_cast<std::ptrdiff_t>(b * kValues));
    }
    // The payload is about the input's size: one allocation instead of repeated doubling.
    out.reserve(out.size() + input.size() + 64);
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_halves(w, d, {}, 0);
    std::vector<quant::ContextCandidate> candidates;
    for (uint8_t c = 0; c < kQuantCandidates; ++c) candidates.push_back(quant_candidate(d, c));
    quant::write_best_field(w, quants, candidates);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "q8_0 payload");
    read_frame_version(r, kQ8_0Versions);
    const size_t blocks = read_frame_blocks(r, out.size(), kBlock);
    std::vector<uint16_t> d(blocks);
    auto quants = quant::scratch<uint16_t, quant::kScratchValues>(blocks * kValues);
    quant::read_halves(r, {}, 0, d);
    auto c = quant_candidate(d, quant::read_candidate_index(r, kQuantCandidates));
    quant::read_field(r, c.contexts, c.shape, quants);
    check_frame_end(r);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* block = out.data() + b * kBlock;
      store_u16le(block, d[b]);
      for (size_t i = 0; i < kValues; ++i)
        block[2 + i] = static_cast<uint8_t>(quants[b * kValues + i]);
    }
  }
};

}  // namespace

const Codec& q8_0_codec() {
  static const Q8_0Codec codec;
  return codec;
}

}  // namespace lcl
