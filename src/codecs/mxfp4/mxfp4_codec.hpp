#pragma once
// The MXFP4 (ggml type 39) codec (id 10).
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& mxfp4_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, mxfp4).
inline constexpr uint8_t kMXFP4Versions[] = {1};

}  // namespace lcl
