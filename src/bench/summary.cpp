#include "bench/summary.hpp"

#include <algorithm>
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

std::string domain_of(const ResultRow& row, GroupBy by) {
  switch (by) {
    case GroupBy::kRole:
      return row.role.empty() ? "(none)" : row.role;
    case GroupBy::kModel:
      return row.model;
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
    if (std::find(method_order.begin(), method_order.end(), row.method) == method_order.end())
      method_order.push_back(row.method);
    groups[domain_of(row, options.by)][row.method].push_back(&row);
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
  size_t failures = 0;
  for (const auto& r : rows) {
    models.insert(r.model);
    versions.insert(r.tool_version);
    failures += !r.roundtrip_ok;
  }
  std::string out;
  out += "## Compression ratios by " + std::string(by_name(options.by)) + "\n\n";
  out += std::to_string(rows.size()) + " rows, " + std::to_string(models.size()) + " models (";
  bool first = true;
  for (const auto& m : models) out += (first ? "" : ", ") + m, first = false;
  out += "), tool ";
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
      "(lcl bench runs rows in parallel with --threads).\n\n";
  if (failures) out += "**" + std::to_string(failures) + " rows failed their roundtrip.**\n\n";

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
    if (columns.size() < 2) continue;  // leaving out the only model leaves nothing
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

}  // namespace lcl::bench
