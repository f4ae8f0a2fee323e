#pragma once
// The .lcl container (docs/FORMAT.md): header, chunk frames, footer index. Compression and
// decompression stream through a bounded window of chunks, so peak memory is a function of
// threads x chunk size and never of the file size. Archives are written front to back into any
// ByteSink and can be decoded front to back from any InputStream (lcl/stream.hpp), or at random
// from a file through the index.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/layout.hpp"
#include "lcl/sink.hpp"
#include "lcl/source.hpp"
#include "lcl/stream.hpp"
#include "lcl/workspace.hpp"

namespace lcl {

struct ContainerScratch;  // a workspace's buffers for reading chunks (private)

// Called from the thread that drives the work with bytes done so far and the total.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct CompressOptions {
  unsigned threads = 0;  // 0: one per core
  PlanOptions plan;
  // A base model (safetensors file, sharded checkpoint's index.json or directory, GGUF file):
  // tensors it holds with the same name, type and shape are coded against it (a fine-tune given
  // its base), and the archive records the base files it needs with their hashes.
  std::optional<std::filesystem::path> base = std::nullopt;
  bool verify_chunks = false;  // decode every chunk right after encoding it and compare
  ProgressFn progress;
};

struct ChunkEntry {
  CodecId codec = codec_id::kStore;
  uint64_t original_offset = 0;
  uint64_t original_size = 0;
  uint64_t payload_offset = 0;  // in the .lcl file
  uint64_t payload_size = 0;
  uint64_t checksum = 0;  // xxh64 (seed 0) of the original bytes
};

struct TensorEntry {
  TensorInfo info;
  uint64_t original_offset = 0;
  uint64_t original_size = 0;
  uint32_t first_chunk = 0;  // chunks [first_chunk, first_chunk + chunk_count) cover the tensor
  uint32_t chunk_count = 0;
};

// A file of the base model an archive was coded against: the decoder needs exactly these bytes.
struct BaseFile {
  std::string name;  // file name, no directories
  uint64_t size = 0;
  uint64_t checksum = 0;             // xxh64 of the whole file
  std::array<uint8_t, 32> sha256{};  // of the whole file
  std::string sha256_hex() const;    // the same, in lower-case hex
};

struct BaseInfo {
  std::string name;             // the base model as the user named it (directory or file name)
  std::vector<BaseFile> files;  // delta payloads name a file by its index here
};

struct ArchiveIndex {
  uint32_t format_version = 0;
  FileFormat source_format = FileFormat::kOpaque;
  std::string source_name;  // file name (no directories) of the original
  uint64_t original_size = 0;
  uint64_t original_checksum = 0;  // xxh64 of the whole original file
  std::vector<ChunkEntry> chunks;
  std::vector<TensorEntry> tensors;
  std::optional<BaseInfo> base;  // present when chunks are coded against a base model
};

struct CompressResult {
  uint64_t original_size = 0;
  uint64_t compressed_size = 0;
  std::vector<std::string> warnings;  // from the layout parser
};

// Compresses bytes read once, front to back, from `input` (its size need not be known; an endless
// stream is compressed until it ends). Model headers are parsed from the stream's first bytes, so
// a safetensors or GGUF stream gets the same per-tensor codecs as its file. Memory: the header
// plus 2 x threads chunks. Calls sink.finish() when complete.
CompressResult compress_stream(InputStream& input, const std::string& name, ByteSink& sink,
                               const CompressOptions& options);

// Writes `output` atomically (temporary file, renamed when complete). Refuses to replace an
// existing file unless `overwrite`. An input that is not a regular file (a pipe, a device, a /proc
// file) is read as a stream: its st_size is never trusted.
CompressResult compress_file(const std::filesystem::path& input,
                             const std::filesystem::path& output, const CompressOptions& options,
                             bool overwrite = false);

// Compresses the bytes of `source` (any format read_layout knows, or any bytes) into `sink`, front
// to back, and calls sink.finish() when complete. `source_name` is the file name the archive
// records (what `lcl decompress` names its output by default).
CompressResult compress(const ByteSource& source, ByteSink& sink, const CompressOptions& options,
                        const std::string& source_name);

// A request to read_original: fill `out` with the original bytes starting at `original_offset`.
struct OriginalRange {
  uint64_t original_offset = 0;
  std::span<uint8_t> out;
};

// An opened .lcl file. Reading the index validates it fully (sizes, offsets, counts bounded by
// the file size) before anything is allocated from declared sizes.
class Archive {
 public:
  static std::unique_ptr<Archive> open(const std::filesystem::path& path);
  static std::unique_ptr<Archive> open(std::unique_ptr<ByteSource> source);
  // An archive in memory; `bytes` must stay valid as long as the Archive.
  static std::unique_ptr<Archive> open(std::span<const uint8_t> bytes,
                                       std::string name = "<memory>");
  const ArchiveIndex& index() const { return index_; }
  const ByteSource& source() const { return *source_; }

  // The base model an archive coded against a base needs (index().base), found under `path` (the
  // base's directory, index.json or a file of it) and checked against the sizes and hashes the
  // archive recorded before anything is decoded. Throws lcl::Error(kUsage) naming the base when a
  // file is missing or differs. Archives without a base ignore it.
  void attach_base(const std::filesystem::path& path);
  // The same with the base files given as sources, in the order of index().base->files (tests).
  void attach_base(std::vector<std::unique_ptr<ByteSource>> files);
  // Throws lcl::Error(kUsage) saying which base is needed when the archive has one and none is
  // attached.
  void require_base() const;

