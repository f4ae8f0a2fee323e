// compress_file: Layout -> plan -> chunks encoded in parallel -> .lcl written in order.
#include <algorithm>
#include <string>

#include "codecs/chunk_encoder.hpp"
#include "container/format.hpp"
#include "container/index_limits.hpp"
#include "container/pipeline.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"

namespace lcl {

namespace {

struct EncodedChunk {
  ByteBuffer original;
  std::vector<uint8_t> payload;  // unused with codec == store: the payload is `original`
  CodecId codec = codec_id::kStore;
  uint64_t checksum = 0;
};

// Encodes with the planned codec (see encode_chunk_payload: zstd where the codec declines or loses
// on a small chunk, stored where nothing shrinks, so no chunk grows by more than its entry).
EncodedChunk encode_chunk(const ByteSource& source, const ChunkPlan& plan, bool verify,
                          BufferPool<ByteBuffer>& originals, BufferPool<>& payloads) {
  EncodedChunk chunk;
  chunk.original = originals.take();
  chunk.payload = payloads.take();
  chunk.original.resize(plan.size);
  source.read(plan.offset, chunk.original);
  chunk.checksum = xxh64(chunk.original);
  chunk.codec =
      encode_chunk_payload(chunk.original, *find_codec(plan.codec), plan.context, chunk.payload);
  if (chunk.codec == codec_id::kStore) return chunk;
  const Codec* codec = find_codec(chunk.codec);
  if (verify) {
    // Reused per thread and not zeroed: the codec writes every byte (or throws).
    thread_local ByteBuffer decoded;
    decoded.resize(chunk.original.size());
    codec->decode(chunk.payload, decoded);
    if (!std::equal(decoded.begin(), decoded.end(), chunk.original.begin(), chunk.original.end()))
      throw Error(ErrorKind::kUnsupported, "internal error: codec " + std::string(codec->name()) +
                                               " did not reproduce the chunk at offset " +
                                               std::to_string(plan.offset));
  }
  return chunk;
}

std::vector<TensorEntry> tensor_table(const Layout& layout, const std::vector<ChunkEntry>& chunks) {
  std::vector<TensorEntry> tensors;
  for (const Region& region : layout.regions) {
    // Tensors carried as opaque bytes (an unknown type) keep their entry, so that info lists them
    // and extract finds them.
    if (region.kind != RegionKind::kTensor && region.tensor.name.empty()) continue;
    TensorEntry t;
    t.info = region.tensor;
    t.original_offset = region.offset;
    t.original_size = region.size;
    // Chunks are sorted and contiguous: find the first that ends after the tensor starts.
    auto first = std::upper_bound(chunks.begin(), chunks.end(), region.offset,
                                  [](uint64_t offset, const ChunkEntry& c) {
                                    return offset < c.original_offset + c.original_size;
                                  });
    auto last =
        std::lower_bound(first, chunks.end(), region.offset + region.size,
                         [](const ChunkEntry& c, uint64_t end) { return c.original_offset < end; });
    t.first_chunk = static_cast<uint32_t>(first - chunks.begin());
    t.chunk_count = region.size == 0 ? 0 : static_cast<uint32_t>(last - first);
    tensors.push_back(std::move(t));
  }
  return tensors;
}

}  // namespace

CompressResult compress(const ByteSource& source, ByteSink& sink, const CompressOptions& options,
                        const std::string& source_name) {
  Layout layout = read_layout(source);
  container::degrade_unindexable_tensors(layout);
  std::vector<ChunkPlan> plans = plan_chunks(layout, options.plan);
  container::check_index_limits(source_name, plans.size());

  uint64_t position = 0;  // bytes written to the sink so far
  auto write = [&](std::span<const uint8_t> bytes) {
    sink.write(bytes);
    position += bytes.size();
  };
  write(container::encode_header());

  ArchiveIndex index;
  index.source_format = layout.format;
  index.source_name = source_name;
  index.original_size = layout.file_size;
  StreamingHash whole_file;

  unsigned threads = resolve_threads(options.threads);
  ThreadPool pool(threads);
  uint64_t done_bytes = 0;
  BufferPool<ByteBuffer> originals;
  BufferPool<> payloads;
  container::run_ordered<EncodedChunk>(
      pool, plans.size(), 2 * threads,
      [&](size_t i) {
        return encode_chunk(source, plans[i], options.verify_chunks, originals, payloads);
      },
      [&](size_t i, EncodedChunk& chunk) {
        whole_file.update(chunk.original);
        const std::span<const uint8_t> payload = chunk.codec == codec_id::kStore
                                                     ? std::span<const uint8_t>(chunk.original)
                                                     : std::span<const uint8_t>(chunk.payload);
        ChunkEntry entry;
        entry.codec = chunk.codec;
        entry.original_offset = plans[i].offset;
        entry.original_size = plans[i].size;
        entry.payload_offset = position;
        entry.payload_size = payload.size();
        entry.checksum = chunk.checksum;
        write(payload);
        originals.give(std::move(chunk.original));
        payloads.give(std::move(chunk.payload));
        index.chunks.push_back(entry);
        done_bytes += plans[i].size;
        if (options.progress) options.progress(done_bytes, layout.file_size);
      });
  index.original_checksum = whole_file.digest();
  index.tensors = tensor_table(layout, index.chunks);

  container::Trailer trailer;
  trailer.index_offset = position;
  std::vector<uint8_t> index_bytes = container::encode_index(index);
  trailer.index_size = index_bytes.size();
  trailer.index_checksum = xxh64(index_bytes);
  // The reader's own checks, before the archive is committed: never an archive it rejects.
  try {
    container::decode_index(index_bytes, trailer);
  } catch (const Error& e) {
    throw Error(ErrorKind::kUnsupported,
                std::string("internal error: the archive would not read back: ") + e.what());
  }
  write(index_bytes);
  write(container::encode_trailer(trailer));
  CompressResult result;
  result.original_size = layout.file_size;
  result.compressed_size = position;
  result.warnings = layout.warnings;
  sink.finish();
  return result;
}

CompressResult compress_file(const std::filesystem::path& input,
                             const std::filesystem::path& output, const CompressOptions& options,
                             bool overwrite) {
  FileSource source(input);
  FileSink sink(output, overwrite, {input});
  return compress(source, sink, options, input.filename().string());
}

}  // namespace lcl
