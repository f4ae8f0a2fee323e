#pragma once
// Runs jobs 0..count-1 on `threads` worker threads with at most `window` in flight, handing each
// result to `consume` in job order on the calling thread. This is what bounds memory: only `window`
// chunks (their input and output buffers) exist at any time, whatever the file size.
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <optional>

#include "util/thread_pool.hpp"

namespace lcl::container {

// With one thread everything runs on the calling thread and no pool is started: handing each
// chunk to a worker and back costs two thread wake-ups, which on a loaded machine wait for a time
// slice each (measured: lcl -T 1 took 0.3 s of wall time for 0.04 s of CPU on a 12 MB file at
// load 20), and an idle worker still costs a thread start and a join.
template <typename Result>
void run_ordered(unsigned threads, size_t count, size_t window,
                 const std::function<Result(size_t)>& produce,
                 const std::function<void(size_t, Result&)>& consume) {
  if (threads <= 1 || count <= 1) {
    for (size_t i = 0; i < count; ++i) {
      Result result = produce(i);
      consume(i, result);
    }
    return;
  }
  ThreadPool pool(threads);
  std::deque<std::future<Result>> in_flight;
  size_t next = 0;
  auto drain = [&] {  // on error, let the running jobs finish before the captured state dies
    for (auto& f : in_flight)
      if (f.valid()) f.wait();
  };
  try {
    for (size_t done = 0; done < count; ++done) {
      while (next < count && in_flight.size() < window) {
        size_t job = next++;
        in_flight.push_back(pool.submit([&produce, job] { return produce(job); }));
      }
      Result result = in_flight.front().get();
      in_flight.pop_front();
      consume(done, result);
    }
  } catch (...) {
    drain();
    throw;
  }
}

// The same for a stream of jobs whose count is not known in advance: `next` (on the calling
// thread, in order) reads the next job's input or returns nullopt at the end; `produce` runs on
// the pool; `consume` gets the results in job order on the calling thread.
template <typename Job, typename Result>
void run_ordered_stream(unsigned threads, size_t window,
                        const std::function<std::optional<Job>()>& next,
                        const std::function<Result(Job&)>& produce,
                        const std::function<void(Result&)>& consume) {
  if (threads <= 1) {
    while (std::optional<Job> job = next()) {
      Result result = produce(*job);
      consume(result);
    }
    return;
  }
  ThreadPool pool(threads);
  std::deque<std::future<Result>> in_flight;
  auto drain = [&] {
    for (auto& f : in_flight)
      if (f.valid()) f.wait();
  };
  try {
    bool more = true;
    while (more || !in_flight.empty()) {
      while (more && in_flight.size() < window) {
        std::optional<Job> job = next();
        if (!job) {
          more = false;
          break;
        }
        in_flight.push_back(
            pool.submit([&produce, job = std::move(*job)]() mutable { return produce(job); }));
      }
      if (in_flight.empty()) break;
      Result result = in_flight.front().get();
      in_flight.pop_front();
      consume(result);
    }
  } catch (...) {
    drain();
    throw;
  }
}

}  // namespace lcl::container
