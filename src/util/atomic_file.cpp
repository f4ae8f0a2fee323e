#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>

#include "lcl/error.hpp"

namespace lcl {

namespace {

// When this process started (near enough: static initialisation): temporary files older than this
// cannot belong to this run.
const std::filesystem::file_time_type kProcessStart = std::filesystem::file_time_type::clock::now();

constexpr const char* kTempInfix = ".tmp-";
constexpr size_t kTempHexDigits = 8;

// Temporary files currently open, for the signal handler. Fixed storage: the handler may only use
// async-signal-safe calls (unlink) and must not allocate.
constexpr size_t kMaxTempFiles = 64;
constexpr size_t kMaxPath = 4096;
std::array<std::atomic<bool>, kMaxTempFiles> g_slot_used{};
std::array<std::array<char, kMaxPath>, kMaxTempFiles> g_slot_path{};

extern "C" void remove_temp_files_and_reraise(int signal_number) {
  for (size_t i = 0; i < kMaxTempFiles; ++i)
    if (g_slot_used[i].load()) ::unlink(g_slot_path[i].data());
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void install_handlers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, remove_temp_files_and_reraise);
  });
}

int claim_slot(const std::string& path) {
  if (path.size() >= kMaxPath) return -1;
  for (size_t i = 0; i < kMaxTempFiles; ++i) {
    if (g_slot_used[i].load()) continue;
    std::memcpy(g_slot_path[i].data(), path.c_str(), path.size() + 1);
    bool expected = false;
    if (g_slot_used[i].compare_exchange_strong(expected, true)) return static_cast<int>(i);
  }
  return -1;  // no slot: the file is still removed by the destructor, just not on a signal
}

void release_slot(const std::string& path) {
  for (size_t i = 0; i < kMaxTempFiles; ++i)
    if (g_slot_used[i].load() && path == g_slot_path[i].data()) g_slot_used[i].store(false);
}

[[noreturn]] void throw_io(const std::string& what, const std::filesystem::path& path,
                           int err = errno) {
  throw Error(ErrorKind::kIo, what + " " + path.string() + ": " + std::strerror(err));
}

[[noreturn]] void throw_exists(const std::filesystem::path& path) {
  throw Error(ErrorKind::kIo, path.string() + " already exists (use -f to overwrite)");
}

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

bool is_our_temp_name(const std::string& name, const std::string& output_name) {
  const std::string prefix = output_name + kTempInfix;
  if (name.size() != prefix.size() + kTempHexDigits || name.compare(0, prefix.size(), prefix) != 0)
    return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

}  // namespace

int remove_stale_temp_files(const std::filesystem::path& output) {
  std::error_code ec;
  const std::string output_name = output.filename().string();
  std::filesystem::directory_iterator it(parent_or_dot(output), ec);
  int removed = 0;
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (!is_our_temp_name(it->path().filename().string(), output_name)) continue;
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec) || entry_ec) continue;
    auto modified = it->last_write_time(entry_ec);
    if (entry_ec || modified >= kProcessStart) continue;  // may be a concurrent run's
    if (std::filesystem::remove(it->path(), entry_ec)) ++removed;
  }
  return removed;
}

AtomicOutputFile::AtomicOutputFile(const std::filesystem::path& path, bool overwrite,
                                   const std::vector<std::filesystem::path>& inputs)
    : final_path_(path), target_path_(path), overwrite_(overwrite) {
  struct stat out_stat {};
  if (::stat(path.c_str(), &out_stat) != 0) {
    if (errno != ENOENT) throw_io("cannot write", path);
    open_temp();  // a new file (or a dangling symlink, which commit() refuses to replace)
    return;
  }
  for (const std::filesystem::path& input : inputs) {
    struct stat in_stat {};
    if (::stat(input.c_str(), &in_stat) == 0 && in_stat.st_dev == out_stat.st_dev &&
        in_stat.st_ino == out_stat.st_ino)
      throw Error(ErrorKind::kIo, "refusing to write " + path.string() + ": it is the input " +
                                      input.string() + " (same file)");
  }
  if (S_ISCHR(out_stat.st_mode) || S_ISFIFO(out_stat.st_mode)) {
    open_direct();
    return;
  }
  if (!S_ISREG(out_stat.st_mode))
    throw Error(ErrorKind::kIo, "refusing to write " + path.string() + ": it is " +
                                    file_type_name(out_stat.st_mode) +
                                    " (lcl writes regular files, character devices and FIFOs)");
  if (!overwrite) throw_exists(path);
  // A symlink to a regular file: the file it names is replaced, the link stays.
  std::error_code ec;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    std::filesystem::path resolved = std::filesystem::canonical(path, ec);
    if (!ec) target_path_ = resolved;
  }
  open_temp();
}

void AtomicOutputFile::open_direct() {
  mode_ = Mode::kDirect;
  fd_ = ::open(final_path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) throw_io("cannot open", final_path_);
}

