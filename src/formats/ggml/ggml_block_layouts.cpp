#include "formats/ggml/ggml_block_layouts.hpp"

namespace lcl::ggml {
namespace {

using K = FieldKind;

constexpr BlockField kQ4_0[] = {{0, 2, K::kHalf}, {2, 16, K::kNibbles}};
constexpr BlockField kQ4_1[] = {{0, 2, K::kHalf}, {2, 2, K::kHalf}, {4, 16, K::kNibbles}};
constexpr BlockField kQ5_0[] = {{0, 2, K::kHalf}, {2, 4, K::kBytes}, {6, 16, K::kNibbles}};
constexpr BlockField kQ5_1[] = {
    {0, 2, K::kHalf}, {2, 2, K::kHalf}, {4, 4, K::kBytes}, {8, 16, K::kNibbles}};
constexpr BlockField kQ8_0[] = {{0, 2, K::kHalf}, {2, 32, K::kBytes}};
constexpr BlockField kQ8_1[] = {{0, 2, K::kHalf}, {2, 2, K::kHalf}, {4, 32, K::kBytes}};
// Q2_K: scales[16] (scale and min nibbles), qs[64], d, dmin.
constexpr BlockField kQ2_K[] = {
    {0, 16, K::kNibbles}, {16, 64, K::kBytes}, {80, 2, K::kHalf}, {82, 2, K::kHalf}};
// Q3_K: hmask[32], qs[64], scales[12], d.
constexpr BlockField kQ3_K[] = {
    {0, 32, K::kBytes}, {32, 64, K::kBytes}, {96, 12, K::kBytes}, {108, 2, K::kHalf}};
// Q4_K: d, dmin, scales[12], qs[128].
constexpr BlockField kQ4_K[] = {
    {0, 2, K::kHalf}, {2, 2, K::kHalf}, {4, 12, K::kBytes}, {16, 128, K::kNibbles}};
// Q5_K: d, dmin, scales[12], qh[32], qs[128].
constexpr BlockField kQ5_K[] = {{0, 2, K::kHalf},
                                {2, 2, K::kHalf},
                                {4, 12, K::kBytes},
                                {16, 32, K::kBytes},
                                {48, 128, K::kNibbles}};
// Q6_K: ql[128] (low nibbles), qh[64], scales[16], d.
constexpr BlockField kQ6_K[] = {
    {0, 128, K::kNibbles}, {128, 64, K::kBytes}, {192, 16, K::kBytes}, {208, 2, K::kHalf}};
// Q8_K: f32 d, qs[256], i16 bsums[16].
constexpr BlockField kQ8_K[] = {{0, 4, K::kBytes}, {4, 256, K::kBytes}, {260, 32, K::kBytes}};
// IQ2_XXS: d, u16 qs[32].
constexpr BlockField kIQ2_XXS[] = {{0, 2, K::kHalf}, {2, 64, K::kBytes}};
// IQ2_XS: d, u16 qs[32], scales[8].
constexpr BlockField kIQ2_XS[] = {{0, 2, K::kHalf}, {2, 64, K::kBytes}, {66, 8, K::kNibbles}};
// IQ3_XXS: d, qs[96].
constexpr BlockField kIQ3_XXS[] = {{0, 2, K::kHalf}, {2, 96, K::kBytes}};
// IQ1_S: d, qs[32], u16 qh[8].
constexpr BlockField kIQ1_S[] = {{0, 2, K::kHalf}, {2, 32, K::kBytes}, {34, 16, K::kBytes}};
// IQ4_NL: d, qs[16].
constexpr BlockField kIQ4_NL[] = {{0, 2, K::kHalf}, {2, 16, K::kNibbles}};
// IQ3_S: d, qs[64], qh[8], signs[32], scales[4].
constexpr BlockField kIQ3_S[] = {{0, 2, K::kHalf},
                                 {2, 64, K::kBytes},
                                 {66, 8, K::kBytes},
                                 {74, 32, K::kBytes},
                                 {106, 4, K::kNibbles}};
// IQ2_S: d, qs[64], qh[8], scales[8].
constexpr BlockField kIQ2_S[] = {
    {0, 2, K::kHalf}, {2, 64, K::kBytes}, {66, 8, K::kBytes}, {74, 8, K::kNibbles}};
// IQ4_XS: d, u16 scales_h, scales_l[4], qs[128].
constexpr BlockField kIQ4_XS[] = {
    {0, 2, K::kHalf}, {2, 2, K::kBytes}, {4, 4, K::kNibbles}, {8, 128, K::kNibbles}};
// IQ1_M: qs[32], qh[16], scales[8].
constexpr BlockField kIQ1_M[] = {{0, 32, K::kBytes}, {32, 16, K::kBytes}, {48, 8, K::kBytes}};
// TQ1_0: qs[48], qh[4], d.
constexpr BlockField kTQ1_0[] = {{0, 48, K::kBytes}, {48, 4, K::kBytes}, {52, 2, K::kHalf}};
// TQ2_0: qs[64], d.
constexpr BlockField kTQ2_0[] = {{0, 64, K::kBytes}, {64, 2, K::kHalf}};
// MXFP4: e8m0 exponent, qs[16] (4-bit e2m1 values).
constexpr BlockField kMXFP4[] = {{0, 1, K::kBytes}, {1, 16, K::kNibbles}};

constexpr BlockLayout kLayouts[] = {
    {type::kQ4_0, 32, 18, kQ4_0},   {type::kQ4_1, 32, 20, kQ4_1},   {type::kQ5_0, 32, 22, kQ5_0},
    {type::kQ5_1, 32, 24, kQ5_1},   {type::kQ8_0, 32, 34, kQ8_0},   {type::kQ8_1, 32, 36, kQ8_1},
    {type::kQ2_K, 256, 84, kQ2_K},  {type::kQ3_K, 256, 110, kQ3_K}, {type::kQ4_K, 256, 144, kQ4_K},
    {type::kQ5_K, 256, 176, kQ5_K}, {type::kQ6_K, 256, 210, kQ6_K}, {type::kQ8_K, 256, 292, kQ8_K},
    {16, 256, 66, kIQ2_XXS},        {17, 256, 74, kIQ2_XS},         {18, 256, 98, kIQ3_XXS},
    {19, 256, 50, kIQ1_S},          {20, 32, 18, kIQ4_NL},          {21, 256, 110, kIQ3_S},
    {22, 256, 82, kIQ2_S},          {23, 256, 136, kIQ4_XS},        {29, 256, 56, kIQ1_M},
    {34, 256, 54, kTQ1_0},          {35, 256, 66, kTQ2_0},          {39, 32, 17, kMXFP4},
};

}  // namespace

const BlockLayout* find_block_layout(TypeId type) {
  for (const BlockLayout& layout : kLayouts)
    if (layout.type == type) return &layout;
  return nullptr;
}

std::span<const BlockLayout> all_block_layouts() {
  return kLayouts;
}

}  // namespace lcl::ggml
