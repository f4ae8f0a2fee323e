// The chunk buffers (util/byte_buffer.hpp, util/buffer_pool.hpp): small and huge-page-sized
// ByteBuffers hold what is written, grow keeping their bytes, and a pooled buffer comes back empty
// with its capacity.
#include <gtest/gtest.h>

#include <numeric>

#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"

namespace lcl {
namespace {

TEST(ByteBuffer, HoldsWhatIsWrittenAtEverySize) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, detail::kHugeAllocationBytes - 1,
                   detail::kHugeAllocationBytes, size_t{9} << 20}) {
    ByteBuffer b;
    b.resize(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + 7);
    // Growing past the huge-page threshold moves the bytes to a new mapping.
    b.resize(n + (size_t{3} << 20));
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(b[i], static_cast<uint8_t>(i * 31 + 7)) << n;
    b.shrink_to_fit();
    EXPECT_EQ(b.size(), n + (size_t{3} << 20));
  }
}

TEST(ByteBuffer, WiderElementsUseTheSameAllocator) {
  std::vector<uint32_t, DefaultInitAllocator<uint32_t>> v(size_t{1} << 20);  // 4 MiB
  std::iota(v.begin(), v.end(), 0u);
  EXPECT_EQ(v.back(), (1u << 20) - 1);
  EXPECT_EQ(std::accumulate(v.begin(), v.begin() + 1000, uint64_t{0}), 999u * 1000 / 2);
}

TEST(BufferPool, GivesBackEmptyBuffersWithTheirCapacity) {
  BufferPool<ByteBuffer> pool;
  ByteBuffer b = pool.take();
  EXPECT_EQ(b.capacity(), 0u);
  b.resize(size_t{5} << 20);
  const auto* data = b.data();
  pool.give(std::move(b));
  ByteBuffer again = pool.take();
  EXPECT_TRUE(again.empty());
  EXPECT_GE(again.capacity(), size_t{5} << 20);
  EXPECT_EQ(again.data(), data);
}

}  // namespace
}  // namespace lcl
