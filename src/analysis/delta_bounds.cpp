#include "analysis/delta_bounds.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "codecs/delta/delta_blocks.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "util/endian.hpp"

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

// Entropy bits of the field differences of whole blocks (delta_format::block_differences, what
// the delta codec's block mode codes), and how many values and changed ones.
void measure_blocks(const ggml::BlockLayout& layout, const std::vector<uint8_t>& tuned,
                    const std::vector<uint8_t>& base, BlockDeltaBoundRow& row) {
  const size_t blocks = tuned.size() / layout.block_bytes;
  std::vector<uint8_t> differences(blocks * layout.block_bytes);
  delta_format::block_differences(layout, std::span(tuned).first(differences.size()), base,
                                  differences);
  uint64_t changed = 0;
  for (const ggml::BlockField& field : layout.fields) {
    std::vector<uint64_t> counts(field.kind == ggml::FieldKind::kHalf    ? 65536
                                 : field.kind == ggml::FieldKind::kBytes ? 256
                                                                         : 16);
    uint64_t n = 0;
    const auto count = [&](uint32_t d) {
      ++counts[d];
      ++n;
      changed += d != 0;
    };
    for (size_t b = 0; b < blocks; ++b) {
      const uint8_t* d = differences.data() + b * layout.block_bytes + field.offset;
      if (field.kind == ggml::FieldKind::kHalf) {
        count(load_u16le(d));
        continue;
      }
      for (uint32_t i = 0; i < field.size; ++i) {
        if (field.kind == ggml::FieldKind::kBytes) {
          count(d[i]);
        } else {
          count(d[i] & 0xF);
          count(d[i] >> 4);
        }
      }
    }
    row.bits += entropy_per_element(counts, n) * static_cast<double>(n);
    row.values += n;
  }
  row.changed = row.values ? static_cast<double>(changed) / static_cast<double>(row.values) : 0;
}

}  // namespace

DeltaBounds build_delta_bounds(const std::vector<fs::path>& tuned, const fs::path& base,
                               const std::function<void(const fs::path&)>& on_file) {
  struct BaseTensor {
    fs::path file;
    Region region;
  };
  std::unordered_map<std::string, BaseTensor> base_tensors;
  for (const fs::path& file : model_files(base))
    for (const Region& r : read_layout(file).regions)
      if (r.kind == RegionKind::kTensor) base_tensors.emplace(r.tensor.name, BaseTensor{file, r});
  DeltaBounds bounds;
  for (const fs::path& path : tuned)
    for (const fs::path& file : model_files(path)) {
      if (on_file) on_file(file);
      FileSource source(file);
      for (const Region& r : read_layout(file).regions) {
        if (r.kind != RegionKind::kTensor) continue;
        const bool bf16 = r.tensor.type == type::kBF16, f16 = r.tensor.type == type::kF16;
        const ggml::BlockLayout* layout = ggml::find_block_layout(r.tensor.type);
        if (!bf16 && !f16 && !layout) continue;
        auto match = base_tensors.find(r.tensor.name);
        if (match == base_tensors.end() || match->second.region.tensor.type != r.tensor.type ||
            match->second.region.tensor.shape != r.tensor.shape ||
            match->second.region.size != r.size)
          continue;
        std::vector<uint8_t> tuned_bytes(r.size), base_bytes(r.size);
        source.read(r.offset, tuned_bytes);
        FileSource(match->second.file).read(match->second.region.offset, base_bytes);
        if (layout) {
          BlockDeltaBoundRow row;
          row.file = file.filename().string();
          row.tensor = r.tensor.name;
          row.dtype = type_name(r.tensor.type);
          row.bytes = r.size;
          measure_blocks(*layout, tuned_bytes, base_bytes, row);
          bounds.blocks.push_back(std::move(row));
          continue;
        }
        DeltaBoundRow row = measure(tuned_bytes, base_bytes, bf16 ? 7 : 10, bf16 ? 8 : 5);
        row.file = file.filename().string();
        row.tensor = r.tensor.name;
        row.dtype = type_name(r.tensor.type);
        bounds.floats.push_back(std::move(row));
      }
    }
  return bounds;
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

nlohmann::json to_json(const BlockDeltaBoundRow& row) {
  return {{"file", row.file},
          {"tensor", row.tensor},
          {"dtype", row.dtype},
          {"bytes", row.bytes},
          {"values", row.values},
          {"changed", row.changed},
          {"bits_field_differences", row.bits}};
}

std::string format_block_delta_bounds_table(const std::vector<BlockDeltaBoundRow>& rows) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-34s %-44s %-7s %10s %7s %12s %8s\n", "file", "tensor", "type",
                "bytes", "changed", "entropy B", "ratio");
  out += line;
  struct Total {
    uint64_t bytes = 0;
    double changed = 0, values = 0, bits = 0;
  };
  std::map<std::string, Total> per_file;
  Total all;
  auto ratio = [](uint64_t bytes, double bits) { return bits > 0 ? 8.0 * bytes / bits : 0.0; };
  for (const BlockDeltaBoundRow& r : rows) {
    const std::string name =
        r.tensor.size() > 44 ? r.tensor.substr(r.tensor.size() - 44) : r.tensor;
    std::snprintf(line, sizeof line, "%-34s %-44s %-7s %10llu %6.1f%% %12.0f %7.2fx\n",
                  r.file.c_str(), name.c_str(), r.dtype.c_str(),
                  static_cast<unsigned long long>(r.bytes), 100 * r.changed, r.bits / 8,
                  ratio(r.bytes, r.bits));
    out += line;
    for (Total* t : {&per_file[r.file], &all}) {
      t->bytes += r.bytes;
      t->changed += r.changed * static_cast<double>(r.values);
      t->values += static_cast<double>(r.values);
      t->bits += r.bits;
    }
  }
  out +=
      "\nquantized tensors, order-0 entropy of the field differences (ratio: bytes / entropy):\n";
  auto total_line = [&](const std::string& label, const Total& t) {
    if (t.bytes == 0) return;
    std::snprintf(line, sizeof line, "%-34s changed %5.1f%%  %llu bytes -> %.0f (%.2fx)\n",
                  label.c_str(), t.values > 0 ? 100 * t.changed / t.values : 0.0,
                  static_cast<unsigned long long>(t.bytes), t.bits / 8, ratio(t.bytes, t.bits));
    out += line;
  };
  for (const auto& [file, t] : per_file) total_line(file, t);
  total_line("all", all);
  return out;
}

}  // namespace lcl::analysis
