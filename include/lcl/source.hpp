#pragma once
// Random-access byte sources: a file read with pread (no mmap, so memory stays bounded and
// resident set never grows with the file), or a buffer in memory (tests, fuzzers, extracted data).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace lcl {

// True for a regular file whose size can be trusted and that can be read at any offset: not a
// pipe, FIFO, device, socket or /proc-style pseudo-file (regular, size 0, yet readable). Only such
// files can be a FileSource.
bool is_seekable_regular_file(const std::filesystem::path& path);
bool is_seekable_regular_file(int fd);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly dst.size() bytes at offset; throws lcl::Error (kCorruptInput "unexpected end of
  // <name>" when the range passes the end, kIo on a read error).
  virtual void read(uint64_t offset, std::span<uint8_t> dst) const = 0;
  virtual std::string name() const = 0;  // for error messages
  // The `size` bytes at `offset` where they already lie in memory (valid while the source
  // lives), so that a reader can use them without a copy; nullopt for sources that must read.
  // Throws like read() when the range passes the end.
  virtual std::optional<std::span<const uint8_t>> view(uint64_t /*offset*/,
                                                       uint64_t /*size*/) const {
    return std::nullopt;
  }
};

class FileSource final : public ByteSource {
 public:
  // Throws kIo naming the file, kUnsupported when it is not is_seekable_regular_file().
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, std::span<uint8_t> dst) const override;
  std::string name() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::span<const uint8_t> bytes, std::string name = "<memory>")
      : bytes_(bytes), name_(std::move(name)) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, std::span<uint8_t> dst) const override;
  std::string name() const override { return name_; }
  std::optional<std::span<const uint8_t>> view(uint64_t offset, uint64_t size) const override;

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
};

}  // namespace lcl
