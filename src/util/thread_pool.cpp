#include "util/thread_pool.hpp"

#include <algorithm>

namespace lcl {

ThreadPool::ThreadPool(unsigned threads) {
  threads = std::max(1u, threads);
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();  // packaged_task stores any exception in its future
  }
}

unsigned max_threads() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min(kMaxThreads, kMaxThreadsPerCore * cores);
}

unsigned resolve_threads(unsigned requested) {
  if (requested > 0) return std::min(requested, max_threads());
  return std::min(max_threads(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace lcl
