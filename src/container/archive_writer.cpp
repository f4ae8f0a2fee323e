#include "container/archive_writer.hpp"

#include <string>

#include "container/format.hpp"
#include "lcl/error.hpp"
#include "util/hash.hpp"

namespace lcl::container {

ArchiveWriter::ArchiveWriter(ByteSink& sink, uint16_t flags) : sink_(sink), flags_(flags) {
  put(encode_header(flags));
}

void ArchiveWriter::put(std::span<const uint8_t> bytes) {
  sink_.write(bytes);
  position_ += bytes.size();
}

void ArchiveWriter::add_chunk(ChunkEntry chunk, std::span<const uint8_t> payload, bool kept) {
  chunk.original_offset = original_size_;
  chunk.payload_size = payload.size();
  put(encode_frame_header(chunk, kept));
  chunk.payload_offset = position_;
  put(payload);
  original_size_ += chunk.original_size;
  chunks_.push_back(chunk);
}

uint64_t ArchiveWriter::finish(ArchiveIndex index) {
  index.chunks = std::move(chunks_);
  index.original_size = original_size_;
  if (index.base.has_value() != ((flags_ & kFlagBase) != 0))
    throw Error(ErrorKind::kUnsupported,
                "internal error: the header's base flag disagrees with the index");
  std::vector<uint8_t> index_bytes = encode_index(index);
  const std::vector<uint8_t> end_frame = encode_end_frame(index_bytes.size());
  Trailer trailer;
  trailer.index_offset = position_ + end_frame.size();
  trailer.index_size = index_bytes.size();
  trailer.index_checksum = xxh64(index_bytes);
  // The reader's own checks, before the index is written: never an archive it rejects.
  try {
    decode_index(index_bytes, trailer, kFormatVersion, flags_);
  } catch (const Error& e) {
    throw Error(ErrorKind::kUnsupported,
                std::string("internal error: the archive would not read back: ") + e.what());
  }
  put(end_frame);
  put(index_bytes);
  put(encode_trailer(trailer));
  return position_;
}

}  // namespace lcl::container
