#include "analysis/atlas.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include "analysis/tensor_names.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"

namespace lcl::analysis {

namespace fs = std::filesystem;

std::vector<AtlasRow> build_atlas(const std::vector<fs::path>& paths,
                                  const std::function<void(const fs::path&)>& on_file) {
  std::vector<AtlasRow> rows;
  for (const auto& path : paths) {
    if (!fs::exists(path)) throw Error(ErrorKind::kUsage, "not found: " + path.string());
    for (const auto& file : model_files(path)) {
      if (on_file) on_file(file);
      FileSource source(file);
      Layout layout = read_layout(source);
      std::string model = fs::absolute(file).parent_path().filename().string();
      std::vector<uint8_t> bytes;
      for (const auto& region : layout.regions) {
        if (region.kind != RegionKind::kTensor) continue;
        AtlasRow row;
        row.model = model;
        row.file = file.filename().string();
        row.tensor = region.tensor.name;
        auto role = parse_tensor_role(region.tensor.name);
        row.role = role.role;
        row.layer = role.layer;
        row.dtype = type_name(region.tensor.type);
        row.shape = region.tensor.shape;
        row.bytes = region.size;
        bytes.resize(region.size);
        source.read(region.offset, bytes);
        row.measures = measure_bounds(bytes, region.tensor.type);
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

nlohmann::json to_json(const AtlasRow& row) {
  nlohmann::json j;
  j["model"] = row.model;
  j["file"] = row.file;
  j["tensor"] = row.tensor;
  j["role"] = row.role;
  j["layer"] = row.layer;
  j["dtype"] = row.dtype;
  j["shape"] = row.shape;
  j["bytes"] = row.bytes;
  for (const auto& [key, value] : row.measures) j[key] = value;
  return j;
}

AtlasRow atlas_row_from_json(const nlohmann::json& j) {
  static const char* const kFixed[] = {"model", "file",  "tensor", "role",
                                       "layer", "dtype", "shape",  "bytes"};
  if (!j.is_object()) throw_corrupt("atlas row is not a JSON object");
  AtlasRow row;
  try {
    row.model = j.at("model").get<std::string>();
    row.file = j.at("file").get<std::string>();
    row.tensor = j.at("tensor").get<std::string>();
    row.role = j.at("role").get<std::string>();
    row.layer = j.at("layer").get<int>();
    row.dtype = j.at("dtype").get<std::string>();
    row.shape = j.at("shape").get<std::vector<uint64_t>>();
    row.bytes = j.at("bytes").get<uint64_t>();
    for (const auto& [key, value] : j.items()) {
      bool fixed = false;
      for (const char* f : kFixed) fixed = fixed || key == f;
      if (!fixed && value.is_number()) row.measures.emplace_back(key, value.get<double>());
    }
  } catch (const nlohmann::json::exception& e) {
    throw_corrupt(std::string("atlas row: ") + e.what());
  }
  return row;
}

std::vector<AtlasRow> read_atlas_jsonl(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot open " + path.string());
  std::vector<AtlasRow> rows;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded())
      throw_corrupt(path.string() + ": line " + std::to_string(number) + " is not JSON");
    rows.push_back(atlas_row_from_json(j));
  }
  return rows;
}

namespace {
std::string fmt(double v, const char* format = "%.3f") {
  if (v < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}
}  // namespace

std::string format_atlas_table(const std::vector<AtlasRow>& rows) {
  std::string out;
  // Columns as wide as the longest name: names are never cut (a cut name is ambiguous).
  int file_w = 4, tensor_w = 6, role_w = 4, type_w = 4;
  for (const auto& r : rows) {
    file_w = std::max(file_w, static_cast<int>(r.file.size()));
    tensor_w = std::max(tensor_w, static_cast<int>(r.tensor.size()));
    role_w = std::max(role_w, static_cast<int>(r.role.size()));
    type_w = std::max(type_w, static_cast<int>(r.dtype.size()));
  }
  std::vector<char> buffer(static_cast<size_t>(file_w + tensor_w + role_w + type_w) + 1024);
  char* line = buffer.data();
  const size_t line_size = buffer.size();
  std::snprintf(line, line_size, "%-*s %-*s %-*s %3s %-*s %9s %6s %6s %7s %7s %6s  %s\n", file_w,
                "file", tensor_w, "tensor", role_w, "role", "L", type_w, "type", "KiB", "H_hi",
                "H_lo", "bytemrg", "iid16", "H_exp",
                "quant fields (bits) -> bound iid / conditional");
  out += line;
  // Per type: bytes, and the bytes each bound implies (original bytes / bound), so the totals
  // are byte-weighted like the benchmark's.
  struct Total {
    uint64_t bytes = 0;
    double marginal_bytes = 0, iid_bytes = 0, fields_bytes = 0, conditional_bytes = 0;
  };
  std::map<std::string, Total> totals;
  for (const auto& r : rows) {
    const auto& m = r.measures;
    std::string quant;
    auto add = [&](const char* label, const char* key) {
      double v = measure_value(m, key);
      if (v >= 0) quant += std::string(label) + "=" + fmt(v) + " ";
    };
    add("H(q)", "q4k_h_nibble");
    add("H(q|sc,m)", "q4k_h_nibble_given_scale_min");
    add("H(q)", "q6k_h_q");
    add("H(q|sc)", "q6k_h_q_given_scale");
    add("H(q)", "q8_h_q");
    add("H(q)", "q5k_h_q");
    add("H(q|sc,m)", "q5k_h_q_given_scale_min");
    add("H(q)", "q3k_h_q");
    add("H(q|sc)", "q3k_h_q_given_scale");
    add("H(q)", "mxfp4_h_code");
    add("H(q|e)", "mxfp4_h_code_given_e");
    double fi = measure_value(m, "bound_fields_iid"),
           fc = measure_value(m, "bound_fields_conditional");
    if (fi > 0) quant += "-> " + fmt(fi) + "x" + (fc > 0 ? " / " + fmt(fc) + "x" : "");
    std::snprintf(line, line_size, "%-*s %-*s %-*s %3d %-*s %9.1f %6s %6s %7s %7s %6s  %s\n",
                  file_w, r.file.c_str(), tensor_w, r.tensor.c_str(), role_w, r.role.c_str(),
                  r.layer, type_w, r.dtype.c_str(), static_cast<double>(r.bytes) / 1024.0,
                  fmt(measure_value(m, "h_high")).c_str(), fmt(measure_value(m, "h_low")).c_str(),
                  fmt(measure_value(m, "bound_byte_marginal")).c_str(),
                  fmt(measure_value(m, "bound_iid16")).c_str(),
                  fmt(measure_value(m, "h_exponent")).c_str(), quant.c_str());
    out += line;
    Total& t = totals[r.dtype];
    t.bytes += r.bytes;
    auto implied = [&](const char* key) {
      double b = measure_value(m, key);
      return b > 0 ? static_cast<double>(r.bytes) / b : static_cast<double>(r.bytes);
    };
    t.marginal_bytes += implied("bound_byte_marginal");
    t.iid_bytes += implied("bound_iid16");
    t.fields_bytes += implied("bound_fields_iid");
    t.conditional_bytes += implied(fc > 0 ? "bound_fields_conditional" : "bound_fields_iid");
  }
  out +=
      "\n\"-\": not defined for the type (F32: four byte planes, see h_byte0..3 and "
      "h_lower16/h_upper16 in --jsonl; bounds over its 16-bit halves).\n";
  out += "byte-weighted bounds per type (tensors without an analysis count at 1x):\n";
  for (const auto& [dtype, t] : totals) {
    double b = static_cast<double>(t.bytes);
    bool is_float = t.marginal_bytes < b || t.iid_bytes < b;
    if (is_float)
      std::snprintf(line, line_size, "  %-8s %10.1f MiB  byte-marginal %.4fx  16-bit iid %.4fx\n",
                    dtype.c_str(), b / 1048576.0, b / t.marginal_bytes, b / t.iid_bytes);
    else
      std::snprintf(line, line_size,
                    "  %-8s %10.1f MiB  fields iid %.4fx  fields conditional %.4fx\n",
                    dtype.c_str(), b / 1048576.0, b / t.fields_bytes, b / t.conditional_bytes);
    out += line;
  }
  return out;
}

}  // namespace lcl::analysis
