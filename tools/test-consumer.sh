#!/usr/bin/env bash
# Installs the library from a configured build tree into a temporary prefix and builds the
# programs of tests/consumer against it the ways a user would: with CMake (find_package(lcl),
# static and shared) and with pkg-config (the C program, static). Each program round-trips a
# buffer and a file through liblcl and compares bytes. Usage: tools/test-consumer.sh <build dir>
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build/release}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$BUILD" --prefix "$work/prefix" >/dev/null
# Only include/lcl is installed: no private header of src/ leaks into the public interface.
if find "$work/prefix/include" -type f | grep -v '/include/lcl/' | grep -q .; then
  echo "installed headers outside include/lcl" >&2
  exit 1
fi
cmake -S tests/consumer -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
mkdir "$work/scratch"
"$work/build/consumer_c" "$work/scratch"
"$work/build/consumer_cpp" "$work/scratch"
rm -rf "$work/scratch"/*
"$work/build/consumer_c_shared" "$work/scratch"
rm -rf "$work/scratch"/*
pc_dir=$(dirname "$(find "$work/prefix" -name lcl.pc)")
pc() { PKG_CONFIG_PATH="$pc_dir" pkg-config "$@" lcl; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror tests/consumer/consumer.c -o "$work/consumer_pkgconfig" $(pc --cflags --libs)
LD_LIBRARY_PATH="$(pc --variable=libdir)" "$work/consumer_pkgconfig" "$work/scratch"
rm -rf "$work/scratch"/*
# Static: liblcl.a named explicitly (beside liblcl.so, -llcl finds the shared one), the rest of the
# link line from the static flags of lcl.pc (Libs.private, Requires.private).
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror tests/consumer/consumer.c -o "$work/consumer_pkgconfig_static" \
  $(pc --cflags) "$(pc --variable=libdir)/liblcl.a" $(pc --libs --static | sed 's/-llcl\b//')
"$work/consumer_pkgconfig_static" "$work/scratch"
echo "consumers passed (CMake: static C and C++, shared C; pkg-config: shared and static C)"
