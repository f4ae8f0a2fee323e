#include "container/format.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "lcl/error.hpp"
#include "util/byte_io.hpp"
#include "util/hash.hpp"

namespace lcl::container {

uint64_t content_checksum(uint16_t version, std::span<const uint8_t> bytes) {
  return content_uses_xxh3(version) ? xxh3(bytes) : xxh64(bytes);
}

std::vector<uint8_t> encode_header(uint16_t flags) {
  std::vector<uint8_t> out(kMagic.begin(), kMagic.end());
  ByteWriter w(out);
  w.u16(kFormatVersion);
  w.u16(flags);
  w.u32(0);  // reserved
  return out;
}

HeaderFields check_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin()))
    throw_corrupt("not a .lcl file (bad magic)");
  ByteReader r(bytes.subspan(kMagic.size()), "header");
  uint16_t version = r.u16();
  if (version == 0 || version > kFormatVersion)
    throw Error(ErrorKind::kUnsupported, ".lcl format version " + std::to_string(version) +
                                             " is newer than this lcl reads (" +
                                             std::to_string(kFormatVersion) + ")");
  const uint16_t flags = r.u16();
  if (flags & ~kKnownFlags) throw_corrupt("header flags set that this version does not know");
  if (r.u32() != 0) throw_corrupt("reserved header bytes are not zero");
  return HeaderFields{version, flags};
}

size_t varint_size(uint64_t value) {
  size_t n = 1;
  for (; value >= 0x80; value >>= 7) ++n;
  return n;
}

std::vector<uint8_t> encode_frame_header(const ChunkEntry& chunk, bool kept) {
  std::vector<uint8_t> out;
  out.reserve(kMaxFrameHeaderSize);
  ByteWriter w(out);
  w.u8(kept ? kKeptFrameTag : kChunkFrameTag);
  w.varint(chunk.codec);
  w.varint(chunk.original_size);
  w.varint(chunk.payload_size);
  w.u64(chunk.checksum);
  w.u32(static_cast<uint32_t>(xxh64(out)));
  return out;
}

size_t frame_header_size(const ChunkEntry& chunk) {
  return 1 + varint_size(chunk.codec) + varint_size(chunk.original_size) +
         varint_size(chunk.payload_size) + 8 + 4;
}

std::vector<uint8_t> encode_end_frame(uint64_t index_size) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.u8(kEndFrameTag);
  w.varint(index_size);
  return out;
}

void check_chunk_sizes(uint64_t original_size, uint64_t payload_size, const std::string& which) {
  if (original_size > kMaxChunkOriginalSize)
    throw_corrupt(which + " size " + std::to_string(original_size) + " exceeds " +
                  std::to_string(kMaxChunkOriginalSize));
  // The writer stores a chunk that no codec shrinks, so a payload never exceeds its original.
  if (payload_size > original_size)
    throw_corrupt(which + " payload (" + std::to_string(payload_size) +
                  " bytes) is larger than its original");
}

std::vector<uint8_t> encode_trailer(const Trailer& trailer) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.u64(trailer.index_offset);
  w.u64(trailer.index_size);
  w.u64(trailer.index_checksum);
  w.bytes(kTrailerMagic);
  return out;
}

Trailer decode_trailer(std::span<const uint8_t> bytes, uint64_t file_size) {
  ByteReader r(bytes, "trailer");
  Trailer t;
  t.index_offset = r.u64();
  t.index_size = r.u64();
  t.index_checksum = r.u64();
  auto magic = r.bytes(kTrailerMagic.size());
  if (!std::equal(magic.begin(), magic.end(), kTrailerMagic.begin()))
    throw_corrupt("trailer missing (file truncated or not a complete .lcl file)");
  if (t.index_offset < kHeaderSize || t.index_offset > file_size - kTrailerSize ||
      t.index_size != file_size - kTrailerSize - t.index_offset)
    throw_corrupt("trailer points outside the file (truncated or corrupt)");
  return t;
}

std::vector<uint8_t> encode_index(const ArchiveIndex& index) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(index.source_format));
  w.string(index.source_name);
  w.varint(index.original_size);
  w.u64(index.original_checksum);
  w.varint(index.chunks.size());
  for (const ChunkEntry& c : index.chunks) {
    w.varint(c.codec);
    w.varint(c.original_offset);
    w.varint(c.original_size);
    w.varint(c.payload_offset);
    w.varint(c.payload_size);
    w.u64(c.checksum);
  }
  w.varint(index.tensors.size());
  for (const TensorEntry& t : index.tensors) {
    w.string(t.info.name);
    w.varint(t.info.type);
    w.varint(t.info.shape.size());
    for (uint64_t d : t.info.shape) w.varint(d);
    w.varint(t.original_offset);
    w.varint(t.original_size);
    w.varint(t.first_chunk);
    w.varint(t.chunk_count);
  }
  if (index.base) {
    w.string(index.base->name);
    w.varint(index.base->files.size());
    for (const BaseFile& f : index.base->files) {
      w.string(f.name);
      w.varint(f.size);
      w.u64(f.checksum);
      w.bytes(f.sha256);
    }
  }
  return out;
}

