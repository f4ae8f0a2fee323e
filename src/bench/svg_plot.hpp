#pragma once
// A minimal SVG plot writer for the figures of `lcl figures`: one plot area with linear or
// logarithmic axes, ticks, labels, a legend, and the marks the five figures need. Text is escaped;
// sizes are in pixels of a fixed canvas so the files render the same everywhere.
#include <array>
#include <string>
#include <vector>

namespace lcl::bench {

struct Axis {
  double min = 0, max = 1;
  bool log = false;  // log10 scale (min > 0)
  std::string label;
  bool integer = false;  // counts: ticks at whole numbers only
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
  void line_px(double x0, double y0, double x1, double y1, const std::string& color,
               double width);  // pixel coordinates (leader lines)
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& color,
                double width = 2, const std::string& dash = "");
  void circle(double x, double y, double radius, const std::string& color,
              const std::string& tooltip = "");
  // Text at data coordinates (anchor: start, middle, end); pixel offsets shift it.
  void text(double x, double y, const std::string& s, int size = 13,
            const std::string& anchor = "start", double dx = 0, double dy = 0,
            const std::string& color = "#222");
  // Text at pixel coordinates (baseline start).
  void text_px(double x, double y, const std::string& s, int size, const std::string& color);
  // Text below the x axis at data x (for category labels), rotated when `rotate`.
  void x_category(double x, const std::string& s, bool rotate = false);
  void legend(const std::string& label, const std::string& color, bool as_line = false);
  void note(const std::string& s);            // a line of small text under the title
  void center_message(const std::string& s);  // large text in the middle of the plot area
  void hide_x_ticks() { x_ticks_ = false; }
  void set_right_margin(double pixels) { right_ = pixels; }  // room for the legend

  std::string str() const;
  // The plot as a nested <svg> placed at (x, y) of a larger canvas (a panel of a figure).
  std::string str_at(double x, double y) const;
  void write(const std::string& path) const;  // throws lcl::Error(kIo)
  int width() const { return width_; }
  int height() const { return height_; }
  // The plot area in pixels: left, top, right, bottom.
  std::array<double, 4> area() const { return {left_, top_, width_ - right_, height_ - bottom_}; }

  // A categorical palette readable on white (and for common colour blindness).
  static const std::string& color(size_t i);
  // A colour fixed per name across runs and figures: the known methods and types have their own
  // entry; any other name gets a palette colour from a hash of the name (never its position).
  static const std::string& color_of(const std::string& name);

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

// Label placement for scatter plots: a label may cover neither a marker nor another label nor
// leave the plot area. Each label tries positions around its marker (right, left, above, below,
// diagonals) at growing distances and takes the first free one; a label with no free position
// within reach is left out (the legend and the tooltip still name the point).
struct Marker {
  double x, y, radius;  // pixels
};
struct PlacedLabel {
  bool placed = false;
  double x = 0, y = 0;  // baseline start of the text, pixels
  double width = 0, height = 0;
};
double text_width(const std::string& s, int font_size);  // an upper estimate in pixels
std::vector<PlacedLabel> place_labels(const std::vector<Marker>& markers,
                                      const std::vector<std::string>& labels, int font_size,
                                      const std::array<double, 4>& area);

// Several plots side by side in one SVG, under one title and caption lines.
std::string compose_panels(const std::string& title, const std::vector<std::string>& caption,
                           const std::vector<const SvgPlot*>& panels, int columns);

}  // namespace lcl::bench
