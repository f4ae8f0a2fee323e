#include "bench/jsonl_zstd.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "lcl/error.hpp"

namespace lcl::bench {

namespace {
[[noreturn]] void io_error(const std::string& what, const std::filesystem::path& path) {
  throw Error(ErrorKind::kIo, what + " " + path.string() + ": " + std::strerror(errno));
}
}  // namespace

JsonlZstdWriter::JsonlZstdWriter(const std::filesystem::path& path, int level) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) io_error("cannot create", path);
  cctx_ = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
}

JsonlZstdWriter::~JsonlZstdWriter() {
  try {
    close();
  } catch (...) {
    // A destructor cannot report; callers that care call close() themselves.
  }
  ZSTD_freeCCtx(cctx_);
}

void JsonlZstdWriter::write_line(const std::string& line) {
  pending_ += line;
  pending_ += '\n';
  if (pending_.size() >= (1u << 20)) drain(ZSTD_e_continue);
}

void JsonlZstdWriter::flush() {
  drain(ZSTD_e_flush);
  if (std::fflush(file_) != 0) io_error("cannot write", path_);
}

void JsonlZstdWriter::close() {
  if (!file_) return;
  drain(ZSTD_e_end);
  bool failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed) io_error("cannot write", path_);
}

void JsonlZstdWriter::drain(ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{pending_.data(), pending_.size(), 0};
  std::vector<char> buffer(ZSTD_CStreamOutSize());
  while (true) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, mode);
    if (ZSTD_isError(remaining))
      throw Error(ErrorKind::kIo, std::string("zstd: ") + ZSTD_getErrorName(remaining));
    if (out.pos && std::fwrite(buffer.data(), 1, out.pos, file_) != out.pos)
      io_error("cannot write", path_);
    bool done = mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0;
    if (done) break;
  }
  pending_.clear();
}

JsonlContents read_jsonl_zstd(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) io_error("cannot open", path);
  std::string compressed((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  JsonlContents contents;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string text;
  std::vector<char> buffer(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    last = ZSTD_decompressStream(dctx, &out, &in);
    if (ZSTD_isError(last)) {
      std::string why = ZSTD_getErrorName(last);
      ZSTD_freeDCtx(dctx);
      // Data that decoded before the damage is kept only if the damage is a truncation; any
      // other error means the file is not what it claims to be.
      throw_corrupt(path.string() + ": not a valid zstd stream (" + why + ")");
    }
    text.append(buffer.data(), out.pos);
    if (out.pos == 0 && in.pos == in.size) break;
  }
  // Drain output still buffered inside the decoder.
  while (true) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    size_t r = ZSTD_decompressStream(dctx, &out, &in);
    if (ZSTD_isError(r) || out.pos == 0) break;
    text.append(buffer.data(), out.pos);
    last = r;
  }
  ZSTD_freeDCtx(dctx);
  contents.truncated = last != 0;  // non-zero: the decoder still expects input of the frame
  size_t start = 0;
  while (true) {
    size_t newline = text.find('\n', start);
    if (newline == std::string::npos) {
      if (start < text.size()) contents.truncated = true;  // a partial last line is dropped
      break;
    }
    if (newline > start) contents.lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  return contents;
}

}  // namespace lcl::bench
