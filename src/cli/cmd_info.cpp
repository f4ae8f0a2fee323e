// lcl info FILE [--json]: the tensors of a .lcl archive or of a model file (safetensors, sharded
// checkpoint index or directory, GGUF), one row each, with totals per type and overall.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl::cli {

namespace {

struct Row {
  std::string file;
  std::string name;
  TypeId type = type::kOpaque;
  std::vector<uint64_t> shape;
  uint64_t bytes = 0;
  std::string codec;
  uint64_t compressed = 0;  // 0 when not compressed (a raw model file)
};

struct Listing {
  std::optional<BaseInfo> base;  // of an archive coded against a base model
  std::vector<Row> rows;
  uint64_t original_total = 0;
  uint64_t compressed_total = 0;  // whole archive size, or 0
};

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string codec_name(CodecId id) {
  const Codec* c = find_codec(id);
  return c ? std::string(c->name()) : "codec#" + std::to_string(id);
}

void list_archive(const std::filesystem::path& path, Listing& listing) {
  auto archive = Archive::open(path);
  const ArchiveIndex& index = archive->index();
  const std::vector<double> payload_bytes = archive->tensor_payload_bytes();
  for (size_t i = 0; i < index.tensors.size(); ++i) {
    const TensorEntry& t = index.tensors[i];
    Row row{index.source_name, t.info.name, t.info.type, t.info.shape, t.original_size, "", 0};
    std::vector<std::string> codecs;
    for (uint32_t c = t.first_chunk; c < t.first_chunk + t.chunk_count; ++c) {
      std::string name = codec_name(index.chunks[c].codec);
      if (std::find(codecs.begin(), codecs.end(), name) == codecs.end()) codecs.push_back(name);
    }
    for (size_t k = 0; k < codecs.size(); ++k) {
      if (k) row.codec += '+';
      row.codec += codecs[k];
    }
    row.compressed = static_cast<uint64_t>(payload_bytes[i] + 0.5);
    listing.rows.push_back(row);
  }
  listing.original_total += index.original_size;
  listing.compressed_total += archive->source().size();
  listing.base = index.base;
}

void list_layout(const std::filesystem::path& file, const Layout& layout, Listing& listing) {
  std::vector<ChunkPlan> plan = plan_chunks(layout, PlanOptions{});
  for (const Region& region : layout.regions) {
    // Named opaque regions are tensors of a type this version does not know.
    if (region.kind != RegionKind::kTensor && region.tensor.name.empty()) continue;
    auto chunk =
        std::upper_bound(plan.begin(), plan.end(), region.offset,
                         [](uint64_t o, const ChunkPlan& c) { return o < c.offset + c.size; });
    std::string codec = chunk == plan.end() ? "-" : codec_name(chunk->codec) + " (planned)";
    listing.rows.push_back(Row{file.filename().string(), region.tensor.name, region.tensor.type,
                               region.tensor.shape, region.size, codec, 0});
  }
  listing.original_total += layout.file_size;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void list_model(const std::filesystem::path& path, Listing& listing) {
  std::optional<ShardedCheckpoint> checkpoint;
  if (ends_with(path.filename().string(), ".index.json")) checkpoint = read_sharded_index(path);
  std::vector<std::filesystem::path> files = checkpoint ? checkpoint->shards : model_files(path);
  std::vector<Layout> layouts;
  for (const auto& file : files) {
    layouts.push_back(read_layout(file));
    for (const auto& w : layouts.back().warnings)
      std::cerr << "lcl: warning: " << file.string() << ": " << w << "\n";
    list_layout(file, layouts.back(), listing);
  }
  if (checkpoint)
    for (const std::string& w : check_weight_map(*checkpoint, layouts))
      std::cerr << "lcl: warning: " << path.string() << ": " << w << "\n";
}

// Every .lcl archive directly inside `dir` (by content, not by name), sorted by name.
std::vector<std::filesystem::path> archives_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> archives;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec) || !is_seekable_regular_file(entry.path())) continue;
    if (is_archive(FileSource(entry.path()))) archives.push_back(entry.path());
  }
  if (ec) throw Error(ErrorKind::kIo, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(archives.begin(), archives.end());
  return archives;
}

