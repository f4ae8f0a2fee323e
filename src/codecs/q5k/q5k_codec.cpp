// Q5_K codec (id 8). Each 176-byte block is split into its fields: f16 d and dmin,
// eight 6-bit sub-block scales, eight 6-bit mins and 256 five-bit values (the low nibbles of qs
// joined with their qh bits). As in the Q4_K codec, every field has its own static per-chunk
// model, the mins are coded in the context of the min that would put zero mid-grid, and the values
// of a sub-block in the context of where zero falls on its 0..31 grid. The values are coded as
// anchored groups (fields/quant_anchored.hpp): the quantizer maps a sub-block's smallest weight
// to 0, which each sub-block codes once instead of paying for it value by value. Measured on
// bytellama-25m-Q5_K_M (plug-in, bits per value): 4.813 for the values given the zero-point
// bucket alone, 4.782 anchored by sub-block (32 values), 4.847 anchored by halves of 16.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>

#include "codecs/fields/k_block_header.hpp"
#include "codecs/fields/predicted_min_buckets.hpp"
#include "codecs/fields/quant_anchored.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_halves.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/q5k/q5k_codec.hpp"
#include "codecs/q5k/q5k_simd.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kQ5KVersions[0];
static_assert(std::size(kQ5KVersions) == 1);
constexpr size_t kBlock = ggml::kQ5KBlockBytes;
constexpr uint32_t kSubBlocks = 8;

// Zero point buckets of two quant steps over 0..32 (17), one for sub-blocks whose zero point
// q0 = dmin*m / (d*sc) is not a finite number (sc == 0, NaN or infinite d). Measured on
// bytellama-25m-Q5_K_M: H(q) 4.866 bits, 4.813 given buckets of one step (35 contexts), 4.816
// given buckets of two: the coarser buckets halve the tables at no measurable cost.
constexpr uint32_t kZeroBuckets = 18;

// The bucket of one sub-block: halves times 6-bit integers are exact in double and the division
// is correctly rounded, so every platform computes the same bucket (q0 / 2 + 0.5 is exact too).
inline uint8_t zero_point_bucket(double d, double dmin, uint16_t scale, uint16_t min) {
  const double half_up = (dmin * min) / (2.0 * d * scale) + 0.5;
  if (!(std::fabs(half_up) <= std::numeric_limits<double>::max())) return kZeroBuckets - 1;
  const double clamped = half_up >= 1.0 ? std::min(half_up, double{kZeroBuckets - 2}) : 0.0;
  return static_cast<uint8_t>(static_cast<int>(clamped));
}

// Mins: weights centre on zero, so m is close to p = sc * 16 * d / dmin (zero mid-grid). Buckets
// of 8 of p over 0..63 and one for a p that is not a finite number: H(m) 5.11 bits iid, 4.60
// given the bucket on bytellama-25m-Q5_K_M.
constexpr quant::FieldShape kPredictedMinShape{64, quant::kPredictedMinBuckets + 1};

constexpr quant::AnchoredShape kValueGroups{32, 32, kZeroBuckets, 2};

// Scale groups: a block's largest scale is 63 (d = largest scale / 63), so 63 - sc has a 0.
constexpr quant::AnchoredShape kScaleGroups{64, kSubBlocks, 1, 2};

struct Q5KFields {
  std::span<uint16_t> d, dmin;
  std::span<uint16_t> scales, mins;  // 8 per block
  std::span<uint16_t> values;        // 256 per block, element order
  explicit Q5KFields(size_t blocks)
      : d(quant::scratch<uint16_t, quant::kScratchBlockHalves>(blocks)),
        dmin(quant::scratch<uint16_t, quant::kScratchBlockHalves2>(blocks)),
        scales(quant::scratch<uint16_t, quant::kScratchScales>(blocks * kSubBlocks)),
        mins(quant::scratch<uint16_t, quant::kScratchMins>(blocks * kSubBlocks)),
        values(quant::scratch<uint16_t, quant::kScratchValues>(blocks * 256)) {}
};

std::vector<uint8_t> exponent_contexts(std::span<const uint16_t> halves) {
  std::vector<uint8_t> c(halves.size());
  for (size_t i = 0; i < halves.size(); ++i) c[i] = quant::half_exponent_context(halves[i]);
  return c;
}

std::vector<uint16_t> scale_complements(std::span<const uint16_t> scales) {
  std::vector<uint16_t> c(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) c[i] = static_cast<uint16_t>(63 - scales[i]);
  return c;
}

// 16*d/dmin is one correctly rounded division; p = ratio * sc one correctly rounded product,
// compared exactly with the bucket edges 8k - 0.5: the same buckets on every platform.
std::span<const uint8_t> predicted_min_contexts(const Q5KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchPredictedMins>(f.mins.size());
  if constexpr (kernels::kAvx512Built) {
    if (kernels::avx2_available()) {
      q5k_simd::predicted_min_buckets_avx2(f.d.data(), f.dmin.data(), f.scales.data(), f.d.size(),
                                           c.data());
      return c;
    }
  }
  for (size_t b = 0; b < f.d.size(); ++b) {
    const double ratio =
        16.0 * ggml::half_to_float(f.d[b]) / static_cast<double>(ggml::half_to_float(f.dmin[b]));
    quant::predicted_min_buckets(ratio, f.scales.data() + b * kSubBlocks,
                                 c.data() + b * kSubBlocks);
  }
  return c;
}

