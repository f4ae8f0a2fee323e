// The segments codec and the planner runs that feed it: small tensors and the bytes between them
// share a chunk, each type's tensors are coded as one stream, and everything decodes back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "codecs/float/float_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "lcl/codec.hpp"
#include "lcl/error.hpp"
#include "quant_test_support.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

// Q8_0 blocks of gaussian weights: f16 d, then 32 int8 values.
std::vector<uint8_t> q8_0_blocks(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, 40.0);
  std::vector<uint8_t> out(blocks * 34);
  for (size_t b = 0; b < blocks; ++b) {
    store_u16le(out.data() + 34 * b, static_cast<uint16_t>(0x2000 + rng() % 0x400));
    for (int i = 0; i < 32; ++i)
      out[34 * b + 2 + i] = static_cast<uint8_t>(
          static_cast<int8_t>(std::clamp(std::lround(gauss(rng)), -127L, 127L)));
  }
  return out;
}

struct Pieces {
  std::vector<uint8_t> bytes;
  std::vector<Segment> segments;
  void add(TypeId type, const std::vector<uint8_t>& b) {
    bytes.insert(bytes.end(), b.begin(), b.end());
    segments.push_back({type, b.size()});
  }
};

// Two Q8_0 tensors with metadata-like bytes around them and an F16 vector.
Pieces mixed_run() {
  Pieces p;
  p.add(type::kOpaque, std::vector<uint8_t>(300, 7));
  p.add(type::kQ8_0, q8_0_blocks(400, 1));
  p.add(type::kOpaque, test::random_bytes(100, 2));
  p.add(type::kQ8_0, q8_0_blocks(250, 3));
  std::vector<uint8_t> halves(4096);
  for (size_t i = 0; i < halves.size(); i += 2) {
    halves[i] = static_cast<uint8_t>(i * 13);
    halves[i + 1] = static_cast<uint8_t>(0x30 + i % 5);
  }
  p.add(type::kF16, halves);
  return p;
}

std::vector<uint8_t> encode(const Pieces& p) {
  EncodeContext context;
  context.segments = p.segments;
  std::vector<uint8_t> payload;
  segments_codec().encode(p.bytes, context, payload);
  return payload;
}

std::vector<uint8_t> decode(std::span<const uint8_t> payload, size_t size) {
  std::vector<uint8_t> out(size);
  segments_codec().decode(payload, out);
  return out;
}

TEST(SegmentsCodec, RoundTripsAMixedRun) {
  const Pieces p = mixed_run();
  const auto payload = encode(p);
  EXPECT_EQ(decode(payload, p.bytes.size()), p.bytes);
  EXPECT_LT(payload.size(), p.bytes.size());
}

TEST(SegmentsCodec, TensorsOfATypeShareOneStream) {
  // Coded together, the two Q8_0 tensors pay for one model: smaller than each coded alone.
  const auto a = q8_0_blocks(120, 5), b = q8_0_blocks(120, 6);
  Pieces p;
  p.add(type::kQ8_0, a);
  p.add(type::kQ8_0, b);
  EncodeContext q8;
  q8.type = type::kQ8_0;
  std::vector<uint8_t> alone_a, alone_b;
  q8_0_codec().encode(a, q8, alone_a);
  q8_0_codec().encode(b, q8, alone_b);
  const auto payload = encode(p);
  EXPECT_LT(payload.size(), alone_a.size() + alone_b.size());
  EXPECT_EQ(decode(payload, p.bytes.size()), p.bytes);
}

TEST(SegmentsCodec, ASmallTensorThatZstdCodesBetterLeavesItsGroup) {
  // A tensor of one repeated block: zstd codes it in a few bytes, the Q8_0 model cannot.
  Pieces p;
  p.add(type::kQ8_0, q8_0_blocks(300, 8));
  const auto block = q8_0_blocks(1, 9);
  std::vector<uint8_t> repeated;
  for (int i = 0; i < 300; ++i) repeated.insert(repeated.end(), block.begin(), block.end());
  p.add(type::kQ8_0, repeated);
  Pieces alone;
  alone.add(type::kQ8_0, q8_0_blocks(300, 8));
  const auto payload = encode(p);
  EXPECT_LT(payload.size(), encode(alone).size() + 200);
  EXPECT_EQ(decode(payload, p.bytes.size()), p.bytes);
}

