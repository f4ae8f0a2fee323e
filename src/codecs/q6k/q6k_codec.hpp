#pragma once
// The Q6_K codec (id 4).
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& q6k_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, q6k); the encoder writes the last.
inline constexpr uint8_t kQ6KVersions[] = {2, 3};
// Encodes whole Q6_K blocks as payload `version` (one of kQ6KVersions): the golden archives of
// the older versions are written with it.
void encode_q6k(std::span<const uint8_t> input, uint8_t version, std::vector<uint8_t>& out,
                Workspace& workspace);

}  // namespace lcl
