#pragma once
// The reference's GGUF methods as benchmark baselines, so they run in the same process on the
// same bytes as our codecs:
// - "perstream_zstd19_bg": each quantized block type split into streams (block header bytes
//   byte-grouped: all first bytes, then all second bytes, ...; the quant bytes as one stream),
//   every stream compressed with zstd -19.
// - "qb_mixture_k4": Q4_K nibbles coded with a mixture of K = 4 nibble distributions learned on
//   other models (each 32-nibble sub-block picks the distribution that codes it cheapest, 2 bits
//   per sub-block); block headers byte-grouped with zstd -19. The learned tables are the profile,
//   counted in profile_bytes().
#include <memory>
#include <vector>

#include "bench/method.hpp"

namespace lcl::bench {

std::vector<std::unique_ptr<Method>> gguf_baseline_methods();

}  // namespace lcl::bench
