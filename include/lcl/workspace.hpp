#pragma once
// Scratch memory for coding chunks, owned by the caller of a codec. Coding a chunk needs arrays
// of up to a few MiB (symbol streams, fields, zstd contexts); allocating them afresh per chunk
// costs more in page faults than the coding itself, so a workspace keeps them, with their
// capacity, from one chunk to the next. It holds memory only while it lives: compress(),
// decompress() and an Archive own one per worker thread, and free it when they are done.
// A workspace is used by one thread at a time; two workspaces never share memory.
#include <memory>
#include <mutex>
#include <vector>

namespace lcl {

// The per-codec scratch structs a workspace gathers (src/codecs/codec_scratch.hpp).
struct CodecScratch;

class Workspace {
 public:
  Workspace();
  ~Workspace();
  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // The scratch structs, created on first use (a workspace that codes nothing costs nothing).
  CodecScratch& scratch();
  // Frees every buffer; the workspace stays usable.
  void release() noexcept;

 private:
  std::unique_ptr<CodecScratch> scratch_;
};

// Workspaces for the jobs of a thread pool: a job leases one for its chunk and gives it back when
// the lease ends. The pool never holds more workspaces than jobs ran at once (one per worker), and
// frees them all when it is destroyed.
class WorkspacePool {
 public:
  class Lease {
   public:
    Lease(WorkspacePool& pool, Workspace workspace)
        : pool_(&pool), workspace_(std::move(workspace)) {}
    Lease(Lease&&) = delete;
    ~Lease() { pool_->give(std::move(workspace_)); }
    Workspace& operator*() { return workspace_; }
    Workspace* operator->() { return &workspace_; }

   private:
    WorkspacePool* pool_;
    Workspace workspace_;
  };

  // A workspace, with the buffers of an earlier lease when one was given back.
  Lease lease();
  // Frees the workspaces not leased now.
  void release();

 private:
  void give(Workspace&& workspace);
  std::mutex mutex_;
  std::vector<Workspace> free_;
};

}  // namespace lcl
