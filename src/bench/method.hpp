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

// One tensor's part of a whole-file method's payload (see Method::tensor_parts).
struct TensorPart {
  std::string name;
  uint64_t original_bytes = 0;
  uint64_t compressed_bytes = 0;  // the tensor's chunks; a chunk shared with others by byte share
  double encode_seconds = 0;      // the file's encode time by byte share
  double decode_seconds = 0;      // decoding only this tensor's chunks
  bool roundtrip_ok = false;
  std::string error;
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
  // A trained method's profile as bytes (what a decoder needs, profile_bytes() long), and the
  // inverse: load_profile() makes the method ready as train() would. Throws kCorruptInput on
  // bytes that are not a profile of this method.
  virtual std::vector<uint8_t> save_profile() const { return {}; }
  virtual void load_profile(std::span<const uint8_t> /*bytes*/) {}
  // A method that cannot run (a trained method with neither training data nor a profile) says
  // why; the runner then writes "skipped" rows instead of measuring.
  virtual std::string skip_reason() const { return {}; }
  // A whole-file method whose payload is cut by tensor (the .lcl container) reports each tensor's
  // part, decoded alone and compared with `original` (the whole file): one row per tensor.
  virtual std::vector<TensorPart> tensor_parts(std::span<const uint8_t> /*payload*/,
                                               std::span<const uint8_t> /*original*/,
                                               double /*encode_seconds*/) const {
    return {};
  }
  virtual std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                        const TensorInfo& tensor) const = 0;
  // Must reproduce the input exactly; out.size() is the original size.
  virtual void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                          std::span<uint8_t> out) const = 0;
};

// Every method available in this build (a method file registers itself in methods.cpp).
std::vector<std::unique_ptr<Method>> all_methods();
// all_methods() and the whole-file GGUF ablation variants (`lcl bench --whole-file-ablation`).
std::vector<std::unique_ptr<Method>> all_methods_with_ablation();

}  // namespace lcl::bench
