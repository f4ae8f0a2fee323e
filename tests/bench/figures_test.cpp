#include "bench/figures.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string_view>

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

}  // namespace
}  // namespace lcl::bench
