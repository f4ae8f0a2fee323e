#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
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

[[noreturn]] void throw_io(const std::string& what, const std::filesystem::path& path) {
  throw Error(ErrorKind::kIo, what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(const std::filesystem::path& path, bool overwrite)
    : final_path_(path), overwrite_(overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec))
    throw Error(ErrorKind::kIo, path.string() + " already exists (use -f to overwrite)");
  install_handlers_once();
  std::random_device random;
  for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(random()));
    temp_path_ = path;
    temp_path_ += suffix;
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && errno != EEXIST) throw_io("cannot create", temp_path_);
  }
  if (fd_ < 0) throw_io("cannot create a temporary file for", path);
  claim_slot(temp_path_.string());
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    ::unlink(temp_path_.c_str());
  }
  release_slot(temp_path_.string());
}

void AtomicOutputFile::write(std::span<const uint8_t> bytes) {
  write_at(position_.load(), bytes);
}

void AtomicOutputFile::write_at(uint64_t offset, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n =
        ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write", temp_path_);
    }
    done += static_cast<size_t>(n);
  }
  const uint64_t end = offset + bytes.size();
  uint64_t seen = position_.load();
  while (seen < end && !position_.compare_exchange_weak(seen, end)) {
  }
}

void AtomicOutputFile::resize(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) throw_io("cannot resize", temp_path_);
  position_ = size;
}

void AtomicOutputFile::commit() {
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw_io("cannot close", temp_path_);
  }
  fd_ = -1;
  if (overwrite_) {
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
      throw_io("cannot rename to", final_path_);
  } else {
    // link() fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
    if (::link(temp_path_.c_str(), final_path_.c_str()) != 0) {
      if (errno == EEXIST)
        throw Error(ErrorKind::kIo, final_path_.string() + " already exists (use -f to overwrite)");
      if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP)
        throw_io("cannot create", final_path_);
      // A file system without hard links: check, then rename (not atomic against a racing writer).
      std::error_code ec;
      if (std::filesystem::exists(final_path_, ec))
        throw Error(ErrorKind::kIo, final_path_.string() + " already exists (use -f to overwrite)");
      if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
        throw_io("cannot rename to", final_path_);
    } else {
      ::unlink(temp_path_.c_str());
    }
  }
  committed_ = true;
}

}  // namespace lcl
