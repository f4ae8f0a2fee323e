#include "bench/figures.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "analysis/statistics.hpp"
#include "bench/summary.hpp"
#include "bench/svg_plot.hpp"
#include "lcl/error.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;
using analysis::measure_value;

namespace {

// The ceiling a tensor's ratio is compared with: the 16-bit iid bound for floats, the conditional
// field bound for quantized blocks.
double bound_of(const analysis::AtlasRow& row) {
  double b = measure_value(row.measures, "bound_iid16");
  if (b > 0) return b;
  b = measure_value(row.measures, "bound_fields_conditional");
  if (b > 0) return b;
  return measure_value(row.measures, "bound_fields_iid");
}

void no_data(SvgPlot& plot, const std::string& why) {
  plot.center_message(why);
}

fs::path byte_planes(const FigureInputs& in, const fs::path& dir) {
  std::vector<const analysis::AtlasRow*> rows;
  for (const auto& r : in.atlas)
    if (measure_value(r.measures, "h_high") >= 0 && (r.dtype == "BF16" || r.dtype == "F16"))
      rows.push_back(&r);
  // Too many bars become unreadable: keep at most 160, taken evenly across the list.
  constexpr size_t kMaxBars = 160;
  std::vector<const analysis::AtlasRow*> shown;
  for (size_t i = 0; i < std::min(rows.size(), kMaxBars); ++i)
    shown.push_back(rows[i * rows.size() / std::min(rows.size(), kMaxBars)]);
  SvgPlot plot("Byte-plane entropy per tensor (BF16/F16)",
               {0, static_cast<double>(std::max<size_t>(shown.size(), 1)), false,
                "tensors, grouped by model and file"},
               {0, 16, false, "bits per element"});
  plot.hide_x_ticks();
  plot.note(
      "Stacked: H(high byte) + H(low byte); dashed: 16 bits stored. Byte-marginal bound = 16 / "
      "stack height.");
  if (rows.size() > shown.size())
    plot.note("Showing " + std::to_string(shown.size()) + " of " + std::to_string(rows.size()) +
              " tensors (every k-th).");
  if (shown.empty()) no_data(plot, "no BF16/F16 tensors in the atlas");
  std::string group;
  double last_label_end = 0;
  for (size_t i = 0; i < shown.size(); ++i) {
    const auto& r = *shown[i];
    double hi = measure_value(r.measures, "h_high"), lo = measure_value(r.measures, "h_low");
    double x = static_cast<double>(i);
    plot.rect(x + 0.1, 0, x + 0.9, hi, SvgPlot::color(0));
    plot.rect(x + 0.1, hi, x + 0.9, hi + lo, SvgPlot::color(1));
    std::string g = r.model + "/" + r.file;
    if (g != group) {
      // A dotted line starts every file; the model's name labels its first file, when there is
      // room for it after the previous label.
      bool new_model = group.rfind(r.model + "/", 0) != 0;
      group = g;
      plot.line(x, 0, x, 16, "#999", 1, "2,3");
      if (new_model && plot.px(x) >= last_label_end) {
        plot.text(x, 15.6, r.model, 11, "start", 3, 0, "#333");
        last_label_end = plot.px(x) + 7.0 * static_cast<double>(r.model.size()) + 8;
      }
    }
  }
  plot.line(0, 16, static_cast<double>(std::max<size_t>(shown.size(), 1)), 16, "#000", 1.5, "6,4");
  plot.legend("H(high byte)", SvgPlot::color(0));
  plot.legend("H(low byte)", SvgPlot::color(1));
  fs::path path = dir / "byte_plane_entropy.svg";
  plot.write(path.string());
  return path;
}

fs::path ratio_vs_bound(const FigureInputs& in, const fs::path& dir) {
  // Best successful tensor-scope ratio per (file, tensor), joined with the atlas on the same key.
  std::map<std::pair<std::string, std::string>, std::pair<double, std::string>> best;
  for (const auto& r : in.results) {
    if (!r.roundtrip_ok || r.tensor.empty() || !r.compressed_bytes) continue;
    auto& b = best[{r.file, r.tensor}];
    double ratio = static_cast<double>(r.original_bytes) /
                   static_cast<double>(r.compressed_bytes + r.profile_bytes);
    if (ratio > b.first) b = {ratio, r.method};
  }
  struct Point {
    double bound, ratio;
    std::string dtype, label;
  };
  std::vector<Point> points;
  double hi = 1.1;
  for (const auto& a : in.atlas) {
    auto it = best.find({a.file, a.tensor});
    double bound = bound_of(a);
    if (it == best.end() || bound <= 0 || a.bytes < 4096) continue;  // tiny tensors: header noise
    points.push_back(
        {bound, it->second.first, a.dtype, a.file + " " + a.tensor + ": " + it->second.second});
    hi = std::max({hi, bound, it->second.first});
  }
  hi = std::min(hi * 1.05, 8.0);
  SvgPlot plot(
      "Best measured ratio vs entropy bound, per tensor",
      {1, hi, false, "entropy bound (x): 16-bit iid for floats, conditional fields for quantized"},
      {1, hi, false, "best measured ratio (x), roundtrip verified"});
  plot.note(
      "On the diagonal: the method reaches the bound. Tensors under 4 KiB left out; axes clipped "
      "at 8x.");
  if (points.empty()) no_data(plot, "no tensor appears in both the results and the atlas");
  std::vector<std::string> dtypes;
  for (const auto& p : points)
    if (std::find(dtypes.begin(), dtypes.end(), p.dtype) == dtypes.end()) dtypes.push_back(p.dtype);
  plot.line(1, 1, hi, hi, "#555", 1.2, "6,4");
  for (const auto& p : points) {
    size_t c =
        static_cast<size_t>(std::find(dtypes.begin(), dtypes.end(), p.dtype) - dtypes.begin());
    plot.circle(std::min(p.bound, hi), std::min(p.ratio, hi), 4, SvgPlot::color(c), p.label);
  }
  for (size_t c = 0; c < dtypes.size(); ++c) plot.legend(dtypes[c], SvgPlot::color(c));
  plot.legend("ratio = bound", "#555", true);
  fs::path path = dir / "ratio_vs_bound.svg";
  plot.write(path.string());
  return path;
}

// Histogram bars of several series over shared bins.
void histogram(SvgPlot& plot, const std::vector<std::vector<double>>& series, double lo, double hi,
               int bins, const std::vector<std::string>& names) {
  double width = (hi - lo) / bins;
  for (size_t s = 0; s < series.size(); ++s) {
    std::vector<int> counts(static_cast<size_t>(bins), 0);
    for (double v : series[s]) {
      if (!std::isfinite(v)) continue;  // a NaN correlation (weights holding inf/NaN) has no bin
      int b = static_cast<int>(std::floor((v - lo) / width));
      counts[static_cast<size_t>(std::clamp(b, 0, bins - 1))]++;
    }
    for (int b = 0; b < bins; ++b)
      if (counts[static_cast<size_t>(b)])
        plot.rect(lo + b * width, 0, lo + (b + 1) * width, counts[static_cast<size_t>(b)],
                  SvgPlot::color(s), 0.6);
    plot.legend(names[s] + " (" + std::to_string(series[s].size()) + ")", SvgPlot::color(s));
  }
}

double max_bin_count(const std::vector<std::vector<double>>& series, double lo, double hi,
                     int bins) {
  int best = 1;
  double width = (hi - lo) / bins;
  for (const auto& s : series) {
    std::vector<int> counts(static_cast<size_t>(bins), 0);
    for (double v : s) {
      if (!std::isfinite(v)) continue;
      int b = std::clamp(static_cast<int>(std::floor((v - lo) / width)), 0, bins - 1);
      best = std::max(best, ++counts[static_cast<size_t>(b)]);
    }
  }
  return best;
}

fs::path q4k_histogram(const FigureInputs& in, const fs::path& dir) {
  std::vector<double> alone, given;
  for (const auto& a : in.atlas) {
    double h = measure_value(a.measures, "q4k_h_nibble");
    if (h < 0) continue;
    alone.push_back(h);
    given.push_back(measure_value(a.measures, "q4k_h_nibble_given_scale_min"));
  }
  double lo = 3.5, hi = 4.0;
  for (double v : given) lo = std::min(lo, std::floor(v * 10) / 10);
  int bins = static_cast<int>(std::round((hi - lo) / 0.01));
  std::vector<std::vector<double>> series = {alone, given};
  SvgPlot plot("Q4_K nibble entropy per tensor", {lo, hi, false, "bits per 4-bit value"},
               {0, max_bin_count(series, lo, hi, bins) * 1.15, false, "tensors"});
  plot.note(
      "4 bits are stored; the gap to 4 is what an entropy coder of the nibbles can save (0.01-bit "
      "bins).");
  if (alone.empty()) no_data(plot, "no Q4_K tensors in the atlas");
  histogram(plot, series, lo, hi, bins, {"H(nibble)", "H(nibble | scale, min)"});
  fs::path path = dir / "q4k_nibble_entropy.svg";
  plot.write(path.string());
  return path;
}

fs::path pearson_histogram(const FigureInputs& in, const fs::path& dir) {
  std::vector<double> all = in.pearson_matrices;
  all.insert(all.end(), in.pearson_vectors.begin(), in.pearson_vectors.end());
  double extent = 0.05;
  for (double r : all) extent = std::max(extent, std::abs(r));
  extent = std::min(1.0, std::ceil(extent * 20) / 20);
  int bins = 40;
  std::vector<std::vector<double>> series = {in.pearson_matrices, in.pearson_vectors};
  double top = max_bin_count(series, -extent, extent, bins) * 1.15;
  SvgPlot plot("Pearson correlation of adjacent layers (same role, same shape)",
               {-extent, extent, false, "Pearson r between layer K and layer K+1"},
               {0, top, false, "layer pairs"});
  if (all.empty()) {
    no_data(plot,
            "no cross-layer data: run lcl crosslayer MODEL --jsonl FILE, pass --crosslayer FILE");
  } else {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "median r: matrices %.4f (%zu pairs), 1-D tensors (norms) %.4f (%zu pairs)",
                  analysis::median(in.pearson_matrices), in.pearson_matrices.size(),
                  analysis::median(in.pearson_vectors), in.pearson_vectors.size());
    plot.note(buf);
  }
  histogram(plot, series, -extent, extent, bins, {"matrices", "1-D tensors (norms)"});
  plot.line(0, 0, 0, top, "#000", 1, "4,4");
  fs::path path = dir / "crosslayer_pearson.svg";
  plot.write(path.string());
  return path;
}

