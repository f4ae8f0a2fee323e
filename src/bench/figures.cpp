#include "bench/figures.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
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

std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// A type as papers write it: ggml's lower-case names upper-cased (q4_K -> Q4_K, mxfp4 -> MXFP4),
// so every figure names a type the way the tables do.
std::string type_label(std::string dtype) {
  if (dtype == "whole files") return dtype;
  for (char& c : dtype) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return dtype;
}

void no_data(SvgPlot& plot, const std::string& why) {
  plot.center_message(why);
}

// An atlas row names its folder; a result row names the model identity (what the weights declare)
// and, when that differs from the folder, a file "FOLDER/NAME". Folder -> model, from the results.
std::map<std::string, std::string> model_of_folder(const std::vector<ResultRow>& results) {
  std::map<std::string, std::string> models;
  for (const auto& r : results) {
    const auto slash = r.file.find('/');
    models.emplace(slash == std::string::npos ? r.model : r.file.substr(0, slash), r.model);
  }
  return models;
}

fs::path byte_planes(const FigureInputs& in, const fs::path& dir) {
  const auto models = model_of_folder(in.results);
  auto model_name = [&](const std::string& folder) {
    auto it = models.find(folder);
    return it == models.end() ? folder : it->second;
  };
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
               {0, 18.5, false, "bits per element"});
  plot.hide_x_ticks();
  plot.note(
      "Stacked: H(high byte) + H(low byte), plug-in entropies of each tensor; dashed: the 16 bits "
      "stored." +
      (rows.size() > shown.size() ? " Showing " + std::to_string(shown.size()) + " of " +
                                        std::to_string(rows.size()) + " tensors (every k-th)."
                                  : std::string()));
  plot.note(
      "The per-tensor byte-marginal bound is 16 / stack height (the reference's byte-plane "
      "bound; the 16-bit iid bound is tighter).");
  if (shown.empty()) no_data(plot, "no BF16/F16 tensors in the atlas");
  std::string group, last_name;
  double last_label_end[2] = {0, 0};
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
      plot.line(x, 0, x, 18.5, "#999", 1, "2,3");
      const std::string name = model_name(r.model);
      const double label_width = 7.0 * static_cast<double>(name.size()) + 8;
      // Never into the legend: a label with no room after its line ends at the plot's edge.
      // Two rows of labels above the 16-bit line; a label takes the first row with room.
      const double start = std::min(plot.px(x), plot.area()[2] - label_width);
      for (size_t row = 0; row < 2 && new_model && name != last_name; ++row)
        if (start >= last_label_end[row]) {
          plot.text_px(start + 3, plot.py(row == 0 ? 17.6 : 16.7) + 4, name, 11, "#333");
          last_label_end[row] = start + label_width;
          last_name = name;
        }
    }
  }
  plot.line(0, 16, static_cast<double>(std::max<size_t>(shown.size(), 1)), 16, "#000", 1.5, "6,4");
  plot.legend("H(high byte)", SvgPlot::color(0));
  plot.legend("H(low byte)", SvgPlot::color(1));
  plot.legend("16 bits stored", "#000", true);
  fs::path path = dir / "byte_plane_entropy.svg";
  plot.write(path.string());
  return path;
}

fs::path ratio_vs_bound(const FigureInputs& in, const fs::path& dir) {
  // Best successful tensor-scope ratio per (file, tensor), joined with the atlas on the same key.
  // Keyed by (folder, file name, tensor): a result row's file is "FOLDER/NAME" when its model spans
  // folders and NAME in its model's own folder; an atlas row names its folder as the model.
  std::map<std::string, std::pair<double, std::string>> best;
  auto result_key = [](const ResultRow& r) {
    const auto slash = r.file.find('/');
    return slash == std::string::npos
               ? r.model + '\n' + r.file + '\n' + r.tensor
               : r.file.substr(0, slash) + '\n' + r.file.substr(slash + 1) + '\n' + r.tensor;
  };
  for (const auto& r : in.results) {
    if (!r.roundtrip_ok || r.tensor.empty() || !r.compressed_bytes) continue;
    auto& b = best[result_key(r)];
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
    auto it = best.find(a.model + '\n' + a.file + '\n' + a.tensor);
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
      "Bound: per-tensor 16-bit iid bound 16/H(u16) for BF16/F16/F32 (F32 by 16-bit halves); for "
      "Q4_K/Q6_K/Q8_0 the");
  plot.note(
      "conditional field bound (every field at its plug-in entropy, quants given their sub-block "
      "scale). Tensors < 4 KiB left out; axes clipped at 8x.");
  if (points.empty()) no_data(plot, "no tensor appears in both the results and the atlas");
  std::vector<std::string> dtypes;
  for (const auto& p : points)
    if (std::find(dtypes.begin(), dtypes.end(), p.dtype) == dtypes.end()) dtypes.push_back(p.dtype);
  std::sort(dtypes.begin(), dtypes.end());
  plot.line(1, 1, hi, hi, "#555", 1.2, "6,4");
  for (const auto& p : points)
    plot.circle(std::min(p.bound, hi), std::min(p.ratio, hi), 4, SvgPlot::color_of(p.dtype),
                p.label);
  for (const auto& d : dtypes) plot.legend(type_label(d), SvgPlot::color_of(d));
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
               {0, max_bin_count(series, lo, hi, bins) * 1.15, false, "tensors", true});
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
               {0, top, false, "layer pairs", true});
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

