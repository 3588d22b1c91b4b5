// The native kernels' shared plumbing: each kernel is a set of functions over one block of
// memory (a WebAssembly.Memory's buffer, from src/engine/dsp/wasm-kernel.ts), with the same names
// and arguments (byte offsets and counts) as the WebAssembly kernel it stands in for.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>

// Every hot function is built for AVX-512, AVX2 and baseline x86-64 and picked at load time
// (GCC function multi-versioning); the arithmetic is the same in each (no FMA contraction:
// -ffp-contract=off), so the results are too.
// A build may define HB_TARGETS empty (with -march=...) to measure or test one instruction set.
#ifndef HB_TARGETS
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HB_TARGETS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HB_TARGETS
#endif
#endif
#define HB_INLINE inline __attribute__((always_inline))

namespace hb {

// The memory one kernel instance works on.
struct Memory {
  uint8_t* base;
  size_t size;
  napi_ref keep;  // the ArrayBuffer, held while the instance lives
  int lanes;      // doubles per vector the kernel's code runs with: 2, 4 or 8 (see DoubleLanes)
  int users;      // the instance's functions not yet collected (addon.cc ReleaseMemory)
};

struct KernelExport {
  const char* name;
  napi_callback fn;
};

// The arguments of a kernel call: numbers, read as integers, and byte offsets into the memory,
// checked: an offset out of bounds or misaligned throws a RangeError, as a WebAssembly trap would.
template <int N>
class Args {
 public:
  Args(napi_env env, napi_callback_info info) : env_(env) {
    size_t argc = N;
    void* data = nullptr;
    if (napi_get_cb_info(env, info, &argc, argv_, nullptr, &data) != napi_ok) {
      bad_ = "bad call";
      return;
    }
    mem_ = static_cast<Memory*>(data);
    if (argc < static_cast<size_t>(N)) bad_ = "too few arguments";
  }
  long long i(int k) {
    int64_t v = 0;
    if (!bad_ && napi_get_value_int64(env_, argv_[k], &v) != napi_ok) bad_ = "argument not a number";
    return v;
  }
  double d(int k) {
    double v = 0;
    if (!bad_ && napi_get_value_double(env_, argv_[k], &v) != napi_ok) bad_ = "argument not a number";
    return v;
  }
  // The memory at byte offset argument k, `count` elements of T long.
  template <typename T>
  T* at(int k, long long count) {
    const long long off = i(k);
    if (bad_) return nullptr;
    if (off < 0 || count < 0 || off % static_cast<long long>(alignof(T)) != 0 ||
        static_cast<unsigned long long>(off) + static_cast<unsigned long long>(count) * sizeof(T) > mem_->size) {
      bad_ = "memory access out of bounds";
      return nullptr;
    }
    return reinterpret_cast<T*>(mem_->base + off);
  }
  // The memory and the vector width this instance runs with (fixed arguments live in it).
  const Memory* memory() const { return mem_; }
  void check(bool ok, const char* why) {
    if (!ok && !bad_) bad_ = why;
  }
  bool failed() const { return bad_ != nullptr; }
  napi_value fail() {
    napi_throw_range_error(env_, "ERR_NATIVE_KERNEL", bad_);
    return nullptr;
  }

 private:
  napi_env env_;
  napi_value argv_[N > 0 ? N : 1] = {};
  Memory* mem_ = nullptr;
  const char* bad_ = nullptr;
};

// One table per kernel, each in its own file (native/<kernel>.cc). Weak: a build without a
// kernel's file leaves its table null and the addon without that kernel (the WebAssembly one runs).
extern const KernelExport kBiquadCascade[] __attribute__((weak));
extern const KernelExport kCompressorLinked[] __attribute__((weak));
extern const KernelExport kLimiterDetect[] __attribute__((weak));
extern const KernelExport kTruePeak[] __attribute__((weak));
extern const KernelExport kLoudnessK[] __attribute__((weak));

// How many doubles the CPU's vectors hold: 8 (AVX-512: x86-64-v4), 4 (AVX2: v3) or 2 (SSE2,
// other CPUs). Kernels build one variant per width and pick it with this: GCC splits a vector
// wider than the hardware's badly (slower than the WebAssembly kernel).
inline int DoubleLanes() {
#if defined(HB_DOUBLE_LANES)  // a build that measures or tests one width
  return HB_DOUBLE_LANES;
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return 8;
  if (__builtin_cpu_supports("x86-64-v3")) return 4;
#endif
  return 2;
}

// A number for a kernel function that returns one.
inline napi_value Number(napi_env env, double v) {
  napi_value out = nullptr;
  napi_create_double(env, v, &out);
  return out;
}

}  // namespace hb
