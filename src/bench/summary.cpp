#include "bench/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

namespace lcl::bench {

std::vector<ResultRow> deduplicate(const std::vector<ResultRow>& rows) {
  std::unordered_map<std::string, size_t> index;
  std::vector<ResultRow> unique;
  for (const auto& row : rows) {
    auto [it, inserted] = index.emplace(row.key(), unique.size());
    if (inserted)
      unique.push_back(row);
    else
      unique[it->second] = row;
  }
  return unique;
}

std::string RowFilter::describe() const {
  std::string out;
  auto add = [&](const char* what, const std::vector<std::string>& values) {
    if (values.empty()) return;
    out += (out.empty() ? "" : "; ") + std::string(what) + " ";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? " or " : "") + values[i];
  };
  add("dtype", dtypes);
  add("role", roles);
  add("model", models);
  if (min_bytes)
    out +=
        (out.empty() ? "" : "; ") + std::string("at least ") + std::to_string(min_bytes) + " bytes";
  return out;
}

std::vector<ResultRow> filter_rows(const std::vector<ResultRow>& rows, const RowFilter& filter) {
  auto matches = [](const std::vector<std::string>& list, const std::string& value) {
    return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
  };
  std::vector<ResultRow> out;
  for (const auto& r : rows)
    if (r.original_bytes >= filter.min_bytes && matches(filter.dtypes, r.dtype) &&
        matches(filter.roles, r.role) && matches(filter.models, r.model))
      out.push_back(r);
  return out;
}

std::vector<analysis::RatioSample> samples_of(const std::vector<const ResultRow*>& rows) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> model_bytes_and_profile;
  for (const ResultRow* r : rows) {
    if (!r->roundtrip_ok) continue;
    auto& [bytes, profile] = model_bytes_and_profile[r->model];
    bytes += r->original_bytes;
    profile = std::max(profile, r->profile_bytes);
  }
  std::vector<analysis::RatioSample> samples;
  for (const ResultRow* r : rows) {
    if (!r->roundtrip_ok) continue;
    const auto& [bytes, profile] = model_bytes_and_profile[r->model];
    uint64_t share = bytes
                         ? static_cast<uint64_t>(
                               static_cast<long double>(profile) * r->original_bytes / bytes + 0.5L)
                         : 0;
    samples.push_back({r->model, r->original_bytes, r->compressed_bytes + share});
  }
  return samples;
}

namespace {

// By role or model, a domain is also split by type: pooling an o_proj's BF16 and Q4_K tensors
// would rank a method by the mix of types it covers, not by how well it codes any of them.
std::string domain_of(const ResultRow& row, GroupBy by) {
  const std::string type = row.dtype == "file" ? "whole files" : row.dtype;
  switch (by) {
    case GroupBy::kRole:
      return row.role == "file" ? type : (row.role.empty() ? "(none)" : row.role) + ", " + type;
    case GroupBy::kModel:
      return row.model + ", " + type;
    case GroupBy::kDtype:
    default:
      return row.dtype;
  }
}

const char* by_name(GroupBy by) {
  return by == GroupBy::kRole ? "role" : by == GroupBy::kModel ? "model" : "dtype";
}

}  // namespace

std::vector<MethodSummary> summarize(const std::vector<ResultRow>& all_rows,
                                     const SummaryOptions& options) {
  auto rows = deduplicate(all_rows);
  // Methods keep the order in which they first appear (the bench's order); domains are sorted.
  std::vector<std::string> method_order;
  std::map<std::string, std::map<std::string, std::vector<const ResultRow*>>> groups;
  for (const auto& row : rows) {
    // By model, a method's whole-file rows and its tensor rows cover the same bytes twice: they
    // are listed as two methods.
    const std::string method = options.by == GroupBy::kModel && row.tensor.empty()
                                   ? row.method + " (whole files)"
                                   : row.method;
    if (std::find(method_order.begin(), method_order.end(), method) == method_order.end())
      method_order.push_back(method);
    groups[domain_of(row, options.by)][method].push_back(&row);
  }
  std::vector<MethodSummary> result;
  for (const auto& [domain, by_method] : groups) {
    for (const auto& method : method_order) {
      auto it = by_method.find(method);
      if (it == by_method.end()) continue;
      MethodSummary s;
      s.domain = domain;
      s.method = method;
      double encode_s = 0, decode_s = 0;
      uint64_t ok_bytes = 0;
      for (const ResultRow* r : it->second) {
        if (!r->skipped.empty()) {
          ++s.skipped;
          s.skip_reason = r->skipped;
          continue;
        }
        if (!r->roundtrip_ok) {
          ++s.failures;
          continue;
        }
        encode_s += r->encode_seconds;
        decode_s += r->decode_seconds;
        ok_bytes += r->original_bytes;
      }
      auto samples = samples_of(it->second);
      s.ratios = analysis::summarize_ratios(samples);
      if (options.bootstrap > 0 && !samples.empty()) {
        s.median_ci = analysis::bootstrap_models(samples, analysis::median_ratio, options.bootstrap,
                                                 options.seed);
        s.geomean_ci = analysis::bootstrap_models(samples, analysis::geometric_mean_ratio,
                                                  options.bootstrap, options.seed);
        s.byte_weighted_ci = analysis::bootstrap_models(samples, analysis::byte_weighted_ratio,
                                                        options.bootstrap, options.seed);
      }
      s.encode_mb_per_s = encode_s > 0 ? static_cast<double>(ok_bytes) / encode_s / 1e6 : 0;
      s.decode_mb_per_s = decode_s > 0 ? static_cast<double>(ok_bytes) / decode_s / 1e6 : 0;
      s.leave_one_out = analysis::leave_one_model_out(samples);
      result.push_back(std::move(s));
    }
  }
  return result;
}

