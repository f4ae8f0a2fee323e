// decompress_file and verify_file: decode_all() with a sink that writes or compares.
#include <algorithm>
#include <string>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/atomic_file.hpp"
#include "util/zero_scan.hpp"

namespace lcl {

void decompress_file(const std::filesystem::path& input, const std::filesystem::path& output,
                     const DecompressOptions& options, bool overwrite) {
  auto archive = Archive::open(input);
  // The base is found and checked before the output file exists.
  if (options.base) archive->attach_base(*options.base);
  archive->require_base();
  AtomicOutputFile out(output, overwrite, {input});
  if (out.is_stream()) {
    // A device or FIFO is written in order (a skipped zero run is written as zeros).
    archive->decode_all(
        options.threads,
        [&](uint64_t offset, std::span<const uint8_t> bytes) {
          if (!all_zero(bytes)) out.write_at(offset, bytes);
        },
        options.progress);
  } else {
    archive->decode_all_unordered(
        options.threads,
        [&](uint64_t offset, std::span<const uint8_t> bytes, bool zero) {
          // Runs of zeros become holes: a sparse original stays sparse (resize() sets the length).
          if (!zero) out.write_at(offset, bytes);
        },
        options.progress);
  }
  out.resize(archive->index().original_size);
  out.commit();
}

void decompress_stream_to_file(const std::filesystem::path& input,
                               const std::filesystem::path& output,
                               const DecompressOptions& options, bool overwrite) {
  auto in = open_input_stream(input);
  FileSink sink(output, overwrite, {input});
  decompress_stream(*in, sink, options);
}

void decompress(const Archive& archive, ByteSink& sink, const DecompressOptions& options) {
  archive.require_base();  // before the sink sees a byte
  archive.decode_all(
      options.threads, [&](uint64_t, std::span<const uint8_t> bytes) { sink.write(bytes); },
      options.progress);
  sink.finish();
}

void verify_file(const std::filesystem::path& input,
                 const std::optional<std::filesystem::path>& original,
                 const DecompressOptions& options) {
  auto archive = Archive::open(input);
  if (options.base) archive->attach_base(*options.base);
  archive->require_base();
  std::unique_ptr<FileSource> reference;
  if (original) {
    reference = std::make_unique<FileSource>(*original);
    if (reference->size() != archive->index().original_size)
      throw_corrupt(original->string() + " has " + std::to_string(reference->size()) +
                    " bytes, the archive decodes to " +
                    std::to_string(archive->index().original_size));
  }
  std::vector<uint8_t> expected;
  archive->decode_all(
      options.threads,
      [&](uint64_t offset, std::span<const uint8_t> bytes) {
        if (!reference) return;
        expected.resize(bytes.size());
        reference->read(offset, expected);
        auto diff = std::mismatch(bytes.begin(), bytes.end(), expected.begin());
        if (diff.first != bytes.end())
          throw_corrupt(input.string() + " decodes to different bytes than " + original->string() +
                        " at offset " + std::to_string(offset + (diff.first - bytes.begin())));
      },
      options.progress);
}

}  // namespace lcl
