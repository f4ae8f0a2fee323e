// The delta codec: byte-exact roundtrips of float chunks given their base, references, and
// payloads that are truncated, altered or decoded against the wrong reference.
#include <gtest/gtest.h>

#include <random>

#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_format.hpp"
#include "codecs/delta_damage.hpp"
#include "lcl/codec.hpp"
#include "lcl/error.hpp"
#include "support/finetune_pair.hpp"
#include "util/byte_io.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

using delta_format::decode_delta;
using delta_format::encode_delta;

std::vector<uint8_t> encode(const std::vector<uint8_t>& tuned, const std::vector<uint8_t>& base,
                            TypeId type, ReferenceRange where = {3, 1234, 0}) {
  std::vector<uint8_t> payload;
  where.size = tuned.size();
  encode_delta(tuned, base, where, type, payload);
  return payload;
}

void expect_roundtrip(const std::vector<uint8_t>& tuned, const std::vector<uint8_t>& base,
                      TypeId type) {
  kernels::force_portable(true);
  const auto portable_payload = encode(tuned, base, type);
  kernels::force_portable(false);
  const auto payload = encode(tuned, base, type);
  EXPECT_EQ(payload, portable_payload) << "the AVX2 encoder and the portable one differ";
  // Both decoders: the AVX2 kernel (where the CPU has it) and the portable loop.
  for (bool portable : {false, true}) {
    kernels::force_portable(portable);
    std::vector<uint8_t> decoded(tuned.size(), 0xAB);
    decode_delta(payload, base, decoded);
    EXPECT_EQ(decoded, tuned) << (portable ? "portable" : "kernel");
  }
  kernels::force_portable(false);
  const ReferenceRange where = delta_format::read_reference(payload, tuned.size());
  EXPECT_EQ(where.file, 3u);
  EXPECT_EQ(where.offset, 1234u);
  EXPECT_EQ(where.size, tuned.size());
}

struct Case {
  TypeId type;
  int bytes;
  bool fp16;
};
const Case kCases[] = {{type::kBF16, 2, false}, {type::kF16, 2, true}, {type::kF32, 4, false}};

TEST(DeltaCodec, RoundtripsEveryFloatTypeAndSize) {
  for (const Case& c : kCases)
    for (size_t n :
         {size_t{0}, size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{1000}, size_t{100000}}) {
      SCOPED_TRACE(type_name(c.type) + " n=" + std::to_string(n));
      const auto pair = test::make_float_pair(n, c.bytes, c.fp16, n + 7);
      expect_roundtrip(pair.tuned, pair.base, c.type);
    }
}

TEST(DeltaCodec, RaggedTailIsKept) {
  auto pair = test::make_float_pair(1000, 4, false, 5);
  for (size_t extra = 1; extra < 4; ++extra) {
    auto tuned = pair.tuned, base = pair.base;
    for (size_t i = 0; i < extra; ++i) {
      tuned.push_back(static_cast<uint8_t>(i + 1));
      base.push_back(static_cast<uint8_t>(i + 9));
    }
    expect_roundtrip(tuned, base, type::kF32);
  }
}

TEST(DeltaCodec, EveryMoveOfAWordRoundtrips) {
  // Every (base, tuned) combination of a few base words with all 65536 tuned words: every
  // symbol, bucket width and raw-bit count of 16-bit elements, and wrap-around of the difference.
  for (uint32_t base_word : {0x0000u, 0x8000u, 0x3c00u, 0xbc00u, 0x7f80u, 0xffffu}) {
    std::vector<uint8_t> base, tuned;
    for (uint32_t v = 0; v < 65536; ++v) {
      base.push_back(static_cast<uint8_t>(base_word));
      base.push_back(static_cast<uint8_t>(base_word >> 8));
      tuned.push_back(static_cast<uint8_t>(v));
      tuned.push_back(static_cast<uint8_t>(v >> 8));
    }
    expect_roundtrip(tuned, base, type::kBF16);
  }
  std::mt19937_64 rng(11);
  std::vector<uint8_t> base(4 * 50000), tuned(4 * 50000);
  for (auto& b : base) b = static_cast<uint8_t>(rng());
  for (auto& b : tuned) b = static_cast<uint8_t>(rng());
  expect_roundtrip(tuned, base, type::kF32);  // unrelated words: every 32-bit bucket
}

