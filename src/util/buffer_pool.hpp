#pragma once
// Byte buffers recycled between the chunks of a pipeline. A fresh multi-MiB vector per chunk is a
// fresh mmap whose page faults and zero filling can cost more than coding the chunk; reused
// buffers keep their pages. The pool never holds more buffers than were in flight at once, so
// memory stays bounded by the pipeline's window.
#include <cstdint>
#include <mutex>
#include <vector>

namespace lcl {

// Buffer: std::vector<uint8_t>, or ByteBuffer (byte_buffer.hpp) where the bytes need no zeroing.
template <class Buffer = std::vector<uint8_t>>
class BufferPool {
 public:
  // An empty buffer, with the capacity of an earlier one when there is one.
  Buffer take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    Buffer buffer = std::move(free_.back());
    free_.pop_back();
    buffer.clear();
    return buffer;
  }

  void give(Buffer&& buffer) {
    if (buffer.capacity() == 0) return;
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(buffer));
  }

 private:
  std::mutex mutex_;
  std::vector<Buffer> free_;
};

}  // namespace lcl
