#pragma once
// store (id 0): the payload is the chunk's bytes.
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& store_codec();

}  // namespace lcl
