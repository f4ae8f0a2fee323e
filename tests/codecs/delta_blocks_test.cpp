// The delta codec's mode 2: chunks of ggml blocks coded as field-wise differences from their
// reference, for every block layout; damaged payloads and a version that lacks the mode.
#include <gtest/gtest.h>

#include <random>

#include "codecs/delta/delta_blocks.hpp"
#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta_damage.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "util/endian.hpp"

namespace lcl {
namespace {

struct BlockPair {
  std::vector<uint8_t> base, tuned;
};

// Random base blocks; the tuned copy moves about `moved` of the fields' values by a step or two,
// as a fine-tune moves a quantized model's values and scales.
BlockPair make_block_pair(const ggml::BlockLayout& layout, size_t blocks, double moved,
                          uint32_t seed) {
  BlockPair pair{test::random_bytes(blocks * layout.block_bytes, seed), {}};
  pair.tuned = pair.base;
  std::mt19937 rng(seed + 1);
  std::bernoulli_distribution moves(moved);
  const auto step = [&] { return static_cast<int>(rng() % 2 + 1) * (rng() % 2 ? 1 : -1); };
  for (size_t b = 0; b < blocks; ++b)
    for (const ggml::BlockField& field : layout.fields) {
      uint8_t* at = pair.tuned.data() + b * layout.block_bytes + field.offset;
      if (field.kind == ggml::FieldKind::kHalf) {
        if (moves(rng)) store_u16le(at, static_cast<uint16_t>(load_u16le(at) + step()));
        continue;
      }
      for (uint32_t i = 0; i < field.size; ++i) {
        if (!moves(rng)) continue;
        if (field.kind == ggml::FieldKind::kBytes)
          at[i] = static_cast<uint8_t>(at[i] + step());
        else  // one nibble of the byte, wrapping within it
          at[i] = static_cast<uint8_t>((at[i] & 0xF0) | ((at[i] + step()) & 0xF));
      }
    }
  return pair;
}

std::vector<uint8_t> encode(const BlockPair& pair, TypeId type) {
  std::vector<uint8_t> payload;
  delta_format::encode_delta(pair.tuned, pair.base, {0, 4096, pair.tuned.size()}, type, payload);
  return payload;
}

TEST(DeltaBlocks, DifferencesAndTheirSumInvertEachOther) {
  for (const ggml::BlockLayout& layout : ggml::all_block_layouts()) {
    const auto a = test::random_bytes(7 * layout.block_bytes, layout.type);
    const auto b = test::random_bytes(7 * layout.block_bytes, layout.type + 100);
    std::vector<uint8_t> d(a.size());
    delta_format::block_differences(layout, a, b, d);
    delta_format::add_block_differences(layout, b, d);
    EXPECT_EQ(d, a) << "type " << layout.type;
  }
}

TEST(DeltaBlocks, EveryLayoutRoundtripsFarBelowItsSize) {
  for (const ggml::BlockLayout& layout : ggml::all_block_layouts()) {
    SCOPED_TRACE("type " + std::to_string(layout.type));
    for (size_t blocks : {size_t{1}, size_t{3}, size_t{2000}}) {
      const BlockPair pair = make_block_pair(layout, blocks, 0.05, layout.type * 7 + blocks);
      const auto payload = encode(pair, layout.type);
      ASSERT_GE(payload.size(), 2u);
      // Mode 2 (ggml blocks); mode 0 where no value happened to move.
      EXPECT_EQ(payload[1], pair.tuned == pair.base ? 0 : 2);
      std::vector<uint8_t> decoded(pair.tuned.size(), 0xAB);
      delta_format::decode_delta(payload, pair.base, decoded);
      EXPECT_EQ(decoded, pair.tuned);
      // A value in 20 moved: well under 2 bits per byte, where the blocks alone are random.
      if (blocks == 2000) {
        EXPECT_LT(payload.size(), pair.tuned.size() / 4);
      }
    }
  }
}

TEST(DeltaBlocks, RaggedChunksAndOtherTypesAreDeclined) {
  const ggml::BlockLayout& q8 = *ggml::find_block_layout(type::kQ8_0);
  BlockPair pair = make_block_pair(q8, 10, 0.1, 5);
  pair.tuned.pop_back();
  pair.base.pop_back();
  for (TypeId type : {type::kQ8_0, type::kOpaque}) {
    try {
      encode(pair, type);
      FAIL() << "expected kUnsupported for type " << type;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    }
  }
}

TEST(DeltaBlocks, VersionOneHasNoBlockMode) {
  const BlockPair pair = make_block_pair(*ggml::find_block_layout(type::kQ4_K), 20, 0.1, 8);
  auto payload = encode(pair, type::kQ4_K);
  payload[0] = 1;
  std::vector<uint8_t> out(pair.tuned.size());
  EXPECT_THROW(delta_format::decode_delta(payload, pair.base, out), Error);
}

TEST(DeltaBlocks, DamagedPayloadsThrowOrStayInBounds) {
  for (TypeId type : {type::kQ4_K, type::kQ6_K, type::kQ8_0, type::kQ4_0}) {
    const BlockPair pair = make_block_pair(*ggml::find_block_layout(type), 300, 0.05, type);
    test::expect_delta_damage_handled(encode(pair, type), pair.base, pair.tuned.size(), type);
  }
}

}  // namespace
}  // namespace lcl
