#pragma once
// An output file that appears under its final name only when complete: data goes to a temporary
// file in the same directory, commit() renames it into place (refusing to replace an existing file
// unless asked). If the object dies uncommitted, or the process is interrupted by SIGINT/SIGTERM,
// the temporary file is removed, so a failed run never leaves a half-written output behind.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>

namespace lcl {

class AtomicOutputFile {
 public:
  // Throws lcl::Error(kIo) if `path` exists and !overwrite, or the temp file cannot be created.
  AtomicOutputFile(const std::filesystem::path& path, bool overwrite);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::span<const uint8_t> bytes);  // appends at the current end
  // Safe to call from several threads at once for disjoint ranges (pwrite; the end is tracked
  // atomically), so decoders can write their chunks as soon as they are ready.
  void write_at(uint64_t offset, std::span<const uint8_t> bytes);
  void resize(uint64_t size);  // sets the length (a hole where nothing was written: sparse)
  uint64_t position() const { return position_.load(); }
  void commit();  // flushes and renames into place

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  std::atomic<uint64_t> position_ = 0;
  bool overwrite_ = false;
  bool committed_ = false;
};

}  // namespace lcl
