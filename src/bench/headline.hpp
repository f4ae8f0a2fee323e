#pragma once
// The headline table in the reference's layout (domain, compressor, best ratio, ceiling), filled
// from one run's rows and its atlas: for each domain the reference's own methods, the best
// general compressor, and lcl, beside the entropy ceiling of the same tensors.
//   BF16 / F16 tensors   byte-split (the reference's coder), zipnn-like, dfloat11-like; ceiling:
//                        the per-tensor 16-bit iid bound
//   Q4_K tensors         perstream_zstd19_bg, qb_mixture_k4; ceiling: the conditional field bound
//   Q6_K / Q8_0 tensors  perstream_zstd19_bg; ceiling: the conditional field bound
//   whole GGUF files     decomp_perstream_zstd19_bg; no ceiling (metadata has no bound)
// Ratios: geometric mean over the tensors (files) and byte-weighted, profile bytes included.
#include <string>
#include <vector>

#include "analysis/atlas.hpp"
#include "bench/result_row.hpp"

namespace lcl::bench {

std::string format_headline_markdown(const std::vector<ResultRow>& rows,
                                     const std::vector<analysis::AtlasRow>& atlas);

}  // namespace lcl::bench
