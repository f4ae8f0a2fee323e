#pragma once
// The ggml-blocks codec (id 6): the ggml block types without a codec of their own.
#include <cstdint>
#include <span>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& ggml_block_codec();
// The block type a ggml-blocks payload names; throws kCorruptInput where it names none.
TypeId ggml_block_type(std::span<const uint8_t> payload);
// Payload versions the decoder accepts (docs/FORMAT.md, ggml-blocks).
inline constexpr uint8_t kGgmlBlockVersions[] = {2};

}  // namespace lcl
