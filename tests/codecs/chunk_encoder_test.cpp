// encode_chunk_payload: the choice between the routed codec, zstd and store that every .lcl chunk
// goes through, and that each choice decodes back to the chunk.
#include "codecs/chunk_encoder.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>

namespace lcl {
namespace {

std::vector<uint8_t> decode_with(CodecId id, std::span<const uint8_t> payload, size_t size) {
  std::vector<uint8_t> out(size);
  find_codec(id)->decode(payload, out);
  return out;
}

// encode_chunk_payload with a workspace for the one chunk.
CodecId encode_payload(std::span<const uint8_t> chunk, const Codec& routed,
                       const EncodeContext& context, std::vector<uint8_t>& payload) {
  Workspace workspace;
  return encode_chunk_payload(chunk, routed, context, payload, workspace);
}

EncodeContext context_for(TypeId type) {
  EncodeContext context;
  context.type = type;
  return context;
}

TEST(ChunkEncoder, WeightsKeepTheSpecialisedCodec) {
  std::mt19937 rng(1);
  std::normal_distribution<float> weight(0.0f, 0.02f);
  std::vector<uint8_t> chunk(64 * 1024);
  for (size_t i = 0; i < chunk.size(); i += 2) {
    const auto bf16 = static_cast<uint16_t>(std::bit_cast<uint32_t>(weight(rng)) >> 16);
    std::memcpy(&chunk[i], &bf16, 2);
  }
  std::vector<uint8_t> payload;
  const CodecId used =
      encode_payload(chunk, *find_codec(codec_id::kFloat), context_for(type::kBF16), payload);
  EXPECT_EQ(used, codec_id::kFloat);
  EXPECT_LT(payload.size(), chunk.size() * 0.7);
  EXPECT_EQ(decode_with(used, payload, chunk.size()), chunk);
}

TEST(ChunkEncoder, SmallChunkWithRepeatedValuesGoesToZstd) {
  // A norm vector: 2,048 F32 values drawn from 4 distinct ones. An iid coder pays ~2 bits per
  // value plus raw mantissa bits; zstd finds the repeats.
  const float values[] = {1.0f, 0.9921875f, 1.0078125f, 0.984375f};
  std::vector<uint8_t> chunk(2048 * 4);
  for (size_t i = 0; i < 2048; ++i) std::memcpy(&chunk[4 * i], &values[(i * 7) % 4], 4);
  std::vector<uint8_t> payload;
  const CodecId used =
      encode_payload(chunk, *find_codec(codec_id::kFloat), context_for(type::kF32), payload);
  EXPECT_EQ(used, codec_id::kZstd);
  EXPECT_EQ(decode_with(used, payload, chunk.size()), chunk);
}

TEST(ChunkEncoder, IncompressibleBytesAreStoredWithAnEmptyPayload) {
  std::mt19937 rng(2);
  std::vector<uint8_t> chunk(10000);
  for (auto& b : chunk) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> payload = {1, 2, 3};  // replaced, not appended to
  EXPECT_EQ(
      encode_payload(chunk, *find_codec(codec_id::kZstd), context_for(type::kOpaque), payload),
      codec_id::kStore);
  EXPECT_TRUE(payload.empty());
}

TEST(ChunkEncoder, EmptyChunkIsStored) {
  std::vector<uint8_t> payload;
  EXPECT_EQ(encode_payload({}, *find_codec(codec_id::kFloat), context_for(type::kBF16), payload),
            codec_id::kStore);
}

}  // namespace
}  // namespace lcl
