#pragma once
// Accessors of the codec singletons, one per codec file; registry.cpp lists them.
#include "lcl/codec.hpp"

namespace lcl {

const Codec& store_codec();
const Codec& zstd_codec();
const Codec& float_codec();

}  // namespace lcl