void AtomicOutputFile::open_temp() {
  remove_stale_temp_files(target_path_);
  const std::filesystem::path dir = parent_or_dot(target_path_);
#ifdef O_TMPFILE
  // Unnamed until commit(): nothing to clean up after any kind of crash. Linking it needs
  // /proc/self/fd, checked here so that commit() cannot find itself without a way to name it.
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd_ >= 0) {
    std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    if (::access(proc.c_str(), F_OK) == 0) {
      mode_ = Mode::kUnnamedTemp;
      return;
    }
    ::close(fd_);
    fd_ = -1;
  }
#endif
  mode_ = Mode::kNamedTemp;
  install_handlers_once();
  std::random_device random;
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "%s%08x", kTempInfix, static_cast<unsigned>(random()));
    temp_path_ = target_path_;
    temp_path_ += suffix;
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && errno != EEXIST) throw_io("cannot create", final_path_);
  }
  if (fd_ < 0) throw_io("cannot create", final_path_);
  claim_slot(temp_path_.string());
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (mode_ == Mode::kNamedTemp && !temp_path_.empty()) {
    if (!committed_) ::unlink(temp_path_.c_str());
    release_slot(temp_path_.string());
  }
}

void AtomicOutputFile::write(std::span<const uint8_t> bytes) {
  write_at(position_.load(), bytes);
}

void AtomicOutputFile::write_all(std::span<const uint8_t> bytes, uint64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = mode_ == Mode::kDirect ? ::write(fd_, bytes.data() + done, bytes.size() - done)
                                       : ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                                  static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write", final_path_);
    }
    done += static_cast<size_t>(n);
  }
}

void AtomicOutputFile::write_zeros(uint64_t count) {
  static const std::vector<uint8_t> zeros(1 << 20, 0);
  while (count > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(count, zeros.size()));
    write_all(std::span(zeros.data(), n), written_end_);
    written_end_ += n;
    count -= n;
  }
}

void AtomicOutputFile::write_at(uint64_t offset, std::span<const uint8_t> bytes) {
  if (mode_ == Mode::kDirect) {
    if (offset < written_end_)
      throw Error(ErrorKind::kIo, "cannot write " + final_path_.string() +
                                      ": a device or FIFO is written in order only");
    write_zeros(offset - written_end_);
    write_all(bytes, offset);
    written_end_ += bytes.size();
  } else {
    write_all(bytes, offset);
  }
  const uint64_t end = offset + bytes.size();
  uint64_t seen = position_.load();
  while (seen < end && !position_.compare_exchange_weak(seen, end)) {
  }
}

void AtomicOutputFile::resize(uint64_t size) {
  if (mode_ == Mode::kDirect) {
    if (size < written_end_)
      throw Error(ErrorKind::kIo,
                  "cannot shorten " + final_path_.string() + ": it is a device or FIFO");
    write_zeros(size - written_end_);
  } else if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    throw_io("cannot resize", final_path_);
  }
  position_ = size;
}

void AtomicOutputFile::link_unnamed() {
  std::string proc = "/proc/self/fd/" + std::to_string(fd_);
  if (!overwrite_) {
    // linkat() fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, target_path_.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return;
    if (errno == EEXIST) throw_exists(final_path_);
    throw_io("cannot create", final_path_);
  }
  // Replacing: link under a temporary name, then rename over the target (atomic replacement).
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "%s%08x", kTempInfix, static_cast<unsigned>(random()));
    std::filesystem::path temp = target_path_;
    temp += suffix;
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno == EEXIST) continue;
      throw_io("cannot create", final_path_);
    }
    if (::rename(temp.c_str(), target_path_.c_str()) != 0) {
      int err = errno;
      ::unlink(temp.c_str());
      throw_io("cannot replace", final_path_, err);
    }
    return;
  }
  throw_io("cannot create", final_path_, EEXIST);
}

void AtomicOutputFile::commit() {
  if (mode_ == Mode::kUnnamedTemp) link_unnamed();
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw_io("cannot write", final_path_);
  }
  fd_ = -1;
  if (mode_ == Mode::kNamedTemp) {
    if (overwrite_) {
      if (::rename(temp_path_.c_str(), target_path_.c_str()) != 0)
        throw_io("cannot replace", final_path_);
    } else if (::link(temp_path_.c_str(), target_path_.c_str()) == 0) {
      ::unlink(temp_path_.c_str());
    } else {
      if (errno == EEXIST) throw_exists(final_path_);
      if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP)
        throw_io("cannot create", final_path_);
      // A file system without hard links: check, then rename (not atomic against a racing writer).
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::symlink_status(target_path_, ec)))
        throw_exists(final_path_);
      if (::rename(temp_path_.c_str(), target_path_.c_str()) != 0)
        throw_io("cannot create", final_path_);
    }
  }
  committed_ = true;
}

}  // namespace lcl
