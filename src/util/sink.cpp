// The byte sinks of include/lcl/sink.hpp.
#include "lcl/sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lcl/error.hpp"
#include "util/atomic_file.hpp"

namespace lcl {

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
};

FileSink::FileSink(const std::filesystem::path& path, bool overwrite,
                   const std::vector<std::filesystem::path>& inputs)
    : path_(path), file_(new File{AtomicOutputFile(path, overwrite, inputs)}) {}

FileSink::~FileSink() = default;

void FileSink::write(std::span<const uint8_t> bytes) {
  file_->out.write(bytes);
}

void FileSink::finish() {
  file_->out.commit();
}

}  // namespace lcl
