// A ByteSource over the original bytes of an archive: model loaders read a .lcl as if it were the
// original file, decoding only the chunks they touch.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "lcl/container.hpp"
#include "lcl/error.hpp"

namespace lcl {

namespace {

class OriginalSource final : public ByteSource {
 public:
  explicit OriginalSource(std::shared_ptr<const Archive> archive) : archive_(std::move(archive)) {}
  uint64_t size() const override { return archive_->index().original_size; }
  std::string name() const override { return archive_->source().name() + " (decoded)"; }

  void read(uint64_t offset, std::span<uint8_t> dst) const override {
    if (offset > size() || dst.size() > size() - offset)
      throw_corrupt("unexpected end of " + name());
    const auto& chunks = archive_->index().chunks;
    std::lock_guard lock(mutex_);
    uint64_t pos = offset;
    while (pos < offset + dst.size()) {
      auto it = std::upper_bound(
          chunks.begin(), chunks.end(), pos,
          [](uint64_t p, const ChunkEntry& c) { return p < c.original_offset + c.original_size; });
      size_t index = static_cast<size_t>(it - chunks.begin());
      if (index != cached_index_) {
        cached_.resize(it->original_size);
        archive_->decode_chunk(index, cached_);
        cached_index_ = index;
      }
      uint64_t in_chunk = pos - it->original_offset;
      uint64_t n = std::min<uint64_t>(it->original_size - in_chunk, offset + dst.size() - pos);
      std::memcpy(dst.data() + (pos - offset), cached_.data() + in_chunk, n);
      pos += n;
    }
  }

 private:
  std::shared_ptr<const Archive> archive_;
  mutable std::mutex mutex_;
  mutable std::vector<uint8_t> cached_;
  mutable size_t cached_index_ = static_cast<size_t>(-1);
};

}  // namespace

std::unique_ptr<ByteSource> open_original(std::shared_ptr<const Archive> archive) {
  return std::make_unique<OriginalSource>(std::move(archive));
}

}  // namespace lcl
