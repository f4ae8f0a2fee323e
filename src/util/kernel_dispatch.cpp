// Run-time dispatch of the codecs' x86-64 kernels (see kernel_dispatch.hpp).
#include "util/kernel_dispatch.hpp"

#include <atomic>
#include <cstdlib>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace lcl::kernels {

namespace {

std::atomic<bool> forced_portable{false};

bool env_forces_portable() {
  const char* v = std::getenv("LCL_FORCE_SCALAR");
  return v != nullptr && v[0] != '\0' && !(v[0] == '0' && v[1] == '\0');
}

bool cpu_has_kernel_features() {
#if defined(__x86_64__) && defined(LCL_AVX512_KERNELS)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
         __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
#else
  return false;
#endif
}

bool cpu_has_avx2() {
#if defined(__x86_64__) && defined(LCL_AVX512_KERNELS)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
         __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

bool cpu_has_sha() {
#if defined(__x86_64__) && defined(LCL_AVX512_KERNELS)
  __builtin_cpu_init();
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ebx >> 29 & 1) && __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
#else
  return false;
#endif
}

}  // namespace

bool sha_available() {
  static const bool available = cpu_has_sha() && !env_forces_portable();
  return available && !forced_portable.load(std::memory_order_relaxed);
}

bool avx2_available() {
  static const bool available = cpu_has_avx2() && !env_forces_portable();
  return available && !forced_portable.load(std::memory_order_relaxed);
}

bool avx512_available() {
  // The CPU and the environment do not change while the process runs.
  static const bool available = cpu_has_kernel_features() && !env_forces_portable();
  return available && !forced_portable.load(std::memory_order_relaxed);
}

void force_portable(bool portable) {
  forced_portable.store(portable, std::memory_order_relaxed);
}

}  // namespace lcl::kernels
