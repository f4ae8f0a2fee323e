// The element-type table. Block sizes of the ggml types follow ggml's block structs
// (ggml-common.h): Q8_1 is {f16 d, f16 s, int8 qs[32]}, 36 bytes per 32 values; NVFP4 (40) is
// {u8 d[4], u8 qs[32]}, 36 bytes per 64; Q1_0 (41) is {f16 d, u8 qs[16]}, 18 bytes per 128.
// Q2_0 (42) is left unknown: files carry id 42 with two layouts (ggml's 64 values in 18 bytes and
// a fork's 128 in 34). A tensor of unknown type, or one whose size by our table would run into
// the next tensor, is carried as opaque bytes up to that tensor (see gguf.cpp), so a table entry
// that disagrees with a file costs that tensor's layout, never the file's.
#include <array>

#include "lcl/types.hpp"

namespace lcl {
namespace {

// Plain numeric types shared by ggml and safetensors carry safetensors' upper-case names ("BF16");
// quantized ggml types carry ggml's names ("q4_K").
constexpr std::array kTypes = {
    TypeInfo{type::kF32, "F32", 1, 4, true},
    TypeInfo{type::kF16, "F16", 1, 2, true},
    TypeInfo{type::kQ4_0, "q4_0", 32, 18, false},
    TypeInfo{type::kQ4_1, "q4_1", 32, 20, false},
    TypeInfo{type::kQ5_0, "q5_0", 32, 22, false},
    TypeInfo{type::kQ5_1, "q5_1", 32, 24, false},
    TypeInfo{type::kQ8_0, "q8_0", 32, 34, false},
    TypeInfo{type::kQ8_1, "q8_1", 32, 36, false},
    TypeInfo{type::kQ2_K, "q2_K", 256, 84, false},
    TypeInfo{type::kQ3_K, "q3_K", 256, 110, false},
    TypeInfo{type::kQ4_K, "q4_K", 256, 144, false},
    TypeInfo{type::kQ5_K, "q5_K", 256, 176, false},
    TypeInfo{type::kQ6_K, "q6_K", 256, 210, false},
    TypeInfo{type::kQ8_K, "q8_K", 256, 292, false},
    TypeInfo{16, "iq2_xxs", 256, 66, false},
    TypeInfo{17, "iq2_xs", 256, 74, false},
    TypeInfo{18, "iq3_xxs", 256, 98, false},
    TypeInfo{19, "iq1_s", 256, 50, false},
    TypeInfo{20, "iq4_nl", 32, 18, false},
    TypeInfo{21, "iq3_s", 256, 110, false},
    TypeInfo{22, "iq2_s", 256, 82, false},
    TypeInfo{23, "iq4_xs", 256, 136, false},
    TypeInfo{type::kI8, "I8", 1, 1, false},
    TypeInfo{type::kI16, "I16", 1, 2, false},
    TypeInfo{type::kI32, "I32", 1, 4, false},
    TypeInfo{type::kI64, "I64", 1, 8, false},
    TypeInfo{type::kF64, "F64", 1, 8, true},
    TypeInfo{29, "iq1_m", 256, 56, false},
    TypeInfo{type::kBF16, "BF16", 1, 2, true},
    TypeInfo{34, "tq1_0", 256, 54, false},
    TypeInfo{35, "tq2_0", 256, 66, false},
    TypeInfo{39, "mxfp4", 32, 17, false},
    TypeInfo{40, "nvfp4", 64, 36, false},
    TypeInfo{41, "q1_0", 128, 18, false},
    TypeInfo{type::kU8, "U8", 1, 1, false},
    TypeInfo{type::kU16, "U16", 1, 2, false},
    TypeInfo{type::kU32, "U32", 1, 4, false},
    TypeInfo{type::kU64, "U64", 1, 8, false},
    TypeInfo{type::kBool, "BOOL", 1, 1, false},
    TypeInfo{type::kF8_E4M3, "F8_E4M3", 1, 1, true},
    TypeInfo{type::kF8_E5M2, "F8_E5M2", 1, 1, true},
};

// safetensors dtype strings; each maps to the id that ggml uses where ggml has the type.
struct DtypeName {
  std::string_view dtype;
  TypeId id;
};
constexpr std::array kSafetensorsDtypes = {
    DtypeName{"F64", type::kF64},         DtypeName{"F32", type::kF32},
    DtypeName{"F16", type::kF16},         DtypeName{"BF16", type::kBF16},
    DtypeName{"I64", type::kI64},         DtypeName{"I32", type::kI32},
    DtypeName{"I16", type::kI16},         DtypeName{"I8", type::kI8},
    DtypeName{"U64", type::kU64},         DtypeName{"U32", type::kU32},
    DtypeName{"U16", type::kU16},         DtypeName{"U8", type::kU8},
    DtypeName{"BOOL", type::kBool},       DtypeName{"F8_E4M3", type::kF8_E4M3},
    DtypeName{"F8_E5M2", type::kF8_E5M2},
};

}  // namespace

const TypeInfo* find_type(TypeId id) {
  for (const TypeInfo& info : kTypes) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

std::optional<TypeId> type_from_safetensors_dtype(std::string_view dtype) {
  for (const DtypeName& entry : kSafetensorsDtypes) {
    if (entry.dtype == dtype) return entry.id;
  }
  return std::nullopt;
}

std::string type_name(TypeId id) {
  if (const TypeInfo* info = find_type(id)) return std::string(info->name);
  if (id == type::kOpaque) return "opaque";
  return "ggml_type_" + std::to_string(id);
}

}  // namespace lcl
