// lcl._lcl: the compiled part of the Python package, over the public C++ API (include/lcl/) and
// the ggml dequantizers of the research library. Decoded bytes land in buffers this module
// allocates (2 MiB-aligned, huge-page backed where the kernel allows) and hands to numpy without
// a copy; the GIL is released while decoding.
#include <Python.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "infer/dequantize.hpp"
#include "lcl/lcl.hpp"
#include "util/byte_buffer.hpp"

namespace py = pybind11;

namespace {

// Memory for decoded bytes. From 1 MiB up it is mapped on its own with transparent huge pages
// (lcl::detail::allocate_large): a fresh heap block of a few MiB costs a page fault per 4 KiB on
// first touch, which took longer than decoding a tensor of that size.
class DecodedBytes {
 public:
  explicit DecodedBytes(size_t size) : size_(size) {
    if (size_ >= kMappedFrom)
      data_ = static_cast<uint8_t*>(lcl::detail::allocate_large(std::max(size_, kHugePage)));
    else
      data_ = static_cast<uint8_t*>(::operator new(std::max<size_t>(size_, 1)));
  }
  ~DecodedBytes() {
    if (size_ >= kMappedFrom)
      lcl::detail::deallocate_large(data_, std::max(size_, kHugePage));
    else
      ::operator delete(data_);
  }
  DecodedBytes(const DecodedBytes&) = delete;
  DecodedBytes& operator=(const DecodedBytes&) = delete;
  std::span<uint8_t> bytes() { return {data_, size_}; }

 private:
  static constexpr size_t kMappedFrom = size_t{1} << 20;
  static constexpr size_t kHugePage = size_t{2} << 20;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// A numpy uint8 array that owns `buffer` (freed when the array and every view of it are gone).
py::array_t<uint8_t> to_array(std::unique_ptr<DecodedBytes> buffer) {
  std::span<uint8_t> bytes = buffer->bytes();
  py::capsule owner(buffer.release(), [](void* p) { delete static_cast<DecodedBytes*>(p); });
  return py::array_t<uint8_t>({static_cast<py::ssize_t>(bytes.size())}, {py::ssize_t{1}},
                              bytes.data(), owner);
}

std::string format_name(lcl::FileFormat format) {
  switch (format) {
    case lcl::FileFormat::kSafetensors:
      return "safetensors";
    case lcl::FileFormat::kGguf:
      return "gguf";
    case lcl::FileFormat::kOpaque:
      break;
  }
  return "opaque";
}

// An opened archive, shared with the decoded-original view that metadata() parses.
class PyArchive {
 public:
  static PyArchive open_path(const std::filesystem::path& path) {
    PyArchive a;
    a.archive_ = lcl::Archive::open(path);
    return a;
  }
  static PyArchive open_bytes(py::buffer data) {
    PyArchive a;
    py::buffer_info info = data.request();
    auto bytes = std::make_shared<std::vector<uint8_t>>(
        static_cast<const uint8_t*>(info.ptr),
        static_cast<const uint8_t*>(info.ptr) + info.size * info.itemsize);
    a.memory_ = bytes;
    a.archive_ = lcl::Archive::open(std::span<const uint8_t>(*bytes), "<bytes>");
    return a;
  }

  std::string format() const { return format_name(archive_->index().source_format); }
  uint64_t original_size() const { return archive_->index().original_size; }
  std::string source_name() const { return archive_->index().source_name; }

  // (name, type id, type name, shape as the file lists it, offset, size, block elements, block
  // bytes) per tensor, in file order.
  py::list tensors() const {
    py::list out;
    for (const lcl::TensorEntry& t : archive_->index().tensors) {
      const lcl::TypeInfo* info = lcl::find_type(t.info.type);
      out.append(py::make_tuple(t.info.name, t.info.type, lcl::type_name(t.info.type), t.info.shape,
                                t.original_offset, t.original_size, info ? info->block_elements : 0,
                                info ? info->block_bytes : 0));
    }
    return out;
  }

  // The original file's key/value metadata (safetensors __metadata__, GGUF KV pairs), parsed from
  // its header: only the chunks holding the header are decoded.
  std::vector<std::pair<std::string, std::string>> metadata() const {
    auto original = lcl::open_original(archive_);
    return lcl::read_layout(*original).metadata;
  }

