// File-descriptor and memory streams (lcl/stream.hpp).
#include "lcl/stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "lcl/error.hpp"
#include "lcl/source.hpp"

namespace lcl {

size_t read_fully(InputStream& in, std::span<uint8_t> dst) {
  size_t done = 0;
  while (done < dst.size()) {
    size_t n = in.read_some(dst.subspan(done));
    if (n == 0) break;
    done += n;
  }
  return done;
}

namespace {
class FileInputStream final : public InputStream {
 public:
  explicit FileInputStream(const std::filesystem::path& path) : name_(path.string()) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(ErrorKind::kIo, "cannot open " + name_ + ": " + std::strerror(errno));
  }
  ~FileInputStream() override { ::close(fd_); }
  FileInputStream(const FileInputStream&) = delete;
  FileInputStream& operator=(const FileInputStream&) = delete;
  size_t read_some(std::span<uint8_t> dst) override {
    return FdInputStream(fd_, name_).read_some(dst);
  }
  std::string name() const override { return name_; }

 private:
  int fd_ = -1;
  std::string name_;
};
}  // namespace

bool reads_as_stream(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return false;
  if (!is_seekable_regular_file(path)) return true;
  constexpr long kProcMagic = 0x9fa0;       // PROC_SUPER_MAGIC
  constexpr long kSysfsMagic = 0x62656572;  // SYSFS_MAGIC
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && (static_cast<long>(fs.f_type) == kProcMagic ||
                                              static_cast<long>(fs.f_type) == kSysfsMagic);
}

std::unique_ptr<InputStream> open_input_stream(const std::filesystem::path& path) {
  return std::make_unique<FileInputStream>(path);
}

size_t FdInputStream::read_some(std::span<uint8_t> dst) {
  if (dst.empty()) return 0;
  for (;;) {
    ssize_t n = ::read(fd_, dst.data(), dst.size());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR)
      throw Error(ErrorKind::kIo, "cannot read " + name_ + ": " + std::strerror(errno));
  }
}

size_t MemoryInputStream::read_some(std::span<uint8_t> dst) {
  size_t n = std::min({dst.size(), bytes_.size() - pos_, chunk_});
  if (n == 0) return 0;  // an empty span's data() may be null, which memcpy must not get
  std::memcpy(dst.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

}  // namespace lcl
