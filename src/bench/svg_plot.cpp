#include "bench/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "lcl/error.hpp"

namespace lcl::bench {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Tick label without trailing zeros ("1.5", "10", "0.25").
std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::abs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

// About `count` round tick positions covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int count, bool integer) {
  std::vector<double> ticks;
  double span = hi - lo;
  if (!(span > 0)) return {lo};
  double raw = integer ? std::max(1.0, span / count) : span / count;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw && !(integer && m == 2.5 && magnitude < 10)) {
      step = m * magnitude;
      break;
    }
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(t);
  return ticks;
}

}  // namespace

const std::string& SvgPlot::color_of(const std::string& name) {
  // Methods keep their colour in every figure and run: ours in blue, the general compressors in
  // greys and browns, the float baselines in greens/oranges, the GGUF baselines in purples, the
  // decomposer's ablation variants in colours no other method uses.
  static const std::vector<std::pair<std::string, std::string>> fixed = {
      {"lcl", "#0072B2"},
      {"lcl-tensor-alone", "#56B4E9"},
      {"zstd-3", "#7F7F7F"},
      {"zstd-19", "#4D4D4D"},
      {"xz-9", "#8C564B"},
      {"file-zstd-3", "#7F7F7F"},
      {"file-zstd-19", "#4D4D4D"},
      {"file-xz", "#8C564B"},
      {"zipnn-like", "#009E73"},
      {"dfloat11-like", "#E69F00"},
      {"byte-split", "#D55E00"},
      {"perstream_zstd19_bg", "#CC79A7"},
      {"qb_mixture_k4", "#882255"},
      {"decomp_perstream_zstd19_bg", "#AA4499"},
      {"decomp_perstream_zstd3_bg", "#44AA99"},
      {"decomp_perstream_zstd19", "#332288"},
      {"decomp_perfile_zstd19_bg", "#999933"},
      {"BF16", "#0072B2"},
      {"F16", "#56B4E9"},
      {"F32", "#7F7F7F"},
      {"q4_K", "#D55E00"},
      {"q6_K", "#009E73"},
      {"q8_0", "#E69F00"},
      {"q5_K", "#CC79A7"},
      {"q3_K", "#882255"},
      {"q5_0", "#8C564B"},
      {"q4_0", "#BCBD22"},
      {"F8_E4M3", "#17BECF"},
      {"mxfp4", "#000000"},
  };
  for (const auto& [key, value] : fixed)
    if (key == name) return value;
  uint64_t h = 1469598103934665603ull;  // FNV-1a: the same colour for a name on every machine
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return color(static_cast<size_t>(h % 12));
}

const std::string& SvgPlot::color(size_t i) {
  // Okabe-Ito palette plus a few extra distinguishable colours.
  static const std::vector<std::string> palette = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                   "#CC79A7", "#56B4E9", "#000000", "#F0E442",
                                                   "#7F7F7F", "#8C564B", "#17BECF", "#BCBD22"};
  return palette[i % palette.size()];
}

SvgPlot::SvgPlot(std::string title, Axis x, Axis y, int width, int height)
    : title_(std::move(title)), x_(std::move(x)), y_(std::move(y)), width_(width), height_(height) {
  if (x_.log && x_.min <= 0) x_.min = 1e-3;
  if (y_.log && y_.min <= 0) y_.min = 1e-3;
  if (!(x_.max > x_.min)) x_.max = x_.min + 1;
  if (!(y_.max > y_.min)) y_.max = y_.min + 1;
}

double SvgPlot::px(double x) const {
  double w = width_ - left_ - right_;
  double f = x_.log
                 ? (std::log10(x) - std::log10(x_.min)) / (std::log10(x_.max) - std::log10(x_.min))
                 : (x - x_.min) / (x_.max - x_.min);
  return left_ + f * w;
}

double SvgPlot::py(double y) const {
  double h = height_ - top_ - bottom_;
  double f = y_.log
                 ? (std::log10(y) - std::log10(y_.min)) / (std::log10(y_.max) - std::log10(y_.min))
                 : (y - y_.min) / (y_.max - y_.min);
  return height_ - bottom_ - f * h;
}

