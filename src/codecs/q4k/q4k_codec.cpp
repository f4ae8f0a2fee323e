// Q4_K codec (id 3). Each 144-byte block is split into its fields: f16 d and dmin,
// eight 6-bit sub-block scales, eight 6-bit mins and 256 nibbles. Every field has its own static
// per-chunk model. The nibbles of a sub-block are coded with the table of the bucket of its zero
// point q0 = dmin*m / (d*sc) (where 0.0 falls on the 0..15 grid, which the decoder knows from the
// fields decoded before), because the weights peak around zero.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>

#include "codecs/block_frame.hpp"
#include "codecs/fields/k_block_header.hpp"
#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q4k/nibble_lanes.hpp"
#include "codecs/q4k/q4k_buckets_simd.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

// The payload versions (docs/FORMAT.md, q4k): 4 written, 3 and 2 still decoded.
constexpr uint8_t kFormatVersion = 4;
constexpr uint8_t kFormatVersionScaleContextMins = 3;
constexpr uint8_t kFormatVersionAnchoredFields = 2;
static_assert(std::size(kQ4KVersions) == 3 && kQ4KVersions[0] == kFormatVersionAnchoredFields &&
              kQ4KVersions[1] == kFormatVersionScaleContextMins &&
              kQ4KVersions[2] == kFormatVersion);
constexpr size_t kQuantBytes = 128;  // the packed nibbles at the end of a block
constexpr size_t kNibblePairsPerBlock = kQuantBytes / quant::kNibblePairBytes;
constexpr size_t kBlock = ggml::kQ4KBlockBytes;
constexpr uint32_t kSubBlocks = 8;

using q4k_simd::kZeroBuckets;

// d_value, dmin_value: the block's d and dmin as floats (converted once per block).
inline uint8_t zero_point_bucket(float d_value, float dmin_value, uint8_t scale, uint8_t min) {
  // Halves times 6-bit integers are exact in double and the division is correctly rounded, so
  // every platform computes the same bucket. Written without branches or floor() (a libm call
  // without SSE4.1) so that the loop over sub-blocks vectorises: for q0 + 0.5 in [1, 16) the
  // truncating conversion is the floor, and the cases around it are selects.
  const double denominator = static_cast<double>(d_value) * scale;
  const double numerator = static_cast<double>(dmin_value) * min;
  const double q0 = numerator / denominator;
  const double half_up = q0 + 0.5;
  const double clamped =
      half_up >= 1.0 ? (half_up < kZeroBuckets - 2 ? half_up : kZeroBuckets - 2) : 0.0;
  const bool finite = std::fabs(q0) <= std::numeric_limits<double>::max();  // false for NaN
  return finite ? static_cast<uint8_t>(static_cast<int>(clamped)) : kZeroBuckets - 1;
}

// Per-thread scratch arrays (quant_scratch.hpp): a chunk's fields are written in full before
// they are read, and zero-filled fresh vectors cost more than coding the small tensors.
struct Q4KFields {
  std::span<uint16_t> d, dmin;
  std::span<uint16_t> scales, mins;  // 8 per block
  std::span<uint8_t> quants;         // the 128 packed nibble bytes of every block (if wanted)
  explicit Q4KFields(size_t blocks, bool with_quants = true)
      : d(quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks)),
        dmin(quant::scratch<uint16_t, quant::kScratchBlockHalves2>(blocks)),
        scales(quant::scratch<uint16_t, quant::kScratchScales>(blocks * kSubBlocks)),
        mins(quant::scratch<uint16_t, quant::kScratchMins>(blocks * kSubBlocks)),
        quants(quant::scratch<uint8_t, quant::kScratchPackedQuants>(
            with_quants ? blocks * kQuantBytes : 0)) {}
};

// Context candidates, each rebuilt by the decoder from fields it already has.
std::vector<uint8_t> exponent_contexts(std::span<const uint16_t> halves) {
  std::vector<uint8_t> c(halves.size());
  for (size_t i = 0; i < halves.size(); ++i) c[i] = quant::half_exponent_context(halves[i]);
  return c;
}