  // `size` original bytes from `offset`, decoding only the chunks they touch. A chunk the range
  // covers only in part is shared with other tensors (small tensors share chunks, GGUF tensors
  // often do): it is decoded once into the handle's cache, and the reads of its other tensors
  // copy from there instead of decoding it again.
  py::array_t<uint8_t> read(uint64_t offset, uint64_t size, unsigned threads) const {
    if (offset > original_size() || size > original_size() - offset)
      throw lcl::Error(lcl::ErrorKind::kUsage, "byte range outside the original");
    auto buffer = std::make_unique<DecodedBytes>(size);
    {
      py::gil_scoped_release release;
      read_into(offset, buffer->bytes(), threads);
    }
    return to_array(std::move(buffer));
  }

 private:
  // The two chunks most recently shared by ranges (a range's two ends), while the handle lives.
  struct SharedChunks {
    struct Chunk {
      size_t index = SIZE_MAX;
      lcl::ByteBuffer bytes;
    };
    std::mutex mutex;
    std::array<Chunk, 2> chunks;
    size_t next_victim = 0;
  };

  void read_into(uint64_t offset, std::span<uint8_t> out, unsigned threads) const {
    if (out.empty()) return;
    const auto& chunks = archive_->index().chunks;
    const uint64_t end = offset + out.size();
    auto first = std::upper_bound(chunks.begin(), chunks.end(), offset,
                                  [](uint64_t p, const lcl::ChunkEntry& c) {
                                    return p < c.original_offset + c.original_size;
                                  });
    auto last = std::upper_bound(chunks.begin(), chunks.end(), end - 1,
                                 [](uint64_t p, const lcl::ChunkEntry& c) {
                                   return p < c.original_offset + c.original_size;
                                 });
    if (first == chunks.end() || last == chunks.end())
      throw lcl::Error(lcl::ErrorKind::kUsage, "byte range outside the chunks");
    // The chunks at either end that the range covers only in part come from the cache; the ones
    // between are decoded straight into `out` (in parallel with `threads`).
    uint64_t inner_begin = offset, inner_end = end;
    if (first->original_offset < offset) {
      inner_begin = std::min(end, first->original_offset + first->original_size);
      copy_shared(static_cast<size_t>(first - chunks.begin()), offset,
                  out.first(inner_begin - offset));
    }
    if (inner_begin < end && last->original_offset + last->original_size > end &&
        last->original_offset >= inner_begin) {
      inner_end = last->original_offset;
      copy_shared(static_cast<size_t>(last - chunks.begin()), inner_end,
                  out.subspan(inner_end - offset));
    }
    if (inner_begin < inner_end) {
      const lcl::OriginalRange range{inner_begin,
                                     out.subspan(inner_begin - offset, inner_end - inner_begin)};
      archive_->read_original({&range, 1}, threads);
    }
  }

  // Copies the original bytes from `from` into `out`, all inside chunk `index`, decoding the
  // chunk into the cache unless it is there.
  void copy_shared(size_t index, uint64_t from, std::span<uint8_t> out) const {
    const lcl::ChunkEntry& chunk = archive_->index().chunks[index];
    SharedChunks& cache = *shared_;
    std::lock_guard lock(cache.mutex);
    SharedChunks::Chunk* hit = nullptr;
    for (SharedChunks::Chunk& c : cache.chunks)
      if (c.index == index) hit = &c;
    if (!hit) {
      hit = &cache.chunks[cache.next_victim];
      cache.next_victim = (cache.next_victim + 1) % cache.chunks.size();
      hit->index = SIZE_MAX;  // until the decode succeeded
      hit->bytes.resize(chunk.original_size);
      archive_->decode_chunk(index, hit->bytes);
      hit->index = index;
    }
    std::memcpy(out.data(), hit->bytes.data() + (from - chunk.original_offset), out.size());
  }

