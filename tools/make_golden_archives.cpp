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

#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_rans.hpp"
#include "codecs/fp8/fp8_codec.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/registry.hpp"
#include "container/archive_writer.hpp"
#include "container/format.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "lcl/codec.hpp"
#include "lcl/container.hpp"
#include "lcl/layout.hpp"
#include "lcl/sink.hpp"

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

// FP8 tensors as fp8 payload version 2 (64 lanes), which the encoder writes only from 512 KiB
// on; the rest as routed.
Payload fp8_lanes64(const lcl::Region& region, std::span<const uint8_t> bytes) {
  lcl::fp8_format::Fp8Kind kind;
  if (region.kind != lcl::RegionKind::kTensor ||
      !lcl::fp8_format::kind_of_type(region.tensor.type, kind))
    return routed(region, bytes);
  Payload p{lcl::fp8_codec().id(), {}};
  lcl::Workspace workspace;
  lcl::fp8_format::encode_fp8(bytes, kind, p.bytes, workspace,
                              {0, lcl::fp8_format::kVersionLanes64});
  return p;
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

// One chunk per region, through the library's archive writer (the current container version);
// `empty_q8_0_chunk` appends a chunk of no bytes coded by q8_0, whose fields are all of mode 0
// (the only way the empty-field mode occurs).
void write_archive(const std::filesystem::path& input, const std::filesystem::path& output,
                   const Coder& coder, bool empty_q8_0_chunk = false) {
  const std::vector<uint8_t> original = read_all(input);
  const lcl::Layout layout = lcl::read_layout(input);
  lcl::VectorSink sink;
  lcl::container::ArchiveWriter writer(sink);
  lcl::ArchiveIndex index;
  index.source_format = layout.format;
  index.source_name = input.filename().string();
  index.original_checksum =
      lcl::container::content_checksum(lcl::container::kFormatVersion, original);
  uint32_t chunks = 0;
  const auto add_chunk = [&](std::span<const uint8_t> bytes, Payload p) {
    // As the compressor does: a payload larger than its bytes is stored instead.
    if (p.bytes.size() > bytes.size()) {
      const lcl::Codec* store = lcl::find_codec(lcl::codec_id::kStore);
      p = Payload{store->id(), {}};
      store->encode(bytes, {}, p.bytes);
    }
    lcl::ChunkEntry c;
    c.codec = p.codec;
    c.original_size = bytes.size();
    c.checksum = lcl::container::content_checksum(lcl::container::kFormatVersion, bytes);
    writer.add_chunk(c, p.bytes);
    ++chunks;
  };
  for (const lcl::Region& region : layout.regions) {
    if (region.size == 0) continue;
    const auto bytes = std::span<const uint8_t>(original).subspan(region.offset, region.size);
    if (region.kind == lcl::RegionKind::kTensor) {
      lcl::TensorEntry t;
      t.info = region.tensor;
      t.original_offset = region.offset;
      t.original_size = region.size;
      t.first_chunk = chunks;
      t.chunk_count = 1;
      index.tensors.push_back(t);
    }
    add_chunk(bytes, coder(region, bytes));
  }
  if (empty_q8_0_chunk) {
    Payload p{lcl::q8_0_codec().id(), {}};
    lcl::q8_0_codec().encode({}, {}, p.bytes);
    add_chunk({}, p);
  }
  writer.finish(std::move(index));
  const std::vector<uint8_t>& file = sink.bytes();
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
    write_archive(golden / "tiny-fp8.safetensors", golden / "tiny-fp8.safetensors.lanes64.lcl",
                  fp8_lanes64);
    {
      // Quant fields of 64 lanes (mode 5), which the encoder writes only from 2^18 symbols on:
      // here for every coded field of at least kFieldLanesMinLong symbols.
      const lcl::quant::WideFieldThreshold wide64(lcl::quant::kFieldLanesMinLong);
      write_archive(golden / "bytellama-slices-q5k-q3k-mxfp4.gguf",
                    golden / "bytellama-slices-q5k-q3k-mxfp4.gguf.lanes64.lcl", routed);
    }
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