namespace {

std::string fixed(double v, int digits = 4) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string with_ci(double point, const analysis::Interval& ci, bool show_ci) {
  std::string s = fixed(point);
  if (show_ci) s += " [" + fixed(ci.low) + ", " + fixed(ci.high) + "]";
  return s;
}

}  // namespace

std::string format_summary_markdown(const std::vector<MethodSummary>& summaries,
                                    const std::vector<ResultRow>& all_rows,
                                    const SummaryOptions& options) {
  auto rows = deduplicate(all_rows);
  std::set<std::string> models, versions;
  size_t failures = 0, skipped = 0;
  for (const auto& r : rows) {
    models.insert(r.model);
    versions.insert(r.tool_version);
    skipped += !r.skipped.empty();
    failures += !r.roundtrip_ok && r.skipped.empty();
  }
  std::string out;
  out += "## Compression ratios by " + std::string(by_name(options.by)) + "\n\n";
  out += std::to_string(rows.size()) + " rows, " + std::to_string(models.size()) + " models (";
  bool first = true;
  for (const auto& m : models) out += (first ? "" : ", ") + m, first = false;
  out += ")";
  if (!options.filter.empty()) out += ", rows filtered to " + options.filter.describe();
  out += ", tool ";
  first = true;
  for (const auto& v : versions) out += (first ? "" : ", ") + v, first = false;
  out += ". Ratio = original bytes / compressed bytes (trained methods: profile included). ";
  bool show_ci = options.bootstrap > 0;
  if (show_ci)
    out += "Brackets: 95% model-level bootstrap interval (" + std::to_string(options.bootstrap) +
           " resamples of whole models, seed " + std::to_string(options.seed) +
           "; with one model the interval is the point). ";
  out +=
      "Every row was decoded and compared with the original; rows that failed are counted in "
      "\"failed\" and left out of the statistics. MB/s: original bytes per second of one thread "
      "(lcl bench runs rows in parallel with --threads). Models are identities, not folders: "
      "files that declare the same model (GGUF general.name, config.json) are one model.\n\n";
  if (failures) out += "**" + std::to_string(failures) + " rows failed their roundtrip.**\n\n";
  if (skipped)
    out += std::to_string(skipped) +
           " rows were skipped (a trained method with neither training data from other models "
           "nor a profile); they are not in the statistics.\n\n";

  std::string domain;
  for (const auto& s : summaries) {
    if (s.domain != domain) {
      domain = s.domain;
      out += "\n### " + domain + "\n\n";
      out +=
          "| method | n | failed | median | geometric mean | byte-weighted | encode MB/s | decode "
          "MB/s |\n";
      out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    }
    if (s.ratios.count == 0) {  // nothing measured: say why instead of printing zeros
      out += "| " + s.method + " | 0 | " + std::to_string(s.failures) + " | " +
             (s.skipped ? "skipped (" + std::to_string(s.skipped) + " rows: " + s.skip_reason + ")"
                        : std::string("no successful row")) +
             " | | | | |\n";
      continue;
    }
    out += "| " + s.method + " | " + std::to_string(s.ratios.count) + " | " +
           std::to_string(s.failures) + " | " + with_ci(s.ratios.median, s.median_ci, show_ci) +
           " | " + with_ci(s.ratios.geometric_mean, s.geomean_ci, show_ci) + " | " +
           with_ci(s.ratios.byte_weighted, s.byte_weighted_ci, show_ci) + " | " +
           fixed(s.encode_mb_per_s, 1) + " | " + fixed(s.decode_mb_per_s, 1) + " |\n";
  }

  // Leave-one-model-out: byte-weighted ratio of each method without each model. Columns are the
  // models of the whole domain; a method that never saw a model repeats its full value there.
  out += "\n## Leave-one-model-out (byte-weighted ratio without the named model)\n";
  std::map<std::string, std::set<std::string>> domain_models;
  for (const auto& s : summaries)
    for (const auto& l : s.leave_one_out) domain_models[s.domain].insert(l.left_out);
  domain.clear();
  for (const auto& s : summaries) {
    const auto& columns = domain_models[s.domain];
    if (columns.size() < 2 || s.ratios.count == 0) continue;  // nothing is left to compare
    if (s.domain != domain) {
      domain = s.domain;
      out += "\n### " + domain + "\n\n| method | all |";
      std::string rule = "|---|---:|";
      for (const auto& m : columns) out += " without " + m + " |", rule += "---:|";
      out += "\n" + rule + "\n";
    }
    out += "| " + s.method + " | " + fixed(s.ratios.byte_weighted);
    for (const auto& m : columns) {
      auto it = std::find_if(s.leave_one_out.begin(), s.leave_one_out.end(),
                             [&](const analysis::LeaveOneOut& l) { return l.left_out == m; });
      double v = it == s.leave_one_out.end() ? s.ratios.byte_weighted : it->summary.byte_weighted;
      bool empty = it != s.leave_one_out.end() && it->summary.count == 0;
      out += " | " + (empty ? std::string("-") : fixed(v));
    }
    out += " |\n";
  }
  return out;
}

