// Workspaces hold only scratch: two of them used in turn, or a fresh one per call, give the same
// payloads and the same decoded bytes, whatever the previous chunk left in them.
#include "lcl/workspace.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>

#include "lcl/codec.hpp"

namespace lcl {
namespace {

struct Case {
  CodecId codec;
  TypeId type;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> float_bytes(size_t count, float scale, bool bf16, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> value(0.0f, scale);
  std::vector<uint8_t> bytes(count * (bf16 ? 2 : 4));
  for (size_t i = 0; i < count; ++i) {
    const uint32_t bits = std::bit_cast<uint32_t>(value(rng));
    if (bf16) {
      const auto half = static_cast<uint16_t>(bits >> 16);
      std::memcpy(&bytes[2 * i], &half, 2);
    } else {
      std::memcpy(&bytes[4 * i], &bits, 4);
    }
  }
  return bytes;
}

// Q8_0 blocks: an fp16 scale and 32 int8 values, peaked around zero.
std::vector<uint8_t> q8_0_bytes(size_t blocks, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> value(0.0f, 20.0f);
  std::vector<uint8_t> bytes(blocks * 34);
  for (size_t b = 0; b < blocks; ++b) {
    bytes[34 * b] = static_cast<uint8_t>(rng());
    bytes[34 * b + 1] = 0x20;
    for (int i = 0; i < 32; ++i)
      bytes[34 * b + 2 + i] =
          static_cast<uint8_t>(static_cast<int8_t>(std::clamp(value(rng), -127.0f, 127.0f)));
  }
  return bytes;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  // Different sizes and statistics in turn, so each call finds buffers the last one sized.
  out.push_back({codec_id::kFloat, type::kBF16, float_bytes(300000, 0.02f, true, 1)});
  out.push_back({codec_id::kFloat, type::kF32, float_bytes(5000, 1.0f, false, 2)});
  out.push_back({codec_id::kFloat, type::kBF16, float_bytes(70000, 3.0f, true, 3)});
  out.push_back({codec_id::kZstd, type::kOpaque, float_bytes(40000, 1.0f, true, 4)});
  out.push_back({codec_id::kZstd, type::kOpaque, std::vector<uint8_t>(100000, 7)});
  // A quantized codec: its field arrays live in the workspace too.
  out.push_back({specialised_codec_for(type::kQ8_0)->id(), type::kQ8_0, q8_0_bytes(4000, 5)});
  out.push_back({codec_id::kFloat, type::kF16, float_bytes(20000, 0.5f, true, 6)});
  return out;
}

std::vector<uint8_t> encode(const Case& c, Workspace& workspace) {
  EncodeContext context;
  context.type = c.type;
  std::vector<uint8_t> payload;
  find_codec(c.codec)->encode(c.bytes, context, payload, workspace);
  return payload;
}

TEST(Workspace, TwoWorkspacesInTurnGiveTheSameBytesAsFreshOnes) {
  const std::vector<Case> all = cases();
  std::vector<std::vector<uint8_t>> fresh;
  for (const Case& c : all) {
    Workspace workspace;
    fresh.push_back(encode(c, workspace));
  }
  Workspace first, second;
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < all.size(); ++i) {
      Workspace& workspace = (i + round) % 2 == 0 ? first : second;
      EXPECT_EQ(encode(all[i], workspace), fresh[i]) << "case " << i << " round " << round;
      std::vector<uint8_t> decoded(all[i].bytes.size());
      find_codec(all[i].codec)->decode(fresh[i], decoded, workspace);
      EXPECT_EQ(decoded, all[i].bytes) << "case " << i << " round " << round;
    }
}

TEST(Workspace, ReleaseAndMoveKeepItUsable) {
  const std::vector<Case> all = cases();
  Workspace workspace;
  const std::vector<uint8_t> payload = encode(all[0], workspace);
  workspace.release();
  EXPECT_EQ(encode(all[0], workspace), payload);
  Workspace moved(std::move(workspace));
  EXPECT_EQ(encode(all[0], moved), payload);
}

TEST(WorkspacePool, LeasesDistinctWorkspacesAndReusesGivenBackOnes) {
  WorkspacePool pool;
  CodecScratch* first_scratch = nullptr;
  {
    WorkspacePool::Lease a = pool.lease();
    WorkspacePool::Lease b = pool.lease();
    EXPECT_NE(&a->scratch(), &b->scratch());
    first_scratch = &a->scratch();
  }
  WorkspacePool::Lease again = pool.lease();
  WorkspacePool::Lease other = pool.lease();
  EXPECT_TRUE(&again->scratch() == first_scratch || &other->scratch() == first_scratch);
}

}  // namespace
}  // namespace lcl