void SvgPlot::rect(double x0, double y0, double x1, double y1, const std::string& color,
                   double opacity) {
  double a = px(x0), b = px(x1), c = py(y0), d = py(y1);
  body_ += "<rect x=\"" + num(std::min(a, b)) + "\" y=\"" + num(std::min(c, d)) + "\" width=\"" +
           num(std::abs(b - a)) + "\" height=\"" + num(std::abs(d - c)) + "\" fill=\"" + color +
           "\" fill-opacity=\"" + num(opacity) + "\"/>\n";
}

void SvgPlot::line(double x0, double y0, double x1, double y1, const std::string& color,
                   double width, const std::string& dash) {
  body_ += "<line x1=\"" + num(px(x0)) + "\" y1=\"" + num(py(y0)) + "\" x2=\"" + num(px(x1)) +
           "\" y2=\"" + num(py(y1)) + "\" stroke=\"" + color + "\" stroke-width=\"" + num(width) +
           "\"" + (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
}

void SvgPlot::line_px(double x0, double y0, double x1, double y1, const std::string& color,
                      double width) {
  body_ += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x1) + "\" y2=\"" +
           num(y1) + "\" stroke=\"" + color + "\" stroke-width=\"" + num(width) + "\"/>\n";
}

void SvgPlot::polyline(const std::vector<std::pair<double, double>>& points,
                       const std::string& color, double width, const std::string& dash) {
  std::string p;
  for (const auto& [x, y] : points) p += num(px(x)) + "," + num(py(y)) + " ";
  body_ += "<polyline points=\"" + p + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"" +
           num(width) + "\"" + (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
}

void SvgPlot::circle(double x, double y, double radius, const std::string& color,
                     const std::string& tooltip) {
  body_ += "<circle cx=\"" + num(px(x)) + "\" cy=\"" + num(py(y)) + "\" r=\"" + num(radius) +
           "\" fill=\"" + color + "\" fill-opacity=\"0.75\" stroke=\"#333\" stroke-width=\"0.5\">";
  if (!tooltip.empty()) body_ += "<title>" + xml_escape(tooltip) + "</title>";
  body_ += "</circle>\n";
}

void SvgPlot::text(double x, double y, const std::string& s, int size, const std::string& anchor,
                   double dx, double dy, const std::string& color) {
  body_ += "<text x=\"" + num(px(x) + dx) + "\" y=\"" + num(py(y) + dy) + "\" font-size=\"" +
           std::to_string(size) + "\" text-anchor=\"" + anchor + "\" fill=\"" + color + "\">" +
           xml_escape(s) + "</text>\n";
}

void SvgPlot::text_px(double x, double y, const std::string& s, int size,
                      const std::string& color) {
  body_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + std::to_string(size) +
           "\" fill=\"" + color + "\">" + xml_escape(s) + "</text>\n";
}

void SvgPlot::x_category(double x, const std::string& s, bool rotate) {
  double X = px(x), Y = height_ - bottom_ + 16;
  if (rotate)
    body_ += "<text x=\"" + num(X) + "\" y=\"" + num(Y) +
             "\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-40 " + num(X) + " " +
             num(Y) + ")\">" + xml_escape(s) + "</text>\n";
  else
    body_ += "<text x=\"" + num(X) + "\" y=\"" + num(Y + 4) +
             "\" font-size=\"12\" text-anchor=\"middle\">" + xml_escape(s) + "</text>\n";
}

void SvgPlot::legend(const std::string& label, const std::string& color, bool as_line) {
  legend_.push_back({label, {color, as_line}});
}

void SvgPlot::note(const std::string& s) {
  notes_.push_back(s);
}

std::string SvgPlot::str() const {
  return str_at(-1, -1);
}

std::string SvgPlot::str_at(double x, double y) const {
  const bool nested = x >= 0 && y >= 0;
  std::string out = "<svg " +
                    (nested ? "x=\"" + num(x) + "\" y=\"" + num(y) + "\""
                            : std::string("xmlns=\"http://www.w3.org/2000/svg\"")) +
                    " width=\"" + std::to_string(width_) + "\" height=\"" +
                    std::to_string(height_) + "\" viewBox=\"0 0 " + std::to_string(width_) + " " +
                    std::to_string(height_) +
                    "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + num(left_) + "\" y=\"28\" font-size=\"18\" font-weight=\"bold\">" +
         xml_escape(title_) + "</text>\n";
  for (size_t i = 0; i < notes_.size(); ++i)
    out += "<text x=\"" + num(left_) + "\" y=\"" + num(46 + 14 * i) +
           "\" font-size=\"12\" fill=\"#555\">" + xml_escape(notes_[i]) + "</text>\n";
  double x0 = left_, x1 = width_ - right_, y0 = top_, y1 = height_ - bottom_;
  // Grid and ticks.
  auto ticks_of = [](const Axis& a) {
    if (!a.log) return nice_ticks(a.min, a.max, 6, a.integer);
    std::vector<double> t;
    // 1-2-5 ticks over a few decades; over more, the labels would run into each other.
    const bool dense = std::log10(a.max) - std::log10(a.min) <= 3.01;
    for (double e = std::floor(std::log10(a.min)); e <= std::ceil(std::log10(a.max)); ++e)
      for (double m : {1.0, 2.0, 5.0}) {
        if (!dense && m != 1.0) continue;
        double v = m * std::pow(10.0, e);
        if (v >= a.min * 0.999 && v <= a.max * 1.001) t.push_back(v);
      }
    return t;
  };
  for (double t : ticks_of(y_)) {
    double Y = py(t);
    out += "<line x1=\"" + num(x0) + "\" y1=\"" + num(Y) + "\" x2=\"" + num(x1) + "\" y2=\"" +
           num(Y) + "\" stroke=\"#e3e3e3\"/>\n";
    out += "<text x=\"" + num(x0 - 8) + "\" y=\"" + num(Y + 4) +
           "\" font-size=\"12\" text-anchor=\"end\">" + tick_label(t) + "</text>\n";
  }
  if (x_ticks_)
    for (double t : ticks_of(x_)) {
      double X = px(t);
      out += "<line x1=\"" + num(X) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(X) + "\" y2=\"" +
             num(y1) + "\" stroke=\"#e3e3e3\"/>\n";
      out += "<text x=\"" + num(X) + "\" y=\"" + num(y1 + 18) +
             "\" font-size=\"12\" text-anchor=\"middle\">" + tick_label(t) + "</text>\n";
    }
  out += body_;
  out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" + num(x1 - x0) +
         "\" height=\"" + num(y1 - y0) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  out += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(height_ - 14) +
         "\" font-size=\"14\" text-anchor=\"middle\">" + xml_escape(x_.label) + "</text>\n";
  out += "<text x=\"18\" y=\"" + num((y0 + y1) / 2) +
         "\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 18 " +
         num((y0 + y1) / 2) + ")\">" + xml_escape(y_.label) + "</text>\n";
  for (size_t i = 0; i < legend_.size(); ++i) {
    double lx = x1 + 16, ly = y0 + 10 + 22 * i;
    const auto& [label, style] = legend_[i];
    if (style.second)
      out += "<line x1=\"" + num(lx) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(lx + 18) +
             "\" y2=\"" + num(ly) + "\" stroke=\"" + style.first + "\" stroke-width=\"2.5\"/>\n";
    else
      out += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly - 7) +
             "\" width=\"18\" height=\"14\" fill=\"" + style.first + "\"/>\n";
    out += "<text x=\"" + num(lx + 26) + "\" y=\"" + num(ly + 5) + "\" font-size=\"13\">" +
           xml_escape(label) + "</text>\n";
  }
  out += "</svg>\n";
  return out;
}

