#pragma once
// <immintrin.h> for the AVX-512 kernels. GCC 12 warns inside its own AVX-512 headers (the
// _mm512_undefined_* idiom, GCC PR 105593); the warnings point into the header, so silencing them
// around the include keeps ours on.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
