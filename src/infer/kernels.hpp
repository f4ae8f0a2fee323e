#pragma once
// The numeric building blocks of the Llama forward pass, in f32, written as plain loops over
// contiguous memory. Each follows the HF transformers Llama equations (noted per function).
#include <cstddef>
#include <span>

namespace lcl::infer {

// out[r] = sum_c matrix[r * cols + c] * x[c]  (a row-major [rows x cols] matrix, x of length cols).
void matvec(std::span<const float> matrix, std::span<const float> x, std::span<float> out);

// out = x / sqrt(mean(x^2) + eps) * weight  (LlamaRMSNorm, computed in f32). out may alias x.
void rms_norm(std::span<const float> x, std::span<const float> weight, float eps,
              std::span<float> out);

// Inverse frequencies of rotary embeddings: inv_freq[i] = theta^(-2i / head_dim), i < head_dim/2.
void rotary_inverse_frequencies(float theta, std::span<float> inv_freq);

// Rotates one head vector at `position` in place, "rotate half" convention (HF Llama): element i
// pairs with element i + head_dim/2 at angle position * inv_freq[i].
void apply_rotary(std::span<float> head, std::span<const float> inv_freq, size_t position);

// Numerically stable softmax in place (subtracts the maximum first).
void softmax(std::span<float> values);

// silu(x) = x * sigmoid(x)
float silu(float x);

// Index of the largest value; the first one on ties (as torch.argmax), 0 for an empty span.
size_t argmax(std::span<const float> values);

}  // namespace lcl::infer