fs::path pareto(const FigureInputs& in, const fs::path& dir) {
  // One point per method over all rows it ran on (tensor methods: all tensors; file methods: all
  // files): byte-weighted ratio and encode MB/s.
  SummaryOptions options;
  options.bootstrap = 0;
  std::vector<ResultRow> rows = in.results;
  for (auto& r : rows) r.dtype = r.tensor.empty() ? "whole files" : "all tensors";
  auto summaries = summarize(rows, options);
  struct Point {
    double speed, ratio;
    std::string label;
  };
  std::vector<Point> points;
  double speed_lo = 1e9, speed_hi = 0, ratio_lo = 1e9, ratio_hi = 0;
  for (const auto& s : summaries) {
    if (s.encode_mb_per_s <= 0 || s.ratios.count == 0) continue;
    points.push_back({s.encode_mb_per_s, s.ratios.byte_weighted,
                      s.method + (s.domain == "whole files" ? " (file)" : "")});
    speed_lo = std::min(speed_lo, s.encode_mb_per_s);
    speed_hi = std::max(speed_hi, s.encode_mb_per_s);
    ratio_lo = std::min(ratio_lo, s.ratios.byte_weighted);
    ratio_hi = std::max(ratio_hi, s.ratios.byte_weighted);
  }
  if (points.empty()) speed_lo = 0.1, speed_hi = 1000, ratio_lo = 1, ratio_hi = 2;
  double x_lo = std::pow(10.0, std::floor(std::log10(speed_lo))),
         x_hi = std::pow(10.0, std::ceil(std::log10(speed_hi)));
  double pad = std::max(0.02, (ratio_hi - ratio_lo) * 0.1);
  SvgPlot plot("Throughput vs ratio per method (Pareto frontier)",
               {x_lo, x_hi, true, "encode throughput (MB/s, log scale, per thread)"},
               {ratio_lo - pad, ratio_hi + pad, false, "byte-weighted ratio (x)"});
  plot.note(
      "Solid line: methods no other method beats on both speed and ratio. Every row "
      "roundtrip-verified.");
  if (points.empty()) no_data(plot, "no results");
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.speed > b.speed; });
  std::vector<std::pair<double, double>> frontier;
  double best_ratio = -1;
  for (const auto& p : points)
    if (p.ratio > best_ratio) {
      frontier.push_back({p.speed, p.ratio});
      best_ratio = p.ratio;
    }
  if (frontier.size() > 1) plot.polyline(frontier, "#333", 1.5);
  std::vector<std::pair<double, double>> placed;
  for (size_t i = 0; i < points.size(); ++i) {
    plot.circle(points[i].speed, points[i].ratio, 6, SvgPlot::color(i), points[i].label);
    // Labels of coinciding points are stacked downwards instead of printed over each other.
    double X = plot.px(points[i].speed), Y = plot.py(points[i].ratio) - 6;
    for (bool moved = true; moved;) {
      moved = false;
      for (const auto& [x, y] : placed)
        if (std::abs(x - X) < 80 && std::abs(y - Y) < 13) Y = y + 13, moved = true;
    }
    placed.push_back({X, Y});
    plot.text(points[i].speed, points[i].ratio, points[i].label, 11, "start", 9,
              Y - plot.py(points[i].ratio), "#333");
    plot.legend(points[i].label, SvgPlot::color(i));
  }
  fs::path path = dir / "pareto.svg";
  plot.write(path.string());
  return path;
}

}  // namespace

std::vector<fs::path> write_figures(const FigureInputs& inputs, const fs::path& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot create " + out_dir.string() + ": " + ec.message());
  return {byte_planes(inputs, out_dir), ratio_vs_bound(inputs, out_dir),
          q4k_histogram(inputs, out_dir), pearson_histogram(inputs, out_dir),
          pareto(inputs, out_dir)};
}

void read_pearson_jsonl(const fs::path& path, FigureInputs& inputs) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot open " + path.string());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      throw_corrupt(path.string() + ": a line is not a JSON object");
    auto r = j.find("pearson");
    if (r == j.end() || !r->is_number()) continue;
    auto shape = j.find("shape");
    bool matrix = shape != j.end() && shape->is_array() && shape->size() >= 2;
    (matrix ? inputs.pearson_matrices : inputs.pearson_vectors).push_back(r->get<double>());
  }
}

}  // namespace lcl::bench
