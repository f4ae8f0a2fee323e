#!/usr/bin/env bash
# Runs the Python package's tests (python/tests) against the extension of a build tree configured
# with -DLCL_BUILD_PYTHON=ON, then checks that `pip install` of ./python works offline (reusing
# that build tree, so nothing compiles twice) into a temporary --target (numpy is the system's, so
# --no-deps) and imports. Uses Debian's /usr/bin/python3.
# Usage: tools/test-python.sh <build dir>
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="$(cd "${1:-build/release}" && pwd)"
PYTHON=/usr/bin/python3
cmake --build "$BUILD" --target _lcl lcl_dequantize_tensor >/dev/null
# -p no:cacheprovider: nothing written into the source tree. pytest exits 5 when it collected no
# test, which fails this script like any other non-zero status.
PYTHONPATH="$BUILD/python" LCL_DEQUANTIZE_HELPER="$BUILD/python/lcl_dequantize_tensor" \
  "$PYTHON" -m pytest -p no:cacheprovider -q -rs python/tests

target=$(mktemp -d)
trap 'rm -rf "$target" python/build python/lcl.egg-info' EXIT
LCL_CMAKE_BUILD_DIR="$BUILD" "$PYTHON" -m pip install --quiet --no-deps --no-build-isolation --no-index \
  --target "$target" ./python
(cd "$target" && PYTHONPATH="$target" "$PYTHON" -c \
  'import lcl; assert lcl.decompress(lcl.compress(b"x" * 1000)) == b"x" * 1000; print("pip-installed lcl", lcl.__version__)')