// The byte-weighted ceiling of each type from the atlas (what a coder at each tensor's bound
// would give on all of the type's bytes together) and its name.
std::map<std::string, std::pair<double, std::string>> ceilings_by_type(const FigureInputs& in) {
  std::map<std::string, std::pair<double, double>> bytes_and_bound_bytes;
  std::map<std::string, std::string> kind;
  for (const auto& a : in.atlas) {
    const double b = bound_of(a);
    if (b <= 0) continue;
    auto& [bytes, at_bound] = bytes_and_bound_bytes[a.dtype];
    bytes += static_cast<double>(a.bytes);
    at_bound += static_cast<double>(a.bytes) / b;
    kind[a.dtype] = measure_value(a.measures, "bound_iid16") > 0 ? "per-tensor 16-bit iid bound"
                    : measure_value(a.measures, "bound_fields_conditional") > 0
                        ? "per-tensor conditional field bound"
                        : "per-tensor field iid bound";
  }
  std::map<std::string, std::pair<double, std::string>> out;
  for (const auto& [dtype, v] : bytes_and_bound_bytes)
    if (v.second > 0) out[dtype] = {v.first / v.second, kind[dtype]};
  return out;
}

fs::path pareto(const FigureInputs& in, const fs::path& dir) {
  // One panel per type (and one for whole files): each method's byte-weighted ratio on that
  // type's tensors against its encode MB/s. Pooling types would rank a method by the mix of types
  // it happens to cover, not by how well it codes any of them.
  SummaryOptions options;
  options.bootstrap = 0;
  std::vector<ResultRow> rows = in.results;
  for (auto& r : rows)
    if (r.tensor.empty()) r.dtype = "whole files";
  auto summaries = summarize(rows, options);
  auto ceilings = ceilings_by_type(in);
  std::map<std::string, std::vector<const MethodSummary*>> by_domain;
  for (const auto& s : summaries)
    if (s.encode_mb_per_s > 0 && s.ratios.count > 0) by_domain[s.domain].push_back(&s);

  std::vector<std::unique_ptr<SvgPlot>> panels;
  for (const auto& [domain, list] : by_domain) {
    double speed_lo = 1e18, speed_hi = 0, ratio_lo = 1e18, ratio_hi = 0;
    for (const MethodSummary* s : list) {
      speed_lo = std::min(speed_lo, s->encode_mb_per_s);
      speed_hi = std::max(speed_hi, s->encode_mb_per_s);
      ratio_lo = std::min(ratio_lo, s->ratios.byte_weighted);
      ratio_hi = std::max(ratio_hi, s->ratios.byte_weighted);
    }
    auto ceiling = ceilings.find(domain);
    const bool has_ceiling = ceiling != ceilings.end() && domain != "whole files";
    if (has_ceiling) {
      ratio_hi = std::max(ratio_hi, ceiling->second.first);
      ratio_lo = std::min(ratio_lo, ceiling->second.first);
    }
    const double x_lo = std::pow(10.0, std::floor(std::log10(speed_lo))),
                 x_hi = std::pow(10.0, std::ceil(std::log10(speed_hi * 1.0001)));
    const double pad = std::max(0.01, (ratio_hi - ratio_lo) * 0.12);
    std::string subtitle =
        has_ceiling ? "ceiling (dashed): byte-weighted " + ceiling->second.second + " " +
                          fixed4(ceiling->second.first) + "x"
        : domain == "whole files" ? "whole files, every format; no entropy ceiling"
                                  : "no atlas bound for this type";
    auto plot = std::make_unique<SvgPlot>(
        type_label(domain) + " (" + std::to_string(list.front()->ratios.count) + " " +
            (domain == "whole files" ? "files" : "tensors") + ")",
        Axis{x_lo, x_hi, true, "encode MB/s per thread (log)"},
        Axis{ratio_lo - pad, ratio_hi + pad, false, "byte-weighted ratio (x)"}, 720, 430);
    plot->set_right_margin(250);
    plot->note(subtitle);
    if (has_ceiling)
      plot->line(x_lo, ceiling->second.first, x_hi, ceiling->second.first, "#000", 1.2, "6,4");
    std::vector<const MethodSummary*> sorted = list;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->encode_mb_per_s > b->encode_mb_per_s; });
    std::vector<std::pair<double, double>> frontier;
    double best_ratio = -1;
    for (const MethodSummary* s : sorted)
      if (s->ratios.byte_weighted > best_ratio) {
        frontier.push_back({s->encode_mb_per_s, s->ratios.byte_weighted});
        best_ratio = s->ratios.byte_weighted;
      }
    if (frontier.size() > 1) plot->polyline(frontier, "#333", 1.5);
    std::vector<Marker> markers;
    std::vector<std::string> labels;
    for (const MethodSummary* s : list) {
      plot->circle(s->encode_mb_per_s, s->ratios.byte_weighted, 6, SvgPlot::color_of(s->method),
                   s->method + ": " + fixed4(s->ratios.byte_weighted) + "x");
      markers.push_back({plot->px(s->encode_mb_per_s), plot->py(s->ratios.byte_weighted), 6});
      labels.push_back(s->method);
      plot->legend(s->method, SvgPlot::color_of(s->method));
    }
    if (has_ceiling) plot->legend("ceiling", "#000", true);
    // The ceiling and the frontier are obstacles too: unlabelled markers every few pixels along
    // them keep labels from being struck through.
    auto obstacles_along = [&](double x0, double y0, double x1, double y1) {
      const double length = std::hypot(x1 - x0, y1 - y0);
      for (double t = 0; t <= length; t += 5)
        markers.push_back({x0 + (x1 - x0) * t / std::max(length, 1.0),
                           y0 + (y1 - y0) * t / std::max(length, 1.0), 1.5});
    };
    if (has_ceiling)
      obstacles_along(plot->px(x_lo), plot->py(ceiling->second.first), plot->px(x_hi),
                      plot->py(ceiling->second.first));
    for (size_t i = 1; i < frontier.size(); ++i)
      obstacles_along(plot->px(frontier[i - 1].first), plot->py(frontier[i - 1].second),
                      plot->px(frontier[i].first), plot->py(frontier[i].second));
    auto placed = place_labels(markers, labels, 11, plot->area());
    for (size_t i = 0; i < placed.size(); ++i) {
      if (!placed[i].placed) continue;
      plot->text_px(placed[i].x, placed[i].y, labels[i], 11, "#333");
      // A label pushed away from its marker gets a thin leader line to the box's nearest point.
      const PlacedLabel& l = placed[i];
      const double top = l.y - l.height + 4;
      const double nx = std::clamp(markers[i].x, l.x, l.x + l.width),
                   ny = std::clamp(markers[i].y, top, top + l.height);
      if (std::hypot(nx - markers[i].x, ny - markers[i].y) > markers[i].radius + 10)
        plot->line_px(markers[i].x, markers[i].y, nx, ny, "#999", 0.8);
    }
    panels.push_back(std::move(plot));
  }
  std::vector<const SvgPlot*> views;
  for (const auto& p : panels) views.push_back(p.get());
  SvgPlot empty("no results", {0.1, 1000, true, "encode MB/s"}, {1, 2, false, "ratio"}, 720, 430);
  if (views.empty()) {
    empty.center_message("no results");
    views.push_back(&empty);
  }
  std::string svg = compose_panels(
      "Throughput vs ratio per method, one panel per type",
      {"Each point: one method on all tensors of the type (byte-weighted ratio, profile bytes "
       "included; every row roundtrip-verified).",
       "Solid line: Pareto frontier (no other method both faster and better). Dashed: the type's "
       "entropy ceiling from lcl atlas,",
       "an order-0 bound per tensor: a coder that uses context across elements (lcl's field "
       "models, zstd and xz on repeated content) can pass it."},
      views, 2);
  fs::path path = dir / "pareto.svg";
  std::ofstream out(path);
  if (!out || !(out << svg) || !out.flush())
    throw Error(ErrorKind::kIo, "cannot write " + path.string());
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

bool have_rsvg_convert() {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string dirs = path;
  for (size_t start = 0; start <= dirs.size();) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, colon - start)) / "rsvg-convert";
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) return true;
    start = colon + 1;
  }
  return false;
}

std::vector<fs::path> render_pngs(const std::vector<fs::path>& svgs, double zoom) {
  std::vector<fs::path> pngs;
  if (!have_rsvg_convert()) return pngs;
  for (const auto& svg : svgs) {
    fs::path png = fs::path(svg).replace_extension(".png");
    std::string zoom_text = std::to_string(zoom), out_text = png.string(), in_text = svg.string();
    std::vector<char*> argv = {const_cast<char*>("rsvg-convert"),
                               const_cast<char*>("-z"),
                               zoom_text.data(),
                               const_cast<char*>("-o"),
                               out_text.data(),
                               in_text.data(),
                               nullptr};
    pid_t pid = 0;
    if (posix_spawnp(&pid, "rsvg-convert", nullptr, nullptr, argv.data(), environ) != 0)
      throw Error(ErrorKind::kIo, "cannot run rsvg-convert");
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw Error(ErrorKind::kIo, "rsvg-convert failed on " + svg.string());
    pngs.push_back(png);
  }
  return pngs;
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
