#include <gtest/gtest.h>

#include <tuple>

#include <set>

#include "lcl/types.hpp"

namespace lcl {
namespace {

struct Expected {
  TypeId id;
  uint32_t block_elements;
  uint32_t block_bytes;
};

TEST(Types, BlockSizesFollowGgml) {
  // (elements, bytes) of ggml's block structs.
  const Expected cases[] = {
      {type::kF32, 1, 4},
      {type::kF16, 1, 2},
      {type::kQ4_0, 32, 18},
      {type::kQ4_1, 32, 20},
      {type::kQ5_0, 32, 22},
      {type::kQ5_1, 32, 24},
      {type::kQ8_0, 32, 34},
      {type::kQ2_K, 256, 84},
      {type::kQ3_K, 256, 110},
      {type::kQ4_K, 256, 144},
      {type::kQ5_K, 256, 176},
      {type::kQ6_K, 256, 210},
      {type::kQ8_K, 256, 292},
      {16, 256, 66},
      {17, 256, 74},
      {18, 256, 98},
      {19, 256, 50},
      {20, 32, 18},
      {21, 256, 110},
      {22, 256, 82},
      {23, 256, 136},
      {type::kI8, 1, 1},
      {type::kI16, 1, 2},
      {type::kI32, 1, 4},
      {type::kI64, 1, 8},
      {type::kF64, 1, 8},
      {29, 256, 56},
      {type::kBF16, 1, 2},
      {34, 256, 54},
      {35, 256, 66},
      {39, 32, 17},
  };
  for (const Expected& e : cases) {
    const TypeInfo* info = find_type(e.id);
    ASSERT_NE(info, nullptr) << e.id;
    EXPECT_EQ(info->id, e.id);
    EXPECT_EQ(info->block_elements, e.block_elements) << info->name;
    EXPECT_EQ(info->block_bytes, e.block_bytes) << info->name;
  }
}

TEST(Types, UncertainAndUnknownIdsAreAbsent) {
  // Q8_1, NVFP4 and Q1_0 by ggml's block structs; Q2_0 (42) has two layouts in the wild.
  for (auto [id, elements, bytes] :
       {std::tuple{type::kQ8_1, 32u, 36u}, std::tuple{40u, 64u, 36u}, std::tuple{41u, 128u, 18u}}) {
    const TypeInfo* info = find_type(id);
    ASSERT_NE(info, nullptr) << id;
    EXPECT_EQ(info->block_elements, elements);
    EXPECT_EQ(info->block_bytes, bytes);
  }
  for (TypeId id : {4u, 5u, 31u, 36u, 42u, 77u, 0x0fffu, type::kOpaque})
    EXPECT_EQ(find_type(id), nullptr);
  EXPECT_EQ(type_name(77), "ggml_type_77");
  EXPECT_EQ(type_name(type::kQ4_K), "q4_K");
  EXPECT_EQ(type_name(type::kBF16), "BF16");
}

TEST(Types, SafetensorsDtypesMapOntoSharedIds) {
  EXPECT_EQ(type_from_safetensors_dtype("BF16"), type::kBF16);
  EXPECT_EQ(type_from_safetensors_dtype("F32"), type::kF32);
  EXPECT_EQ(type_from_safetensors_dtype("I64"), type::kI64);
  EXPECT_EQ(type_from_safetensors_dtype("BOOL"), type::kBool);
  EXPECT_EQ(type_from_safetensors_dtype("F8_E4M3"), type::kF8_E4M3);
  EXPECT_EQ(type_from_safetensors_dtype("bf16"), std::nullopt);
  EXPECT_EQ(type_from_safetensors_dtype("F4"), std::nullopt);
  for (const char* dtype : {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32",
                            "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}) {
    auto id = type_from_safetensors_dtype(dtype);
    ASSERT_TRUE(id.has_value()) << dtype;
    ASSERT_NE(find_type(*id), nullptr) << dtype;
    EXPECT_EQ(find_type(*id)->block_elements, 1u);
    EXPECT_EQ(type_name(*id), dtype);
  }
}

}  // namespace
}  // namespace lcl
