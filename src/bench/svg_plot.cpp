#include "bench/svg_plot.hpp"

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
std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  double span = hi - lo;
  if (!(span > 0)) return {lo};
  double raw = span / count;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(t);
  return ticks;
}

}  // namespace

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
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width_) +
                    "\" height=\"" + std::to_string(height_) + "\" viewBox=\"0 0 " +
                    std::to_string(width_) + " " + std::to_string(height_) +
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
    if (!a.log) return nice_ticks(a.min, a.max, 6);
    std::vector<double> t;
    for (double e = std::floor(std::log10(a.min)); e <= std::ceil(std::log10(a.max)); ++e)
      for (double m : {1.0, 2.0, 5.0}) {
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
