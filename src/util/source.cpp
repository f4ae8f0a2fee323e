// FileSource reads with pread so several threads can read one file at once without sharing a file
// position, and nothing is mapped: resident memory never grows with the file size.
#include "lcl/source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lcl/error.hpp"

namespace lcl {
namespace {

[[noreturn]] void throw_io(const std::string& what, const std::filesystem::path& path, int err) {
  throw Error(ErrorKind::kIo, what + " " + path.string() + ": " + std::strerror(err));
}

// True when [offset, offset + length) lies inside [0, size), written so it cannot overflow.
bool range_inside(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace

bool is_seekable_regular_file(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (st.st_size > 0) return true;
  // /proc and similar pseudo-files are "regular" with a size of 0 yet yield bytes when read.
  uint8_t probe = 0;
  ssize_t n;
  do {
    n = ::pread(fd, &probe, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 0;
}

bool is_seekable_regular_file(const std::filesystem::path& path) {
  // Only regular files are opened to probe them: opening a FIFO, even without blocking, lets its
  // writer's open() return, and closing it again makes the writer's next write fail (SIGPIPE).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  bool regular = is_seekable_regular_file(fd);
  ::close(fd);
  return regular;
}

FileSource::FileSource(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw_io("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    throw_io("cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw_io("cannot read", path, EISDIR);
  }
  // Pipes, FIFOs, devices and /proc files have no trustworthy size and no random access.
  if (!is_seekable_regular_file(fd_)) {
    ::close(fd_);
    throw Error(ErrorKind::kUnsupported,
                path.string() +
                    " is not a regular file (a pipe, FIFO, device or /proc file); lcl reads "
                    "its inputs at random offsets and needs a regular file");
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::read(uint64_t offset, std::span<uint8_t> dst) const {
  if (!range_inside(offset, dst.size(), size_)) throw_corrupt("unexpected end of " + name());
  size_t done = 0;
  while (done < dst.size()) {
    ssize_t n =
        ::pread(fd_, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot read", path_, errno);
    }
    // The file shrank after we measured it: the bytes we were promised are not there.
    if (n == 0) throw_corrupt("unexpected end of " + name());
    done += static_cast<size_t>(n);
  }
}

void MemorySource::read(uint64_t offset, std::span<uint8_t> dst) const {
  if (!range_inside(offset, dst.size(), bytes_.size())) throw_corrupt("unexpected end of " + name_);
  if (!dst.empty()) std::memcpy(dst.data(), bytes_.data() + offset, dst.size());
}

std::optional<std::span<const uint8_t>> MemorySource::view(uint64_t offset, uint64_t size) const {
  if (!range_inside(offset, size, bytes_.size())) throw_corrupt("unexpected end of " + name_);
  return bytes_.subspan(offset, size);
}

}  // namespace lcl
