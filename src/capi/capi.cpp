// The C API (include/lcl/lcl.h) over the C++ one: every entry point catches everything and turns
// it into a status code and a thread-local message, so no exception crosses into C.
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "lcl/lcl.h"
#include "lcl/lcl.hpp"

struct lcl_archive {
  std::unique_ptr<lcl::Archive> archive;
  std::vector<std::string> dtypes;  // lcl_tensor_info.dtype points here
};

namespace {

// The message of the last failed call on this thread, which lcl_last_error() returns (as errno
// works: a caller reads it after the call failed, on the same thread, while other threads make
// calls of their own). A few hundred bytes at most: the only state the library keeps per thread.
thread_local std::string last_error;

lcl_status fail(lcl_status status, const char* message) {
  last_error = message;
  return status;
}

// Runs `body`, mapping each exception to its status.
template <typename Body>
lcl_status guarded(Body&& body) {
  try {
    body();
    return LCL_OK;
  } catch (const lcl::Error& e) {
    switch (e.kind()) {
      case lcl::ErrorKind::kCorruptInput:
        return fail(LCL_ERROR_CORRUPT, e.what());
      case lcl::ErrorKind::kIo:
        return fail(LCL_ERROR_IO, e.what());
      case lcl::ErrorKind::kUnsupported:
        return fail(LCL_ERROR_UNSUPPORTED, e.what());
      case lcl::ErrorKind::kUsage:
        return fail(LCL_ERROR_USAGE, e.what());
    }
    return fail(LCL_ERROR_INTERNAL, e.what());
  } catch (const std::bad_alloc&) {
    return fail(LCL_ERROR_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(LCL_ERROR_INTERNAL, e.what());
  } catch (...) {
    return fail(LCL_ERROR_INTERNAL, "unknown internal error");
  }
}

lcl_status null_argument(const char* function) {
  return fail(LCL_ERROR_USAGE, (std::string(function) + ": a required pointer is NULL").c_str());
}

// Copies `bytes` into a malloc'd block the caller releases with lcl_free.
void hand_out(const std::vector<uint8_t>& bytes, void** out, size_t* out_size) {
  void* p = std::malloc(bytes.empty() ? 1 : bytes.size());
  if (!p) throw std::bad_alloc();
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  *out = p;
  *out_size = bytes.size();
}

// The handle, with every tensor's type name made up front so that lcl_archive_tensor_info only
// reads (the handle is shared between threads).
std::unique_ptr<lcl_archive> make_handle(std::unique_ptr<lcl::Archive> archive) {
  auto handle = std::make_unique<lcl_archive>();
  for (const auto& t : archive->index().tensors)
    handle->dtypes.push_back(lcl::type_name(t.info.type));
  handle->archive = std::move(archive);
  return handle;
}

}  // namespace

extern "C" {

const char* lcl_version(void) {
  return lcl::version().data();
}

const char* lcl_last_error(void) {
  return last_error.c_str();
}

lcl_status lcl_compress_file(const char* src, const char* dst, unsigned threads) {
  if (!src || !dst) return null_argument("lcl_compress_file");
  return guarded([&] {
    lcl::CompressOptions options;
    options.threads = threads;
    lcl::compress_file(src, dst, options);
  });
}

lcl_status lcl_decompress_file(const char* src, const char* dst, unsigned threads) {
  if (!src || !dst) return null_argument("lcl_decompress_file");
  return guarded([&] {
    lcl::DecompressOptions options;
    options.threads = threads;
    lcl::decompress_file(src, dst, options);
  });
}

lcl_status lcl_compress_buffer(const void* src, size_t size, unsigned threads, void** out,
                               size_t* out_size) {
  if ((!src && size) || !out || !out_size) return null_argument("lcl_compress_buffer");
  return guarded([&] {
    lcl::MemorySource source({static_cast<const uint8_t*>(src), size});
    std::vector<uint8_t> bytes;
    lcl::MemorySink sink(bytes);
    lcl::CompressOptions options;
    options.threads = threads;
    lcl::compress(source, sink, options, "");
    hand_out(bytes, out, out_size);
  });
}

lcl_status lcl_decompress_buffer(const void* src, size_t size, unsigned threads, void** out,
                                 size_t* out_size) {
  if ((!src && size) || !out || !out_size) return null_argument("lcl_decompress_buffer");
  return guarded([&] {
    auto archive = lcl::Archive::open({static_cast<const uint8_t*>(src), size});
    std::vector<uint8_t> bytes;
    lcl::MemorySink sink(bytes);
    lcl::DecompressOptions options;
    options.threads = threads;
    lcl::decompress(*archive, sink, options);
    hand_out(bytes, out, out_size);
  });
}

void lcl_free(void* p) {
  std::free(p);
}

lcl_status lcl_archive_open(const char* path, lcl_archive** out) {
  if (!path || !out) return null_argument("lcl_archive_open");
  *out = nullptr;
  return guarded(
      [&] { *out = make_handle(lcl::Archive::open(std::filesystem::path(path))).release(); });
}

lcl_status lcl_archive_open_memory(const void* data, size_t size, lcl_archive** out) {
  if ((!data && size) || !out) return null_argument("lcl_archive_open_memory");
  *out = nullptr;
  return guarded([&] {
    *out = make_handle(lcl::Archive::open({static_cast<const uint8_t*>(data), size})).release();
  });
}

void lcl_archive_close(lcl_archive* archive) {
  delete archive;
}

uint64_t lcl_archive_original_size(const lcl_archive* archive) {
  return archive ? archive->archive->index().original_size : 0;
}

size_t lcl_archive_tensor_count(const lcl_archive* archive) {
  return archive ? archive->archive->index().tensors.size() : 0;
}

lcl_status lcl_archive_tensor_info(const lcl_archive* archive, size_t index, lcl_tensor_info* out) {
  if (!archive || !out) return null_argument("lcl_archive_tensor_info");
  const auto& tensors = archive->archive->index().tensors;
  if (index >= tensors.size())
    return fail(LCL_ERROR_USAGE, ("tensor index " + std::to_string(index) + " out of range (" +
                                  std::to_string(tensors.size()) + " tensors)")
                                     .c_str());
  return guarded([&] {
    const lcl::TensorEntry& t = tensors[index];
    out->name = t.info.name.c_str();
    out->dtype = archive->dtypes[index].c_str();
    out->type_id = t.info.type;
    out->ndim = static_cast<uint32_t>(t.info.shape.size());
    out->shape = t.info.shape.data();
    out->offset = t.original_offset;
    out->size = t.original_size;
  });
}

lcl_status lcl_archive_find_tensor(const lcl_archive* archive, const char* name, size_t* index) {
  if (!archive || !name || !index) return null_argument("lcl_archive_find_tensor");
  auto found = archive->archive->tensor_index(name);
  if (!found) return fail(LCL_ERROR_USAGE, ("no tensor named '" + std::string(name) + "'").c_str());
  *index = *found;
  return LCL_OK;
}

lcl_status lcl_archive_read_tensor(const lcl_archive* archive, size_t index, void* dst,
                                   size_t dst_size, unsigned threads) {
  if (!archive || (!dst && dst_size)) return null_argument("lcl_archive_read_tensor");
  if (index >= archive->archive->index().tensors.size())
    return fail(LCL_ERROR_USAGE, "tensor index out of range");
  return guarded([&] {
    archive->archive->read_tensor_into(index, {static_cast<uint8_t*>(dst), dst_size}, threads);
  });
}

}  // extern "C"