  std::shared_ptr<const lcl::Archive> archive_;
  std::shared_ptr<std::vector<uint8_t>> memory_;  // the bytes of an archive opened from memory
  std::shared_ptr<SharedChunks> shared_ = std::make_shared<SharedChunks>();
};

py::array_t<float> dequantize(lcl::TypeId type, py::array_t<uint8_t, py::array::c_style> blocks,
                              size_t elements) {
  if (!lcl::infer::can_dequantize(type))
    throw lcl::Error(lcl::ErrorKind::kUnsupported,
                     "no dequantizer for type " + lcl::type_name(type));
  py::array_t<float> out(static_cast<py::ssize_t>(elements));
  std::span<const uint8_t> in(blocks.data(), static_cast<size_t>(blocks.size()));
  std::span<float> values(out.mutable_data(), elements);
  py::gil_scoped_release release;
  lcl::infer::dequantize(type, in, values);
  return out;
}

py::bytes compress_bytes(py::buffer data, unsigned threads, int level) {
  py::buffer_info info = data.request();
  std::vector<uint8_t> out;
  {
    py::gil_scoped_release release;
    lcl::MemorySource source(
        {static_cast<const uint8_t*>(info.ptr), static_cast<size_t>(info.size * info.itemsize)});
    lcl::MemorySink sink(out);
    lcl::CompressOptions options;
    options.threads = threads;
    options.plan.zstd_level = level;
    lcl::compress(source, sink, options, "");
  }
  return py::bytes(reinterpret_cast<const char*>(out.data()), out.size());
}

// Decodes straight into a new bytes object (no intermediate copy of the original).
py::object decompress_bytes(py::buffer data, unsigned threads) {
  py::buffer_info info = data.request();
  auto archive = lcl::Archive::open(
      {static_cast<const uint8_t*>(info.ptr), static_cast<size_t>(info.size * info.itemsize)});
  const uint64_t size = archive->index().original_size;
  PyObject* bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(size));
  if (!bytes) throw py::error_already_set();
  py::object result = py::reinterpret_steal<py::object>(bytes);
  {
    py::gil_scoped_release release;
    const lcl::OriginalRange range{
        0, {reinterpret_cast<uint8_t*>(PyBytes_AS_STRING(bytes)), static_cast<size_t>(size)}};
    archive->read_original({&range, 1}, threads);
  }
  return result;
}

}  // namespace

PYBIND11_MODULE(_lcl, m) {
  m.doc() = "Compiled core of the lcl package (use the functions of lcl, not this module).";
  static py::exception<lcl::Error> corrupt(m, "CorruptArchiveError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const lcl::Error& e) {
      switch (e.kind()) {
        case lcl::ErrorKind::kCorruptInput:
          corrupt(e.what());
          return;
        case lcl::ErrorKind::kIo:
          PyErr_SetString(PyExc_OSError, e.what());
          return;
        case lcl::ErrorKind::kUnsupported:
        case lcl::ErrorKind::kUsage:
          PyErr_SetString(PyExc_ValueError, e.what());
          return;
      }
    }
  });

  m.def("version", [] { return std::string(lcl::version()); });
  m.def(
      "compress_file",
      [](const std::filesystem::path& src, const std::filesystem::path& dst, unsigned threads,
         int level, uint64_t chunk_size, bool overwrite) {
        lcl::CompressOptions options;
        options.threads = threads;
        options.plan.zstd_level = level;
        if (chunk_size) options.plan.chunk_size = chunk_size;
        py::gil_scoped_release release;
        auto result = lcl::compress_file(src, dst, options, overwrite);
        return std::make_pair(result.original_size, result.compressed_size);
      },
      py::arg("src"), py::arg("dst"), py::arg("threads"), py::arg("level"), py::arg("chunk_size"),
      py::arg("overwrite"));
  m.def(
      "decompress_file",
      [](const std::filesystem::path& src, const std::filesystem::path& dst, unsigned threads,
         bool overwrite) {
        lcl::DecompressOptions options;
        options.threads = threads;
        py::gil_scoped_release release;
        lcl::decompress_file(src, dst, options, overwrite);
      },
      py::arg("src"), py::arg("dst"), py::arg("threads"), py::arg("overwrite"));
  m.def("compress", &compress_bytes, py::arg("data"), py::arg("threads"), py::arg("level"));
  m.def("decompress", &decompress_bytes, py::arg("data"), py::arg("threads"));
  m.def("can_dequantize", &lcl::infer::can_dequantize, py::arg("type_id"));
  m.def("dequantize", &dequantize, py::arg("type_id"), py::arg("blocks"), py::arg("elements"));

  py::class_<PyArchive>(m, "Archive")
      .def_static("open_path", &PyArchive::open_path, py::arg("path"))
      .def_static("open_bytes", &PyArchive::open_bytes, py::arg("data"))
      .def_property_readonly("format", &PyArchive::format)
      .def_property_readonly("original_size", &PyArchive::original_size)
      .def_property_readonly("source_name", &PyArchive::source_name)
      .def("tensors", &PyArchive::tensors)
      .def("metadata", &PyArchive::metadata)
      .def("read", &PyArchive::read, py::arg("offset"), py::arg("size"), py::arg("threads"));
}