// bf16 weights of one gaussian: what layers of one model look like to the float codec.
std::vector<uint8_t> bf16_weights(size_t n, uint32_t seed, double sigma) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0f, static_cast<float>(sigma));
  std::vector<uint8_t> out(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const float v = gauss(rng);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    store_u16le(out.data() + 2 * i, static_cast<uint16_t>(bits >> 16));
  }
  return out;
}

size_t float_alone(const std::vector<uint8_t>& bytes) {
  EncodeContext context;
  context.type = type::kBF16;
  std::vector<uint8_t> payload;
  float_codec().encode(bytes, context, payload);
  return payload.size();
}

TEST(SegmentsCodec, SmallFloatTensorsShareAModelWhereThatIsSmaller) {
  // Eight 8 KiB tensors of one distribution: each alone pays a table and 32 lane states, one
  // shared model pays them once.
  Pieces p;
  size_t alone = 0;
  for (uint32_t t = 0; t < 8; ++t) {
    const auto w = bf16_weights(4096, 20 + t, 0.02);
    alone += float_alone(w);
    p.add(type::kBF16, w);
  }
  const auto payload = encode(p);
  EXPECT_LT(payload.size() + 400, alone);
  EXPECT_EQ(decode(payload, p.bytes.size()), p.bytes);
}

TEST(SegmentsCodec, SmallFloatTensorsOfDifferentScalesKeepTheirOwnModels) {
  // Scales 16x apart: a shared model would cost more than the tables it saves, so the payload is
  // no larger than the tensors coded alone plus the segments header (~20 bytes).
  Pieces p;
  size_t alone = 0;
  for (uint32_t t = 0; t < 2; ++t) {
    const auto w = bf16_weights(60000, 30 + t, t == 0 ? 0.002 : 0.032);
    alone += float_alone(w);
    p.add(type::kBF16, w);
  }
  const auto payload = encode(p);
  EXPECT_LE(payload.size(), alone + 32);
  EXPECT_EQ(decode(payload, p.bytes.size()), p.bytes);
}

TEST(SegmentsCodec, NoPiecesMeansOnePieceOfTheContextType) {
  const auto blocks = q8_0_blocks(50, 10);
  EncodeContext context;
  context.type = type::kQ8_0;
  std::vector<uint8_t> payload;
  segments_codec().encode(blocks, context, payload);
  EXPECT_EQ(decode(payload, blocks.size()), blocks);
}

TEST(SegmentsCodec, EmptyChunksAndEmptyPiecesRoundTrip) {
  // Found by fuzz_quant_codecs: an empty chunk once wrote a piece of 0 bytes, which the decoder
  // (rightly) rejects.
  std::vector<uint8_t> payload;
  EncodeContext q4k;
  q4k.type = type::kQ4_K;
  segments_codec().encode({}, q4k, payload);
  EXPECT_TRUE(decode(payload, 0).empty());
  Pieces p = mixed_run();
  p.segments.insert(p.segments.begin() + 1, Segment{type::kQ8_0, 0});
  p.segments.push_back({type::kOpaque, 0});
  EXPECT_EQ(decode(encode(p), p.bytes.size()), p.bytes);
}

TEST(SegmentsCodec, RejectsPiecesThatDoNotCoverTheChunk) {
  EncodeContext context;
  context.segments = {{type::kOpaque, 10}};
  std::vector<uint8_t> payload;
  EXPECT_THROW(segments_codec().encode(std::vector<uint8_t>(11), context, payload), Error);
}

TEST(SegmentsCodec, PayloadSharesChargeEachPieceItsGroupsBytes) {
  const Pieces p = mixed_run();
  const auto payload = encode(p);
  const auto shares = segments_payload_shares(payload, p.bytes.size());
  ASSERT_EQ(shares.size(), p.segments.size());
  double total = 0;
  uint64_t at = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    EXPECT_EQ(shares[i].offset, at);
    EXPECT_EQ(shares[i].size, p.segments[i].size);
    EXPECT_GT(shares[i].payload_bytes, 0);
    total += shares[i].payload_bytes;
    at += shares[i].size;
  }
  EXPECT_NEAR(total, static_cast<double>(payload.size()), 1e-6);
  // The two Q8_0 tensors share one group: the same payload bytes per original byte.
  EXPECT_NEAR(shares[1].payload_bytes / shares[1].size, shares[3].payload_bytes / shares[3].size,
              1e-9);
  // The 300 repeated bytes cost far less per byte than the Q8_0 blocks.
  EXPECT_LT(shares[0].payload_bytes / shares[0].size,
            0.5 * shares[1].payload_bytes / shares[1].size);
  EXPECT_THROW(
      segments_payload_shares(std::span(payload).first(payload.size() / 2), p.bytes.size()), Error);
  EXPECT_THROW(segments_payload_shares(payload, p.bytes.size() + 1), Error);
}

