#pragma once
// How many worker threads a call uses. Every call that takes `threads` (0: one per core) caps it
// at max_threads(): each thread keeps about two chunks in flight, so threads beyond the cores only
// add memory.

namespace lcl {

// 4 per hardware thread, and never more than 256.
unsigned max_threads();

}  // namespace lcl
