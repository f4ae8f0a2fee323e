// MXFP4 codec (id 10; ggml type 39). Each 17-byte block is an e8m0 exponent byte e
// and 32 e2m1 codes (sign bit and 3 magnitude bits) packed two per byte. The quantizer picks e so
// that the block's largest weight lands on the top codes, so a block whose e is large for its
// tensor holds an outlier and small codes otherwise: the codes are coded with the table of their
// block's e relative to the chunk's smallest e, which the decoder has from the e field decoded
// first. The symbols are the code bytes (two codes each): half as many rANS steps as codes, for
// the same entropy. Measured on bytellama-25m-MXFP4 (plug-in, bits per code): 3.850 iid, 3.808
// given e as codes, 3.807 as bytes; anchoring each block on its largest code (as Q4_K's nibbles
// are) measured worse, 3.854.
#include <algorithm>
#include <iterator>
#include <string>

#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/mxfp4/mxfp4_codec.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kMXFP4Versions[0];
static_assert(std::size(kMXFP4Versions) == 1);
constexpr size_t kBlock = ggml::kMXFP4BlockBytes;
constexpr size_t kCodeBytes = kBlock - 1;

// Exponents from the chunk's smallest e up get a context each; larger ones share the last. The
// exponents of a tensor's blocks span a few values (weights within a few octaves of each other).
constexpr uint32_t kExponentContexts = 32;

// The context of every code: its block's e minus `base`, clamped (a per-thread scratch array).
std::span<const uint8_t> exponent_contexts(std::span<const uint16_t> exponents, uint8_t base) {
  auto c =
      quant::scratch<uint8_t, quant::kScratchCandidateContexts1>(exponents.size() * kCodeBytes);
  for (size_t b = 0; b < exponents.size(); ++b) {
    const uint32_t relative = exponents[b] - base;  // e >= base: the base is the minimum
    std::fill_n(c.data() + b * kCodeBytes, kCodeBytes,
                static_cast<uint8_t>(std::min(relative, kExponentContexts - 1)));
  }
  return c;
}

quant::ContextCandidate code_candidate(std::span<const uint16_t> exponents, uint8_t base,
                                       uint8_t choice) {
  if (choice == 0) return {{}, {256, 1}};
  return {exponent_contexts(exponents, base), {256, kExponentContexts}};
}
constexpr size_t kCodeCandidates = 2;

class MXFP4Codec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kMXFP4; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    if (input.size() % kBlock != 0)
      throw Error(ErrorKind::kUnsupported,
                  "mxfp4: " + std::to_string(input.size()) + " bytes are not whole blocks");
    const size_t blocks = input.size() / kBlock;
    auto exponents = quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks);
    auto codes = quant::scratch<uint16_t, quant::kScratchValues>(blocks * kCodeBytes);
    uint8_t base = 255;
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      exponents[b] = block[0];
      base = std::min(base, block[0]);
      std::copy_n(block + 1, kCodeBytes, codes.data() + b * kCodeBytes);
    }
    out.reserve(out.size() + input.size() + 64);
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_field(w, exponents, {}, {256, 1});
    w.u8(base);
    std::vector<quant::ContextCandidate> candidates;
    for (uint8_t c = 0; c < kCodeCandidates; ++c)
      candidates.push_back(code_candidate(exponents, base, c));
    quant::write_best_field(w, codes, candidates);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "mxfp4 payload");
    if (r.u8() != kFormatVersion) r.fail("unknown mxfp4 format version");
    const uint64_t blocks = r.varint();
    if (out.size() % kBlock != 0 || blocks != out.size() / kBlock)
      r.fail("block count does not match the output size");
    auto exponents = quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks);
    auto codes = quant::scratch<uint16_t, quant::kScratchValues>(blocks * kCodeBytes);
    quant::read_field(r, {}, {256, 1}, exponents);
    const uint8_t base = r.u8();
    for (size_t b = 0; b < blocks; ++b)
      if (exponents[b] < base) r.fail("an exponent below the stated smallest one");
    auto c = code_candidate(exponents, base, quant::read_candidate_index(r, kCodeCandidates));
    quant::read_field(r, c.contexts, c.shape, codes);
    if (!r.at_end()) r.fail("trailing bytes");
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* block = out.data() + b * kBlock;
      block[0] = static_cast<uint8_t>(exponents[b]);
      const uint16_t* code = codes.data() + b * kCodeBytes;
      for (size_t k = 0; k < kCodeBytes; ++k) block[1 + k] = static_cast<uint8_t>(code[k]);
    }
  }
};

}  // namespace

const Codec& mxfp4_codec() {
  static const MXFP4Codec codec;
  return codec;
}

}  // namespace lcl