double text_width(const std::string& s, int font_size) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // UTF-8 code points
  return 0.62 * font_size * static_cast<double>(chars);
}

std::vector<PlacedLabel> place_labels(const std::vector<Marker>& markers,
                                      const std::vector<std::string>& labels, int font_size,
                                      const std::array<double, 4>& area) {
  struct Box {
    double x0, y0, x1, y1;
  };
  auto overlaps = [](const Box& a, const Box& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  };
  std::vector<Box> taken;
  for (const auto& m : markers)
    taken.push_back(
        {m.x - m.radius - 1, m.y - m.radius - 1, m.x + m.radius + 1, m.y + m.radius + 1});
  std::vector<PlacedLabel> result(labels.size());
  const double h = font_size + 2;
  for (size_t i = 0; i < labels.size() && i < markers.size(); ++i) {
    const Marker& m = markers[i];
    const double w = text_width(labels[i], font_size);
    result[i].width = w;
    result[i].height = h;
    bool done = false;
    for (double gap = 3; gap <= 60 && !done; gap += 9) {
      const double r = m.radius + gap;
      // Box top-left corners: right, left, above, below, and the four diagonals.
      const std::pair<double, double> corners[] = {
          {m.x + r, m.y - h / 2}, {m.x - r - w, m.y - h / 2}, {m.x - w / 2, m.y - r - h},
          {m.x - w / 2, m.y + r}, {m.x + r, m.y - r - h},     {m.x - r - w, m.y - r - h},
          {m.x + r, m.y + r},     {m.x - r - w, m.y + r}};
      for (const auto& [x0, y0] : corners) {
        Box box{x0, y0, x0 + w, y0 + h};
        if (box.x0 < area[0] + 2 || box.y0 < area[1] + 2 || box.x1 > area[2] - 2 ||
            box.y1 > area[3] - 2)
          continue;
        bool free = true;
        for (const Box& t : taken) free = free && !overlaps(box, t);
        if (!free) continue;
        taken.push_back(box);
        result[i] = {true, x0, y0 + h - 4, w, h};
        done = true;
        break;
      }
    }
  }
  return result;
}

