#pragma once
// The float codec (id 2): BF16, F16 and F32 chunks.
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& float_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, float).
inline constexpr uint8_t kFloatVersions[] = {2, 3, 4, 5};

}  // namespace lcl
