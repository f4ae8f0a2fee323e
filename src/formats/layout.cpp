// Format detection and the fall-back to opaque bytes: a header that does not parse never stops a
// file from being compressed, it only loses the per-tensor treatment (and says so in a warning).
#include <array>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl {
namespace {

FileFormat detect_format(const ByteSource& source) {
  std::array<uint8_t, 9> head{};
  if (source.size() < 4) return FileFormat::kOpaque;
  source.read(0, std::span(head.data(), std::min<uint64_t>(head.size(), source.size())));
  if (head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F')
    return FileFormat::kGguf;
  // safetensors: a u64 length, then the JSON object's '{'. The length is not judged here so that
  // an implausible one is reported as an invalid header rather than silently ignored.
  if (source.size() >= 9 && head[8] == '{') return FileFormat::kSafetensors;
  return FileFormat::kOpaque;
}

const char* format_name(FileFormat f) {
  return f == FileFormat::kGguf ? "GGUF" : f == FileFormat::kSafetensors ? "safetensors" : "opaque";
}

}  // namespace

Layout opaque_layout(uint64_t file_size) {
  Layout layout;
  layout.format = FileFormat::kOpaque;
  layout.file_size = file_size;
  if (file_size > 0) layout.regions.push_back(Region{0, file_size, RegionKind::kOpaque, {}});
  return layout;
}

Layout read_layout(const ByteSource& source) {
  FileFormat format = detect_format(source);
  if (format == FileFormat::kOpaque) return opaque_layout(source.size());
  try {
    Layout layout = format == FileFormat::kGguf ? parse_gguf(source) : parse_safetensors(source);
    validate_layout(layout);
    return layout;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kCorruptInput) throw;
    Layout layout = opaque_layout(source.size());
    layout.warnings.push_back(std::string(format_name(format)) + " header invalid (" + e.what() +
                              "), file treated as opaque");
    return layout;
  }
}

Layout read_layout(const std::filesystem::path& path) {
  FileSource source(path);
  return read_layout(source);
}

void validate_layout(const Layout& layout) {
  uint64_t cursor = 0;
  for (size_t i = 0; i < layout.regions.size(); ++i) {
    const Region& r = layout.regions[i];
    const std::string where = "layout region " + std::to_string(i);
    if (r.offset != cursor)
      throw_corrupt(where + " starts at " + std::to_string(r.offset) + ", expected " +
                    std::to_string(cursor));
    // Only tensors may be empty (a dimension of 0), also those carried as opaque bytes (named);
    // an empty unnamed opaque region carries nothing.
    if (r.size == 0 && r.kind != RegionKind::kTensor && r.tensor.name.empty())
      throw_corrupt(where + " is empty");
    if (r.size > layout.file_size - r.offset)
      throw_corrupt(where + " runs past the end of the file");
    cursor = r.offset + r.size;
  }
  if (cursor != layout.file_size)
    throw_corrupt("layout covers " + std::to_string(cursor) + " of " +
                  std::to_string(layout.file_size) + " bytes");
}

}  // namespace lcl
