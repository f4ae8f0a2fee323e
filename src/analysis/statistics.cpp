#include "analysis/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace lcl::analysis {

double median(std::span<const double> values) {
  if (values.empty()) return 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

double geometric_mean(std::span<const double> values) {
  if (values.empty()) return 0.0;
  double log_sum = 0;
  for (double v : values) {
    if (!(v > 0)) return 0.0;
    log_sum += std::log(v);
  }
  return std::exp(log_sum / static_cast<double>(values.size()));
}

double byte_weighted_ratio(std::span<const RatioSample> samples) {
  // Long double sums: a corpus of many large files must not lose the small ones to rounding.
  long double original = 0, compressed = 0;
  for (const auto& s : samples) {
    original += s.original_bytes;
    compressed += s.compressed_bytes;
  }
  return compressed == 0 ? 0.0 : static_cast<double>(original / compressed);
}

namespace {
std::vector<double> ratios_of(std::span<const RatioSample> samples) {
  std::vector<double> r;
  r.reserve(samples.size());
  for (const auto& s : samples) r.push_back(s.ratio());
  return r;
}
}  // namespace

double median_ratio(std::span<const RatioSample> samples) {
  auto r = ratios_of(samples);
  return median(r);
}

double geometric_mean_ratio(std::span<const RatioSample> samples) {
  auto r = ratios_of(samples);
  return geometric_mean(r);
}

RatioSummary summarize_ratios(std::span<const RatioSample> samples) {
  auto r = ratios_of(samples);
  return {samples.size(), median(r), geometric_mean(r), byte_weighted_ratio(samples)};
}

std::vector<std::string> distinct_models(std::span<const RatioSample> samples) {
  std::vector<std::string> models;
  for (const auto& s : samples) models.push_back(s.model);
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  return models;
}

namespace {
// The percentile of sorted values with linear interpolation between order statistics.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}
}  // namespace

Interval bootstrap_models(std::span<const RatioSample> samples, const Statistic& statistic,
                          int resamples, uint64_t seed, double alpha) {
  if (samples.empty()) return {};
  // Group sample indices by model, in sorted model order so the draw sequence does not depend on
  // the order rows arrived in (sharded runs merge in any order).
  std::map<std::string, std::vector<const RatioSample*>> by_model;
  for (const auto& s : samples) by_model[s.model].push_back(&s);
  std::vector<const std::vector<const RatioSample*>*> groups;
  for (const auto& [name, group] : by_model) groups.push_back(&group);

  double point = statistic(samples);
  if (groups.size() < 2 || resamples <= 0) return {point, point};

  // rng() % n rather than std::uniform_int_distribution: the latter's algorithm differs between
  // standard libraries, and a seed must give the same interval everywhere (the bias of % for a
  // handful of models out of 2^64 is far below anything printed).
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  values.reserve(static_cast<size_t>(resamples));
  std::vector<RatioSample> pooled;
  for (int r = 0; r < resamples; ++r) {
    pooled.clear();
    for (size_t k = 0; k < groups.size(); ++k)
      for (const RatioSample* s : *groups[rng() % groups.size()]) pooled.push_back(*s);
    values.push_back(statistic(pooled));
  }
  std::sort(values.begin(), values.end());
  return {percentile(values, alpha / 2), percentile(values, 1 - alpha / 2)};
}

std::vector<LeaveOneOut> leave_one_model_out(std::span<const RatioSample> samples) {
  std::vector<LeaveOneOut> result;
  for (const auto& model : distinct_models(samples)) {
    std::vector<RatioSample> rest;
    for (const auto& s : samples)
      if (s.model != model) rest.push_back(s);
    result.push_back({model, summarize_ratios(rest)});
  }
  return result;
}

}  // namespace lcl::analysis
