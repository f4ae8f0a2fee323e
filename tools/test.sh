#!/usr/bin/env bash
# The test command of the README and of CI: installs dependencies, builds a Release and an
# AddressSanitizer+UndefinedBehaviorSanitizer configuration and runs every test in both; between
# the two it installs the library and builds the consumer programs of tests/consumer against it,
# runs the Python tests and compiles the core library for aarch64 (object files, Debian's cross
# compiler); then it runs each libFuzzer target of the sanitizer build for a short time. The
# sanitizer configuration is also the portable one (-DLCL_PORTABLE=ON: no AVX-512 kernel
# compiled), so the whole suite passes without kernels; the Release build compiles the kernels,
# and its tests compare them with the portable paths on the CPU's instruction sets. Corpus tests
# run when ../shared/corpus exists and are reported as skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
JOBS="${JOBS:-$(nproc)}"
# Each stage line carries the seconds elapsed so far, to see where CI time goes.
stage() { echo "== [${SECONDS} s] $*"; }

bash tools/install-deps.sh

stage "Release build and tests"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLCL_BUILD_PYTHON=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build/release -j "$JOBS"
ctest --test-dir build/release --output-on-failure -j "$JOBS"

stage "Installed package: C and C++ consumers built out of tree (CMake and pkg-config)"
bash tools/test-consumer.sh build/release

stage "Python package (pytest), and pip install of it"
bash tools/test-python.sh build/release

stage "aarch64: the core library cross-compiled to object files"
bash tools/check_aarch64.sh

stage "AddressSanitizer + UndefinedBehaviorSanitizer build (clang, portable, libFuzzer edge counters) and tests"
# One clang build serves the sanitizer tests and the fuzzers: its code carries libFuzzer's 8-bit
# edge counters but not the comparison tracing of -fsanitize=fuzzer-no-link, which would make the
# corpus tests several times slower. -O1 -g1 keeps its compile time down (at -O2 -g a sanitizer
# build took 22 CPU-minutes on a 2-core machine); line tables are all the sanitizers' reports need.
CC=clang CXX=clang++ cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLCL_SANITIZE=ON -DLCL_FUZZ=ON -DLCL_FUZZ_COVERAGE=-fsanitize-coverage=inline-8bit-counters,pc-table \
  -DLCL_PORTABLE=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DLCL_BUILD_BENCH=OFF \
  >/dev/null
cmake --build build/asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$JOBS"

stage "libFuzzer targets of that build, ${FUZZ_SECONDS} s each, ${JOBS} at a time"
run_fuzzer() {
  local fuzzer=$1 name
  name=$(basename "$fuzzer")
  local corpus_dir="build/asan/fuzz/corpus-$name" seeds=()
  mkdir -p "$corpus_dir"
  if [ -d "fuzz/seeds/$name" ]; then seeds=("fuzz/seeds/$name"); fi
  "$fuzzer" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=65536 \
    "$corpus_dir" "${seeds[@]}" >"build/asan/fuzz/$name.log" 2>&1
}
fuzzers=()
for fuzzer in build/asan/fuzz/fuzz_*; do [ -x "$fuzzer" ] && fuzzers+=("$fuzzer"); done
failed=()
for ((i = 0; i < ${#fuzzers[@]}; i += JOBS)); do
  pids=()
  for fuzzer in "${fuzzers[@]:i:JOBS}"; do
    run_fuzzer "$fuzzer" &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    wait "${pids[$k]}" || failed+=("${fuzzers[$((i + k))]}")
  done
done
for fuzzer in "${fuzzers[@]}"; do
  echo "-- $(basename "$fuzzer")"
  tail -n 3 "build/asan/fuzz/$(basename "$fuzzer").log"
done
for fuzzer in "${failed[@]}"; do
  echo "== $(basename "$fuzzer") FAILED:"
  tail -n 60 "build/asan/fuzz/$(basename "$fuzzer").log"
done
[ ${#failed[@]} -eq 0 ]
stage "all tests passed"
