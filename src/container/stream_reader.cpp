// decompress_stream: decodes a version-2 archive front to back from a stream that cannot seek
// (a pipe, stdin, a socket). Frames are read on the calling thread, decoded on the pool, written
// in order; at the end frame the index and trailer are read and checked against every frame seen
// and against the whole-file checksum. Memory: 2 x threads chunks (payload and decoded bytes).
#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "codecs/codec_scratch.hpp"
#include "codecs/copy/copy_codec.hpp"
#include "container/format.hpp"
#include "container/pipeline.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/workspace.hpp"
#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"
#include "util/thread_pool.hpp"
#include "util/zero_scan.hpp"

namespace lcl {

namespace {

// An index bigger than this is refused (a billion bytes holds millions of tensor entries).
constexpr uint64_t kMaxStreamIndexSize = 1ull << 30;
// Declared sizes are read in steps, so a corrupt size allocates no more than the bytes present.
constexpr size_t kReadStep = 16u << 20;

class FrameReader {
 public:
  explicit FrameReader(InputStream& in) : in_(in) {}
  uint64_t position() const { return position_; }
  std::string where() const { return in_.name() + " at byte " + std::to_string(position_); }

  template <class Buffer>
  void read(Buffer& out, uint64_t n, const char* what) {
    out.clear();
    while (out.size() < n) {
      size_t old = out.size();
      size_t step = static_cast<size_t>(std::min<uint64_t>(kReadStep, n - old));
      out.resize(old + step);
      size_t got = read_fully(in_, std::span(out.data() + old, step));
      position_ += got;
      if (got < step) truncated(what);
    }
  }
  uint8_t byte(const char* what) {
    uint8_t b = 0;
    if (read_fully(in_, std::span(&b, 1)) != 1) truncated(what);
    ++position_;
    return b;
  }
  bool at_end() {
    uint8_t b = 0;
    return read_fully(in_, std::span(&b, 1)) == 0;
  }
  // A varint read byte by byte, each byte also appended to `raw` (for the frame header check).
  uint64_t varint(std::vector<uint8_t>& raw, const char* what) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte(what);
      raw.push_back(b);
      if (shift == 63 && b > 1) fail(std::string(what) + " overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail(std::string(what) + " longer than 10 bytes");
  }
  [[noreturn]] void fail(const std::string& why) const { throw_corrupt(where() + ": " + why); }
  [[noreturn]] void truncated(const char* what) const {
    throw_corrupt(in_.name() + ": truncated in the " + what + " (stream ended at byte " +
                  std::to_string(position_) + ")");
  }

