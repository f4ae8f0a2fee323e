#pragma once
// Run-time choice between the codecs' x86-64 kernels (AVX-512, BMI2: the float codec, the nibble
// and value lanes of Q4_K and Q6_K) and their portable code. Both give identical bytes in both
// directions; the portable code is what CPUs without AVX-512 run, so the tests run every case
// both ways on machines that have it.

// The target attribute of every kernel function: the library keeps the default compiler flags,
// and only code behind kernels::avx512_available() runs these instructions.
#define LCL_AVX512_KERNEL \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2,popcnt")))

// The target attribute of the AVX2 kernels (the fp8 decoder), for x86-64 CPUs without AVX-512.
#define LCL_AVX2_KERNEL __attribute__((target("avx2,bmi2,popcnt")))

// The target attribute of the SHA-256 kernel (util/sha256_shani.cpp).
#define LCL_SHA_KERNEL __attribute__((target("sha,sse4.1,ssse3")))

namespace lcl::kernels {

// Whether this build compiled the AVX-512 kernels (the *_avx512.cpp files: x86-64 builds without
// -DLCL_PORTABLE=ON). Call sites name a kernel only under `if constexpr (kAvx512Built)`, so a build
// without them needs no kernel definitions.
#if defined(LCL_AVX512_KERNELS)
inline constexpr bool kAvx512Built = true;
#else
inline constexpr bool kAvx512Built = false;
#endif

// True when the kernels are built (kAvx512Built), the CPU has every instruction they use (AVX-512
// F, BW, VL, VBMI, VBMI2 and BMI2), the environment variable LCL_FORCE_SCALAR is unset, empty or
// "0", and force_portable(true) is not in effect.
bool avx512_available();

// True when the x86-64 kernels are built (kAvx512Built: the AVX2 kernels are built with them),
// the CPU has AVX2, BMI2 and POPCNT and the portable path is not forced (as above).
bool avx2_available();

// True when the x86-64 kernels are built, the CPU has the SHA extensions (with SSE4.1 and SSSE3)
// and the portable path is not forced: SHA-256 then runs its SHA-NI kernel.
bool sha_available();

// Test hook: true makes later encodes and decodes take the portable path.
void force_portable(bool portable);

}  // namespace lcl::kernels