TEST(DeltaCodec, LargeMovesAnywhereInTheVectorPass) {
  // Small moves with a large one (raw bits) every few elements, at every position of the symbol
  // pass's 16-element vectors, and lengths around them: the vectors and the scalar loop that
  // takes over at a large move must write the same symbols, raw bits and counts.
  std::mt19937_64 rng(21);
  for (size_t n : {size_t{15}, size_t{16}, size_t{17}, size_t{47}, size_t{1007}, size_t{20003}})
    for (uint32_t every : {3u, 16u, 50u, 1000u}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " every=" + std::to_string(every));
      std::vector<uint8_t> base(2 * n), tuned(2 * n);
      for (size_t i = 0; i < n; ++i) {
        const auto b = static_cast<uint16_t>(0x3c00 + rng() % 0x0800) ^ (rng() % 2 ? 0x8000 : 0);
        const uint32_t move = rng() % every == 0 ? 200 + rng() % 3000 : rng() % 5;
        const auto v = static_cast<uint16_t>(rng() % 2 ? b + move : b - move);
        store_u16le(&base[2 * i], b);
        store_u16le(&tuned[2 * i], v);
      }
      expect_roundtrip(tuned, base, type::kBF16);
      expect_roundtrip(tuned, base, type::kF16);
    }
}

TEST(DeltaCodec, BaseExponentsOfEveryRangeRoundtrip) {
  // bf16 bases whose exponents span the whole field (more contexts with tables than the kernel's
  // 32-entry register map holds) or a narrow band (the map), over several of the kernel's blocks,
  // with large moves mixed in.
  std::mt19937_64 rng(31);
  for (uint32_t exponent_span : {256u, 20u})
    for (size_t n : {size_t{4099}, size_t{70001}}) {
      SCOPED_TRACE("span=" + std::to_string(exponent_span) + " n=" + std::to_string(n));
      std::vector<uint8_t> base(2 * n), tuned(2 * n);
      for (size_t i = 0; i < n; ++i) {
        const uint32_t exponent = (100 + rng() % exponent_span) & 0xFF;
        const auto b = static_cast<uint16_t>(exponent << 7 | rng() % 128 | (rng() % 2) << 15);
        const uint32_t move = rng() % 40 == 0 ? 100 + rng() % 5000 : rng() % 7;
        const auto v = static_cast<uint16_t>(rng() % 2 ? b + move : b - move);
        store_u16le(&base[2 * i], b);
        store_u16le(&tuned[2 * i], v);
      }
      expect_roundtrip(tuned, base, type::kBF16);
    }
}

TEST(DeltaCodec, IdenticalBytesCostAFewBytesForAnyType) {
  const auto pair = test::make_float_pair(50000, 2, false, 3);
  for (TypeId type : {type::kBF16, type::kQ4_K, type::kOpaque}) {
    const auto payload = encode(pair.base, pair.base, type);
    EXPECT_LE(payload.size(), 8u);
    std::vector<uint8_t> decoded(pair.base.size());
    decode_delta(payload, pair.base, decoded);
    EXPECT_EQ(decoded, pair.base);
  }
}

