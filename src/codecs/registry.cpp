// The codec registry: the table below is the only list of codecs. Ids are stable (an id, once
// released, never changes meaning); never reuse one.
#include "codecs/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "codecs/copy/copy_codec.hpp"
#include "codecs/delta/delta_codec.hpp"
#include "codecs/fields/quant_fields.hpp"
#include "codecs/float/float_codec.hpp"
#include "codecs/fp8/fp8_codec.hpp"
#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "codecs/mxfp4/mxfp4_codec.hpp"
#include "codecs/q3k/q3k_codec.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q5k/q5k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "codecs/store/store_codec.hpp"
#include "codecs/zstd/zstd_codec.hpp"

namespace lcl {

namespace {

constexpr std::span<const uint8_t> kUnversioned;
constexpr std::span<const uint8_t> kNoFields;
constexpr std::span<const uint8_t> kFields = quant::kFieldModes;

// clang-format off
constexpr CodecEntry kCodecs[] = {
    {0, "store",       &store_codec,      kUnversioned,       kNoFields},
    {1, "zstd",        &zstd_codec,       kUnversioned,       kNoFields},
    {2, "float",       &float_codec,      kFloatVersions,     kNoFields},
    {3, "q4k",         &q4k_codec,        kQ4KVersions,       kFields},
    {4, "q6k",         &q6k_codec,        kQ6KVersions,       kFields},
    {5, "q8_0",        &q8_0_codec,       kQ8_0Versions,      kFields},
    {6, "ggml-blocks", &ggml_block_codec, kGgmlBlockVersions, kFields},
    {7, "segments",    &segments_codec,   kSegmentsVersions,  kNoFields},
    {8, "q5k",         &q5k_codec,        kQ5KVersions,       kFields},
    {9, "q3k",         &q3k_codec,        kQ3KVersions,       kFields},
    {10, "mxfp4",      &mxfp4_codec,      kMXFP4Versions,     kFields},
    {11, "fp8",        &fp8_codec,        kFp8Versions,       kNoFields},
    {12, "delta",      &delta_codec,      kDeltaVersions,     kNoFields},
    {13, "copy",       &copy_codec,       kCopyVersions,      kNoFields},
};
// clang-format on

constexpr bool ids_increase() {
  for (size_t i = 1; i < std::size(kCodecs); ++i)
    if (kCodecs[i].id <= kCodecs[i - 1].id) return false;
  return true;
}
static_assert(ids_increase(), "registry rows in increasing id order, each id once");

constexpr CodecId id_of(std::string_view name) {
  for (const CodecEntry& e : kCodecs)
    if (e.name == name) return e.id;
  return 0xFFFF;
}
// The ids the container, the planner and the chunk encoder name (lcl/codec.hpp).
static_assert(id_of("store") == codec_id::kStore && id_of("zstd") == codec_id::kZstd &&
              id_of("float") == codec_id::kFloat && id_of("segments") == codec_id::kSegments &&
              id_of("delta") == codec_id::kDelta && id_of("copy") == codec_id::kCopy);

const CodecEntry& entry_of(const Codec* codec) {
  for (const CodecEntry& e : kCodecs)
    if (&e.codec() == codec) return e;
  throw std::logic_error("a codec object that is not in the registry table");
}

}  // namespace

CodecId Codec::id() const {
  return entry_of(this).id;
}

std::string_view Codec::name() const {
  return entry_of(this).name;
}

std::span<const CodecEntry> codec_table() {
  return kCodecs;
}

const CodecEntry* find_codec_entry(CodecId id) {
  for (const CodecEntry& e : kCodecs)
    if (e.id == id) return &e;
  return nullptr;
}

const Codec* find_codec(CodecId id) {
  const CodecEntry* e = find_codec_entry(id);
  return e ? &e->codec() : nullptr;
}

const Codec* find_codec_named(std::string_view name) {
  for (const CodecEntry& e : kCodecs)
    if (e.name == name) return &e.codec();
  return nullptr;
}

std::vector<const Codec*> all_codecs() {
  std::vector<const Codec*> list;
  for (const CodecEntry& e : kCodecs) list.push_back(&e.codec());
  return list;
}

const Codec* specialised_codec_for(TypeId type) {
  for (const CodecEntry& e : kCodecs)
    if (e.id >= codec_id::kFloat && e.codec().accepts(type)) return &e.codec();
  return nullptr;
}

const Codec* specialised_codec_for(TypeId type, uint64_t size) {
  const TypeInfo* info = find_type(type);
  if (!info || info->block_bytes == 0 || size % info->block_bytes != 0) return nullptr;
  return specialised_codec_for(type);
}

}  // namespace lcl
