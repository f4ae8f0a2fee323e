#pragma once
// Byte vectors that resize() without zero-filling. Chunk buffers are written in full (a decoded
// chunk, a chunk read from its file) right after they are sized, and zeroing several MiB first
// costs a pass over memory, which on a fresh buffer also takes every page fault early.
#include <cstdint>
#include <memory>
#include <vector>

namespace lcl {

// An allocator whose value-initialisation (what resize() asks for) leaves the bytes as they are.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace lcl