// The zero-point bucket of every sub-block.
std::span<const uint8_t> group_contexts(const Q5KFields& f) {
  auto c = quant::scratch<uint8_t, quant::kScratchGroupContexts>(f.scales.size());
  if constexpr (kernels::kAvx512Built) {
    if (kernels::avx2_available()) {
      q5k_simd::zero_point_buckets_avx2(f.d.data(), f.dmin.data(), f.scales.data(), f.mins.data(),
                                        f.d.size(), c.data());
      return c;
    }
  }
  for (size_t b = 0; b < f.d.size(); ++b) {
    const double d = ggml::half_to_float(f.d[b]);
    const double dmin = ggml::half_to_float(f.dmin[b]);
    for (uint32_t j = 0; j < kSubBlocks; ++j) {
      const size_t s = b * kSubBlocks + j;
      c[s] = zero_point_bucket(d, dmin, f.scales[s], f.mins[s]);
    }
  }
  return c;
}

class Q5KCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return type == type::kQ5_K; }

  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    if (input.size() % kBlock != 0)
      throw Error(ErrorKind::kUnsupported,
                  "q5k: " + std::to_string(input.size()) + " bytes are not whole blocks");
    const size_t blocks = input.size() / kBlock;
    Q5KFields f(blocks);
    bool unpacked = false;
    if constexpr (kernels::kAvx512Built) {
      if (kernels::avx2_available()) {
        q5k_simd::unpack_q5k_quants_avx2(input.data(), blocks, f.values.data());
        unpacked = true;
      }
    }
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* block = input.data() + b * kBlock;
      quant::split_k_block_header(block, b, f);
      if (unpacked) continue;
      uint8_t q[256];
      ggml::unpack_q5k_quants(block + 16, block + 48, q);
      std::copy_n(q, 256, f.values.data() + b * 256);
    }
    out.reserve(out.size() + input.size() + 64);
    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(blocks);
    quant::write_halves(w, f.d, {}, 0);
    quant::write_halves(w, f.dmin, exponent_contexts(f.d), 64);
    quant::write_anchored_groups(w, scale_complements(f.scales), std::vector<uint8_t>(blocks, 0),
                                 kScaleGroups);
    quant::write_field(w, f.mins, predicted_min_contexts(f), kPredictedMinShape);
    quant::write_anchored_groups(w, f.values, group_contexts(f), kValueGroups);
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    const quant::FieldScratchScope scope(workspace);
    ByteReader r(payload, "q5k payload");
    if (r.u8() != kFormatVersion) r.fail("unknown q5k format version");
    const uint64_t blocks = r.varint();
    if (out.size() % kBlock != 0 || blocks != out.size() / kBlock)
      r.fail("block count does not match the output size");
    Q5KFields f(blocks);
    quant::read_halves(r, {}, 0, f.d);
    quant::read_halves(r, exponent_contexts(f.d), 64, f.dmin);
    quant::read_anchored_groups(r, std::vector<uint8_t>(blocks, 0), kScaleGroups, f.scales);
    for (uint16_t& s : f.scales) s = static_cast<uint16_t>(63 - s);  // below 64: read as such
    quant::read_field(r, predicted_min_contexts(f), kPredictedMinShape, f.mins);
    if constexpr (kernels::kAvx512Built) {
      if (kernels::avx2_available() && blocks > 0) {
        // The groups restored straight into qs and qh: values below 32, the reader checks the
        // alphabet of the minima and the others.
        const quant::AnchoredParts parts =
            quant::read_anchored_parts(r, group_contexts(f), kValueGroups);
        if (!r.at_end()) r.fail("trailing bytes");
        const size_t last = blocks - 1;
        bool consistent = q5k_simd::restore_pack_q5k_avx2(parts.others.data(), parts.minima.data(),
                                                          parts.positions.data(), last, out.data());
        uint16_t values[256];
        consistent &=
            quant::restore_anchored_groups(parts, 32, last * kSubBlocks, kSubBlocks, values);
        if (!consistent) r.fail("value contradicts its group minimum");
        q5k_simd::pack_q5k_quants_avx2(values, 1, out.data() + last * kBlock);
        for (size_t b = 0; b < blocks; ++b)
          quant::join_k_block_header(f, b, out.data() + b * kBlock);
        return;
      }
    }
    quant::read_anchored_groups(r, group_contexts(f), kValueGroups, f.values);
    if (!r.at_end()) r.fail("trailing bytes");
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t v[256];  // below 32: the reader checks the alphabet
      std::copy_n(f.values.data() + b * 256, 256, v);
      uint8_t* block = out.data() + b * kBlock;
      quant::join_k_block_header(f, b, block);
      ggml::pack_q5k_quants(v, block + 16, block + 48);
    }
  }
};

}  // namespace

const Codec& q5k_codec() {
  static const Q5KCodec codec;
  return codec;
}

}  // namespace lcl
