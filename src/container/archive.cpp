// Reading a .lcl file: index, single chunks, tensors, everything in order.
#include <algorithm>
#include <cstring>
#include <string>

#include "container/format.hpp"
#include "container/pipeline.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"
#include "util/zero_scan.hpp"

namespace lcl {

Archive::Archive(std::unique_ptr<ByteSource> source, ArchiveIndex index)
    : source_(std::move(source)), index_(std::move(index)) {}

std::unique_ptr<Archive> Archive::open(const std::filesystem::path& path) {
  return open(std::make_unique<FileSource>(path));
}

std::unique_ptr<Archive> Archive::open(std::unique_ptr<ByteSource> source) {
  const uint64_t size = source->size();
  const std::string name = source->name();
  try {
    if (size < container::kHeaderSize + container::kTrailerSize)
      throw_corrupt(size < container::kHeaderSize ? "not a .lcl file (too short)"
                                                  : "truncated (no room for the index)");
    std::vector<uint8_t> header(container::kHeaderSize);
    source->read(0, header);
    const uint16_t version = container::check_header(header);
    std::vector<uint8_t> trailer_bytes(container::kTrailerSize);
    source->read(size - container::kTrailerSize, trailer_bytes);
    container::Trailer trailer = container::decode_trailer(trailer_bytes, size);
    std::vector<uint8_t> index_bytes(trailer.index_size);  // bounded by the real file size
    source->read(trailer.index_offset, index_bytes);
    ArchiveIndex index = container::decode_index(index_bytes, trailer, version);
    return std::unique_ptr<Archive>(new Archive(std::move(source), std::move(index)));
  } catch (const Error& e) {
    throw Error(e.kind(), name + ": " + e.what());
  }
}

void Archive::decode_chunk(size_t i, std::span<uint8_t> out) const {
  const ChunkEntry& chunk = index_.chunks.at(i);
  auto fail = [&](const std::string& why) {
    throw_corrupt(source_->name() + ": chunk " + std::to_string(i) + " (original bytes " +
                  std::to_string(chunk.original_offset) + ".." +
                  std::to_string(chunk.original_offset + chunk.original_size) + ") " + why);
  };
  if (out.size() != chunk.original_size) fail("decoded into a buffer of the wrong size");
  const Codec* codec = find_codec(chunk.codec);
  if (!codec) fail("uses codec id " + std::to_string(chunk.codec) + ", unknown to this version");
  // Reused per thread and not zeroed: the read fills it. Version 2 reads the frame header with
  // the payload (one read) and checks that it says what the index says.
  thread_local ByteBuffer frame;
  const size_t header = index_.format_version >= 2 ? container::frame_header_size(chunk) : 0;
  frame.resize(header + chunk.payload_size);
  source_->read(chunk.payload_offset - header, frame);
  if (header != 0) {
    std::vector<uint8_t> expected = container::encode_frame_header(chunk);
    if (!std::equal(expected.begin(), expected.end(), frame.begin()))
      fail("frame header disagrees with the index");
  }
  std::span<const uint8_t> payload(frame.data() + header, chunk.payload_size);
  try {
    codec->decode(payload, out);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kCorruptInput) throw;
    fail(std::string("is corrupt: ") + e.what());
  }
  if (container::content_checksum(static_cast<uint16_t>(index_.format_version), out) !=
      chunk.checksum)
    fail("failed its checksum");
}

const TensorEntry& Archive::find_tensor(const std::string& name) const {
  auto it = std::find_if(index_.tensors.begin(), index_.tensors.end(),
                         [&](const TensorEntry& t) { return t.info.name == name; });
  if (it == index_.tensors.end())
    throw Error(ErrorKind::kUsage, source_->name() + " has no tensor named '" + name + "'");
  return *it;
}

