#pragma once
// `lcl crosslayer`: is layer K+1 predictable from layer K? For every role and adjacent pair of
// BF16 tensors with equal shapes: the Pearson correlation of the weights, and the cost of coding
// layer K+1 as a residual after (a) the best scalar-affine prediction a*W_K + b and (b) that plus
// a rank-r correction (r <= 64, randomized range finder with power iterations), against coding
// layer K+1 alone. The residual and layer K+1 alone are coded by the same codec (our float codec
// when registered, zstd otherwise, reported); predictor parameters are counted in the cost.
//
// Residuals are lossless, the cheaper of two mappings per pair: float domain (p = bf16(prediction),
// r = bf16(y - p), decoder y = bf16(p + r), elements where that fails stored as exceptions:
// varint index delta + the 16-bit value) or integer domain (zigzag of the difference of the
// values' order-preserving 16-bit keys, exact by construction).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lcl::analysis {

struct CrossLayerPair {
  std::string model;
  std::string role;
  int layer = 0;  // K; the pair is (K, K+1)
  std::string tensor_a, tensor_b;
  std::vector<uint64_t> shape;
  double pearson = 0;
  double affine_a = 0, affine_b = 0;
  uint64_t original_bytes = 0;
  uint64_t alone_bytes = 0;   // layer K+1 coded alone
  uint64_t affine_bytes = 0;  // residual + exceptions + 8 bytes of (a, b)
  uint64_t affine_exceptions = 0;
  uint64_t lowrank_bytes = 0;  // best rank: residual + exceptions + (a, b) + bf16 factors
  int lowrank_rank = 0;        // 0 when no low-rank prediction applies (1-D tensors)
  uint64_t best_bytes() const;
  int64_t net_gain_bytes() const {
    return static_cast<int64_t>(alone_bytes) - static_cast<int64_t>(best_bytes());
  }
};

struct CrossLayerOptions {
  std::vector<int> ranks = {8, 64};
  uint64_t seed = 1;  // random test matrices of the range finder
  std::function<void(const std::string&)> log;
};

struct CrossLayerReport {
  std::string codec;  // the codec that coded residuals and layers alone
  std::vector<CrossLayerPair> pairs;
};

CrossLayerReport cross_layer_study(const std::filesystem::path& model,
                                   const CrossLayerOptions& options);

nlohmann::json to_json(const CrossLayerPair& pair);
std::string format_cross_layer_report(const CrossLayerReport& report);

// Building blocks, exposed for tests.
double pearson(const std::vector<float>& x, const std::vector<float>& y);
// Least-squares y ~ a*x + b.
void fit_affine(const std::vector<float>& x, const std::vector<float>& y, double& a, double& b);
// A rank-`rank` approximation U*V of the m x n row-major matrix R (U: m x rank, V: rank x n).
void low_rank_approximation(const std::vector<float>& R, size_t m, size_t n, int rank,
                            uint64_t seed, std::vector<float>& U, std::vector<float>& V);
float bf16_to_float(uint16_t v);
uint16_t float_to_bf16(float f);  // round to nearest even (NaN stays NaN)

}  // namespace lcl::analysis
