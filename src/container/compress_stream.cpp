// compress_stream: compresses bytes read once, front to back, from a stream whose size is not
// known (a pipe, stdin, a device, a /proc file). Model files put their headers first: the header
// is read into memory and parsed as if the file ended where its tensor data ends; then chunks are
// read and encoded in order. Bytes beyond the data the header declares become opaque chunks; a
// stream that ends early keeps every byte (the rest as opaque chunks) and loses the tensor table.
// Memory: the header plus 2 x threads chunks in flight.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "container/archive_writer.hpp"
#include "container/chunk_encode.hpp"
#include "container/format.hpp"
#include "container/index_limits.hpp"
#include "container/pipeline.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/workspace.hpp"
#include "util/hash.hpp"

namespace lcl {

namespace {

// A model header is at most this long in a stream (safetensors allows 100 MiB of JSON; GGUF
// vocabularies take a few MiB): a header still unparsed after it is treated as opaque bytes.
constexpr uint64_t kMaxStreamHeader = 128ull << 20;
// The size a header is parsed against before its data end is known.
constexpr uint64_t kUnknownSize = 1ull << 62;

// The first bytes of the stream, kept in memory while the header is parsed, then handed out
// again as the first chunks' bytes. Reads past the end of the stream give zeros and mark `ended`
// (the parse that sees them is replaced by one over exactly the bytes the stream held).
class StreamPrefix final : public ByteSource {
 public:
  StreamPrefix(InputStream& in, uint64_t size) : in_(in), size_(size) {}
  uint64_t size() const override { return size_; }
  std::string name() const override { return in_.name(); }
  void read(uint64_t offset, std::span<uint8_t> dst) const override {
    if (offset > size_ || dst.size() > size_ - offset) throw_corrupt("unexpected end of " + name());
    const uint64_t end = offset + dst.size();
    if (end > bytes_.size() && !ended_) {
      if (end > kMaxStreamHeader)
        throw_corrupt("header longer than " + std::to_string(kMaxStreamHeader >> 20) +
                      " MiB in a stream");
      size_t old = bytes_.size();
      bytes_.resize(end);
      size_t got = read_fully(in_, std::span(bytes_).subspan(old));
      if (got < end - old) {
        bytes_.resize(old + got);
        ended_ = true;
      }
    }
    std::fill(dst.begin(), dst.end(), 0);
    if (offset < bytes_.size())
      std::memcpy(dst.data(), bytes_.data() + offset,
                  std::min<uint64_t>(dst.size(), bytes_.size() - offset));
  }
  void set_size(uint64_t size) { size_ = size; }
  bool ended() const { return ended_; }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  InputStream& in_;
  uint64_t size_;
  mutable std::vector<uint8_t> bytes_;
  mutable bool ended_ = false;
};

// The stream's layout: parsed from its header, with the file size where the header's data ends
// (or the exact size, when the whole stream fitted in the prefix).
Layout stream_layout(StreamPrefix& prefix) {
  Layout first = read_layout(prefix);
  if (first.format == FileFormat::kOpaque) {
    Layout opaque = opaque_layout(0);
    opaque.warnings = first.warnings;
    return opaque;
  }
  if (prefix.ended()) {
    MemorySource whole(prefix.bytes(), prefix.name());
    return read_layout(whole);
  }
  uint64_t data_end = 0;
  for (const Region& r : first.regions)
    if (r.kind == RegionKind::kTensor) data_end = std::max(data_end, r.offset + r.size);
  if (data_end == 0) return opaque_layout(0);
  prefix.set_size(std::max<uint64_t>(data_end, prefix.bytes().size()));
  Layout layout = read_layout(prefix);
  if (prefix.ended() || layout.format == FileFormat::kOpaque) return opaque_layout(0);
  return layout;
}

// Bytes of the stream in order: the prefix first, then the rest of the stream.
class StreamReader {
 public:
  StreamReader(InputStream& in, std::vector<uint8_t> prefix)
      : in_(in), prefix_(std::move(prefix)) {}
  size_t read(std::span<uint8_t> dst) {
    size_t done = 0;
    if (prefix_pos_ < prefix_.size()) {
      done = std::min(dst.size(), prefix_.size() - prefix_pos_);
      std::memcpy(dst.data(), prefix_.data() + prefix_pos_, done);
      prefix_pos_ += done;
      if (prefix_pos_ == prefix_.size()) std::vector<uint8_t>().swap(prefix_);
    }
    if (done < dst.size() && !ended_) {
      size_t got = read_fully(in_, dst.subspan(done));
      if (got < dst.size() - done) ended_ = true;
      done += got;
    }
    return done;
  }
  bool ended() const { return ended_ && prefix_pos_ >= prefix_.size(); }