template <int Tag>
std::span<const uint8_t> scale_contexts(std::span<const uint16_t> scales, unsigned shift) {
  auto c = quant::scratch<uint8_t, Tag>(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) c[i] = static_cast<uint8_t>(scales[i] >> shift);
  return c;
}

// The zero-point bucket of every sub-block: the group context of the anchored nibble groups.
std::span<uint8_t> zero_point_contexts(const Q4KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchGroupContexts>(f.scales.size());
  if (kernels::avx512_available()) {
    if constexpr (kernels::kAvx512Built)
      q4k_simd::zero_point_buckets_avx512(f.d.data(), f.dmin.data(), f.scales.data(), f.mins.data(),
                                          f.d.size(), c.data());
    return c;
  }
  for (size_t b = 0; b < f.d.size(); ++b) {
    const float d = ggml::half_to_float(f.d[b]);
    const float dmin = ggml::half_to_float(f.dmin[b]);
    for (uint32_t j = 0; j < kSubBlocks; ++j) {
      const size_t s = b * kSubBlocks + j;
      c[s] = zero_point_bucket(d, dmin, static_cast<uint8_t>(f.scales[s]),
                               static_cast<uint8_t>(f.mins[s]));
    }
  }
  return c;
}

// Nibble groups: a sub-block's smallest nibble is 0 (the quantizer maps its minimum there).
constexpr quant::AnchoredShape kNibbleGroups{16, 32, kZeroBuckets, 1};
// Scale groups: a block's largest scale is 63 (d = largest scale / 63), so 63 - sc has a 0.
constexpr quant::AnchoredShape kScaleGroups{64, kSubBlocks, 1, 2};

std::vector<uint16_t> scale_complements(std::span<const uint16_t> scales) {
  std::vector<uint16_t> c(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) c[i] = static_cast<uint16_t>(63 - scales[i]);
  return c;
}

// Version 2's nibbles: the same anchored model through quant_anchored's generic field layout, as
// unpacked nibbles; packed into quants (128 bytes per block).
void read_anchored_nibbles(ByteReader& r, std::span<const uint8_t> contexts,
                           std::span<uint8_t> quants) {
  const size_t blocks = quants.size() / kQuantBytes;
  auto values = quant::scratch<uint16_t, quant::kScratchValues>(blocks * 256);
  quant::read_anchored_groups(r, contexts, kNibbleGroups, values);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t q[256];
    for (int i = 0; i < 256; ++i) q[i] = static_cast<uint8_t>(values[b * 256 + i]);
    ggml::pack_q4k_quants(q, quants.data() + b * kQuantBytes);
  }
}

constexpr quant::FieldShape kSixBit{64, 1};

// The mins of versions 2 and 3: the cheapest of no context and two buckets of the scale.
quant::ContextCandidate min_candidate(const Q4KFields& f, uint8_t choice) {
  if (choice == 0) return {{}, kSixBit};
  if (choice == 1) return {scale_contexts<quant::kScratchCandidateContexts1>(f.scales, 3), {64, 8}};
  return {scale_contexts<quant::kScratchCandidateContexts2>(f.scales, 2), {64, 16}};
}
constexpr size_t kMinCandidates = 3;

// The mins of version 4. Weights centre on zero, so a sub-block's zero point q0 = dmin*m/(d*sc)
// sits near the middle of the 0..15 grid: m is close to p = sc * (8*d/dmin), which the decoder
// knows before the mins. Buckets of 8 of that prediction (p rounded to 0..63, divided by 8; one
// more for a p that is not a finite number) leave the mins less uncertain than buckets of the
// scale, and finer buckets cost more in tables than they gain.
using q4k_simd::kPredictedMinBuckets;
constexpr quant::FieldShape kPredictedMinShape{64, kPredictedMinBuckets + 1};

std::span<const uint8_t> predicted_min_contexts(const Q4KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchPredictedMins>(f.mins.size());
  if (kernels::avx512_available()) {
    if constexpr (kernels::kAvx512Built)
      q4k_simd::predicted_min_buckets_avx512(f.d.data(), f.dmin.data(), f.scales.data(), f.d.size(),
                                             c.data());
    return c;
  }
  for (size_t b = 0; b < f.d.size(); ++b)
    quant::predicted_min_buckets(q4k_simd::min_ratio(f.d[b], f.dmin[b]),
                                 f.scales.data() + b * kSubBlocks, c.data() + b * kSubBlocks);
  return c;
}

}  // namespace

