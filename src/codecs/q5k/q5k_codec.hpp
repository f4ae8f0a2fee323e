#pragma once
// The Q5_K codec (id 8).
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& q5k_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, q5k).
inline constexpr uint8_t kQ5KVersions[] = {1};

}  // namespace lcl