TEST(SegmentsCodec, DamagedPayloadsAreRejected) {
  const Pieces p = mixed_run();
  const auto payload = encode(p);
  test::expect_damage_rejected(
      payload, [&](std::span<const uint8_t> damaged) { return decode(damaged, p.bytes.size()); },
      11);
}

TEST(SegmentsCodec, HostileCountsFailWithoutLargeAllocations) {
  // Version 1, a piece count of 2^62: more than the chunk or the payload can hold.
  const std::vector<uint8_t> huge = {1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40};
  EXPECT_THROW(decode(huge, 1 << 20), Error);
  // One piece in group 5 (groups must open in order).
  EXPECT_THROW(decode(std::vector<uint8_t>{1, 1, 5, 4, 1, 0, 0, 0}, 4), Error);
  // A group coded with the segments codec itself.
  EXPECT_THROW(decode(std::vector<uint8_t>{1, 1, 0, 4, 1, 7, 0, 0}, 4), Error);
}

Region tensor_region(uint64_t offset, uint64_t size, TypeId type, const std::string& name) {
  Region r;
  r.offset = offset;
  r.size = size;
  r.kind = RegionKind::kTensor;
  r.tensor = {name, type, {size}};
  return r;
}

TEST(Planner, SmallTensorsAndTheBytesBetweenThemShareSegmentsChunks) {
  // header 1000 | q8_0 20 KB | norm 2 KB | q8_0 10 KB | big q8_0 200 KB | padding 500
  Layout layout;
  layout.format = FileFormat::kGguf;
  uint64_t at = 0;
  auto opaque = [&](uint64_t size) {
    Region r;
    r.offset = at;
    r.size = size;
    layout.regions.push_back(r);
    at += size;
  };
  auto tensor = [&](uint64_t blocks, const std::string& name) {
    layout.regions.push_back(tensor_region(at, blocks * 34, type::kQ8_0, name));
    at += blocks * 34;
  };
  opaque(1000);
  tensor(600, "a");
  opaque(2048);
  tensor(300, "b");
  tensor(6000, "big");
  opaque(500);
  layout.file_size = at;
  PlanOptions options;
  options.chunk_size = 64 * 1024;
  const auto chunks = plan_chunks(layout, options);
  ASSERT_GE(chunks.size(), 5u);
  EXPECT_EQ(chunks[0].codec, codec_id::kSegments);
  EXPECT_EQ(chunks[0].offset, 0u);
  ASSERT_EQ(chunks[0].context.segments.size(), 4u);
  EXPECT_EQ(chunks[0].context.segments[1].type, type::kQ8_0);
  EXPECT_EQ(chunks[0].context.segments[3].size, 300u * 34);
  // The big tensor is cut into even chunks of its codec; the padding after it is a zstd chunk.
  for (size_t i = 1; i + 1 < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].codec, q8_0_codec().id());
    EXPECT_TRUE(chunks[i].context.segments.empty());
  }
  EXPECT_EQ(chunks.back().codec, codec_id::kZstd);
  uint64_t covered = 0;
  for (const auto& c : chunks) {
    EXPECT_EQ(c.offset, covered);
    covered += c.size;
  }
  EXPECT_EQ(covered, layout.file_size);
}

TEST(Planner, ALoneTensorKeepsItsCodec) {
  Layout layout;
  layout.regions.push_back(tensor_region(0, 300 * 34, type::kQ8_0, "t"));
  layout.file_size = 300 * 34;
  const auto chunks = plan_chunks(layout, PlanOptions{});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].codec, q8_0_codec().id());
  EXPECT_TRUE(chunks[0].context.segments.empty());
}

}  // namespace
}  // namespace lcl