void encode_q4k(std::span<const uint8_t> input, uint8_t version, std::vector<uint8_t>& out,
                Workspace& workspace) {
  const quant::FieldScratchScope scope(workspace);
  check_version_known(version, kQ4KVersions, "q4k");
  const size_t blocks = whole_blocks(input, kBlock, "q4k");
  Q4KFields f(blocks);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* block = input.data() + b * kBlock;
    quant::split_k_block_header(block, b, f);
    std::memcpy(f.quants.data() + b * kQuantBytes, block + 16, kQuantBytes);
  }
  // The payload is about the input's size: one allocation instead of repeated doubling.
  out.reserve(out.size() + input.size() + 64);
  ByteWriter w(out);
  w.u8(version);
  w.varint(blocks);
  quant::write_halves(w, f.d, {}, 0);
  quant::write_halves(w, f.dmin, exponent_contexts(f.d), 64);
  quant::write_anchored_groups(w, scale_complements(f.scales), std::vector<uint8_t>(blocks, 0),
                               kScaleGroups);
  if (version == kFormatVersion) {
    quant::write_field(w, f.mins, predicted_min_contexts(f), kPredictedMinShape);
  } else {
    std::vector<quant::ContextCandidate> candidates;
    for (uint8_t c = 0; c < kMinCandidates; ++c) candidates.push_back(min_candidate(f, c));
    quant::write_best_field(w, f.mins, candidates);
  }
  if (version != kFormatVersionAnchoredFields) {
    quant::write_nibble_groups(w, f.quants, zero_point_contexts(f), kZeroBuckets);
  } else {
    std::vector<uint16_t> values(blocks * 256);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t q[256];
      ggml::unpack_q4k_quants(f.quants.data() + b * kQuantBytes, q);
      std::copy_n(q, 256, values.begin() + static_cast<std::ptrdiff_t>(b * 256));
    }
    quant::write_anchored_groups(w, values, zero_point_contexts(f), kNibbleGroups);
  }
}

namespace {

class Q4KCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ4_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    encode_q4k(input, kFormatVersion, out, workspace);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "q4k payload");
    const uint8_t version = read_frame_version(r, kQ4KVersions);
    const size_t blocks = read_frame_blocks(r, out.size(), kBlock);
    Q4KFields f(blocks, version == kFormatVersionAnchoredFields);
    quant::read_halves(r, {}, 0, f.d);
    quant::read_halves(r, exponent_contexts(f.d), 64, f.dmin);
    quant::read_anchored_groups(r, std::vector<uint8_t>(blocks, 0), kScaleGroups, f.scales);
    const auto complements = scale_complements(f.scales);
    std::copy(complements.begin(), complements.end(), f.scales.begin());
    if (version == kFormatVersion) {
      quant::read_field(r, predicted_min_contexts(f), kPredictedMinShape, f.mins);
    } else {
      auto c = min_candidate(f, quant::read_candidate_index(r, kMinCandidates));
      quant::read_field(r, c.contexts, c.shape, f.mins);
    }
    // Versions 3 and 4 decode the nibbles straight into the blocks (from byte 16); version 2
    // through the quants array.
    const bool in_place = version != kFormatVersionAnchoredFields;
    if (in_place) {
      quant::read_nibble_groups(r, zero_point_contexts(f), kZeroBuckets, out,
                                blocks * kNibblePairsPerBlock,
                                {kNibblePairsPerBlock, kBlock, kBlock - kQuantBytes});
    } else {
      read_anchored_nibbles(r, zero_point_contexts(f), f.quants);
    }
    check_frame_end(r);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* block = out.data() + b * kBlock;
      quant::join_k_block_header(f, b, block);
      if (!in_place) std::memcpy(block + 16, f.quants.data() + b * kQuantBytes, kQuantBytes);
    }
  }
};

}  // namespace

const Codec& q4k_codec() {
  static const Q4KCodec codec;
  return codec;
}

}  // namespace lcl
