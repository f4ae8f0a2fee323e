// compress(): Layout -> plan -> chunks encoded in parallel (read with pread by the workers) ->
// .lcl written in order. compress_file routes files that cannot be read at random (pipes,
// devices, /proc files) to the streaming compressor.
#include <algorithm>
#include <string>

#include "container/archive_writer.hpp"
#include "container/base_model.hpp"
#include "container/chunk_encode.hpp"
#include "container/duplicate_tensors.hpp"
#include "container/format.hpp"
#include "container/index_limits.hpp"
#include "container/pipeline.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/workspace.hpp"
#include "util/atomic_file.hpp"
#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"

namespace lcl {

CompressResult compress(const ByteSource& source, ByteSink& sink, const CompressOptions& options,
                        const std::string& name) {
  Layout layout = read_layout(source);
  container::degrade_unindexable_tensors(layout);
  std::vector<ChunkPlan> plans = plan_chunks(layout, options.plan);
  container::check_index_limits(name, plans.size());

  ArchiveIndex index;
  std::vector<std::unique_ptr<ByteSource>> base;
  if (options.base && !options.plan.store_only) {
    container::BaseCatalog catalog(*options.base);
    catalog.plan_references(layout, plans);
    if (!catalog.used_files().empty()) {
      BaseInfo info;
      info.name = catalog.name();
      for (const auto& path : catalog.used_files()) {
        info.files.push_back(container::describe_base_file(path));
        base.push_back(std::make_unique<FileSource>(path));
      }
      index.base = std::move(info);
    }
  }

  if (!options.plan.store_only) container::plan_copies(source, layout, plans);
  // Again once the base's references and the copies have split chunks (the first check refused a
  // name that does not fit before the base was read).
  container::check_index_limits(name, plans.size());

  container::ArchiveWriter writer(sink, index.base ? container::kFlagBase : 0);
  ContentHash whole_file(container::content_uses_xxh3(container::kFormatVersion));
  unsigned threads = resolve_threads(options.threads);
  BufferPool<ByteBuffer> originals;
  BufferPool<> payloads;
  WorkspacePool workspaces;  // one per worker, freed when compress() returns
  container::run_ordered<container::EncodedChunk>(
      threads, plans.size(), 2 * threads,
      [&](size_t i) {
        container::EncodedChunk chunk;
        chunk.original = originals.take();
        chunk.original.resize(plans[i].size);
        source.read(plans[i].offset, chunk.original);
        WorkspacePool::Lease workspace = workspaces.lease();
        container::encode_chunk(chunk, plans[i], options.verify_chunks, payloads, *workspace, base);
        return chunk;
      },
      [&](size_t i, container::EncodedChunk& chunk) {
        whole_file.update(chunk.original);
        ChunkEntry entry;
        entry.codec = chunk.codec;
        entry.original_size = chunk.original.size();
        entry.checksum = chunk.checksum;
        writer.add_chunk(entry, chunk.payload_bytes(), plans[i].kept);
        originals.give(std::move(chunk.original));
        payloads.give(std::move(chunk.payload));
        if (options.progress) options.progress(writer.original_size(), layout.file_size);
      });
  index.source_format = layout.format;
  index.source_name = name;
  index.original_checksum = whole_file.digest();
  index.tensors = container::tensor_table(layout, writer.chunks(), layout.file_size);
  CompressResult result;
  result.original_size = writer.original_size();
  result.compressed_size = writer.finish(std::move(index));
  result.warnings = layout.warnings;
  sink.finish();
  return result;
}

CompressResult compress_file(const std::filesystem::path& input,
                             const std::filesystem::path& output, const CompressOptions& options,
                             bool overwrite) {
  if (reads_as_stream(input)) {
    // Its st_size means nothing (a pipe, a device, a /proc file): read it once, front to back.
    auto in = open_input_stream(input);
    FileSink sink(output, overwrite, {input});
    return compress_stream(*in, input.filename().string(), sink, options);
  }
  FileSource source(input);
  FileSink sink(output, overwrite, {input});
  return compress(source, sink, options, input.filename().string());
}

}  // namespace lcl
