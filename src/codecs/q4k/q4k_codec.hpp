#pragma once
// The Q4_K codec (id 3).
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& q4k_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, q4k); the encoder writes the last.
inline constexpr uint8_t kQ4KVersions[] = {2, 3, 4};
// Encodes whole Q4_K blocks as payload `version` (one of kQ4KVersions): the golden archives of
// the older versions are written with it.
void encode_q4k(std::span<const uint8_t> input, uint8_t version, std::vector<uint8_t>& out,
                Workspace& workspace);

}  // namespace lcl
