#pragma once
// A fixed set of worker threads running submitted jobs in FIFO order. The container keeps a
// bounded window of jobs in flight, so the queue never grows with the file size.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "lcl/threads.hpp"

namespace lcl {

class ThreadPool {
 public:
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()); }

  template <typename F>
  auto submit(F&& job) -> std::future<std::invoke_result_t<F>> {
    using Result = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<Result()>>(std::forward<F>(job));
    auto future = task->get_future();
    {
      std::lock_guard lock(mutex_);
      queue_.emplace_back([task] { (*task)(); });
    }
    ready_.notify_one();
    return future;
  }

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The caps of max_threads() (lcl/threads.hpp): more threads than cores only add memory (`-T 64` on
// a 2-core machine peaked at 1.31 GB for a 400 MB file before the cap).
inline constexpr unsigned kMaxThreadsPerCore = 4;
inline constexpr unsigned kMaxThreads = 256;

// The number of threads to use for `requested` (0 = one per available core), capped at
// max_threads().
unsigned resolve_threads(unsigned requested);

}  // namespace lcl