std::string format_ablation_markdown(const std::vector<ResultRow>& all_rows) {
  auto rows = deduplicate(all_rows);
  const std::vector<std::string> reference_order = {"decomp_perstream_zstd19_bg",
                                                    "decomp_perstream_zstd3_bg",
                                                    "decomp_perstream_zstd19",
                                                    "decomp_perfile_zstd19_bg",
                                                    "file-zstd-3",
                                                    "file-zstd-19",
                                                    "file-xz",
                                                    "lcl"};
  std::map<std::string, std::vector<const ResultRow*>> by_method;
  for (const auto& r : rows) {
    if (!r.tensor.empty() || r.file.size() < 5 || r.file.substr(r.file.size() - 5) != ".gguf")
      continue;
    if (r.method.rfind("decomp_", 0) == 0 ||
        std::find(reference_order.begin(), reference_order.end(), r.method) !=
            reference_order.end())
      by_method[r.method].push_back(&r);
  }
  bool any_decomposer = false;
  for (const auto& [method, list] : by_method) any_decomposer |= method.rfind("decomp_", 0) == 0;
  if (!any_decomposer) return "";
  std::vector<std::string> order = reference_order;
  for (const auto& [method, list] : by_method)
    if (std::find(order.begin(), order.end(), method) == order.end()) order.push_back(method);
  double base = 0;
  if (auto it = by_method.find(reference_order[0]); it != by_method.end())
    base = analysis::summarize_ratios(samples_of(it->second)).geometric_mean;
  std::string out =
      "\n## Whole-file GGUF ablation\n\nEvery GGUF file whole (header and metadata included), "
      "each decomposer variant with one stream choice switched from decomp_perstream_zstd19_bg "
      "(zstd level, byte grouping of the block headers, one zstd frame per stream or per file), "
      "next to the general compressors and lcl (the .lcl file `lcl compress` writes).\n\n"
      "| method | files | failed | median | geometric mean | vs decomp_perstream_zstd19_bg | "
      "byte-weighted | encode MB/s |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& method : order) {
    auto it = by_method.find(method);
    if (it == by_method.end()) continue;
    size_t failed = 0;
    double encode_s = 0;
    uint64_t ok_bytes = 0;
    for (const ResultRow* r : it->second)
      if (r->roundtrip_ok) {
        encode_s += r->encode_seconds;
        ok_bytes += r->original_bytes;
      } else {
        ++failed;
      }
    auto summary = analysis::summarize_ratios(samples_of(it->second));
    if (summary.count == 0) {
      out +=
          "| " + method + " | 0 | " + std::to_string(failed) + " | no successful row | | | | |\n";
      continue;
    }
    double change = (summary.geometric_mean / base - 1) * 100;
    if (std::abs(change) < 0.005) change = 0;  // no "-0.00%"
    std::string delta = base > 0 ? fixed(change, 2) + "%" : "";
    if (!delta.empty() && delta[0] != '-') delta = "+" + delta;
    out += "| " + method + " | " + std::to_string(summary.count) + " | " + std::to_string(failed) +
           " | " + fixed(summary.median) + " | " + fixed(summary.geometric_mean) + " | " + delta +
           " | " + fixed(summary.byte_weighted) + " | " +
           fixed(encode_s > 0 ? static_cast<double>(ok_bytes) / encode_s / 1e6 : 0, 1) + " |\n";
  }
  return out;
}

}  // namespace lcl::bench
