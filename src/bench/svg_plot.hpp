#pragma once
// A minimal SVG plot writer for the figures of `lcl figures`: one plot area with linear or
// logarithmic axes, ticks, labels, a legend, and the marks the five figures need. Text is escaped;
// sizes are in pixels of a fixed canvas so the files render the same everywhere.
#include <string>
#include <vector>

namespace lcl::bench {

struct Axis {
  double min = 0, max = 1;
  bool log = false;  // log10 scale (min > 0)
  std::string label;
};

class SvgPlot {
 public:
  SvgPlot(std::string title, Axis x, Axis y, int width = 960, int height = 600);

  double px(double x) const;  // data -> pixel
  double py(double y) const;

  void rect(double x0, double y0, double x1, double y1, const std::string& color,
            double opacity = 1);
  void line(double x0, double y0, double x1, double y1, const std::string& color,
            double width = 1.5, const std::string& dash = "");
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& color,
                double width = 2, const std::string& dash = "");
  void circle(double x, double y, double radius, const std::string& color,
              const std::string& tooltip = "");
  // Text at data coordinates (anchor: start, middle, end); pixel offsets shift it.
  void text(double x, double y, const std::string& s, int size = 13,
            const std::string& anchor = "start", double dx = 0, double dy = 0,
            const std::string& color = "#222");
  // Text below the x axis at data x (for category labels), rotated when `rotate`.
  void x_category(double x, const std::string& s, bool rotate = false);
  void legend(const std::string& label, const std::string& color, bool as_line = false);
  void note(const std::string& s);            // a line of small text under the title
  void center_message(const std::string& s);  // large text in the middle of the plot area
  void hide_x_ticks() { x_ticks_ = false; }

  std::string str() const;
  void write(const std::string& path) const;  // throws lcl::Error(kIo)

  // A categorical palette readable on white (and for common colour blindness).
  static const std::string& color(size_t i);

 private:
  std::string title_;
  Axis x_, y_;
  int width_, height_;
  double left_ = 80, right_ = 220, top_ = 76, bottom_ = 64;
  bool x_ticks_ = true;
  std::string body_;
  std::vector<std::pair<std::string, std::pair<std::string, bool>>> legend_;
  std::vector<std::string> notes_;
};

std::string xml_escape(const std::string& s);

}  // namespace lcl::bench
