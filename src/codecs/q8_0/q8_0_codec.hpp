#pragma once
// The Q8_0 codec (id 5).
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& q8_0_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, q8_0).
inline constexpr uint8_t kQ8_0Versions[] = {2};

}  // namespace lcl
