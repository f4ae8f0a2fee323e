#include "bench/smoke.hpp"

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "bench/generic_methods.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "util/sha256.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, "cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + path.string());
}

std::string fingerprint(std::span<const uint8_t> bytes) {
  return sha256_hex(bytes).substr(0, 16);
}

SmokeEntry container_entry(const fs::path& file, const std::vector<uint8_t>& original,
                           const fs::path& scratch) {
  SmokeEntry e{file.filename().string(), "container", original.size(), 0, "", false, ""};
  try {
    fs::path packed = scratch / (e.file + ".lcl"), unpacked = scratch / e.file;
    CompressOptions options;
    options.threads = 1;
    compress_file(file, packed, options, true);
    auto bytes = read_all(packed);
    e.compressed_bytes = bytes.size();
    e.sha256_16 = fingerprint(bytes);
    decompress_file(packed, unpacked, DecompressOptions{}, true);
    e.roundtrip_ok = read_all(unpacked) == original;
    if (!e.roundtrip_ok) e.error = "decompressed file differs from the original";
  } catch (const std::exception& ex) {
    e.error = ex.what();
  }
  return e;
}

// Every tensor through the "lcl" method; the fingerprint covers all payloads in file order.
SmokeEntry lcl_entry(const fs::path& file, const std::vector<uint8_t>& original) {
  SmokeEntry e{file.filename().string(), "lcl", 0, 0, "", true, ""};
  try {
    auto method = make_lcl_method();
    MemorySource source(original, e.file);
    Layout layout = read_layout(source);
    Sha256 sha;
    for (const auto& region : layout.regions) {
      if (region.kind != RegionKind::kTensor) continue;
      std::span<const uint8_t> bytes(original.data() + region.offset, region.size);
      auto payload = method->compress(bytes, region.tensor);
      std::vector<uint8_t> back(bytes.size());
      method->decompress(payload, region.tensor, back);
      if (!std::equal(back.begin(), back.end(), bytes.begin())) {
        e.roundtrip_ok = false;
        e.error = "tensor " + region.tensor.name + " did not roundtrip";
      }
      e.original_bytes += bytes.size();
      e.compressed_bytes += payload.size();
      sha.update(payload);
    }
    auto digest = sha.finish();
    e.sha256_16 = to_hex(digest).substr(0, 16);
  } catch (const std::exception& ex) {
    e.roundtrip_ok = false;
    e.error = ex.what();
  }
  return e;
}

}  // namespace

SmokeRun run_smoke(const fs::path& fixtures_dir) {
  if (!fs::is_directory(fixtures_dir))
    throw Error(ErrorKind::kUsage, "no fixtures directory " + fixtures_dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fixtures_dir)) {
    auto ext = entry.path().extension();
    if (ext == ".safetensors" || ext == ".gguf") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(ErrorKind::kUsage, "no fixtures in " + fixtures_dir.string());
  SmokeRun run;
  run.zstd_version = ZSTD_versionString();
  fs::path scratch = fs::temp_directory_path() / ("lcl-smoke-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  for (const auto& file : files) {
    auto original = read_all(file);
    run.entries.push_back(container_entry(file, original, scratch));
    run.entries.push_back(lcl_entry(file, original));
  }
  // The container's format version, read back from one archive.
  for (const auto& file : files) {
    fs::path packed = scratch / (file.filename().string() + ".lcl");
    if (fs::exists(packed)) {
      try {
        run.format_version = Archive::open(packed)->index().format_version;
      } catch (const Error&) {
      }
      break;
    }
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return run;
}

nlohmann::json to_json(const SmokeRun& run) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : run.entries)
    entries.push_back(
        {{"file", e.file},
         {"method", e.method},
         {"original_bytes", e.original_bytes},
         {"compressed_bytes", e.compressed_bytes},
         {"ratio",
          e.compressed_bytes ? double(e.original_bytes) / double(e.compressed_bytes) : 0.0},
         {"sha256_16", e.sha256_16}});
  return {{"format_version", run.format_version},
          {"zstd_version", run.zstd_version},
          {"entries", entries}};
}

