#pragma once
// Byte sinks: where compression and decompression write their output, in order, front to back
// (no seeking), so a pipe, a socket or a growing memory buffer works as well as a file.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lcl {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends `bytes`; throws lcl::Error(kIo) when the bytes cannot be written.
  virtual void write(std::span<const uint8_t> bytes) = 0;
  // Appends `n` zero bytes; a file may leave a hole instead of writing them.
  virtual void write_zeros(uint64_t n);
  // Called once, after the last write, when the whole output is complete and verified: a file
  // sink makes the file appear under its name, a stream sink flushes.
  virtual void finish() {}
  virtual std::string name() const = 0;  // for error messages
};

// Appends to a caller-owned vector (which it does not clear first).
class MemorySink final : public ByteSink {
 public:
  explicit MemorySink(std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  void write(std::span<const uint8_t> bytes) override;
  std::string name() const override { return "<memory>"; }

 private:
  std::vector<uint8_t>& bytes_;
};

// Owns the bytes it collects (tests, fuzzers).
class VectorSink final : public ByteSink {
 public:
  void write(std::span<const uint8_t> bytes) override {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  std::string name() const override { return "<memory>"; }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Discards everything (decoding only to check an archive).
class NullSink final : public ByteSink {
 public:
  void write(std::span<const uint8_t>) override {}
  void write_zeros(uint64_t) override {}
  std::string name() const override { return "<none>"; }
};

// Writes to an open file descriptor (a pipe, a socket, stdout, a file), retrying short writes.
// The descriptor stays the caller's: the sink neither seeks nor closes it.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd, std::string name = "<fd>") : fd_(fd), name_(std::move(name)) {}
  void write(std::span<const uint8_t> bytes) override;
  std::string name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
};

// Writes to a C stdio stream (fwrite; finish() flushes). The stream stays the caller's.
class StdioSink final : public ByteSink {
 public:
  explicit StdioSink(std::FILE* file, std::string name = "<stdio>")
      : file_(file), name_(std::move(name)) {}
  void write(std::span<const uint8_t> bytes) override;
  void finish() override;
  std::string name() const override { return name_; }

 private:
  std::FILE* file_;
  std::string name_;
};

// A file that appears under `path` only when finish() is called: the bytes go to a temporary file
// beside it, which is removed if the sink dies unfinished (an error, an interrupt), so a failed run
// never leaves a half-written file. Refuses to replace an existing file unless `overwrite`, and
// refuses, even then, a path that is one of `inputs` (the same file under any name).
class FileSink final : public ByteSink {
 public:
  FileSink(const std::filesystem::path& path, bool overwrite = false,
           const std::vector<std::filesystem::path>& inputs = {});
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  void write(std::span<const uint8_t> bytes) override;
  void write_zeros(uint64_t n) override;
  void finish() override;
  std::string name() const override { return path_.string(); }

 private:
  struct File;
  std::filesystem::path path_;
  std::unique_ptr<File> file_;
};

}  // namespace lcl
