#pragma once
// Sequential byte streams: an InputStream is read front to back once (a pipe, a socket, stdin,
// a file); a ByteSink (lcl/sink.hpp) takes bytes in order (stdout, a file being written, memory).
// The container compresses from any InputStream and decompresses into any ByteSink, so nothing
// about the bytes' origin (seekable or not, size known or not) is assumed.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lcl/sink.hpp"

namespace lcl {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to dst.size() bytes and returns how many; 0 only at the end of the stream (or for an
  // empty dst). Throws lcl::Error(kIo) on a read error.
  virtual size_t read_some(std::span<uint8_t> dst) = 0;
  virtual std::string name() const = 0;  // for error messages
};

// Fills dst unless the stream ends first; returns the bytes read (dst.size() unless at the end).
size_t read_fully(InputStream& in, std::span<uint8_t> dst);

// A file descriptor that is read (or written) sequentially and not closed: stdin, stdout, a pipe.
class FdInputStream final : public InputStream {
 public:
  FdInputStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  size_t read_some(std::span<uint8_t> dst) override;
  std::string name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

// True for files that must be read front to back because their st_size means nothing: anything
// but a regular file (pipes, FIFOs, devices, sockets), and regular files of procfs and sysfs
// (st_size 0 or 4096 whatever they hold). False for directories and paths that do not exist.
bool reads_as_stream(const std::filesystem::path& path);

// Opens `path` for sequential reading (any kind of file: regular, FIFO, device, /proc file);
// throws lcl::Error(kIo) naming it.
std::unique_ptr<InputStream> open_input_stream(const std::filesystem::path& path);

// Bytes in memory (tests, fuzzers, language bindings); `chunk` limits each read_some, so callers
// see the short reads a pipe gives.
class MemoryInputStream final : public InputStream {
 public:
  explicit MemoryInputStream(std::span<const uint8_t> bytes, size_t chunk = SIZE_MAX,
                             std::string name = "<memory>")
      : bytes_(bytes), chunk_(chunk), name_(std::move(name)) {}
  size_t read_some(std::span<uint8_t> dst) override;
  std::string name() const override { return name_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  size_t chunk_;
  std::string name_;
};

}  // namespace lcl
