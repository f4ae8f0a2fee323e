#pragma once
// Byte vectors for chunk-sized buffers: resize() does not zero-fill, and large allocations are
// mapped with transparent huge pages where the kernel offers them. Chunk buffers are written in
// full right after they are sized, so zeroing them first was a wasted pass over memory; and the
// first touch of a fresh 4 MiB buffer is a thousand page faults with 4 KiB pages (expensive in
// virtual machines) but two with 2 MiB pages.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace lcl {

namespace detail {
// Allocations of at least this many bytes are mapped on their own, 2 MiB-aligned, and advised
// as huge-page candidates; smaller ones come from the heap.
inline constexpr size_t kHugeAllocationBytes = size_t{2} << 20;
void* allocate_large(size_t bytes);
void deallocate_large(void* p, size_t bytes) noexcept;
}  // namespace detail

// An allocator whose value-initialisation (what resize() asks for) leaves the bytes as they are.
template <class T>
struct DefaultInitAllocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= detail::kHugeAllocationBytes)
      return static_cast<T*>(detail::allocate_large(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes >= detail::kHugeAllocationBytes) return detail::deallocate_large(p, bytes);
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const DefaultInitAllocator<U>&) const noexcept {
    return true;
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace lcl
