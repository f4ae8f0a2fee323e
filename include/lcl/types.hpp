#pragma once
// One namespace of element types for every format. ggml types keep ggml's own enum values
// (0..0x0fff) so GGUF files need no mapping; safetensors dtypes that ggml also has map onto those
// ids (F32 = 0, F16 = 1, BF16 = 30, ...); dtypes only safetensors has live at 0x1000 and up.
// These ids are written into .lcl files and never change meaning.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lcl {

using TypeId = uint32_t;

namespace type {
inline constexpr TypeId kF32 = 0;
inline constexpr TypeId kF16 = 1;
inline constexpr TypeId kQ4_0 = 2;
inline constexpr TypeId kQ4_1 = 3;
inline constexpr TypeId kQ5_0 = 6;
inline constexpr TypeId kQ5_1 = 7;
inline constexpr TypeId kQ8_0 = 8;
inline constexpr TypeId kQ8_1 = 9;
inline constexpr TypeId kQ2_K = 10;
inline constexpr TypeId kQ3_K = 11;
inline constexpr TypeId kQ4_K = 12;
inline constexpr TypeId kQ5_K = 13;
inline constexpr TypeId kQ6_K = 14;
inline constexpr TypeId kQ8_K = 15;
inline constexpr TypeId kI8 = 24;
inline constexpr TypeId kI16 = 25;
inline constexpr TypeId kI32 = 26;
inline constexpr TypeId kI64 = 27;
inline constexpr TypeId kF64 = 28;
inline constexpr TypeId kBF16 = 30;
inline constexpr TypeId kMXFP4 = 39;  // e8m0 exponent byte + 32 e2m1 codes
// dtypes that only safetensors has
inline constexpr TypeId kU8 = 0x1000;
inline constexpr TypeId kU16 = 0x1001;
inline constexpr TypeId kU32 = 0x1002;
inline constexpr TypeId kU64 = 0x1003;
inline constexpr TypeId kBool = 0x1004;
inline constexpr TypeId kF8_E4M3 = 0x1005;
inline constexpr TypeId kF8_E5M2 = 0x1006;
// bytes of unknown meaning (an unknown ggml type id, a region that is not a tensor)
inline constexpr TypeId kOpaque = 0xffffffff;
}  // namespace type

struct TypeInfo {
  TypeId id;
  std::string_view name;    // ggml's name for ggml types ("q4_K"), safetensors' otherwise ("BF16")
  uint32_t block_elements;  // elements per block (1 for plain element types)
  uint32_t block_bytes;     // bytes per block
  bool is_float;            // plain IEEE-like float element (F32, F16, BF16, F64, F8)
};

// nullptr for ids this version does not know; data of such types is carried as opaque bytes.
const TypeInfo* find_type(TypeId id);
// The safetensors dtype string ("BF16", "F32", ...) -> type; nullopt when unknown.
std::optional<TypeId> type_from_safetensors_dtype(std::string_view dtype);
// A printable name for any id, known or not ("BF16", "q4_K", "ggml_type_77").
std::string type_name(TypeId id);

}  // namespace lcl
