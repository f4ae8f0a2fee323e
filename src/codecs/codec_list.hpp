#pragma once
// Accessors of the codec singletons, one per codec file; registry.cpp lists them.
#include "lcl/codec.hpp"

namespace lcl {

const Codec& store_codec();
const Codec& zstd_codec();
const Codec& float_codec();
const Codec& q4k_codec();
const Codec& q6k_codec();
const Codec& q8_0_codec();
const Codec& ggml_block_codec();
const Codec& segments_codec();

}  // namespace lcl
