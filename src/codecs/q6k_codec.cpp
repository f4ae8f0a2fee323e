// Q6_K codec (codec_id::kQ6K). Each 210-byte block is split into its fields: 256 six-bit values
// reassembled from the ql/qh bit planes, sixteen i8 scales and the f16 d. The values are coded
// with the table of their scale's sign and magnitude bucket: the quantizer maps each group's
// largest weight to the end of the grid picked by the sign of its scale, and small scales
// mean wide, flat groups.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "codecs/codec_list.hpp"
#include "codecs/ggml_blocks.hpp"
#include "codecs/quant_fields.hpp"
#include "codecs/quant_halves.hpp"
#include "util/byte_io.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr size_t kBlock = ggml::kQ6KBlockBytes;
constexpr uint32_t kScalesPerBlock = 16;

struct Q6KFields {
  std::vector<uint16_t> d;
  std::vector<uint16_t> scales;  // 16 per block, the i8 as its byte
  std::vector<uint16_t> quants;  // 256 per block, element order
  explicit Q6KFields(size_t blocks)
      : d(blocks), scales(blocks * kScalesPerBlock), quants(blocks * 256) {}
};

// Sign and magnitude bucket of an i8 scale: bucket_shift 4 gives 16 contexts, 3 gives 32.
uint8_t scale_bucket(uint16_t scale_byte, unsigned bucket_shift) {
  const int scale = static_cast<int8_t>(scale_byte);
  const int magnitude = std::min(std::abs(scale), 127);
  const int buckets = 128 >> bucket_shift;
  return static_cast<uint8_t>((scale < 0 ? buckets : 0) + (magnitude >> bucket_shift));
}

std::vector<uint8_t> quant_contexts(const Q6KFields& f, unsigned bucket_shift) {
  std::vector<uint8_t> c(f.quants.size());
  for (size_t s = 0; s < f.scales.size(); ++s)
    std::fill_n(c.begin() + static_cast<std::ptrdiff_t>(s * 16), 16,
                scale_bucket(f.scales[s], bucket_shift));
  return c;
}

std::vector<uint8_t> position_contexts(size_t count) {
  std::vector<uint8_t> c(count);
  for (size_t i = 0; i < count; ++i) c[i] = static_cast<uint8_t>(i % kScalesPerBlock);
  return c;
}

quant::ContextCandidate scale_candidate(size_t count, uint8_t choice) {
  if (choice == 0) return {{}, {256, 1}};
  return {position_contexts(count), {256, kScalesPerBlock}};
}
constexpr size_t kScaleCandidates = 2;

quant::ContextCandidate quant_candidate(const Q6KFields& f, uint8_t choice) {
  if (choice == 0) return {{}, {64, 1}};
  if (choice == 1) return {quant_contexts(f, 4), {64, 16}};
  return {quant_contexts(f, 3), {64, 32}};
}
constexpr size_t kQuantCandidates = 3;

class Q6KCodec final : public Codec {
 public:
  CodecId id() const override { return codec_id::kQ6K; }
  std::string_view name() const override { return "q6k"; }
  bool accepts(TypeId type) const override { return type == type::kQ6_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&,
              std::vector<uint8_t>& out) const override {
    if (input.size() % kBlock != 0)
      throw Error(ErrorKind::kUnsupported,
                  "q6k: " + std::to_string(input.size()) + " bytes are not whole blocks");
    const size_t blocks = input.size() / kBlock;
    Q6KFields f(blocks);
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      uint8_t q[256];
      ggml::unpack_q6k_quants(block, block + 128, q);
      std::copy_n(q, 256, f.quants.begin() + static_cast<std::ptrdiff_t>(b * 256));
      std::copy_n(block + 192, kScalesPerBlock,
                  f.scales.begin() + static_cast<std::ptrdiff_t>(b * kScalesPerBlock));
      f.d[b] = ggml::load_u16(block + 208);
    }
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_halves(w, f.d, {}, 0);
    std::vector<quant::ContextCandidate> candidates;
    for (uint8_t c = 0; c < kScaleCandidates; ++c)
      candidates.push_back(scale_candidate(f.scales.size(), c));
    quant::write_best_field(w, f.scales, candidates);
    candidates.clear();
    for (uint8_t c = 0; c < kQuantCandidates; ++c) candidates.push_back(quant_candidate(f, c));
    quant::write_best_field(w, f.quants, candidates);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out) const override {
    ByteReader r(payload, "q6k payload");
    if (r.u8() != kFormatVersion) r.fail("unknown q6k format version");
    const uint64_t blocks = r.varint();
    if (out.size() % kBlock != 0 || blocks != out.size() / kBlock)
      r.fail("block count does not match the output size");
    Q6KFields f(blocks);
    quant::read_halves(r, {}, 0, f.d);
    {
      auto c = scale_candidate(f.scales.size(), quant::read_candidate_index(r, kScaleCandidates));
      quant::read_field(r, c.contexts, c.shape, f.scales);
    }
    {
      auto c = quant_candidate(f, quant::read_candidate_index(r, kQuantCandidates));
      quant::read_field(r, c.contexts, c.shape, f.quants);
    }
    if (!r.at_end()) r.fail("trailing bytes");
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* block = out.data() + b * kBlock;
      uint8_t q[256];
      for (int i = 0; i < 256; ++i) q[i] = static_cast<uint8_t>(f.quants[b * 256 + i]);
      ggml::pack_q6k_quants(q, block, block + 128);
      for (uint32_t j = 0; j < kScalesPerBlock; ++j)
        block[192 + j] = static_cast<uint8_t>(f.scales[b * kScalesPerBlock + j]);
      ggml::store_u16(block + 208, f.d[b]);
    }
  }
};

}  // namespace

const Codec& q6k_codec() {
  static const Q6KCodec codec;
  return codec;
}

}  // namespace lcl
