#pragma once
// zstd (id 1): one zstd frame with its content size.
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& zstd_codec();

}  // namespace lcl
