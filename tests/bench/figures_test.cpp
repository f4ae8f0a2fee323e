#include "bench/figures.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string_view>

#include "bench/svg_plot.hpp"
#include "support/test_paths.hpp"

namespace lcl::bench {
namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// True when printf wrote a non-finite number (nan, inf, -nan, -inf) as an attribute value or
// coordinate: the word stands between a quote, '=', ',' or space and a quote, ',' or space.
bool has_non_finite_number(const std::string& svg) {
  const std::string_view opening = "\"=, ", closing = "\", ";
  for (std::string_view word : {"nan", "inf"}) {
    for (size_t at = svg.find(word); at != std::string::npos; at = svg.find(word, at + 1)) {
      size_t start = at;
      if (start > 0 && svg[start - 1] == '-') --start;
      const bool opened = start > 0 && opening.find(svg[start - 1]) != std::string_view::npos;
      const size_t end = at + word.size();
      const bool closed = end < svg.size() && closing.find(svg[end]) != std::string_view::npos;
      if (opened && closed) return true;
    }
  }
  return false;
}

TEST(Figures, FiveWellFormedSvgsFromSmallInputs) {
  test::TempDir dir;
  FigureInputs in;
  for (int i = 0; i < 3; ++i) {
    analysis::AtlasRow a;
    a.model = "m";
    a.file = "f.safetensors";
    a.tensor = "t" + std::to_string(i);
    a.dtype = "BF16";
    a.bytes = 1 << 20;
    a.measures = {{"h_high", 2.5 + 0.1 * i}, {"h_low", 7.9}, {"bound_iid16", 1.5 + 0.01 * i}};
    in.atlas.push_back(a);
    analysis::AtlasRow q = a;
    q.tensor = "q" + std::to_string(i);
    q.dtype = "q4_K";
    q.measures = {{"q4k_h_nibble", 3.86},
                  {"q4k_h_nibble_given_scale_min", 3.79},
                  {"bound_fields_conditional", 1.08}};
    in.atlas.push_back(q);
    for (const char* method : {"lcl", "zstd-3"}) {
      ResultRow r;
      r.model = "m";
      r.file = "f.safetensors";
      r.tensor = a.tensor;
      r.dtype = "BF16";
      r.method = method;
      r.original_bytes = 1 << 20;
      r.compressed_bytes = method[0] == 'l' ? 700000 : 800000;
      r.encode_seconds = method[0] == 'l' ? 0.01 : 0.005;
      r.roundtrip_ok = true;
      in.results.push_back(r);
    }
  }
  in.pearson_matrices = {0.001, -0.002, 0.0004};
  in.pearson_vectors = {0.7};
  auto paths = write_figures(in, dir.path() / "figs");
  ASSERT_EQ(paths.size(), 5u);
  ASSERT_TRUE(has_non_finite_number("<circle cx=\"-nan\" cy=\"3\"/>"));  // the check itself
  ASSERT_FALSE(has_non_finite_number("<text x=\"1\">influence, nano</text>"));
  for (const auto& p : paths) {
    std::string svg = read_text(p);
    EXPECT_EQ(svg.rfind("<svg", 0), 0u) << p;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << p;
    // No NaN or infinite coordinates (printf writes them as nan / inf).
    EXPECT_FALSE(has_non_finite_number(svg)) << p;
  }
  EXPECT_NE(read_text(paths[1]).find("<circle"), std::string::npos);  // three joined tensors
  EXPECT_NE(read_text(paths[3]).find("matrices 0.0004 (3 pairs)"), std::string::npos);
  EXPECT_NE(read_text(paths[4]).find("lcl"), std::string::npos);
}

TEST(Figures, MissingDataStillGivesFiveFilesThatSaySo) {
  test::TempDir dir;
  auto paths = write_figures(FigureInputs{}, dir.path());
  ASSERT_EQ(paths.size(), 5u);
  EXPECT_NE(read_text(paths[3]).find("no cross-layer data"), std::string::npos);
  EXPECT_NE(read_text(paths[0]).find("no BF16/F16 tensors"), std::string::npos);
}

TEST(Figures, LabelsCoverNoMarkerAndNoOtherLabel) {
  // A dense cluster: eight markers within a few pixels, plus a spread of others.
  std::vector<Marker> markers;
  std::vector<std::string> labels;
  for (int i = 0; i < 8; ++i) {
    markers.push_back({400.0 + i * 3, 300.0 + (i % 3) * 4, 6});
    labels.push_back("method-" + std::to_string(i));
  }
  for (int i = 0; i < 6; ++i) {
    markers.push_back({150.0 + i * 90, 150.0 + i * 40, 6});
    labels.push_back("spread-" + std::to_string(i));
  }
  const std::array<double, 4> area = {80, 76, 740, 536};
  auto placed = place_labels(markers, labels, 11, area);
  ASSERT_EQ(placed.size(), labels.size());
  size_t count = 0;
  for (size_t i = 0; i < placed.size(); ++i) {
    if (!placed[i].placed) continue;
    ++count;
    const double x0 = placed[i].x, y1 = placed[i].y + 4, y0 = y1 - placed[i].height,
                 x1 = x0 + placed[i].width;
    EXPECT_GE(x0, area[0]);
    EXPECT_LE(x1, area[2]);
    for (const auto& m : markers)  // no marker under the text box
      EXPECT_FALSE(x0 < m.x + m.radius && m.x - m.radius < x1 && y0 < m.y + m.radius &&
                   m.y - m.radius < y1)
          << labels[i];
    for (size_t j = 0; j < i; ++j) {
      if (!placed[j].placed) continue;
      const double a0 = placed[j].x, b1 = placed[j].y + 4, b0 = b1 - placed[j].height,
                   a1 = a0 + placed[j].width;
      EXPECT_FALSE(x0 < a1 && a0 < x1 && y0 < b1 && b0 < y1) << labels[i] << " / " << labels[j];
    }
  }
  EXPECT_GE(count, 12u);  // the cluster has room around it for most of its labels
}

TEST(Figures, ParetoHasOnePanelPerTypeFixedColoursAndCeilings) {
  test::TempDir dir;
  FigureInputs in;
  for (const char* dtype : {"BF16", "q4_K"}) {
    analysis::AtlasRow a;
    a.model = "m";
    a.file = "f";
    a.tensor = std::string("t-") + dtype;
    a.dtype = dtype;
    a.bytes = 1 << 20;
    a.measures = {{dtype[0] == 'B' ? "bound_iid16" : "bound_fields_conditional", 1.25}};
    in.atlas.push_back(a);
    for (const char* method : {"lcl", "zstd-19", "dfloat11-like"}) {
      ResultRow r;
      r.model = "m";
      r.file = "f";
      r.tensor = a.tensor;
      r.dtype = dtype;
      r.method = method;
      r.original_bytes = 1 << 20;
      r.compressed_bytes = method[0] == 'l' ? 850000 : 900000;
      r.encode_seconds = method[0] == 'l' ? 0.002 : 0.05;
      r.roundtrip_ok = true;
      in.results.push_back(r);
    }
  }
  auto paths = write_figures(in, dir.path());
  const std::string pareto = read_text(paths[4]);
  EXPECT_NE(pareto.find(">BF16 (1 tensors)<"), std::string::npos) << pareto;
  EXPECT_NE(pareto.find(">Q4_K (1 tensors)<"), std::string::npos);
  EXPECT_NE(pareto.find("per-tensor 16-bit iid bound 1.2500x"), std::string::npos);
  EXPECT_NE(pareto.find("per-tensor conditional field bound 1.2500x"), std::string::npos);
  // lcl has the same colour in every panel and every run.
  EXPECT_EQ(SvgPlot::color_of("lcl"), "#0072B2");
  EXPECT_EQ(SvgPlot::color_of("some-new-method"), SvgPlot::color_of("some-new-method"));
  EXPECT_NE(pareto.find("fill=\"" + SvgPlot::color_of("zstd-19") + "\""), std::string::npos);
  EXPECT_NE(read_text(paths[0]).find("16 bits stored"), std::string::npos);
  EXPECT_NE(read_text(paths[1]).find("per-tensor 16-bit iid bound"), std::string::npos);

  auto pngs = render_pngs(paths);
  if (!have_rsvg_convert()) GTEST_SKIP() << "rsvg-convert not installed: SVG only";
  ASSERT_EQ(pngs.size(), 5u);
  for (const auto& png : pngs) {
    std::string bytes = read_text(png);
    EXPECT_EQ(bytes.substr(1, 3), "PNG") << png;
  }
}

}  // namespace
}  // namespace lcl::bench