void print_table(const Listing& listing, bool several_files) {
  size_t name_width = 4, file_width = 4;
  for (const Row& r : listing.rows) {
    name_width = std::max(name_width, r.name.size());
    file_width = std::max(file_width, r.file.size());
  }
  if (several_files) std::printf("%-*s  ", static_cast<int>(file_width), "file");
  std::printf("%-*s  %-8s  %-20s  %14s  %-16s  %14s  %9s\n", static_cast<int>(name_width), "name",
              "dtype", "shape", "bytes", "codec", "compressed", "ratio");
  std::map<std::string, std::pair<uint64_t, uint64_t>> per_type;
  std::map<std::string, size_t> per_type_count;
  for (const Row& r : listing.rows) {
    if (several_files) std::printf("%-*s  ", static_cast<int>(file_width), r.file.c_str());
    std::printf("%-*s  %-8s  %-20s  %14llu  %-16s  %14s  %9s\n", static_cast<int>(name_width),
                r.name.c_str(), type_name(r.type).c_str(), shape_text(r.shape).c_str(),
                static_cast<unsigned long long>(r.bytes), r.codec.c_str(),
                r.compressed ? std::to_string(r.compressed).c_str() : "-",
                r.compressed ? ratio_text(r.bytes, r.compressed).c_str() : "-");
    auto& t = per_type[type_name(r.type)];
    t.first += r.bytes;
    t.second += r.compressed;
    per_type_count[type_name(r.type)]++;
  }
  std::printf("\nper type:\n%-10s  %8s  %14s  %14s  %9s\n", "dtype", "tensors", "bytes",
              "compressed", "ratio");
  for (const auto& [name, sizes] : per_type)
    std::printf("%-10s  %8zu  %14llu  %14s  %9s\n", name.c_str(), per_type_count[name],
                static_cast<unsigned long long>(sizes.first),
                sizes.second ? std::to_string(sizes.second).c_str() : "-",
                sizes.second ? ratio_text(sizes.first, sizes.second).c_str() : "-");
  if (listing.base) {
    std::printf("\ncoded against the base model %s (decompress with --base):\n",
                listing.base->name.c_str());
    for (const BaseFile& f : listing.base->files)
      std::printf("  %s  %llu bytes  sha256 %s\n", f.name.c_str(),
                  static_cast<unsigned long long>(f.size), f.sha256_hex().c_str());
  }
  std::printf("\ntotal: %zu tensors, %llu bytes", listing.rows.size(),
              static_cast<unsigned long long>(listing.original_total));
  if (listing.compressed_total)
    std::printf(" -> %llu bytes (%s)", static_cast<unsigned long long>(listing.compressed_total),
                ratio_text(listing.original_total, listing.compressed_total).c_str());
  std::printf("\n");
}

void print_json(const Listing& listing) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const Row& r : listing.rows) {
    nlohmann::json t = {{"file", r.file},   {"name", r.name},   {"dtype", type_name(r.type)},
                        {"shape", r.shape}, {"bytes", r.bytes}, {"codec", r.codec}};
    if (r.compressed) {
      t["compressed_bytes"] = r.compressed;
      t["ratio"] = static_cast<double>(r.bytes) / static_cast<double>(r.compressed);
    }
    tensors.push_back(t);
  }
  nlohmann::json out = {{"original_bytes", listing.original_total}, {"tensors", tensors}};
  if (listing.base) {
    nlohmann::json files = nlohmann::json::array();
    for (const BaseFile& f : listing.base->files)
      files.push_back(
          {{"name", f.name}, {"bytes", f.size}, {"xxh64", f.checksum}, {"sha256", f.sha256_hex()}});
    out["base"] = {{"name", listing.base->name}, {"files", files}};
  }
  if (listing.compressed_total) {
    out["compressed_bytes"] = listing.compressed_total;
    out["ratio"] =
        static_cast<double>(listing.original_total) / static_cast<double>(listing.compressed_total);
  }
  // Names are bytes: a GGUF writer may cut one inside a UTF-8 character. Invalid bytes print as
  // U+FFFD rather than failing the whole listing.
  std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

}  // namespace

void add_info_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string path;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "info",
      "list tensors of a .lcl file or a model (file, directory of models or archives, or "
      "index.json, whose weight map is checked against the shards)");
  cmd->add_option("path", args->path, "file or directory")->required()->check(CLI::ExistingPath);
  cmd->add_flag("--json", args->json,
                "machine-readable output (bytes of names that are not valid UTF-8 become U+FFFD)");
  cmd->callback([args, &exit_code] {
    exit_code = run_reporting_errors([&] {
      Listing listing;
      const std::filesystem::path path = args->path;
      bool several_files = false;
      if (std::filesystem::is_directory(path)) {
        // Archives (a compressed checkpoint's shards) and model files alike.
        for (const auto& archive : archives_in(path)) list_archive(archive, listing);
        list_model(path, listing);
        several_files = true;
      } else if (is_archive(FileSource(path))) {
        list_archive(path, listing);
      } else {
        list_model(path, listing);
        several_files = path.extension() == ".json";
      }
      if (args->json)
        print_json(listing);
      else
        print_table(listing, several_files);
    });
  });
}

}  // namespace lcl::cli
