#pragma once
// Whole-file methods beyond the general compressors:
// - "lcl": exactly what `lcl compress` writes (the container code itself: same layout parser,
//   planner, chunks, codecs, index), written to memory; decoded with the container's reader. Its
//   tensor_parts() give the per-tensor "lcl" rows: each tensor's chunks as the planner cut them (a
//   chunk that holds several small tensors, as the segments codec packs them, is shared by byte
//   share), decoded alone and compared.
// - "decomp_perstream_zstd19_bg" and its ablation variants: the reference's whole-file GGUF
//   decomposer. A GGUF file is cut into streams: the header and metadata (every byte outside the
//   tensors), per split block type (Q4_K, Q6_K, Q8_0) the block headers of all its tensors and
//   their quant bytes, and the rest (every other tensor); each stream gets its own zstd frame. A
//   region map (sizes and stream of each region, itself zstd-coded) lets the decoder put every byte
//   back.
#include <memory>
#include <string>
#include <vector>

#include "bench/method.hpp"

namespace lcl::bench {

std::unique_ptr<Method> make_lcl_file_method();

struct DecomposerConfig {
  int zstd_level = 19;
  bool byte_group_headers = true;  // header bytes grouped by position within the block
  bool per_stream = true;          // one zstd frame per stream (false: the streams concatenated
                                   // into one frame, after the region map)
  std::string name() const;        // e.g. decomp_perstream_zstd19_bg
};
std::unique_ptr<Method> make_gguf_decomposer(const DecomposerConfig& config);

// The reference's whole-file ablation: the decomposer with one stream choice switched at a time
// (zstd level 3, no byte grouping, one frame per file), beside the default decomposer.
std::vector<std::unique_ptr<Method>> whole_file_ablation_methods();

}  // namespace lcl::bench
