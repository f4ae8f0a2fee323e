#pragma once
// Runs jobs 0..count-1 on a thread pool with at most `window` in flight, handing each result to
// `consume` in job order on the calling thread. This is what bounds memory: only `window` chunks
// (their input and output buffers) exist at any time, whatever the file size.
#include <cstddef>
#include <deque>
#include <functional>
#include <future>

#include "util/thread_pool.hpp"

namespace lcl::container {

template <typename Result>
void run_ordered(ThreadPool& pool, size_t count, size_t window,
                 const std::function<Result(size_t)>& produce,
                 const std::function<void(size_t, Result&)>& consume) {
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

}  // namespace lcl::container