TEST(DeltaCodec, DeclinesDifferingBytesOfOtherTypes) {
  const auto pair = test::make_float_pair(1000, 2, false, 3);
  try {
    encode(pair.tuned, pair.base, type::kOpaque);  // ggml blocks: delta_blocks_test.cpp
    FAIL() << "expected kUnsupported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

TEST(DeltaCodec, SmallMovesCodeFarBelowTheWordSize) {
  // Moves of a few units in the last place cost a few bits, whatever the weights themselves.
  const auto pair = test::make_float_pair(1 << 18, 2, false, 9);
  const auto payload = encode(pair.tuned, pair.base, type::kBF16);
  const double bits_per_weight = 8.0 * static_cast<double>(payload.size()) / (1 << 18);
  EXPECT_LT(bits_per_weight, 4.0);
}

// The table precision a float payload declares (after its header, tail, K and M).
uint32_t declared_precision(const std::vector<uint8_t>& payload) {
  ByteReader in(payload, "delta payload");
  in.u8();      // version
  in.u8();      // mode
  in.varint();  // reference file
  in.varint();  // reference offset
  in.u8();      // float kind
  in.varint();  // element count
  in.bytes(in.varint());
  in.u8();  // K
  in.u8();  // M
  return in.u8();
}

// bf16 pairs whose moves (in units in the last place) follow `move`.
template <class Move>
test::FloatPair bf16_pair_with_moves(size_t n, uint64_t seed, Move move) {
  std::mt19937_64 rng(seed);
  test::FloatPair pair;
  pair.base.resize(2 * n);
  pair.tuned.resize(2 * n);
  for (size_t i = 0; i < n; ++i) {
    // Positive weights in [2^-8, 2^-5): ordered codes are the words themselves.
    const auto b = static_cast<uint16_t>(0x3B80 + rng() % 0x180);
    const auto t = static_cast<uint16_t>(b + move(rng));
    store_u16le(&pair.base[2 * i], b);
    store_u16le(&pair.tuned[2 * i], t);
  }
  return pair;
}

TEST(DeltaCodec, TablePrecisionIsTheCoarsestThatCostsLittle) {
  // Moves of a few units: 10-bit tables lose almost nothing.
  const auto narrow = bf16_pair_with_moves(
      1 << 16, 3, [](std::mt19937_64& rng) { return static_cast<int>(rng() % 5) - 2; });
  EXPECT_EQ(declared_precision(encode(narrow.tuned, narrow.base, type::kBF16)), 10u);
  expect_roundtrip(narrow.tuned, narrow.base, type::kBF16);
  // 99.3% still, the rest spread over sixty moves: a rare move would be charged a quarter of a
  // slot's worth of probability at 11 bits (four times too much), so the tables keep 12.
  const auto spread = bf16_pair_with_moves(1 << 16, 4, [](std::mt19937_64& rng) {
    return rng() % 1000 < 993 ? 0 : 1 + static_cast<int>(rng() % 60);
  });
  EXPECT_EQ(declared_precision(encode(spread.tuned, spread.base, type::kBF16)), 12u);
  expect_roundtrip(spread.tuned, spread.base, type::kBF16);
}

TEST(DeltaCodec, RegisteredAsId12AndNeedsItsReference) {
  const Codec* codec = find_codec(codec_id::kDelta);
  ASSERT_NE(codec, nullptr);
  EXPECT_EQ(codec->name(), "delta");
  EXPECT_FALSE(codec->accepts(type::kBF16));  // never routed by type alone
  const auto pair = test::make_float_pair(1000, 2, false, 3);
  const auto payload = encode(pair.tuned, pair.base, type::kBF16);
  std::vector<uint8_t> out(pair.tuned.size());
  EXPECT_THROW(codec->decode(payload, out), Error);
  ASSERT_TRUE(codec->reference(payload, out.size()).has_value());
  codec->decode_with_reference(payload, pair.base, out);
  EXPECT_EQ(out, pair.tuned);
}

TEST(DeltaCodec, WrongOrShortReferenceNeverCrashes) {
  const auto pair = test::make_float_pair(5000, 2, false, 4);
  const auto payload = encode(pair.tuned, pair.base, type::kBF16);
  std::vector<uint8_t> out(pair.tuned.size());
  auto other = test::make_float_pair(5000, 2, false, 99).base;
  decode_delta(payload, other, out);  // decodes to other bytes: the container's checksum fails
  EXPECT_NE(out, pair.tuned);
  std::vector<uint8_t> shorter(pair.base.begin(), pair.base.end() - 2);
  EXPECT_THROW(decode_delta(payload, shorter, out), Error);
}

TEST(DeltaCodec, TruncatedOrAlteredPayloadsThrowOrStayInBounds) {
  for (const Case& c : kCases) {
    const auto pair = test::make_float_pair(3000, c.bytes, c.fp16, 21);
    test::expect_delta_damage_handled(encode(pair.tuned, pair.base, c.type), pair.base,
                                      pair.tuned.size(), static_cast<uint64_t>(c.bytes));
  }
}

}  // namespace
}  // namespace lcl
