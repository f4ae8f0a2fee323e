#include "container/archive_writer.hpp"

#include "container/format.hpp"
#include "util/hash.hpp"

namespace lcl::container {

ArchiveWriter::ArchiveWriter(ByteSink& sink) : sink_(sink) {
  put(encode_header());
}

void ArchiveWriter::put(std::span<const uint8_t> bytes) {
  sink_.write(bytes);
  position_ += bytes.size();
}

void ArchiveWriter::add_chunk(ChunkEntry chunk, std::span<const uint8_t> payload) {
  chunk.original_offset = original_size_;
  chunk.payload_size = payload.size();
  put(encode_frame_header(chunk));
  chunk.payload_offset = position_;
  put(payload);
  original_size_ += chunk.original_size;
  chunks_.push_back(chunk);
}

uint64_t ArchiveWriter::finish(ArchiveIndex index) {
  index.chunks = std::move(chunks_);
  index.original_size = original_size_;
  std::vector<uint8_t> index_bytes = encode_index(index);
  put(encode_end_frame(index_bytes.size()));
  Trailer trailer;
  trailer.index_offset = position_;
  trailer.index_size = index_bytes.size();
  trailer.index_checksum = xxh64(index_bytes);
  put(index_bytes);
  put(encode_trailer(trailer));
  return position_;
}

}  // namespace lcl::container
