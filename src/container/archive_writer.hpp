#pragma once
// Writes a .lcl file front to back into any ByteSink: header, one frame per chunk (in original
// order), end frame, index, trailer. Nothing is ever written at an earlier position, so the sink
// may be a pipe.
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/container.hpp"
#include "lcl/stream.hpp"

namespace lcl::container {

class ArchiveWriter {
 public:
  // Writes the header with `flags` (kFlagBase: finish() gets an index with a base section).
  explicit ArchiveWriter(ByteSink& sink, uint16_t flags = 0);

  // `chunk` gives codec, original size and checksum; its offsets are filled in here. A store
  // chunk's payload is its original bytes. `kept`: a later copy chunk names this one.
  void add_chunk(ChunkEntry chunk, std::span<const uint8_t> payload, bool kept = false);

  // Writes end frame, index (with the chunks added) and trailer; returns the archive's size.
  uint64_t finish(ArchiveIndex index);

  const std::vector<ChunkEntry>& chunks() const { return chunks_; }
  uint64_t original_size() const { return original_size_; }

 private:
  void put(std::span<const uint8_t> bytes);
  ByteSink& sink_;
  uint16_t flags_ = 0;
  uint64_t position_ = 0;
  uint64_t original_size_ = 0;
  std::vector<ChunkEntry> chunks_;
};

}  // namespace lcl::container