 private:
  InputStream& in_;
  std::vector<uint8_t> prefix_;
  size_t prefix_pos_ = 0;
  bool ended_ = false;
};

struct StreamJob {
  ChunkPlan plan;
  ByteBuffer bytes;
};

ChunkPlan opaque_plan(uint64_t offset, uint64_t size, const PlanOptions& options) {
  ChunkPlan plan;
  plan.offset = offset;
  plan.size = size;
  plan.codec = options.store_only ? codec_id::kStore : codec_id::kZstd;
  plan.context.type = type::kOpaque;
  plan.context.level = options.zstd_level;
  return plan;
}

}  // namespace

CompressResult compress_stream(InputStream& input, const std::string& name, ByteSink& sink,
                               const CompressOptions& options) {
  // Delta references are planned over the whole layout before any chunk is coded.
  if (options.base)
    throw Error(ErrorKind::kUsage, input.name() +
                                       ": --base needs the input as a regular file; a stream "
                                       "cannot be coded against a base");
  StreamPrefix prefix(input, kUnknownSize);
  Layout layout = stream_layout(prefix);
  container::degrade_unindexable_tensors(layout);
  std::vector<ChunkPlan> plans = plan_chunks(layout, options.plan);
  StreamReader reader(input, std::move(prefix.bytes()));

  container::ArchiveWriter writer(sink);
  ContentHash whole_file(container::content_uses_xxh3(container::kFormatVersion));
  unsigned threads = resolve_threads(options.threads);
  ThreadPool pool(threads);
  BufferPool<ByteBuffer> originals;
  BufferPool<> payloads;
  WorkspacePool workspaces;  // one per worker, freed when the call returns
  size_t next_plan = 0;
  uint64_t offset = 0;
  bool short_of_layout = false;
  const uint64_t chunk_size = std::max<uint64_t>(options.plan.chunk_size, 1);
  container::run_ordered_stream<StreamJob, container::EncodedChunk>(
      pool, 2 * threads,
      [&]() -> std::optional<StreamJob> {
        if (reader.ended()) return std::nullopt;
        StreamJob job;
        job.plan = next_plan < plans.size() ? plans[next_plan++]
                                            : opaque_plan(offset, chunk_size, options.plan);
        job.bytes = originals.take();
        job.bytes.resize(job.plan.size);
        size_t got = reader.read(job.bytes);
        if (got < job.plan.size) {
          if (next_plan <= plans.size() && job.plan.offset < layout.file_size)
            short_of_layout = true;
          job.bytes.resize(got);
          job.plan = opaque_plan(offset, got, options.plan);
          if (got == 0) return std::nullopt;
        }
        offset += got;
        return job;
      },
      [&](StreamJob& job) {
        container::EncodedChunk chunk;
        chunk.original = std::move(job.bytes);
        WorkspacePool::Lease workspace = workspaces.lease();
        container::encode_chunk(chunk, job.plan, options.verify_chunks, payloads, *workspace);
        return chunk;
      },
      [&](container::EncodedChunk& chunk) {
        whole_file.update(chunk.original);
        ChunkEntry entry;
        entry.codec = chunk.codec;
        entry.original_size = chunk.original.size();
        entry.checksum = chunk.checksum;
        writer.add_chunk(entry, chunk.payload_bytes());
        originals.give(std::move(chunk.original));
        payloads.give(std::move(chunk.payload));
        if (options.progress) options.progress(writer.original_size(), 0);
      });
  ArchiveIndex index;
  index.source_name = name;
  index.original_checksum = whole_file.digest();
  CompressResult result;
  result.warnings = layout.warnings;
  if (short_of_layout) {
    result.warnings.push_back("stream ended at byte " + std::to_string(writer.original_size()) +
                              ", before the end of the data its header declares (" +
                              std::to_string(layout.file_size) + "); kept as opaque bytes");
  } else {
    index.source_format = layout.format;
    index.tensors = container::tensor_table(layout, writer.chunks(), writer.original_size());
  }
  container::check_index_limits(name, writer.chunks().size());
  result.original_size = writer.original_size();
  result.compressed_size = writer.finish(std::move(index));
  sink.finish();
  return result;
}

}  // namespace lcl
