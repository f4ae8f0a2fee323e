// Workspace and WorkspacePool (lcl/workspace.hpp), whose scratch structs are codec_scratch.hpp,
// and the Codec calls that bring a workspace of their own.
#include "lcl/workspace.hpp"

#include <new>

#include "codecs/codec_scratch.hpp"
#include "lcl/codec.hpp"

namespace lcl {

Workspace::Workspace() = default;
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

CodecScratch& Workspace::scratch() {
  if (!scratch_) scratch_ = std::make_unique<CodecScratch>();
  return *scratch_;
}

void Workspace::release() noexcept {
  scratch_.reset();
}

WorkspacePool::Lease WorkspacePool::lease() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return Lease(*this, Workspace());
  Workspace workspace = std::move(free_.back());
  free_.pop_back();
  return Lease(*this, std::move(workspace));
}

void WorkspacePool::release() {
  std::lock_guard lock(mutex_);
  free_.clear();
}

void WorkspacePool::give(Workspace&& workspace) {
  std::lock_guard lock(mutex_);
  try {
    free_.push_back(std::move(workspace));
  } catch (const std::bad_alloc&) {  // called from ~Lease: the workspace is freed instead
  }
}

void Codec::encode(std::span<const uint8_t> input, const EncodeContext& context,
                   std::vector<uint8_t>& out) const {
  Workspace workspace;
  encode(input, context, out, workspace);
}

void Codec::decode(std::span<const uint8_t> payload, std::span<uint8_t> out) const {
  Workspace workspace;
  decode(payload, out, workspace);
}

void Codec::decode_with_reference(std::span<const uint8_t> payload,
                                  std::span<const uint8_t> reference,
                                  std::span<uint8_t> out) const {
  Workspace workspace;
  decode_with_reference(payload, reference, out, workspace);
}

}  // namespace lcl
