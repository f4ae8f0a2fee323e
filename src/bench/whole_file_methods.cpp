#include "bench/whole_file_methods.hpp"

#include <zstd.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "bench/generic_methods.hpp"
#include "bench/gguf_streams.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/sink.hpp"
#include "lcl/source.hpp"
#include "util/byte_io.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

namespace {

class LclFileMethod final : public Method {
 public:
  std::string name() const override { return "lcl"; }
  MethodScope scope() const override { return MethodScope::kFile; }
  bool applies_to(const TensorInfo&) const override { return true; }

  // `lcl compress` with its defaults (the container's compress(), the code behind
  // compress_file), into memory; one thread (the bench runs files and tensors in parallel).
  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& file) const override {
    MemorySource source(input, file.name);
    std::vector<uint8_t> archive;
    MemorySink sink(archive);
    CompressOptions options;
    options.threads = 1;
    lcl::compress(source, sink, options, file.name);
    return archive;
  }

  void decompress(std::span<const uint8_t> payload, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    auto archive = Archive::open(std::make_unique<MemorySource>(payload, "lcl payload"));
    if (archive->index().original_size != out.size())
      throw_corrupt("archive holds " + std::to_string(archive->index().original_size) +
                    " bytes, the original " + std::to_string(out.size()));
    archive->decode_all(1, [&](uint64_t offset, std::span<const uint8_t> bytes) {
      std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
    });
  }

  // Each tensor's part of the archive: the payload of the chunks that hold only this tensor, plus
  // a share of every chunk it shares with other tensors (runs of small tensors, as the segments
  // codec packs them) in proportion to what each part costs coded alone. Each chunk is decoded
  // once, timed, and compared with the original; its decode time is split by bytes.
  std::vector<TensorPart> tensor_parts(std::span<const uint8_t> payload,
                                       std::span<const uint8_t> original,
                                       double encode_seconds) const override {
    auto archive = Archive::open(std::make_unique<MemorySource>(payload, "lcl payload"));
    const ArchiveIndex& index = archive->index();
    struct Overlap {
      size_t tensor;
      uint64_t lo, hi;
    };
    std::vector<std::vector<Overlap>> by_chunk(index.chunks.size());
    for (size_t t = 0; t < index.tensors.size(); ++t) {
      const TensorEntry& e = index.tensors[t];
      if (e.original_size == 0) continue;  // nothing to measure
      for (uint32_t c = e.first_chunk; c < e.first_chunk + e.chunk_count; ++c) {
        const ChunkEntry& chunk = index.chunks[c];
        by_chunk[c].push_back({t, std::max(chunk.original_offset, e.original_offset),
                               std::min(chunk.original_offset + chunk.original_size,
                                        e.original_offset + e.original_size)});
      }
    }
    std::vector<long double> compressed(index.tensors.size(), 0), decode_s(index.tensors.size(), 0);
    std::vector<bool> equal(index.tensors.size(), true);
    std::vector<uint8_t> decoded;
    const auto alone = make_lcl_method();  // "lcl-tensor-alone": the cost of a part on its own
    for (size_t c = 0; c < by_chunk.size(); ++c) {
      if (by_chunk[c].empty()) continue;
      const ChunkEntry& chunk = index.chunks[c];
      decoded.resize(chunk.original_size);
      auto start = std::chrono::steady_clock::now();
      archive->decode_chunk(c, decoded);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::vector<long double> weight;
      uint64_t covered = 0;
      for (const Overlap& o : by_chunk[c]) {
        auto piece = original.subspan(o.lo, o.hi - o.lo);
        equal[o.tensor] =
            equal[o.tensor] &&
            std::equal(piece.begin(), piece.end(),
                       decoded.begin() + static_cast<std::ptrdiff_t>(o.lo - chunk.original_offset));
        covered += o.hi - o.lo;
        long double w = static_cast<long double>(o.hi - o.lo);
        if (by_chunk[c].size() > 1 || covered < chunk.original_size) {
          try {
            w = static_cast<long double>(
                alone->compress(piece, index.tensors[o.tensor].info).size());
          } catch (const std::exception&) {  // a part that is not whole blocks: by its bytes
          }
        }
        weight.push_back(w);
      }
      long double total = 0;
      for (long double w : weight) total += w;
      // Bytes of the chunk outside every tensor (headers, padding) keep their own share.
      if (covered < chunk.original_size) {
        std::vector<uint8_t> rest;
        uint64_t at = chunk.original_offset;
        for (const Overlap& o : by_chunk[c]) {
          rest.insert(rest.end(), original.begin() + static_cast<std::ptrdiff_t>(at),
                      original.begin() + static_cast<std::ptrdiff_t>(o.lo));
          at = o.hi;
        }
        rest.insert(rest.end(), original.begin() + static_cast<std::ptrdiff_t>(at),
                    original.begin() +
                        static_cast<std::ptrdiff_t>(chunk.original_offset + chunk.original_size));
        total += static_cast<long double>(
            alone->compress(rest, TensorInfo{"rest", type::kOpaque, {rest.size()}}).size());
      }
      for (size_t i = 0; i < by_chunk[c].size(); ++i) {
        const Overlap& o = by_chunk[c][i];
        compressed[o.tensor] += total > 0 ? chunk.payload_size * weight[i] / total : 0;
        decode_s[o.tensor] += seconds * static_cast<long double>(o.hi - o.lo) /
                              static_cast<long double>(chunk.original_size);
      }
    }
    std::vector<TensorPart> parts;
    for (size_t t = 0; t < index.tensors.size(); ++t) {
      const TensorEntry& e = index.tensors[t];
      if (e.original_size == 0) continue;
      TensorPart part;
      part.name = e.info.name;
      part.original_bytes = e.original_size;
      part.encode_seconds = encode_seconds * static_cast<double>(e.original_size) /
                            static_cast<double>(std::max<uint64_t>(index.original_size, 1));
      part.decode_seconds = static_cast<double>(decode_s[t]);
      part.compressed_bytes = std::max<uint64_t>(
          1, static_cast<uint64_t>(std::llround(static_cast<double>(compressed[t]))));
      part.roundtrip_ok = equal[t];
      if (!equal[t]) part.error = "the tensor's chunks decode to other bytes";
      parts.push_back(std::move(part));
    }
    return parts;
  }
};