  // Decodes chunk i into out (out.size() == its original size) and checks its checksum; throws
  // lcl::Error(kCorruptInput) naming the chunk on any failure. Safe to call from several threads
  // at once: each call leases one of the archive's workspaces (lcl/workspace.hpp), which keep
  // their buffers from one call to the next while the archive lives.
  void decode_chunk(size_t chunk, std::span<uint8_t> out) const;
  // Frees the scratch memory the archive keeps between reads (it grows back on the next read).
  void release_workspaces() const { workspaces_.release(); }
  // The tensor named `name`; throws kUsage for an unknown name.
  const TensorEntry& find_tensor(const std::string& name) const;
  // Hands the original bytes of one tensor to `sink` in order, decoding only its chunks, with
  // `threads` workers (0: one per core) and at most 2 x threads chunks in memory at once, whatever
  // the tensor's size. Throws kUsage for an unknown name.
  void read_tensor_to(const std::string& name,
                      const std::function<void(std::span<const uint8_t>)>& sink,
                      unsigned threads = 1) const;
  // The original bytes of one tensor in memory (for small tensors; see read_tensor_to).
  std::vector<uint8_t> read_tensor(const std::string& name) const;
  // How many payload bytes each tensor of index().tensors accounts for: every chunk it lies in is
  // charged pro rata to the original bytes the tensor holds there, a segments chunk (each type's
  // small tensors coded together) by its groups. Reads the payloads of segments chunks.
  std::vector<double> tensor_payload_bytes() const;
  // The position of the tensor named `name` in index().tensors, or nullopt.
  std::optional<size_t> tensor_index(std::string_view name) const;
  // Decodes tensor index().tensors[tensor] into `out` (exactly its original_size bytes, else
  // kUsage), decoding only the chunks that hold it, with `threads` workers (0: one per core).
  // Chunks that lie inside the tensor are decoded straight into `out`, without a copy.
  void read_tensor_into(size_t tensor, std::span<uint8_t> out, unsigned threads = 1) const;
  // Fills every range with the original bytes it names, decoding each chunk that any range touches
  // once (ranges must not overlap each other). A chunk that one range covers entirely is decoded
  // in place; others are decoded into a chunk-sized buffer and copied out. Throws kUsage for a
  // range outside the original, kCorruptInput naming the chunk for a bad one.
  void read_original(std::span<const OriginalRange> ranges, unsigned threads = 1) const;
  // Decodes every chunk in order with `threads` workers and hands each range of original bytes
  // to `sink` in file order; checks every chunk checksum and the whole-file checksum.
  void decode_all(unsigned threads,
                  const std::function<void(uint64_t offset, std::span<const uint8_t>)>& sink,
                  const ProgressFn& progress = {}) const;
  // For outputs written at random (a file): `write` runs on the worker threads, in any order, as
  // soon as a chunk is decoded and its checksum verified, with `all_zero` telling whether the
  // bytes are all zero; the calling thread only checks the whole-file checksum, which is
  // verified before this returns. Writes cannot be taken back: write to a temporary file.
  using ChunkWriter =
      std::function<void(uint64_t offset, std::span<const uint8_t> bytes, bool all_zero)>;
  void decode_all_unordered(unsigned threads, const ChunkWriter& write,
                            const ProgressFn& progress = {}) const;

 private:
  Archive(std::unique_ptr<ByteSource> source, ArchiveIndex index);
  // Chunk i's payload, its frame header checked against the index (`kept`: it must be a kept
  // frame, as the chunk a copy names); read into `scratch` unless the archive is in memory.
  std::span<const uint8_t> read_payload(size_t i, bool kept, ContainerScratch& scratch) const;
  std::unique_ptr<ByteSource> source_;
  ArchiveIndex index_;
  std::vector<std::unique_ptr<ByteSource>> base_files_;  // index_.base's files, once attached
  mutable WorkspacePool workspaces_;  // at most one per thread that decoded at once
};

// A ByteSource over the original bytes of an archive, decoding chunks on demand (the most recent
// chunk is cached). read_layout() over it gives the original file's Layout, so model loaders read
// a .lcl exactly as they read the original file.
std::unique_ptr<ByteSource> open_original(std::shared_ptr<const Archive> archive);

struct DecompressOptions {
  unsigned threads = 0;
  ProgressFn progress;
  std::optional<std::filesystem::path> base = std::nullopt;  // needed by archives with a base
};

// Decodes the whole original into `sink`, front to back, verifying every chunk and the whole-file
// checksum; calls sink.finish() only after the last check passed.
void decompress(const Archive& archive, ByteSink& sink, const DecompressOptions& options);

// Writes `output` atomically, renaming it into place only after every checksum verified.
void decompress_file(const std::filesystem::path& input, const std::filesystem::path& output,
                     const DecompressOptions& options, bool overwrite = false);

// Decodes an archive of format version 2 front to back from `input` into `sink`, checking each
// chunk before writing it and, at the end, the index against the frames and the whole-file
// checksum (bytes already written stay written: a caller that needs all-or-nothing writes to a
// temporary file; sink.finish() is called only after the last check passed). Version 1 archives
// throw kUnsupported: their chunk table is only at the end.
void decompress_stream(InputStream& input, ByteSink& sink, const DecompressOptions& options);

// decompress_stream from `input` read front to back (a pipe, /dev/stdin) into `output`, which is
// renamed into place only after every check passed.
void decompress_stream_to_file(const std::filesystem::path& input,
                               const std::filesystem::path& output,
                               const DecompressOptions& options, bool overwrite = false);

// Decodes everything and checks every checksum without writing; given `original`, also compares
// the decoded bytes with it. Throws lcl::Error describing the first difference.
void verify_file(const std::filesystem::path& input,
                 const std::optional<std::filesystem::path>& original,
                 const DecompressOptions& options);

bool is_archive(const ByteSource& source);  // starts with the .lcl magic

}  // namespace lcl
