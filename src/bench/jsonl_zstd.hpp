#pragma once
// JSON lines compressed with zstd (results.jsonl.zst). The writer flushes a complete zstd block
// after every batch of lines, so a run that is killed leaves a file whose every flushed line can
// still be read (`lcl bench --resume` continues from there); the reader accepts several
// concatenated frames (files joined with cat) and a truncated last frame.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <zstd.h>

namespace lcl::bench {

class JsonlZstdWriter {
 public:
  // Creates (truncates) `path`. Throws lcl::Error(kIo).
  explicit JsonlZstdWriter(const std::filesystem::path& path, int level = 3);
  ~JsonlZstdWriter();
  JsonlZstdWriter(const JsonlZstdWriter&) = delete;
  JsonlZstdWriter& operator=(const JsonlZstdWriter&) = delete;

  void write_line(const std::string& line);  // a newline is appended
  void flush();                              // everything written so far becomes readable
  void close();                              // ends the frame; called by the destructor too

 private:
  void drain(ZSTD_EndDirective mode);
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  ZSTD_CCtx* cctx_ = nullptr;
  std::string pending_;
};

struct JsonlContents {
  std::vector<std::string> lines;  // complete lines, without their newline
  bool truncated = false;          // the data ended inside a frame or inside a line
};

// Throws lcl::Error(kIo) when the file cannot be read, kCorruptInput when it is not zstd data.
JsonlContents read_jsonl_zstd(const std::filesystem::path& path);

}  // namespace lcl::bench
