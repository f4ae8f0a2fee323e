#include "analysis/delta_bounds.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "lcl/layout.hpp"
#include "lcl/source.hpp"

namespace lcl::analysis {

namespace fs = std::filesystem;

namespace {

// Bits per element of a histogram.
double entropy_per_element(const std::vector<uint64_t>& counts, uint64_t n) {
  double bits = 0;
  for (uint64_t c : counts)
    if (c)
      bits -= static_cast<double>(c) * std::log2(static_cast<double>(c) / static_cast<double>(n));
  return n ? bits / static_cast<double>(n) : 0;
}

uint16_t ordered16(uint16_t x) {
  return static_cast<uint16_t>(x ^ ((x & 0x8000) ? 0xffff : 0x8000));
}

DeltaBoundRow measure(const std::vector<uint8_t>& tuned, const std::vector<uint8_t>& base,
                      uint32_t mantissa_bits, uint32_t exponent_bits) {
  const uint64_t n = tuned.size() / 2;
  std::vector<uint64_t> alone(65536), xored(65536), diff(65536);
  std::map<uint32_t, std::vector<uint64_t>> by_exponent;
  uint64_t changed = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint16_t v, b;
    std::memcpy(&v, &tuned[2 * i], 2);
    std::memcpy(&b, &base[2 * i], 2);
    const auto d = static_cast<uint16_t>(ordered16(v) - ordered16(b));
    ++alone[v];
    ++xored[v ^ b];
    ++diff[d];
    changed += v != b;
    auto& h = by_exponent[(b >> mantissa_bits) & ((1u << exponent_bits) - 1)];
    if (h.empty()) h.resize(65536);
    ++h[d];
  }
  DeltaBoundRow row;
  row.elements = n;
  row.changed = n ? static_cast<double>(changed) / static_cast<double>(n) : 0;
  row.alone = entropy_per_element(alone, n);
  row.xor_base = entropy_per_element(xored, n);
  row.difference = entropy_per_element(diff, n);
  for (const auto& [_, h] : by_exponent) {
    uint64_t m = 0;
    for (uint64_t c : h) m += c;
    row.given_exponent +=
        entropy_per_element(h, m) * static_cast<double>(m) / static_cast<double>(n);
  }
  return row;
}

}  // namespace

std::vector<DeltaBoundRow> build_delta_bounds(const std::vector<fs::path>& tuned,
                                              const fs::path& base,
                                              const std::function<void(const fs::path&)>& on_file) {
  struct BaseTensor {
    fs::path file;
    Region region;
  };
  std::unordered_map<std::string, BaseTensor> base_tensors;
  for (const fs::path& file : model_files(base))
    for (const Region& r : read_layout(file).regions)
      if (r.kind == RegionKind::kTensor) base_tensors.emplace(r.tensor.name, BaseTensor{file, r});
  std::vector<DeltaBoundRow> rows;
  for (const fs::path& path : tuned)
    for (const fs::path& file : model_files(path)) {
      if (on_file) on_file(file);
      FileSource source(file);
      for (const Region& r : read_layout(file).regions) {
        if (r.kind != RegionKind::kTensor) continue;
        const bool bf16 = r.tensor.type == type::kBF16, f16 = r.tensor.type == type::kF16;
        if (!bf16 && !f16) continue;
        auto match = base_tensors.find(r.tensor.name);
        if (match == base_tensors.end() || match->second.region.tensor.type != r.tensor.type ||
            match->second.region.tensor.shape != r.tensor.shape ||
            match->second.region.size != r.size)
          continue;
        std::vector<uint8_t> tuned_bytes(r.size), base_bytes(r.size);
        source.read(r.offset, tuned_bytes);
        FileSource(match->second.file).read(match->second.region.offset, base_bytes);
        DeltaBoundRow row = measure(tuned_bytes, base_bytes, bf16 ? 7 : 10, bf16 ? 8 : 5);
        row.file = file.filename().string();
        row.tensor = r.tensor.name;
        row.dtype = type_name(r.tensor.type);
        rows.push_back(std::move(row));
      }
    }
  return rows;
}

nlohmann::json to_json(const DeltaBoundRow& row) {
  return {{"file", row.file},
          {"tensor", row.tensor},
          {"dtype", row.dtype},
          {"elements", row.elements},
          {"changed", row.changed},
          {"bits_alone", row.alone},
          {"bits_xor_base", row.xor_base},
          {"bits_difference", row.difference},
          {"bits_difference_given_base_exponent", row.given_exponent}};
}

std::string format_delta_bounds_table(const std::vector<DeltaBoundRow>& rows) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-34s %-44s %-5s %10s %7s %7s %7s %7s %7s\n", "file", "tensor",
                "type", "elements", "changed", "alone", "xor", "diff", "diff|e");
  out += line;
  struct Total {
    uint64_t n = 0;
    double changed = 0, alone = 0, xor_base = 0, difference = 0, given_exponent = 0;
    void add(const DeltaBoundRow& r) {
      const double w = static_cast<double>(r.elements);
      n += r.elements;
      changed += w * r.changed;
      alone += w * r.alone;
      xor_base += w * r.xor_base;
      difference += w * r.difference;
      given_exponent += w * r.given_exponent;
    }
  };
  std::map<std::string, Total> per_file;
  Total all;
  for (const DeltaBoundRow& r : rows) {
    const std::string name =
        r.tensor.size() > 44 ? r.tensor.substr(r.tensor.size() - 44) : r.tensor;
    std::snprintf(line, sizeof line, "%-34s %-44s %-5s %10llu %6.1f%% %7.3f %7.3f %7.3f %7.3f\n",
                  r.file.c_str(), name.c_str(), r.dtype.c_str(),
                  static_cast<unsigned long long>(r.elements), 100 * r.changed, r.alone, r.xor_base,
                  r.difference, r.given_exponent);
    out += line;
    per_file[r.file].add(r);
    all.add(r);
  }
  out += "\nelement-weighted, bits per weight (ratio 16 / bits):\n";
  auto total_line = [&](const std::string& label, const Total& t) {
    if (t.n == 0) return;
    const double n = static_cast<double>(t.n);
    auto cell = [&](double bits) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3f (%.2fx)", bits / n, 16.0 * n / bits);
      return std::string(text);
    };
    std::snprintf(line, sizeof line,
                  "%-34s changed %5.1f%%  alone %s  xor %s  diff %s  diff|e %s\n", label.c_str(),
                  100 * t.changed / n, cell(t.alone).c_str(), cell(t.xor_base).c_str(),
                  cell(t.difference).c_str(), cell(t.given_exponent).c_str());
    out += line;
  };
  for (const auto& [file, t] : per_file) total_line(file, t);
  total_line("all", all);
  return out;
}

}  // namespace lcl::analysis
