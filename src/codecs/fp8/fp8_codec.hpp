#pragma once
// The fp8 codec (id 11): F8_E4M3 and F8_E5M2 chunks.
#include <cstdint>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& fp8_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, fp8).
inline constexpr uint8_t kFp8Versions[] = {1, 2};

}  // namespace lcl