// --- the reference's whole-file GGUF decomposer ---

using namespace gguf_streams;

constexpr uint8_t kMetaStream = 0, kRestStream = 1, kFirstSplitStream = 2;
constexpr TypeId kSplitTypes[] = {type::kQ4_K, type::kQ6_K, type::kQ8_0};
constexpr size_t kSplitCount = std::size(kSplitTypes);

std::vector<uint8_t> plain_headers(std::span<const uint8_t> input, const StreamSplit& s) {
  std::vector<uint8_t> out;
  for (size_t b = 0; b < input.size() / s.block_bytes; ++b) {
    auto block = input.subspan(b * s.block_bytes + s.header_offset, s.header_bytes);
    out.insert(out.end(), block.begin(), block.end());
  }
  return out;
}

void scatter_plain_headers(std::span<const uint8_t> headers, const StreamSplit& s,
                           std::span<uint8_t> out) {
  for (size_t b = 0; b < out.size() / s.block_bytes; ++b)
    std::copy_n(headers.begin() + static_cast<std::ptrdiff_t>(b * s.header_bytes), s.header_bytes,
                out.begin() + static_cast<std::ptrdiff_t>(b * s.block_bytes + s.header_offset));
}

class GgufDecomposer final : public Method {
 public:
  explicit GgufDecomposer(DecomposerConfig config) : config_(config) {}
  std::string name() const override { return config_.name(); }
  MethodScope scope() const override { return MethodScope::kFile; }
  bool applies_to(const TensorInfo& file) const override {
    return fs::path(file.name).extension() == ".gguf";
  }

  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& file) const override {
    MemorySource source(input, file.name);
    Layout layout = parse_gguf(source);
    // The region map and the concatenated bytes of each stream class.
    std::vector<uint8_t> map;
    ByteWriter m(map);
    m.varint(layout.regions.size());
    std::vector<std::vector<uint8_t>> classes(kFirstSplitStream + kSplitCount);
    for (const Region& region : layout.regions) {
      uint8_t stream = stream_of(region);
      m.varint(region.size);
      m.u8(stream);
      auto bytes = input.subspan(region.offset, region.size);
      classes[stream].insert(classes[stream].end(), bytes.begin(), bytes.end());
    }
    std::vector<std::vector<uint8_t>> streams = {std::move(classes[kMetaStream])};
    for (size_t k = 0; k < kSplitCount; ++k) {
      const StreamSplit& s = *find_split(kSplitTypes[k]);
      const auto& blocks = classes[kFirstSplitStream + k];
      streams.push_back(config_.byte_group_headers ? grouped_headers(blocks, s)
                                                   : plain_headers(blocks, s));
      streams.push_back(quant_bytes(blocks, s));
    }
    streams.push_back(std::move(classes[kRestStream]));

    std::vector<uint8_t> out;
    ByteWriter w(out);
    write_zstd(w, map, config_.zstd_level);
    if (config_.per_stream) {
      for (const auto& stream : streams)
        if (!stream.empty()) write_zstd(w, stream, config_.zstd_level);
    } else {
      std::vector<uint8_t> all;
      for (const auto& stream : streams) all.insert(all.end(), stream.begin(), stream.end());
      write_zstd(w, all, config_.zstd_level);
    }
    return out;
  }

  void decompress(std::span<const uint8_t> payload, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    ByteReader r(payload, name() + " payload");
    // The map: its frame states its size; a region is at least one byte of map, so the map is
    // never larger than 11 bytes per region of a file of out.size() bytes.
    const uint64_t frame_size = r.varint_at_most(r.remaining(), "map frame size");
    auto frame = r.bytes(frame_size);
    const unsigned long long map_size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (map_size == ZSTD_CONTENTSIZE_ERROR || map_size == ZSTD_CONTENTSIZE_UNKNOWN ||
        map_size > 11 * (out.size() + 1) + 10)
      r.fail("region map frame without a plausible size");
    std::vector<uint8_t> map(map_size);
    if (ZSTD_decompress(map.data(), map.size(), frame.data(), frame.size()) != map.size())
      r.fail("region map does not decode");
    ByteReader mr(map, name() + " region map");
    const uint64_t count = mr.varint_at_most(map.size(), "region count");
    std::vector<std::pair<uint64_t, uint8_t>> regions(count);
    std::vector<uint64_t> class_bytes(kFirstSplitStream + kSplitCount, 0);
    uint64_t total = 0;
    for (auto& [size, stream] : regions) {
      size = mr.varint_at_most(out.size() - total, "region size");
      stream = mr.u8();
      if (stream >= class_bytes.size()) mr.fail("unknown stream");
      total += size;
      class_bytes[stream] += size;
    }
    if (!mr.at_end() || total != out.size()) mr.fail("regions do not cover the file");

    // The streams in the order compress wrote them, with the sizes the map implies.
    std::vector<uint64_t> sizes = {class_bytes[kMetaStream]};
    for (size_t k = 0; k < kSplitCount; ++k) {
      const StreamSplit& s = *find_split(kSplitTypes[k]);
      const uint64_t bytes = class_bytes[kFirstSplitStream + k];
      if (bytes % s.block_bytes) mr.fail("a split stream of partial blocks");
      const uint64_t blocks = bytes / s.block_bytes;
      sizes.push_back(blocks * s.header_bytes);
      sizes.push_back(blocks * (s.block_bytes - s.header_bytes));
    }
    sizes.push_back(class_bytes[kRestStream]);
    std::vector<std::vector<uint8_t>> streams(sizes.size());
    if (config_.per_stream) {
      for (size_t i = 0; i < sizes.size(); ++i) {
        streams[i].resize(sizes[i]);
        if (sizes[i]) read_zstd(r, streams[i]);
      }
    } else {
      std::vector<uint8_t> all(out.size());
      read_zstd(r, all);
      uint64_t at = 0;
      for (size_t i = 0; i < sizes.size(); ++i) {
        streams[i].assign(all.begin() + static_cast<std::ptrdiff_t>(at),
                          all.begin() + static_cast<std::ptrdiff_t>(at + sizes[i]));
        at += sizes[i];
      }
    }
    if (!r.at_end()) r.fail("trailing bytes");

    // Reassemble each split type's blocks, then hand every region its bytes in order.
    std::vector<std::vector<uint8_t>> classes(kFirstSplitStream + kSplitCount);
    classes[kMetaStream] = std::move(streams[0]);
    for (size_t k = 0; k < kSplitCount; ++k) {
      const StreamSplit& s = *find_split(kSplitTypes[k]);
      auto& blocks = classes[kFirstSplitStream + k];
      blocks.resize(class_bytes[kFirstSplitStream + k]);
      if (config_.byte_group_headers)
        scatter_headers(streams[1 + 2 * k], s, blocks);
      else
        scatter_plain_headers(streams[1 + 2 * k], s, blocks);
      scatter_quants(streams[2 + 2 * k], s, blocks);
    }
    classes[kRestStream] = std::move(streams.back());
    std::vector<uint64_t> cursor(classes.size(), 0);
    uint64_t offset = 0;
    for (const auto& [size, stream] : regions) {
      std::copy_n(classes[stream].begin() + static_cast<std::ptrdiff_t>(cursor[stream]), size,
                  out.begin() + static_cast<std::ptrdiff_t>(offset));
      cursor[stream] += size;
      offset += size;
    }
  }

 private:
  static uint8_t stream_of(const Region& region) {
    if (region.kind != RegionKind::kTensor) return kMetaStream;
    for (size_t k = 0; k < kSplitCount; ++k)
      if (region.tensor.type == kSplitTypes[k] &&
          region.size % find_split(kSplitTypes[k])->block_bytes == 0)
        return static_cast<uint8_t>(kFirstSplitStream + k);
    return kRestStream;
  }

  DecomposerConfig config_;
};

}  // namespace

std::string DecomposerConfig::name() const {
  return std::string("decomp_") + (per_stream ? "perstream" : "perfile") + "_zstd" +
         std::to_string(zstd_level) + (byte_group_headers ? "_bg" : "");
}

std::unique_ptr<Method> make_lcl_file_method() {
  return std::make_unique<LclFileMethod>();
}

std::unique_ptr<Method> make_gguf_decomposer(const DecomposerConfig& config) {
  return std::make_unique<GgufDecomposer>(config);
}

std::vector<std::unique_ptr<Method>> whole_file_ablation_methods() {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(make_gguf_decomposer({3, true, true}));    // zstd level 3
  methods.push_back(make_gguf_decomposer({19, false, true}));  // no byte grouping
  methods.push_back(make_gguf_decomposer({19, true, false}));  // one frame per file
  return methods;
}

}  // namespace lcl::bench