 private:
  InputStream& in_;
  uint64_t position_ = 0;
};

// A kept frame's codec and payload, for the copy chunks that name it later.
struct KeptFrame {
  size_t number = 0;  // the chunk's
  CodecId codec = codec_id::kStore;
  uint64_t original_size = 0;
  std::vector<uint8_t> payload;
};

struct FrameJob {
  ChunkEntry entry;
  size_t number = 0;
  ByteBuffer payload;
  // For a copy chunk: the kept frame it names, decoded in its place.
  std::shared_ptr<const KeptFrame> copy_of;
  uint64_t copy_offset = 0;  // where in the kept frame's bytes the copy's begin
};

struct DecodedFrame {
  ByteBuffer bytes;
  bool all_zero = false;
};

}  // namespace

void decompress_stream(InputStream& input, ByteSink& sink, const DecompressOptions& options) {
  FrameReader in(input);
  std::vector<uint8_t> header;
  in.read(header, container::kHeaderSize, "header");
  const container::HeaderFields fields = container::check_header(header);
  const uint16_t version = fields.version;
  // Its delta chunks name base files listed only in the index at the end, after the chunks.
  if (fields.flags & container::kFlagBase)
    throw Error(ErrorKind::kUsage,
                input.name() +
                    ": this archive was coded against a base model, whose files its index at the "
                    "end names; decode it from a file with --base");
  if (version < 2)
    throw Error(ErrorKind::kUnsupported,
                input.name() + ": a format version " + std::to_string(version) +
                    " archive keeps its chunk table only at its end and cannot be decoded from a "
                    "stream; decode it from a file");

  const unsigned threads = resolve_threads(options.threads);
  BufferPool<ByteBuffer> buffers;
  WorkspacePool workspaces;  // one per worker, freed when the call returns
  std::vector<ChunkEntry> seen;
  ContentHash whole_file(container::content_uses_xxh3(version));
  uint64_t original_end = 0;
  uint64_t written = 0;
  // Kept frames by chunk number, read-only once added (workers decode copies from them).
  std::map<size_t, std::shared_ptr<const KeptFrame>> kept;
  uint64_t kept_bytes = 0;
  container::run_ordered_stream<FrameJob, DecodedFrame>(
      threads, 2 * threads,
      [&]() -> std::optional<FrameJob> {
        std::vector<uint8_t> raw;
        uint8_t tag = in.byte("frame header");
        if (tag == container::kEndFrameTag) return std::nullopt;
        if (tag != container::kChunkFrameTag && tag != container::kKeptFrameTag)
          in.fail("not a frame (tag " + std::to_string(tag) + ")");
        raw.push_back(tag);
        FrameJob job;
        job.number = seen.size();
        ChunkEntry& e = job.entry;
        uint64_t codec = in.varint(raw, "codec id");
        e.original_size = in.varint(raw, "chunk size");
        e.payload_size = in.varint(raw, "payload size");
        std::array<uint8_t, 12> tail;
        for (auto& b : tail) b = in.byte("frame header");
        raw.insert(raw.end(), tail.begin(), tail.begin() + 8);
        uint32_t check = 0;
        for (int i = 0; i < 4; ++i) check |= static_cast<uint32_t>(tail[8 + i]) << (8 * i);
        if (static_cast<uint32_t>(xxh64(raw)) != check) in.fail("frame header check failed");
        for (int i = 0; i < 8; ++i) e.checksum |= static_cast<uint64_t>(tail[i]) << (8 * i);
        if (codec > 0xffff) in.fail("codec id " + std::to_string(codec) + " out of range");
        e.codec = static_cast<CodecId>(codec);
        container::check_chunk_sizes(e.original_size, e.payload_size,
                                     in.where() + ": chunk " + std::to_string(job.number));
        e.original_offset = original_end;
        e.payload_offset = in.position();
        original_end += e.original_size;
        job.payload = buffers.take();
        in.read(job.payload, e.payload_size, "chunk payload");
        if (tag == container::kKeptFrameTag) {
          kept_bytes += e.payload_size;
          if (kept_bytes > container::kMaxKeptPayloadBytes)
            throw Error(ErrorKind::kUnsupported,
                        in.where() + ": the chunks this archive copies take more than " +
                            std::to_string(container::kMaxKeptPayloadBytes >> 20) +
                            " MiB to keep; decode it from a file");
          auto frame = std::make_shared<KeptFrame>();
          frame->number = job.number;
          frame->codec = e.codec;
          frame->original_size = e.original_size;
          frame->payload.assign(job.payload.begin(), job.payload.end());
          kept.emplace(job.number, std::move(frame));
        }
        if (e.codec == codec_id::kCopy) {
          // Resolved here, on the reading thread: the named chunk must be a kept frame before
          // this one that is not a copy itself, and hold the range named.
          try {
            const CopySource source =
                copy_format::read_copy_source(job.payload, job.number, e.original_size);
            auto named = kept.find(static_cast<size_t>(source.chunk));
            if (named == kept.end())
              throw_corrupt("names chunk " + std::to_string(source.chunk) + ", not a kept frame");
            copy_format::check_copy_target(source, named->second->codec,
                                           named->second->original_size, e.original_size);
            job.copy_of = named->second;
            job.copy_offset = source.offset;
          } catch (const Error& err) {
            in.fail("chunk " + std::to_string(job.number) + " is corrupt: " + err.what());
          }
        }
        seen.push_back(e);
        return job;
      },
      [&](FrameJob& job) {
        const ChunkEntry& e = job.entry;
        auto fail = [&](const std::string& why) {
          throw_corrupt(input.name() + ": chunk " + std::to_string(job.number) +
                        " (original bytes " + std::to_string(e.original_offset) + ".." +
                        std::to_string(e.original_offset + e.original_size) + ") " + why);
        };
        const CodecId coded = job.copy_of ? job.copy_of->codec : e.codec;
        const Codec* codec = find_codec(coded);
        if (!codec) fail("uses codec id " + std::to_string(coded) + ", unknown to this version");
        DecodedFrame out;
        out.bytes = buffers.take();
        out.bytes.resize(e.original_size);
        try {
          WorkspacePool::Lease workspace = workspaces.lease();
          if (!job.copy_of) {
            codec->decode(job.payload, out.bytes, *workspace);
          } else {
            // The kept chunk decoded beside the output, its part copied; the workspace keeps those
            // bytes, so many copies of one chunk (or of its parts) decode it once.
            const KeptFrame& named = *job.copy_of;
            const std::span<const uint8_t> whole = workspace->scratch().container.copied_from(
                named.number, named.original_size, [&](std::span<uint8_t> target) {
                  codec->decode(named.payload, target, *workspace);
                });
            if (!out.bytes.empty())
              std::memcpy(out.bytes.data(), whole.data() + job.copy_offset, out.bytes.size());
          }
        } catch (const Error& err) {
          if (err.kind() != ErrorKind::kCorruptInput) throw;
          fail(std::string("is corrupt: ") + err.what());
        }
        buffers.give(std::move(job.payload));
        if (container::content_checksum(version, out.bytes) != e.checksum)
          fail("failed its checksum");
        out.all_zero = all_zero(out.bytes);
        return out;
      },
      [&](DecodedFrame& frame) {
        whole_file.update(frame.bytes);
        if (frame.all_zero)
          sink.write_zeros(frame.bytes.size());
        else
          sink.write(frame.bytes);
        written += frame.bytes.size();
        if (options.progress) options.progress(written, 0);
        buffers.give(std::move(frame.bytes));
      });

  // The end frame's tag was read; then the index size, the index and the trailer.
  std::vector<uint8_t> raw;
  uint64_t index_size = in.varint(raw, "end frame");
  if (index_size > kMaxStreamIndexSize)
    in.fail("index size " + std::to_string(index_size) + " exceeds the limit");
  const uint64_t index_offset = in.position();
  std::vector<uint8_t> index_bytes;
  in.read(index_bytes, index_size, "index");
  std::vector<uint8_t> trailer_bytes;
  in.read(trailer_bytes, container::kTrailerSize, "trailer");
  const uint64_t file_size = in.position();
  if (!in.at_end()) in.fail("data follows the end of the archive");
  ArchiveIndex index;
  try {
    container::Trailer trailer = container::decode_trailer(trailer_bytes, file_size);
    if (trailer.index_offset != index_offset)
      throw_corrupt("trailer does not point at the index after the end frame");
    index = container::decode_index(index_bytes, trailer, version, fields.flags);
  } catch (const Error& e) {
    throw Error(e.kind(), input.name() + ": " + e.what());
  }
  auto same = [](const ChunkEntry& a, const ChunkEntry& b) {
    return a.codec == b.codec && a.original_offset == b.original_offset &&
           a.original_size == b.original_size && a.payload_offset == b.payload_offset &&
           a.payload_size == b.payload_size && a.checksum == b.checksum;
  };
  if (index.chunks.size() != seen.size() ||
      !std::equal(seen.begin(), seen.end(), index.chunks.begin(), same))
    throw_corrupt(input.name() + ": the index disagrees with the chunk frames");
  if (whole_file.digest() != index.original_checksum)
    throw_corrupt(input.name() + ": whole-file checksum mismatch");
  sink.finish();
}

}  // namespace lcl
