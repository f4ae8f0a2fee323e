#include "infer/kernels.hpp"

#include <algorithm>
#include <cmath>

namespace lcl::infer {

namespace {

// Eight independent partial sums let the compiler keep two SSE vectors busy without -ffast-math
// (a single accumulator would force strictly sequential adds).
float dot(const float* a, const float* b, size_t n) {
  float partial[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; ++k) partial[k] += a[i + k] * b[i + k];
  float sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
              ((partial[4] + partial[5]) + (partial[6] + partial[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

void matvec(std::span<const float> matrix, std::span<const float> x, std::span<float> out) {
  const size_t cols = x.size();
  for (size_t r = 0; r < out.size(); ++r) out[r] = dot(matrix.data() + r * cols, x.data(), cols);
}

void rms_norm(std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out) {
  double sum_squares = 0;  // in double: the mean of squares should not depend on summation order
  for (float v : x) sum_squares += double(v) * double(v);
  const float scale = 1.0f / std::sqrt(float(sum_squares / double(x.size())) + eps);
  for (size_t i = 0; i < x.size(); ++i) out[i] = weight[i] * (x[i] * scale);
}

void rotary_inverse_frequencies(float theta, std::span<float> inv_freq) {
  const double head_dim = 2.0 * double(inv_freq.size());
  for (size_t i = 0; i < inv_freq.size(); ++i)
    inv_freq[i] = float(1.0 / std::pow(double(theta), double(2 * i) / head_dim));
}

void apply_rotary(std::span<float> head, std::span<const float> inv_freq, size_t position) {
  const size_t half = inv_freq.size();
  for (size_t i = 0; i < half; ++i) {
    // HF computes the angle as an f32 product, then cos/sin of it.
    const float angle = float(position) * inv_freq[i];
    const float c = std::cos(angle), s = std::sin(angle);
    const float x0 = head[i], x1 = head[i + half];
    head[i] = x0 * c - x1 * s;
    head[i + half] = x1 * c + x0 * s;
  }
}

void softmax(std::span<float> values) {
  if (values.empty()) return;
  float max = values[0];
  for (float v : values) max = std::max(max, v);
  double sum = 0;
  for (float& v : values) {
    v = std::exp(v - max);
    sum += v;
  }
  const float inv = float(1.0 / sum);
  for (float& v : values) v *= inv;
}

float silu(float x) {
  return x / (1.0f + std::exp(-x));
}

size_t argmax(std::span<const float> values) {
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i)
    if (values[i] > values[best]) best = i;
  return best;
}

}  // namespace lcl::infer
