#include "bench/headline.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "analysis/statistics.hpp"
#include "bench/summary.hpp"

namespace lcl::bench {

namespace {

struct Domain {
  std::string title;
  std::string dtype;  // the rows' dtype; "file" for whole files
  std::vector<std::string> reference_methods;
  std::string bound_key, bound_name;
};

std::string pair_of(double geomean, double byte_weighted) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4fx / %.4fx", geomean, byte_weighted);
  return buf;
}

bool is_gguf(const std::string& file) {
  return file.size() >= 5 && file.compare(file.size() - 5, 5, ".gguf") == 0;
}

}  // namespace

std::string format_headline_markdown(const std::vector<ResultRow>& all_rows,
                                     const std::vector<analysis::AtlasRow>& atlas) {
  const std::vector<Domain> domains = {
      {"BF16 tensors",
       "BF16",
       {"byte-split", "zipnn-like", "dfloat11-like"},
       "bound_iid16",
       "per-tensor 16-bit iid bound"},
      {"F16 tensors",
       "F16",
       {"byte-split", "zipnn-like", "dfloat11-like"},
       "bound_iid16",
       "per-tensor 16-bit iid bound"},
      {"Q4_K tensors",
       "q4_K",
       {"perstream_zstd19_bg", "qb_mixture_k4"},
       "bound_fields_conditional",
       "conditional field bound"},
      {"Q6_K tensors",
       "q6_K",
       {"perstream_zstd19_bg"},
       "bound_fields_conditional",
       "conditional field bound"},
      {"Q8_0 tensors",
       "q8_0",
       {"perstream_zstd19_bg"},
       "bound_fields_conditional",
       "conditional field bound"},
      {"whole GGUF files", "file", {"decomp_perstream_zstd19_bg"}, "", ""},
  };
  const std::vector<std::string> general = {"zstd-3", "zstd-19", "xz-9"};
  const std::vector<std::string> general_file = {"file-zstd-3", "file-zstd-19", "file-xz"};
  auto rows = deduplicate(all_rows);

  std::string out =
      "| domain | compressor | best ratio (geometric mean / byte-weighted) | ceiling (geometric "
      "mean / byte-weighted) |\n|---|---|---:|---:|\n";
  for (const auto& d : domains) {
    std::map<std::string, std::vector<const ResultRow*>> by_method;
    for (const auto& r : rows) {
      if (r.dtype != d.dtype) continue;
      if (d.dtype == "file" && !is_gguf(r.file)) continue;
      by_method[r.method].push_back(&r);
    }
    if (by_method.empty()) continue;
    // The ceiling over the atlas rows of this type.
    std::string ceiling = "n/a (no bound for metadata)";
    if (!d.bound_key.empty()) {
      std::vector<double> bounds;
      long double bytes = 0, at_bound = 0;
      bool iid_fallback = false;
      for (const auto& a : atlas) {
        if (a.dtype != d.dtype) continue;
        double b = analysis::measure_value(a.measures, d.bound_key);
        if (b <= 0 && d.bound_key == "bound_fields_conditional") {
          // Types whose values have no sub-block scale to condition on (Q8_0): the iid bound.
          b = analysis::measure_value(a.measures, "bound_fields_iid");
          iid_fallback = iid_fallback || b > 0;
        }
        if (b <= 0) continue;
        bounds.push_back(b);
        bytes += a.bytes;
        at_bound += static_cast<long double>(a.bytes) / b;
      }
      ceiling =
          bounds.empty()
              ? "n/a (no atlas rows)"
              : pair_of(analysis::geometric_mean(bounds), static_cast<double>(bytes / at_bound)) +
                    " (" + (iid_fallback ? std::string("field iid bound") : d.bound_name) + ")";
    }
    auto line = [&](const std::string& method, const std::string& label) {
      auto it = by_method.find(method);
      if (it == by_method.end()) return;
      auto samples = samples_of(it->second);
      auto s = analysis::summarize_ratios(samples);
      size_t skipped = 0, failed = 0;
      for (const ResultRow* r : it->second) {
        skipped += !r->skipped.empty();
        failed += r->skipped.empty() && !r->roundtrip_ok;
      }
      std::string cell =
          s.count ? pair_of(s.geometric_mean, s.byte_weighted) : std::string("not measured");
      if (failed) cell += " (" + std::to_string(failed) + " failed)";
      if (skipped) cell += " (" + std::to_string(skipped) + " skipped)";
      out += "| " + d.title + " (" + std::to_string(s.count) + ") | " + label + " | " + cell +
             " | " + ceiling + " |\n";
    };
    for (const auto& m : d.reference_methods) line(m, m + " (reference)");
    // The best general-purpose compressor by byte-weighted ratio.
    std::string best;
    double best_ratio = 0;
    for (const auto& m : d.dtype == "file" ? general_file : general) {
      auto it = by_method.find(m);
      if (it == by_method.end()) continue;
      double r = analysis::summarize_ratios(samples_of(it->second)).byte_weighted;
      if (r > best_ratio) best_ratio = r, best = m;
    }
    if (!best.empty()) line(best, best + " (best general compressor)");
    line("lcl", "lcl (this project)");
  }
  return out;
}

}  // namespace lcl::bench