void Archive::read_tensor_to(const std::string& name,
                             const std::function<void(std::span<const uint8_t>)>& sink,
                             unsigned threads) const {
  const TensorEntry& tensor = find_tensor(name);
  threads = resolve_threads(threads);
  ThreadPool pool(threads);
  BufferPool<ByteBuffer> buffers;
  const uint64_t tensor_end = tensor.original_offset + tensor.original_size;
  container::run_ordered<ByteBuffer>(
      pool, tensor.chunk_count, 2 * threads,
      [&](size_t i) {
        ByteBuffer out = buffers.take();
        out.resize(index_.chunks[tensor.first_chunk + i].original_size);
        decode_chunk(tensor.first_chunk + i, out);
        return out;
      },
      [&](size_t i, ByteBuffer& bytes) {
        const ChunkEntry& chunk = index_.chunks[tensor.first_chunk + i];
        uint64_t begin = std::max(chunk.original_offset, tensor.original_offset);
        uint64_t end = std::min(chunk.original_offset + chunk.original_size, tensor_end);
        if (begin < end)
          sink(std::span<const uint8_t>(bytes).subspan(begin - chunk.original_offset, end - begin));
        buffers.give(std::move(bytes));
      });
}

std::vector<uint8_t> Archive::read_tensor(const std::string& name) const {
  std::vector<uint8_t> out;
  out.reserve(find_tensor(name).original_size);
  read_tensor_to(name, [&](std::span<const uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
  });
  return out;
}

void Archive::decode_all(unsigned threads,
                         const std::function<void(uint64_t, std::span<const uint8_t>)>& sink,
                         const ProgressFn& progress) const {
  threads = resolve_threads(threads);
  ThreadPool pool(threads);
  ContentHash whole_file(
      container::content_uses_xxh3(static_cast<uint16_t>(index_.format_version)));
  uint64_t done = 0;
  // Chunk buffers are recycled (their pages stay mapped) and not zeroed (the codec writes every
  // byte): fresh zeroed buffers per chunk made page faults and memset most of decoding a small
  // model.
  BufferPool<ByteBuffer> buffers;
  container::run_ordered<ByteBuffer>(
      pool, index_.chunks.size(), 2 * threads,
      [&](size_t i) {
        ByteBuffer out = buffers.take();
        out.resize(index_.chunks[i].original_size);
        decode_chunk(i, out);
        return out;
      },
      [&](size_t i, ByteBuffer& bytes) {
        whole_file.update(bytes);
        sink(index_.chunks[i].original_offset, bytes);
        done += bytes.size();
        if (progress) progress(done, index_.original_size);
        buffers.give(std::move(bytes));
      });
  if (whole_file.digest() != index_.original_checksum)
    throw_corrupt(source_->name() + ": whole-file checksum mismatch");
}

void Archive::decode_all_unordered(unsigned threads, const ChunkWriter& write,
                                   const ProgressFn& progress) const {
  threads = resolve_threads(threads);
  ThreadPool pool(threads);
  ContentHash whole_file(
      container::content_uses_xxh3(static_cast<uint16_t>(index_.format_version)));
  uint64_t done = 0;
  BufferPool<ByteBuffer> buffers;
  // The workers write; the ordered consumer only hashes, so it is no longer the bottleneck
  // that kept -T 2 as slow as -T 1.
  container::run_ordered<ByteBuffer>(
      pool, index_.chunks.size(), 2 * threads,
      [&](size_t i) {
        ByteBuffer out = buffers.take();
        out.resize(index_.chunks[i].original_size);
        decode_chunk(i, out);
        write(index_.chunks[i].original_offset, out, all_zero(out));
        return out;
      },
      [&](size_t, ByteBuffer& bytes) {
        whole_file.update(bytes);
        done += bytes.size();
        if (progress) progress(done, index_.original_size);
        buffers.give(std::move(bytes));
      });
  if (whole_file.digest() != index_.original_checksum)
    throw_corrupt(source_->name() + ": whole-file checksum mismatch");
}

bool is_archive(const ByteSource& source) {
  if (source.size() < container::kMagic.size()) return false;
  std::vector<uint8_t> head(container::kMagic.size());
  source.read(0, head);
  return std::equal(head.begin(), head.end(), container::kMagic.begin());
}

}  // namespace lcl
