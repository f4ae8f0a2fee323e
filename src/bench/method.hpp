#pragma once
// A compression method as the benchmark sees it: ours (each codec of the registry) and the
// baselines (zstd, xz, ZipNN-like byte grouping, DFloat11-like exponent coding, the reference's
// byte split, its GGUF per-stream zstd, its K=4 mixture nibble coder) behind one interface, so
// every comparison runs in one process on the same bytes and every row is roundtrip-checked.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lcl/layout.hpp"

namespace lcl::bench {

enum class MethodScope : uint8_t {
  kTensor,  // applied to the bytes of one tensor
  kFile,    // applied to a whole file
};

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;  // stable, e.g. "lcl", "zstd-19", "zipnn-like"
  virtual MethodScope scope() const = 0;
  // Whether the method applies to a tensor of this type (file methods: to files of this format).
  virtual bool applies_to(const TensorInfo& tensor) const = 0;
  // Trained methods learn from other models' tensors before measuring (model-level split);
  // profile_bytes() is the size of what they learned, counted in their results.
  virtual bool is_trained() const { return false; }
  virtual void train(std::span<const std::vector<uint8_t>> /*samples*/,
                     std::span<const TensorInfo> /*infos*/) {}
  virtual uint64_t profile_bytes() const { return 0; }
  virtual std::vector<uint8_t> compress(std::span<const uint8_t> input, const TensorInfo& tensor) const = 0;
  // Must reproduce the input exactly; out.size() is the original size.
  virtual void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                          std::span<uint8_t> out) const = 0;
};

// Every method available in this build (a method file registers itself in methods.cpp).
std::vector<std::unique_ptr<Method>> all_methods();

}  // namespace lcl::bench