std::vector<std::string> compare_smoke(const SmokeRun& run, const nlohmann::json& expected,
                                       std::vector<std::string>& notes) {
  std::vector<std::string> problems;
  for (const auto& e : run.entries)
    if (!e.roundtrip_ok)
      problems.push_back(e.file + " " + e.method + ": ROUNDTRIP FAILED: " + e.error);
  try {
    uint32_t version = expected.at("format_version").get<uint32_t>();
    if (version != run.format_version)
      problems.push_back("format version is " + std::to_string(run.format_version) + ", recorded " +
                         std::to_string(version) +
                         ": re-record the expectations (lcl smoke --record)");
    bool same_zstd = expected.at("zstd_version").get<std::string>() == run.zstd_version;
    if (!same_zstd)
      notes.push_back("zstd " + run.zstd_version + " differs from the recorded " +
                      expected.at("zstd_version").get<std::string>() +
                      ": fingerprints not compared, sizes within 2%");
    const auto& recorded = expected.at("entries");
    if (recorded.size() != run.entries.size())
      problems.push_back("recorded " + std::to_string(recorded.size()) + " entries, ran " +
                         std::to_string(run.entries.size()));
    for (const auto& e : run.entries) {
      auto it = std::find_if(recorded.begin(), recorded.end(), [&](const nlohmann::json& r) {
        return r.at("file") == e.file && r.at("method") == e.method;
      });
      std::string name = e.file + " " + e.method;
      if (it == recorded.end()) {
        problems.push_back(name + ": not recorded");
        continue;
      }
      uint64_t size = it->at("compressed_bytes").get<uint64_t>();
      if (it->at("original_bytes").get<uint64_t>() != e.original_bytes)
        problems.push_back(name + ": the fixture changed (original size differs)");
      if (same_zstd) {
        if (size != e.compressed_bytes || it->at("sha256_16").get<std::string>() != e.sha256_16)
          problems.push_back(
              name + ": output changed (" + std::to_string(e.compressed_bytes) + " bytes, " +
              e.sha256_16 + "; recorded " + std::to_string(size) + " bytes, " +
              it->at("sha256_16").get<std::string>() +
              ") without a format version change: a codec's output must not change silently");
      } else if (std::abs(double(size) - double(e.compressed_bytes)) > 0.02 * double(size)) {
        problems.push_back(name + ": size " + std::to_string(e.compressed_bytes) +
                           " differs by more than 2% from " + std::to_string(size));
      }
    }
  } catch (const nlohmann::json::exception& ex) {
    problems.push_back(std::string("expected.json is malformed: ") + ex.what());
  }
  return problems;
}

// ---------------------------------------------------------------- fixture generation

namespace {

void put(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put(out, s.size(), 8);
  out.insert(out.end(), s.begin(), s.end());
}

struct Slice {
  std::string name;
  TypeId type;
  std::vector<uint64_t> shape;  // as the target file lists it
  std::vector<uint8_t> bytes;
};

// The first `rows` rows of a tensor (safetensors: shape[0] is rows; GGUF: the last dim is rows).
Slice slice_rows(const fs::path& file, const std::string& name, uint64_t rows) {
  FileSource source(file);
  Layout layout = read_layout(source);
  for (const auto& region : layout.regions) {
    if (region.kind != RegionKind::kTensor || region.tensor.name != name) continue;
    Slice s{name, region.tensor.type, region.tensor.shape, {}};
    bool gguf = layout.format == FileFormat::kGguf;
    uint64_t total_rows = s.shape.size() < 2 ? 1 : (gguf ? s.shape.back() : s.shape.front());
    rows = std::min(rows, total_rows);
    uint64_t bytes = s.shape.size() < 2 ? region.size : region.size / total_rows * rows;
    if (s.shape.size() >= 2) (gguf ? s.shape.back() : s.shape.front()) = rows;
    s.bytes.resize(bytes);
    source.read(region.offset, s.bytes);
    return s;
  }
  throw Error(ErrorKind::kUsage, "tensor " + name + " not found in " + file.string());
}

void write_safetensors(const fs::path& path, const std::vector<Slice>& slices) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"source", "slices of bytellama-25m (project data), see NOTICE"}};
  std::vector<uint8_t> data;
  for (const auto& s : slices) {
    uint64_t begin = data.size();
    data.insert(data.end(), s.bytes.begin(), s.bytes.end());
    header[s.name] = {
        {"dtype", type_name(s.type)}, {"shape", s.shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8) text += ' ';
  std::vector<uint8_t> out;
  put(out, text.size(), 8);
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), data.begin(), data.end());
  write_all(path, out);
}

