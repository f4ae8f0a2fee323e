// Writes the golden archives that pin the codec payload versions and quant field modes the
// current encoders no longer choose by themselves (tests/golden/, checked by
// tests/container/golden_coverage_test.cpp). Each model file becomes one chunk per region, every
// tensor coded by the codec and payload version the archive is named for, metadata by zstd.
// Usage: make_golden_archives <repository root>   (build target: make_golden_archives)
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/registry.hpp"
#include "container/format.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "lcl/codec.hpp"
#include "lcl/container.hpp"
#include "lcl/layout.hpp"
#include "util/hash.hpp"

namespace {

using lcl::CodecId;

struct Payload {
  CodecId codec;
  std::vector<uint8_t> bytes;
};

// The payload of one region's bytes.
using Coder = std::function<Payload(const lcl::Region&, std::span<const uint8_t>)>;

// The codec the planner routes the type to (zstd for metadata and plain bytes), current version.
Payload routed(const lcl::Region& region, std::span<const uint8_t> bytes) {
  const lcl::Codec* codec = region.kind == lcl::RegionKind::kTensor
                                ? lcl::specialised_codec_for(region.tensor.type, bytes.size())
                                : nullptr;
  if (!codec) codec = lcl::find_codec(lcl::codec_id::kZstd);
  lcl::EncodeContext context;
  context.type = codec->id() == lcl::codec_id::kZstd ? lcl::type::kOpaque : region.tensor.type;
  context.tensor = &region.tensor;
  context.level = 19;
  Payload p{codec->id(), {}};
  codec->encode(bytes, context, p.bytes);
  return p;
}

// Q4_K and Q6_K tensors as the given payload versions, the rest as routed.
Coder old_versions(uint8_t q4k_version, uint8_t q6k_version) {
  return [=](const lcl::Region& region, std::span<const uint8_t> bytes) {
    Payload p{0, {}};
    if (region.kind == lcl::RegionKind::kTensor && region.tensor.type == lcl::type::kQ4_K) {
      p.codec = lcl::q4k_codec().id();
      lcl::Workspace workspace;
      lcl::encode_q4k(bytes, q4k_version, p.bytes, workspace);
      return p;
    }
    if (region.kind == lcl::RegionKind::kTensor && region.tensor.type == lcl::type::kQ6_K) {
      p.codec = lcl::q6k_codec().id();
      lcl::Workspace workspace;
      lcl::encode_q6k(bytes, q6k_version, p.bytes, workspace);
      return p;
    }
    return routed(region, bytes);
  };
}

// Every tensor with a ggml block layout by the ggml-blocks codec, whatever codec it routes to
// (also the types that have codecs of their own now, Q3_K, Q5_K and MXFP4: the codec still
// encodes and decodes them, it is no longer routed to for them). Q4_K, Q6_K and Q8_0 always had
// codecs of their own and keep them here.
Payload ggml_blocks(const lcl::Region& region, std::span<const uint8_t> bytes) {
  const lcl::TypeId type = region.tensor.type;
  if (region.kind != lcl::RegionKind::kTensor || !lcl::ggml::find_block_layout(type) ||
      type == lcl::type::kQ4_K || type == lcl::type::kQ6_K || type == lcl::type::kQ8_0)
    return routed(region, bytes);
  lcl::EncodeContext context;
  context.type = region.tensor.type;
  context.level = 19;
  Payload p{lcl::ggml_block_codec().id(), {}};
  lcl::ggml_block_codec().encode(bytes, context, p.bytes);
  return p;
}

std::vector<uint8_t> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One chunk per region; `empty_q8_0_chunk` appends a chunk of no bytes coded by q8_0, whose
// fields are all of mode 0 (the only way the empty-field mode occurs).
void write_archive(const std::filesystem::path& input, const std::filesystem::path& output,
                   const Coder& coder, bool empty_q8_0_chunk = false) {
  const std::vector<uint8_t> original = read_all(input);
  const lcl::Layout layout = lcl::read_layout(input);
  std::vector<uint8_t> file = lcl::container::encode_header();
  lcl::ArchiveIndex index;
  index.source_format = layout.format;
  index.source_name = input.filename().string();
  index.original_size = original.size();
  index.original_checksum = lcl::xxh64(original);
  const auto add_chunk = [&](uint64_t offset, std::span<const uint8_t> bytes, const Payload& p) {
    lcl::ChunkEntry c;
    c.codec = p.codec;
    c.original_offset = offset;
    c.original_size = bytes.size();
    c.payload_offset = file.size();
    c.payload_size = p.bytes.size();
    c.checksum = lcl::xxh64(bytes);
    file.insert(file.end(), p.bytes.begin(), p.bytes.end());
    index.chunks.push_back(c);
  };
  for (const lcl::Region& region : layout.regions) {
    if (region.size == 0) continue;
    const auto bytes = std::span<const uint8_t>(original).subspan(region.offset, region.size);
    if (region.kind == lcl::RegionKind::kTensor) {
      lcl::TensorEntry t;
      t.info = region.tensor;
      t.original_offset = region.offset;
      t.original_size = region.size;
      t.first_chunk = static_cast<uint32_t>(index.chunks.size());
      t.chunk_count = 1;
      index.tensors.push_back(t);
    }
    add_chunk(region.offset, bytes, coder(region, bytes));
  }
  if (empty_q8_0_chunk) {
    Payload p{lcl::q8_0_codec().id(), {}};
    lcl::q8_0_codec().encode({}, {}, p.bytes);
    add_chunk(original.size(), {}, p);
  }
  lcl::container::Trailer trailer;
  trailer.index_offset = file.size();
  const std::vector<uint8_t> index_bytes = lcl::container::encode_index(index);
  trailer.index_size = index_bytes.size();
  trailer.index_checksum = lcl::xxh64(index_bytes);
  file.insert(file.end(), index_bytes.begin(), index_bytes.end());
  const std::vector<uint8_t> tail = lcl::container::encode_trailer(trailer);
  file.insert(file.end(), tail.begin(), tail.end());
  std::ofstream(output, std::ios::binary)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  std::printf("%s: %zu bytes\n", output.string().c_str(), file.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_golden_archives <repository root>\n");
    return 2;
  }
  try {
    const std::filesystem::path golden = std::filesystem::path(argv[1]) / "tests/golden";
    write_archive(golden / "tiny-quant.gguf", golden / "tiny-quant.gguf.v2.lcl", old_versions(2, 2),
                  true);
    write_archive(golden / "tiny-quant.gguf", golden / "tiny-quant.gguf.v4.lcl",
                  old_versions(4, 3));
    write_archive(golden / "tiny-blocks.gguf", golden / "tiny-blocks.gguf.blocks.lcl", ggml_blocks);
    // As `lcl compress` writes it: the small tensors share a segments chunk.
    lcl::CompressOptions options;
    options.threads = 1;
    lcl::compress_file(golden / "tiny-quant.gguf", golden / "tiny-quant.gguf.segments.lcl", options,
                       true);
    std::printf("%s\n", (golden / "tiny-quant.gguf.segments.lcl").string().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_golden_archives: %s\n", e.what());
    return 1;
  }
  return 0;
}
