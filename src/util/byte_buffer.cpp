#include "util/byte_buffer.hpp"

#include <cstdint>
#include <new>

// Under AddressSanitizer large buffers stay on the heap, where overflows of them are caught.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LCL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LCL_ASAN 1
#endif

#if defined(__linux__) && !defined(LCL_ASAN)
#define LCL_HUGE_PAGES 1
#include <sys/mman.h>
#endif

namespace lcl::detail {

#if defined(LCL_HUGE_PAGES)
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
size_t round_up(size_t bytes) {
  return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}
}  // namespace

void* allocate_large(size_t bytes) {
  const size_t size = round_up(bytes);
  // Over-map by one huge page and trim, so the buffer starts on a 2 MiB boundary (a huge page
  // can only back an aligned 2 MiB range).
  void* raw =
      ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t tail = aligned + size;
  const uintptr_t mapped_end = start + size + kHugePage;
  if (mapped_end > tail) ::munmap(reinterpret_cast<void*>(tail), mapped_end - tail);
  // Advice only: where transparent huge pages are off, the mapping simply keeps 4 KiB pages.
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void deallocate_large(void* p, size_t bytes) noexcept {
  ::munmap(p, round_up(bytes));
}
#else  // heap allocations: no huge-page advice
void* allocate_large(size_t bytes) {
  return ::operator new(bytes);
}

void deallocate_large(void* p, size_t) noexcept {
  ::operator delete(p);
}
#endif

}  // namespace lcl::detail
