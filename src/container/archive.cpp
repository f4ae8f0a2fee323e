// Reading a .lcl file: index, single chunks, tensors, everything in order.
#include <algorithm>
#include <cstring>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <utility>

#include "codecs/codec_scratch.hpp"
#include "codecs/copy/copy_codec.hpp"
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

std::unique_ptr<Archive> Archive::open(std::span<const uint8_t> bytes, std::string name) {
  return open(std::make_unique<MemorySource>(bytes, std::move(name)));
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
    const container::HeaderFields fields = container::check_header(header);
    std::vector<uint8_t> trailer_bytes(container::kTrailerSize);
    source->read(size - container::kTrailerSize, trailer_bytes);
    container::Trailer trailer = container::decode_trailer(trailer_bytes, size);
    std::vector<uint8_t> index_bytes(trailer.index_size);  // bounded by the real file size
    source->read(trailer.index_offset, index_bytes);
    ArchiveIndex index =
        container::decode_index(index_bytes, trailer, fields.version, fields.flags);
    return std::unique_ptr<Archive>(new Archive(std::move(source), std::move(index)));
  } catch (const Error& e) {
    throw Error(e.kind(), name + ": " + e.what());
  }
}

std::span<const uint8_t> Archive::read_payload(size_t i, bool kept,
                                               ContainerScratch& scratch) const {
  const ChunkEntry& chunk = index_.chunks[i];
  // Version 2 reads the frame header with the payload (one read) and checks that it says what
  // the index says. An archive in memory is read in place; otherwise into the workspace's
  // buffer (not zeroed: the read fills it).
  const size_t header = index_.format_version >= 2 ? container::frame_header_size(chunk) : 0;
  std::span<const uint8_t> frame;
  if (auto in_memory = source_->view(chunk.payload_offset - header, header + chunk.payload_size)) {
    frame = *in_memory;
  } else {
    scratch.frame.resize(header + chunk.payload_size);
    source_->read(chunk.payload_offset - header, scratch.frame);
    frame = scratch.frame;
  }
  if (header != 0) {
    // A chunk that a copy names must be a kept frame (what a stream reader needs); any other
    // chunk may be either.
    std::vector<uint8_t> expected = container::encode_frame_header(chunk, kept);
    bool same = std::equal(expected.begin(), expected.end(), frame.begin());
    if (!same && !kept) {
      expected = container::encode_frame_header(chunk, true);
      same = std::equal(expected.begin(), expected.end(), frame.begin());
    }
    if (!same)
      throw_corrupt(kept ? "names chunk " + std::to_string(i) +
                               ", whose frame header is not a kept frame's or disagrees with "
                               "the index"
                         : std::string("frame header disagrees with the index"));
  }
  return frame.subspan(header, chunk.payload_size);
}