std::string compose_panels(const std::string& title, const std::vector<std::string>& caption,
                           const std::vector<const SvgPlot*>& panels, int columns) {
  columns = std::max(1, columns);
  double panel_w = 0, panel_h = 0;
  for (const SvgPlot* p : panels) {
    panel_w = std::max(panel_w, static_cast<double>(p->width()));
    panel_h = std::max(panel_h, static_cast<double>(p->height()));
  }
  const size_t rows =
      (panels.size() + static_cast<size_t>(columns) - 1) / static_cast<size_t>(columns);
  const double head = 40 + 16.0 * static_cast<double>(caption.size());
  const double width =
      std::max(panel_w * std::min<double>(columns, std::max<size_t>(panels.size(), 1)), 900.0);
  const double height = head + panel_h * static_cast<double>(std::max<size_t>(rows, 1));
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) +
                    "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " +
                    num(height) +
                    "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"20\" y=\"28\" font-size=\"20\" font-weight=\"bold\">" + xml_escape(title) +
         "</text>\n";
  for (size_t i = 0; i < caption.size(); ++i)
    out += "<text x=\"20\" y=\"" + num(48 + 16.0 * static_cast<double>(i)) +
           "\" font-size=\"13\" fill=\"#444\">" + xml_escape(caption[i]) + "</text>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    out +=
        panels[i]->str_at(panel_w * static_cast<double>(i % static_cast<size_t>(columns)),
                          head + panel_h * static_cast<double>(i / static_cast<size_t>(columns)));
  out += "</svg>\n";
  return out;
}

void SvgPlot::write(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw Error(ErrorKind::kIo, "cannot create " + path);
  out << str();
  if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + path);
}

}  // namespace lcl::bench

namespace lcl::bench {

void SvgPlot::center_message(const std::string& s) {
  body_ += "<text x=\"" + num((left_ + width_ - right_) / 2) + "\" y=\"" +
           num((top_ + height_ - bottom_) / 2) +
           "\" font-size=\"15\" text-anchor=\"middle\" fill=\"#a00\">" + xml_escape(s) +
           "</text>\n";
}

}  // namespace lcl::bench
