// Every method of this build, in the order reports list them. A family of methods written on its
// own (the float baselines, the GGUF baselines) adds one line here.
#include "bench/float_baselines.hpp"
#include "bench/generic_methods.hpp"
#include "bench/gguf_baselines.hpp"
#include "bench/method.hpp"
#include "bench/whole_file_methods.hpp"

namespace lcl::bench {

std::vector<std::unique_ptr<Method>> all_methods() {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(make_lcl_file_method());
  methods.push_back(make_lcl_method());
  methods.push_back(make_zstd_method(3, MethodScope::kTensor));
  methods.push_back(make_zstd_method(19, MethodScope::kTensor));
  methods.push_back(make_xz_method());
  methods.push_back(make_zstd_method(3, MethodScope::kFile));
  methods.push_back(make_zstd_method(19, MethodScope::kFile));
  methods.push_back(make_xz_method(MethodScope::kFile));
  for (auto& m : float_baseline_methods()) methods.push_back(std::move(m));
  for (auto& m : gguf_baseline_methods()) methods.push_back(std::move(m));
  methods.push_back(make_gguf_decomposer({}));
  return methods;
}

std::vector<std::unique_ptr<Method>> all_methods_with_ablation() {
  auto methods = all_methods();
  for (auto& m : whole_file_ablation_methods()) methods.push_back(std::move(m));
  return methods;
}

}  // namespace lcl::bench
