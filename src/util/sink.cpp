// The byte sinks of include/lcl/sink.hpp.
#include "lcl/sink.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "lcl/error.hpp"
#include "util/atomic_file.hpp"

namespace lcl {

void ByteSink::write_zeros(uint64_t n) {
  static const std::array<uint8_t, 64 * 1024> zeros{};
  while (n > 0) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, zeros.size()));
    write(std::span(zeros.data(), take));
    n -= take;
  }
}

void MemorySink::write(std::span<const uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

void FdSink::write(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::kIo, "cannot write " + name_ + ": " + std::strerror(errno));
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

void StdioSink::write(std::span<const uint8_t> bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw Error(ErrorKind::kIo, "cannot write " + name_ + ": " + std::strerror(errno));
}

void StdioSink::finish() {
  if (std::fflush(file_) != 0)
    throw Error(ErrorKind::kIo, "cannot write " + name_ + ": " + std::strerror(errno));
}

struct FileSink::File {
  AtomicOutputFile out;
  uint64_t end = 0;  // bytes written so far, zeros included
};

FileSink::FileSink(const std::filesystem::path& path, bool overwrite,
                   const std::vector<std::filesystem::path>& inputs)
    : path_(path), file_(new File{AtomicOutputFile(path, overwrite, inputs), 0}) {}

FileSink::~FileSink() = default;

void FileSink::write(std::span<const uint8_t> bytes) {
  file_->out.write_at(file_->end, bytes);
  file_->end += bytes.size();
}

// Zeros become a hole (finish() sets the length), so a sparse original stays sparse; a device or
// FIFO gets them written.
void FileSink::write_zeros(uint64_t n) {
  file_->end += n;
}

void FileSink::finish() {
  file_->out.resize(file_->end);
  file_->out.commit();
}

}  // namespace lcl
