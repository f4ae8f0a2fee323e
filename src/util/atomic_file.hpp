#pragma once
// An output file that appears under its final name only when complete, and never harms what is
// not ours:
//  - a regular file is written unnamed (O_TMPFILE, linked into place by commit()) where the file
//    system allows, so even `kill -9` leaves nothing behind; elsewhere into `OUT.tmp-XXXXXXXX` next
//    to it, renamed by commit() and removed if the object dies uncommitted or on SIGINT/SIGTERM/
//    SIGHUP. Such files left by a killed earlier run (older than this process) are removed when
//    the same output is written again.
//  - an existing regular file is replaced only with `overwrite`;
//  - an existing character device or FIFO (/dev/null, a named pipe, /dev/stdout on a terminal or
//    pipe) is written into, in order, as zstd does: it is never renamed over;
//  - any other existing file type (directory, block device, socket) is refused, and so is an
//    output that is one of the inputs (same device and inode), with or without `overwrite`.
// Error messages name the output path the caller gave, never a temporary name.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace lcl {

class AtomicOutputFile {
 public:
  // Throws lcl::Error(kIo) if the output may not be written (see above) or cannot be created.
  AtomicOutputFile(const std::filesystem::path& path, bool overwrite,
                   const std::vector<std::filesystem::path>& inputs = {});
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::span<const uint8_t> bytes);  // appends at the current end
  // Writes at `offset`. Into a device or FIFO offsets must not go back; a gap is written as zeros.
  // Into a file (!is_stream()) several threads may write disjoint ranges at once (pwrite; the end
  // is tracked atomically), so decoders write their chunks as soon as they are ready.
  void write_at(uint64_t offset, std::span<const uint8_t> bytes);
  // Sets the length (a hole where nothing was written: sparse). A device or FIFO can only grow,
  // by zeros.
  void resize(uint64_t size);
  uint64_t position() const { return position_.load(); }
  bool is_stream() const { return mode_ == Mode::kDirect; }  // a device or FIFO, written in order
  void commit();                                             // flushes and puts the file into place

 private:
  enum class Mode { kNamedTemp, kUnnamedTemp, kDirect };
  void open_direct();
  void open_temp();
  void write_zeros(uint64_t count);
  void write_all(std::span<const uint8_t> bytes, uint64_t offset);
  void link_unnamed();

  std::filesystem::path final_path_;   // as the caller named it (for messages)
  std::filesystem::path target_path_;  // where the file goes (a symlink's target when it is one)
  std::filesystem::path temp_path_;
  Mode mode_ = Mode::kNamedTemp;
  int fd_ = -1;
  std::atomic<uint64_t> position_ = 0;
  uint64_t written_end_ = 0;  // direct mode: bytes actually written so far
  bool overwrite_ = false;
  bool committed_ = false;
};

// Removes `OUT.tmp-XXXXXXXX` files (eight hex digits, our own naming) next to `output` that were
// last modified before this process started: what a killed earlier run left. Returns how many.
int remove_stale_temp_files(const std::filesystem::path& output);

}  // namespace lcl
