#pragma once
// `lcl figures`: the five SVG figures of the measurement suite.
//   byte_plane_entropy.svg  per-tensor stacked bars of H(high byte) and H(low byte) (float tensors)
//   ratio_vs_bound.svg      best measured ratio of each tensor against its entropy bound
//   q4k_nibble_entropy.svg  histogram of the per-tensor Q4_K nibble entropy (alone and given the
//                           sub-block's scale and min)
//   crosslayer_pearson.svg  histogram of adjacent-layer Pearson correlations (lcl crosslayer
//   --jsonl)
//   pareto.svg              per type, each method's encode throughput vs byte-weighted ratio, the
//                           Pareto frontier and the type's entropy ceiling
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/atlas.hpp"
#include "bench/result_row.hpp"

namespace lcl::bench {

struct FigureInputs {
  std::vector<ResultRow> results;
  std::vector<analysis::AtlasRow> atlas;
  // Adjacent-layer correlations (may be empty): of matrices, and of 1-D tensors (norms), which
  // behave differently (norm weights stay close across layers).
  std::vector<double> pearson_matrices;
  std::vector<double> pearson_vectors;
};

// Writes the five files into `out_dir` (created if needed) and returns their paths. A figure
// whose data is absent is still written, saying what is missing, so the set is always complete.
std::vector<std::filesystem::path> write_figures(const FigureInputs& inputs,
                                                 const std::filesystem::path& out_dir);

// Renders each SVG to a PNG beside it (same name, .png) with rsvg-convert when it is on PATH, at
// `zoom` times the SVG's size; returns the PNGs written (none when rsvg-convert is absent). The SVG
// stays the source; a PNG that rsvg-convert fails to write throws lcl::Error(kIo).
std::vector<std::filesystem::path> render_pngs(const std::vector<std::filesystem::path>& svgs,
                                               double zoom = 1.5);
bool have_rsvg_convert();

// Adds the "pearson" values of JSON lines written by `lcl crosslayer --jsonl` to `inputs`.
void read_pearson_jsonl(const std::filesystem::path& path, FigureInputs& inputs);

}  // namespace lcl::bench
