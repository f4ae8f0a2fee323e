// `lcl bench --base-of`: every method's row on every tensor the fine-tune shares with its base,
// roundtrip-verified, the delta codec far below the fine-tune coded alone.
#include <gtest/gtest.h>

#include <map>

#include "bench/delta_methods.hpp"
#include "support/file_utils.hpp"
#include "support/finetune_pair.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

TEST(DeltaBench, EveryMethodOnEverySharedTensor) {
  test::TempDir dir;
  const auto bf16 = test::make_float_pair(20000, 2, false, 1);
  const auto f32 = test::make_float_pair(5000, 4, false, 2);
  using T = test::SafetensorsTensor;
  const std::vector<T> base = {{"a", "BF16", {200, 100}, bf16.base},
                               {"b", "F32", {5000}, f32.base}};
  const std::vector<T> tuned = {{"a", "BF16", {200, 100}, bf16.tuned},
                                {"b", "F32", {5000}, f32.tuned},
                                {"new", "BF16", {20000}, bf16.tuned}};
  const auto base_path = dir.path() / "base.safetensors";
  const auto tuned_path = dir.path() / "tuned.safetensors";
  test::write_file(base_path, test::build_safetensors(base));
  test::write_file(tuned_path, test::build_safetensors(tuned));

  bench::DeltaBenchOptions options;
  options.tuned = tuned_path;
  options.base = base_path;
  const std::vector<bench::ResultRow> rows = bench::run_delta_bench(options);
  std::map<std::string, std::map<std::string, uint64_t>> bytes;  // tensor -> method -> bytes
  for (const bench::ResultRow& row : rows) {
    EXPECT_TRUE(row.roundtrip_ok) << row.tensor << " " << row.method;
    EXPECT_EQ(row.original_bytes, row.tensor == "a" ? 40000u : 20000u);
    bytes[row.tensor][row.method] = row.compressed_bytes;
  }
  ASSERT_EQ(bytes.size(), 2u);  // "new" has no base tensor
  for (const char* tensor : {"a", "b"}) {
    auto& methods = bytes[tensor];
    ASSERT_TRUE(methods.count("delta") && methods.count("xor+zstd-19") &&
                methods.count("lcl-tensor-alone"))
        << tensor;
    EXPECT_LT(methods["delta"] * 2, methods["lcl-tensor-alone"]) << tensor;
  }
}

}  // namespace
}  // namespace lcl
