#pragma once
// The delta codec (id 12): a chunk given the same bytes of a base model (delta_format.hpp).
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& delta_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, delta).
inline constexpr uint8_t kDeltaVersions[] = {1, 2};

}  // namespace lcl
