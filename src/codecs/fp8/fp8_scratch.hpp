#pragma once
// The fp8 codec's decoder tables, kept by a workspace (lcl/workspace.hpp) from chunk to chunk.
#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/rans_tables.hpp"

namespace lcl::fp8_format {

struct Fp8DecodeScratch {
  entropy::DecoderTable decoder;
  PackedSlots packed;  // the decoder's table packed for the AVX2 kernel
};

}  // namespace lcl::fp8_format
