#pragma once
// Summary statistics of compression ratios, and the model-level bootstrap that gives them
// confidence intervals. Tensors of one model are not independent samples (they share training),
// so the bootstrap resamples whole models, never tensors: an interval says how much a number
// would move with a different set of models.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace lcl::analysis {

// One measured item: a tensor (or file) compressed by one method.
struct RatioSample {
  std::string model;
  uint64_t original_bytes = 0;
  uint64_t compressed_bytes = 0;
  double ratio() const {
    return compressed_bytes == 0
               ? 0.0
               : static_cast<double>(original_bytes) / static_cast<double>(compressed_bytes);
  }
};

// Median of the values (mean of the two middle ones for an even count); 0 for an empty span.
double median(std::span<const double> values);
// exp(mean(log v)); 0 for an empty span or when any value is <= 0.
double geometric_mean(std::span<const double> values);
// sum(original) / sum(compressed): the ratio of all the bytes together (0 when nothing compressed).
double byte_weighted_ratio(std::span<const RatioSample> samples);

// The three summaries of a set of samples.
struct RatioSummary {
  size_t count = 0;
  double median = 0;
  double geometric_mean = 0;
  double byte_weighted = 0;
};
RatioSummary summarize_ratios(std::span<const RatioSample> samples);

struct Interval {
  double low = 0;
  double high = 0;
};

// Model-level bootstrap: `resamples` times, draw as many models as there are (with replacement)
// from the distinct models of `samples`, pool their samples (a model drawn twice counts twice),
// evaluate `statistic`, and return the percentile interval [alpha/2, 1-alpha/2] of those values.
// Deterministic for a given seed (std::mt19937_64). With one model the interval collapses onto
// the point estimate, which is the honest answer: one model says nothing about model variance.
using Statistic = std::function<double(std::span<const RatioSample>)>;
Interval bootstrap_models(std::span<const RatioSample> samples, const Statistic& statistic,
                          int resamples, uint64_t seed, double alpha = 0.05);

// The statistics of the common summaries, ready for bootstrap_models.
double median_ratio(std::span<const RatioSample> samples);
double geometric_mean_ratio(std::span<const RatioSample> samples);

// Leave-one-model-out: for each distinct model (sorted by name), the summary of all samples of
// the other models. Shows whether one model drives a result.
struct LeaveOneOut {
  std::string left_out;
  RatioSummary summary;
};
std::vector<LeaveOneOut> leave_one_model_out(std::span<const RatioSample> samples);

// The distinct model names of the samples, sorted.
std::vector<std::string> distinct_models(std::span<const RatioSample> samples);

}  // namespace lcl::analysis
