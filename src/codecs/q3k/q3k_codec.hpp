#pragma once
// The Q3_K codec (id 9).
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& q3k_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, q3k).
inline constexpr uint8_t kQ3KVersions[] = {1};

}  // namespace lcl