namespace {

void read_chunks(ByteReader& r, const Trailer& trailer, uint16_t version, ArchiveIndex& index) {
  // Each entry takes at least 13 bytes, which bounds the count by the index size.
  uint64_t count = r.varint_at_most(r.remaining() / 13, "chunk count");
  index.chunks.resize(count);
  uint64_t original_end = 0;
  uint64_t payload_end = kHeaderSize;
  for (uint64_t i = 0; i < count; ++i) {
    ChunkEntry& c = index.chunks[i];
    c.codec = static_cast<CodecId>(r.varint_at_most(0xffff, "codec id"));
    c.original_offset = r.varint();
    c.original_size = r.varint_at_most(kMaxChunkOriginalSize, "chunk size");
    c.payload_offset = r.varint();
    c.payload_size = r.varint_at_most(trailer.index_offset, "payload size");
    c.checksum = r.u64();
    std::string which = "chunk " + std::to_string(i);
    if (c.original_offset != original_end) r.fail(which + " does not follow the previous chunk");
    if (version >= 2) {
      if (c.payload_size > c.original_size) r.fail(which + " payload is larger than its original");
      // Its frame header sits between the previous payload and this one.
      uint64_t header = frame_header_size(c);
      if (header > trailer.index_offset - payload_end) r.fail(which + " runs into the index");
      payload_end += header;
    }
    if (c.payload_offset != payload_end) r.fail(which + " payload is not where the previous ended");
    if (c.payload_size > trailer.index_offset - payload_end)
      r.fail(which + " payload runs into the index");
    original_end += c.original_size;
    payload_end += c.payload_size;
  }
  if (original_end != index.original_size) r.fail("chunks do not cover the original size");
  if (version >= 2) payload_end += 1 + varint_size(trailer.index_size);  // the end frame
  if (payload_end != trailer.index_offset) r.fail("payloads do not end where the index starts");
}

void read_tensors(ByteReader& r, ArchiveIndex& index) {
  uint64_t count = r.varint_at_most(r.remaining() / 7, "tensor count");
  index.tensors.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    TensorEntry& t = index.tensors[i];
    t.info.name = r.string(kMaxNameLength);
    t.info.type = static_cast<TypeId>(r.varint_at_most(0xffffffff, "type id"));
    uint64_t dims = r.varint_at_most(kMaxDims, "dimension count");
    t.info.shape.resize(dims);
    for (auto& d : t.info.shape) d = r.varint();
    t.original_offset = r.varint();
    t.original_size = r.varint();
    t.first_chunk = static_cast<uint32_t>(r.varint_at_most(index.chunks.size(), "first chunk"));
    t.chunk_count =
        static_cast<uint32_t>(r.varint_at_most(index.chunks.size() - t.first_chunk, "chunk count"));
    if (t.original_offset > index.original_size ||
        t.original_size > index.original_size - t.original_offset)
      r.fail("tensor " + t.info.name + " lies outside the original file");
    if (t.original_size == 0) continue;
    if (t.chunk_count == 0) r.fail("tensor " + t.info.name + " has no chunks");
    const ChunkEntry& first = index.chunks[t.first_chunk];
    const ChunkEntry& last = index.chunks[t.first_chunk + t.chunk_count - 1];
    if (first.original_offset > t.original_offset ||
        last.original_offset + last.original_size < t.original_offset + t.original_size)
      r.fail("tensor " + t.info.name + " is not covered by its chunks");
  }
}

// Each file entry takes at least 42 bytes (empty name, one-byte size, the two hashes).
BaseInfo read_base(ByteReader& r) {
  BaseInfo base;
  base.name = r.string(4096);
  const uint64_t count = r.varint_at_most(r.remaining() / 42, "base file count");
  if (count == 0) r.fail("base section lists no files");
  base.files.resize(count);
  for (BaseFile& f : base.files) {
    f.name = r.string(4096);
    if (f.name.empty() || f.name.find('/') != std::string::npos || f.name == "." || f.name == "..")
      r.fail("base file name is not a plain file name");
    f.size = r.varint();
    f.checksum = r.u64();
    auto digest = r.bytes(f.sha256.size());
    std::copy(digest.begin(), digest.end(), f.sha256.begin());
  }
  return base;
}

}  // namespace

ArchiveIndex decode_index(std::span<const uint8_t> bytes, const Trailer& trailer, uint16_t version,
                          uint16_t flags) {
  if (xxh64(bytes) != trailer.index_checksum)
    throw_corrupt("index checksum mismatch (corrupt file)");
  ByteReader r(bytes, "index");
  ArchiveIndex index;
  index.format_version = version;
  uint8_t format = r.u8();
  if (format > static_cast<uint8_t>(FileFormat::kGguf)) r.fail("unknown source format");
  index.source_format = static_cast<FileFormat>(format);
  index.source_name = r.string(kMaxSourceNameLength);
  index.original_size = r.varint();
  index.original_checksum = r.u64();
  read_chunks(r, trailer, version, index);
  read_tensors(r, index);
  if (flags & kFlagBase) index.base = read_base(r);
  if (!r.at_end()) r.fail("unexpected bytes after the index");
  return index;
}

}  // namespace lcl::container
