#include "bench/delta_methods.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "analysis/tensor_names.hpp"
#include "bench/method.hpp"
#include "bench/runner.hpp"
#include "codecs/delta/delta_coder.hpp"
#include "codecs/float/float_format.hpp"
#include "lcl/error.hpp"
#include "lcl/source.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string model_name(const fs::path& path) {
  fs::path p = path.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  std::error_code ec;
  if (!fs::is_directory(p, ec)) p = fs::absolute(p, ec).parent_path();
  return p.filename().string();
}

// The delta codec as lcl compress uses it: the tensor in even pieces of at most 4 MiB.
ResultRow measure_delta(std::span<const uint8_t> tuned, std::span<const uint8_t> base,
                        const TensorInfo& tensor) {
  ResultRow row;
  row.method = "delta";
  row.original_bytes = tuned.size();
  try {
    const uint64_t element = float_format::layout_of_type(tensor.type)->bytes;
    const uint64_t elements = tuned.size() / element;
    const uint64_t per_chunk = (4u << 20) / element;
    const uint64_t pieces = std::max<uint64_t>(1, (elements + per_chunk - 1) / per_chunk);
    std::vector<std::vector<uint8_t>> payloads(pieces);
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    uint64_t at = 0;
    for (uint64_t i = 0; i < pieces; ++i) {
      uint64_t size = (elements / pieces + (i < elements % pieces ? 1 : 0)) * element;
      if (i + 1 == pieces) size = tuned.size() - at;
      ranges.emplace_back(at, size);
      at += size;
    }
    auto start = Clock::now();
    for (uint64_t i = 0; i < pieces; ++i)
      delta_format::encode_delta(tuned.subspan(ranges[i].first, ranges[i].second),
                                 base.subspan(ranges[i].first, ranges[i].second),
                                 ReferenceRange{0, ranges[i].first, ranges[i].second}, tensor.type,
                                 payloads[i]);
    row.encode_seconds = since(start);
    for (const auto& p : payloads) row.compressed_bytes += p.size();
    std::vector<uint8_t> out(tuned.size());
    start = Clock::now();
    for (uint64_t i = 0; i < pieces; ++i)
      delta_format::decode_delta(payloads[i], base.subspan(ranges[i].first, ranges[i].second),
                                 std::span(out).subspan(ranges[i].first, ranges[i].second));
    row.decode_seconds = since(start);
    row.roundtrip_ok = std::equal(out.begin(), out.end(), tuned.begin(), tuned.end());
    if (!row.roundtrip_ok) row.error = "decoded bytes differ";
  } catch (const std::exception& e) {
    row.error = e.what();
  }
  return row;
}

// A single-tensor method applied to the XOR of the two tensors (BitX / ZipLLM style); decoding
// XORs the base back in, which the timing includes.
ResultRow measure_xor(const Method& method, std::span<const uint8_t> tuned,
                      std::span<const uint8_t> base, const TensorInfo& tensor) {
  std::vector<uint8_t> xored(tuned.size());
  auto start = Clock::now();
  for (size_t i = 0; i < xored.size(); ++i) xored[i] = tuned[i] ^ base[i];
  const double xor_seconds = since(start);
  ResultRow row = measure(method, xored, tensor);
  row.method = "xor+" + method.name();
  row.encode_seconds += xor_seconds;
  row.decode_seconds += xor_seconds;
  return row;
}

}  // namespace

std::vector<ResultRow> run_delta_bench(const DeltaBenchOptions& options) {
  struct BaseTensor {
    fs::path file;
    Region region;
  };
  std::unordered_map<std::string, BaseTensor> base_tensors;
  for (const fs::path& file : model_files(options.base))
    for (const Region& r : read_layout(file).regions)
      if (r.kind == RegionKind::kTensor) base_tensors.emplace(r.tensor.name, BaseTensor{file, r});
  std::vector<std::unique_ptr<Method>> methods = all_methods();
  auto find = [&](const std::string& name) -> const Method* {
    for (const auto& m : methods)
      if (m->name() == name && m->scope() == MethodScope::kTensor) return m.get();
    throw Error(ErrorKind::kUnsupported, "bench method " + name + " missing from this build");
  };
  const Method* lcl_alone = find("lcl-tensor-alone");  // the fine-tune's tensor coded alone
  const Method* zstd19 = find("zstd-19");
  const Method* zipnn = find("zipnn-like");
  const std::string model = model_name(options.tuned) + "@" + model_name(options.base);

  std::vector<ResultRow> rows;
  for (const fs::path& file : model_files(options.tuned)) {
    if (options.log) options.log("bench --base-of: " + file.string());
    FileSource source(file);
    for (const Region& r : read_layout(file).regions) {
      if (r.kind != RegionKind::kTensor || !float_format::layout_of_type(r.tensor.type)) continue;
      auto match = base_tensors.find(r.tensor.name);
      if (match == base_tensors.end() || match->second.region.tensor.type != r.tensor.type ||
          match->second.region.tensor.shape != r.tensor.shape ||
          match->second.region.size != r.size)
        continue;
      std::vector<uint8_t> tuned(r.size), base(r.size);
      source.read(r.offset, tuned);
      FileSource(match->second.file).read(match->second.region.offset, base);
      std::vector<ResultRow> tensor_rows;
      tensor_rows.push_back(measure_delta(tuned, base, r.tensor));
      tensor_rows.push_back(measure_xor(*zstd19, tuned, base, r.tensor));
      if (zipnn->applies_to(r.tensor))
        tensor_rows.push_back(measure_xor(*zipnn, tuned, base, r.tensor));
      tensor_rows.push_back(measure(*lcl_alone, tuned, r.tensor));
      const analysis::TensorRole role = analysis::parse_tensor_role(r.tensor.name);
      for (ResultRow& row : tensor_rows) {
        row.model = model;
        row.file = file.filename().string();
        row.tensor = r.tensor.name;
        row.role = role.role;
        row.layer = role.layer;
        row.dtype = type_name(r.tensor.type);
        row.tool_version = options.tool_version;
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

}  // namespace lcl::bench
