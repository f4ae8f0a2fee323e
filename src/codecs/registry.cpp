// The codec registry: one line per codec. Ids are stable (see lcl/codec.hpp); never reuse one.
#include <algorithm>

#include "codecs/codec_list.hpp"
#include "lcl/codec.hpp"

namespace lcl {

namespace {
const std::vector<const Codec*>& registry() {
  static const std::vector<const Codec*> codecs = [] {
    std::vector<const Codec*> list = {
        // clang-format off
        &store_codec(),
        &zstd_codec(),
        &float_codec(),
        &q4k_codec(),
        &q6k_codec(),
        &q8_0_codec(),
        &ggml_block_codec(),
        &segments_codec(),
        &delta_codec(),
        // clang-format on
    };
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
    return list;
  }();
  return codecs;
}
}  // namespace

const Codec* find_codec(CodecId id) {
  for (const Codec* c : registry())
    if (c->id() == id) return c;
  return nullptr;
}

std::vector<const Codec*> all_codecs() {
  return registry();
}

const Codec* specialised_codec_for(TypeId type) {
  for (const Codec* c : registry())
    if (c->id() >= codec_id::kFloat && c->accepts(type)) return c;
  return nullptr;
}

const Codec* specialised_codec_for(TypeId type, uint64_t size) {
  const TypeInfo* info = find_type(type);
  if (!info || info->block_bytes == 0 || size % info->block_bytes != 0) return nullptr;
  return specialised_codec_for(type);
}

}  // namespace lcl