void write_gguf(const fs::path& path, const std::vector<Slice>& slices) {
  constexpr uint64_t kAlign = 32;
  auto align = [](uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; };
  std::vector<uint8_t> out = {'G', 'G', 'U', 'F'};
  put(out, 3, 4);
  put(out, slices.size(), 8);
  put(out, 2, 8);
  put_string(out, "general.architecture");
  put(out, 8, 4);
  put_string(out, "llama");
  put_string(out, "general.alignment");
  put(out, 4, 4);
  put(out, kAlign, 4);
  uint64_t offset = 0;
  for (const auto& s : slices) {
    put_string(out, s.name);
    put(out, s.shape.size(), 4);
    for (uint64_t d : s.shape) put(out, d, 8);
    put(out, s.type, 4);
    put(out, offset, 8);
    offset = align(offset + s.bytes.size());
  }
  out.resize(align(out.size()), 0);
  uint64_t data_start = out.size();
  offset = 0;
  for (const auto& s : slices) {
    out.resize(data_start + offset, 0);
    out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    offset = align(offset + s.bytes.size());
  }
  write_all(path, out);
}

}  // namespace

void make_smoke_fixtures(const fs::path& corpus, const fs::path& dir) {
  fs::create_directories(dir);
  fs::path st = corpus / "bytellama-25m";
  auto shard_of_tensor = [&](const std::string& name) {
    for (const auto& file : model_files(st)) {
      Layout layout = read_layout(file);
      for (const auto& r : layout.regions)
        if (r.kind == RegionKind::kTensor && r.tensor.name == name) return file;
    }
    throw Error(ErrorKind::kUsage, "tensor " + name + " not found in " + st.string());
  };
  std::vector<Slice> bf16;
  for (auto [name, rows] :
       std::vector<std::pair<std::string, uint64_t>>{{"model.layers.0.self_attn.q_proj.weight", 64},
                                                     {"model.layers.1.mlp.down_proj.weight", 32},
                                                     {"model.layers.0.input_layernorm.weight", 1}})
    bf16.push_back(slice_rows(shard_of_tensor(name), name, rows));
  write_safetensors(dir / "bytellama-slices-bf16.safetensors", bf16);

  fs::path gguf_dir = corpus / "bytellama-25m-gguf";
  std::vector<Slice> q;
  q.push_back(
      slice_rows(gguf_dir / "bytellama-25m-Q4_K_M.gguf", "blk.0.attn_q.weight", 64));  // Q4_K
  q.push_back(
      slice_rows(gguf_dir / "bytellama-25m-Q4_K_M.gguf", "blk.0.ffn_down.weight", 16));  // Q6_K
  q.push_back(
      slice_rows(gguf_dir / "bytellama-25m-Q4_K_M.gguf", "blk.0.attn_norm.weight", 1));    // F32
  Slice q8 = slice_rows(gguf_dir / "bytellama-25m-Q8_0.gguf", "blk.1.attn_k.weight", 32);  // Q8_0
  q8.name = "blk.1.attn_k.weight";
  q.push_back(q8);
  write_gguf(dir / "bytellama-slices-q4km.gguf", q);
}

}  // namespace lcl::bench