void Archive::decode_chunk(size_t i, std::span<uint8_t> out) const {
  const ChunkEntry& chunk = index_.chunks.at(i);
  auto fail = [&](const std::string& why) {
    throw_corrupt(source_->name() + ": chunk " + std::to_string(i) + " (original bytes " +
                  std::to_string(chunk.original_offset) + ".." +
                  std::to_string(chunk.original_offset + chunk.original_size) + ") " + why);
  };
  if (out.size() != chunk.original_size) fail("decoded into a buffer of the wrong size");
  // The archive's workspaces: one per worker of the read calls, kept while the archive lives.
  WorkspacePool::Lease workspace = workspaces_.lease();
  ContainerScratch& scratch = workspace->scratch().container;
  try {
    // A copy chunk is decoded as the earlier chunk it names, which must not be a copy itself:
    // one step, never a chain or a cycle.
    size_t source = i;
    uint64_t offset = 0;
    if (chunk.codec == codec_id::kCopy) {
      if (index_.format_version < 2) throw_corrupt("is a copy chunk, which format 1 has not");
      const CopySource copy =
          copy_format::read_copy_source(read_payload(i, false, scratch), i, chunk.original_size);
      source = static_cast<size_t>(copy.chunk);
      offset = copy.offset;
      const ChunkEntry& named = index_.chunks[source];
      copy_format::check_copy_target(copy, named.codec, named.original_size, chunk.original_size);
    }
    const ChunkEntry& coded = index_.chunks[source];
    // A copy decodes its source chunk beside the output and copies its part; the workspace keeps
    // those bytes, so many copies of one chunk (or of its parts) decode it once.
    const bool copy = source != i;
    auto decode_coded = [&](std::span<uint8_t> target) {
      const Codec* codec = find_codec(coded.codec);
      if (!codec)
        throw_corrupt("uses codec id " + std::to_string(coded.codec) + ", unknown to this version");
      std::span<const uint8_t> payload = read_payload(source, copy, scratch);
      const std::optional<ReferenceRange> reference = codec->reference(payload, target.size());
      if (reference) {
        require_base();
        if (reference->file >= base_files_.size())
          throw_corrupt("names base file " + std::to_string(reference->file) +
                        ", which the index does not list");
        const ByteSource& base = *base_files_[reference->file];
        if (reference->offset > base.size() || reference->size > base.size() - reference->offset)
          throw_corrupt("refers to bytes beyond the end of base file " + base.name());
        // Read on demand, chunk by chunk: memory stays bounded whatever the base's size.
        ByteBuffer& reference_bytes = scratch.reference;
        reference_bytes.resize(reference->size);
        base.read(reference->offset, reference_bytes);
        codec->decode_with_reference(payload, reference_bytes, target, *workspace);
      } else {
        codec->decode(payload, target, *workspace);
      }
    };
    if (!copy) {
      decode_coded(out);
    } else {
      const std::span<const uint8_t> whole =
          scratch.copied_from(source, coded.original_size, decode_coded);
      if (!out.empty()) std::memcpy(out.data(), whole.data() + offset, out.size());
    }
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
  BufferPool<ByteBuffer> buffers;
  const uint64_t tensor_end = tensor.original_offset + tensor.original_size;
  container::run_ordered<ByteBuffer>(
      threads, tensor.chunk_count, 2 * threads,
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

std::optional<size_t> Archive::tensor_index(std::string_view name) const {
  for (size_t i = 0; i < index_.tensors.size(); ++i)
    if (index_.tensors[i].info.name == name) return i;
  return std::nullopt;
}

void Archive::read_tensor_into(size_t tensor, std::span<uint8_t> out, unsigned threads) const {
  const TensorEntry& entry = index_.tensors.at(tensor);
  if (out.size() != entry.original_size)
    throw Error(ErrorKind::kUsage, "tensor '" + entry.info.name + "' has " +
                                       std::to_string(entry.original_size) + " bytes, not " +
                                       std::to_string(out.size()));
  const OriginalRange range{entry.original_offset, out};
  read_original({&range, 1}, threads);
}

void Archive::read_original(std::span<const OriginalRange> ranges, unsigned threads) const {
  const auto& chunks = index_.chunks;
  // (chunk, range) pairs for every chunk each range touches, grouped by chunk.
  std::vector<std::pair<size_t, size_t>> touches;
  for (size_t r = 0; r < ranges.size(); ++r) {
    const OriginalRange& range = ranges[r];
    if (range.original_offset > index_.original_size ||
        range.out.size() > index_.original_size - range.original_offset)
      throw Error(ErrorKind::kUsage,
                  source_->name() + ": bytes " + std::to_string(range.original_offset) + "+" +
                      std::to_string(range.out.size()) + " lie outside the original");
    if (range.out.empty()) continue;
    auto it = std::upper_bound(
        chunks.begin(), chunks.end(), range.original_offset,
        [](uint64_t p, const ChunkEntry& c) { return p < c.original_offset + c.original_size; });
    const uint64_t end = range.original_offset + range.out.size();
    for (; it != chunks.end() && it->original_offset < end; ++it)
      touches.emplace_back(static_cast<size_t>(it - chunks.begin()), r);
  }
  std::sort(touches.begin(), touches.end());

  // One job per chunk: decode in place when a single range holds the whole chunk, else decode
  // into a buffer and copy each range's part out of it.
  auto decode_job = [&](size_t first, size_t last) {
    const size_t c = touches[first].first;
    const ChunkEntry& chunk = chunks[c];
    const uint64_t chunk_end = chunk.original_offset + chunk.original_size;
    if (last - first == 1) {
      const OriginalRange& range = ranges[touches[first].second];
      if (range.original_offset <= chunk.original_offset &&
          range.original_offset + range.out.size() >= chunk_end) {
        decode_chunk(c, range.out.subspan(chunk.original_offset - range.original_offset,
                                          chunk.original_size));
        return;
      }
    }
    ByteBuffer buffer(chunk.original_size);
    decode_chunk(c, buffer);
    for (size_t t = first; t < last; ++t) {
      const OriginalRange& range = ranges[touches[t].second];
      uint64_t begin = std::max(chunk.original_offset, range.original_offset);
      uint64_t end = std::min(chunk_end, range.original_offset + range.out.size());
      std::memcpy(range.out.data() + (begin - range.original_offset),
                  buffer.data() + (begin - chunk.original_offset), end - begin);
    }
  };
  std::vector<std::pair<size_t, size_t>> jobs;  // [first, last) in touches
  for (size_t t = 0; t < touches.size();) {
    size_t u = t;
    while (u < touches.size() && touches[u].first == touches[t].first) ++u;
    jobs.emplace_back(t, u);
    t = u;
  }
  threads = std::min<size_t>(resolve_threads(threads), jobs.size());
  if (threads <= 1) {
    for (auto [first, last] : jobs) decode_job(first, last);
    return;
  }
  ThreadPool pool(threads);
  std::vector<std::future<void>> done;
  done.reserve(jobs.size());
  for (const auto& job : jobs)  // the pair by value: clang 14 cannot capture structured bindings
    done.push_back(pool.submit([&decode_job, job] { decode_job(job.first, job.second); }));
  std::exception_ptr failure;
  for (auto& f : done) {  // wait for every job before the captured state dies
    try {
      f.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

namespace {

// The body of decode_all and decode_all_unordered: every chunk of `archive` decoded on `threads`
// workers, then after_decode(i, bytes) in the worker and in_order(i, bytes) in file order, where
// the whole-file checksum is taken. Chunk buffers are recycled (their pages stay mapped) and not
// zeroed (the codec writes every byte): fresh zeroed buffers per chunk made page faults and memset
// most of decoding a small model.
template <class AfterDecode, class InOrder>
void decode_chunks(const Archive& archive, unsigned threads, const AfterDecode& after_decode,
                   const InOrder& in_order, const ProgressFn& progress) {
  const ArchiveIndex& index = archive.index();
  ContentHash whole_file(container::content_uses_xxh3(static_cast<uint16_t>(index.format_version)));
  uint64_t done = 0;
  BufferPool<ByteBuffer> buffers;
  container::run_ordered<ByteBuffer>(
      threads, index.chunks.size(), 2 * threads,
      [&](size_t i) {
        ByteBuffer out = buffers.take();
        out.resize(index.chunks[i].original_size);
        archive.decode_chunk(i, out);
        after_decode(i, out);
        return out;
      },
      [&](size_t i, ByteBuffer& bytes) {
        whole_file.update(bytes);
        in_order(i, bytes);
        done += bytes.size();
        if (progress) progress(done, index.original_size);
        buffers.give(std::move(bytes));
      });
  if (whole_file.digest() != index.original_checksum)
    throw_corrupt(archive.source().name() + ": whole-file checksum mismatch");
}

}  // namespace

void Archive::decode_all(unsigned threads,
                         const std::function<void(uint64_t, std::span<const uint8_t>)>& sink,
                         const ProgressFn& progress) const {
  decode_chunks(
      *this, resolve_threads(threads), [](size_t, const ByteBuffer&) {},
      [&](size_t i, const ByteBuffer& bytes) { sink(index_.chunks[i].original_offset, bytes); },
      progress);
}

void Archive::decode_all_unordered(unsigned threads, const ChunkWriter& write,
                                   const ProgressFn& progress) const {
  // The workers write; the ordered consumer only hashes, so it is no longer the bottleneck
  // that kept -T 2 as slow as -T 1.
  decode_chunks(
      *this, resolve_threads(threads),
      [&](size_t i, const ByteBuffer& out) {
        write(index_.chunks[i].original_offset, out, all_zero(out));
      },
      [](size_t, const ByteBuffer&) {}, progress);
}

bool is_archive(const ByteSource& source) {
  if (source.size() < container::kMagic.size()) return false;
  std::vector<uint8_t> head(container::kMagic.size());
  source.read(0, head);
  return std::equal(head.begin(), head.end(), container::kMagic.begin());
}

}  // namespace lcl
