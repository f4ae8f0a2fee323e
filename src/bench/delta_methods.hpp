#pragma once
// `lcl bench --base-of FT=BASE`: methods that code a fine-tune's tensor given its base tensor,
// measured on every tensor the two hold with the same name, type and shape. Ours (the delta
// codec) next to the baselines that published fine-tune tools use (BitX, ZipLLM): the XOR of the
// two tensors coded by zstd -19 and by ZipNN-like byte grouping; and, for reference, the
// fine-tune's tensor alone with the lcl float codec (the single-model limit).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/result_row.hpp"

namespace lcl::bench {

struct DeltaBenchOptions {
  std::filesystem::path tuned;  // file, directory or index.json
  std::filesystem::path base;
  std::string tool_version;
  std::function<void(const std::string&)> log;
};

// One row per method and matched tensor (model = "<tuned name>@<base name>"), every row
// roundtrip-verified; the methods are "delta", "xor+zstd-19", "xor+zipnn-like" and
// "lcl-tensor-alone" (the fine-tune's tensor alone).
std::vector<ResultRow> run_delta_bench(const DeltaBenchOptions& options);

}  // namespace lcl::bench
