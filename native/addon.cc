// hybrid_dsp: native stand-ins for the WebAssembly kernels (src/engine/dsp/native-kernel.ts).
// instantiate(name, memory[, lanes]) -> { export name: function }, the functions working on
// `memory` (an ArrayBuffer that never grows) exactly as the WebAssembly kernel's exports work on
// theirs; `lanes` (2, 4, 8 doubles per vector, as far as the CPU has them) forces the code of one
// vector width, for tests: every width gives the same bits.
#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace hb {
namespace {

struct Table {
  const char* name;
  const KernelExport* exports;
  // The narrowest vectors (doubles) at which the kernel beats the WebAssembly one: on a CPU with
  // narrower ones kernels() leaves it out, and the engine runs the WebAssembly kernel.
  int minLanes;
};

// minLanes from the A/B runs in docs/benchmarks.md (each width forced on the Zen 4 machine).
const Table kTables[] = {
    {"biquad-cascade", kBiquadCascade, 2},
    {"compressor-linked", kCompressorLinked, 2},
    {"limiter-detect", kLimiterDetect, 8},
    {"true-peak", kTruePeak, 2},
    {"loudness-k", kLoudnessK, 2},
};

napi_value Widths(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_array(env, &out);
  uint32_t n = 0;
  for (int lanes = 2; lanes <= DoubleLanes(); lanes *= 2) {
    napi_value v;
    napi_create_int32(env, lanes, &v);
    napi_set_element(env, out, n++, v);
  }
  return out;
}

// The instruction set GCC's function multi-versioning picks on this CPU (kernels.h HB_TARGETS).
const char* Isa() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2)";
  return "x86-64";
#else
  return "generic";
#endif
}

napi_value IsaFn(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, Isa(), NAPI_AUTO_LENGTH, &out);
  return out;
}

// kernels(all): the kernels built in; with all false only those at least minLanes wide here.
napi_value Kernels(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  bool all = false;
  if (napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr) == napi_ok && argc >= 1) napi_get_value_bool(env, arg, &all);
  napi_value out;
  napi_create_array(env, &out);
  uint32_t n = 0;
  for (const Table& t : kTables) {
    if (t.exports == nullptr || (!all && t.minLanes > DoubleLanes())) continue;
    napi_value name;
    napi_create_string_utf8(env, t.name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, out, n++, name);
  }
  return out;
}

// Each function of an instance holds the Memory (its callback data): the glue keeps the
// functions and drops the object they came in, so the last function collected frees it.
void ReleaseMemory(napi_env env, void* data, void*) {
  Memory* mem = static_cast<Memory*>(data);
  if (--mem->users > 0) return;
  napi_delete_reference(env, mem->keep);
  delete mem;
}

napi_value Throw(napi_env env, const char* why) {
  napi_throw_type_error(env, "ERR_NATIVE_KERNEL", why);
  return nullptr;
}

napi_value Instantiate(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 2) return Throw(env, "instantiate(name, memory[, lanes])");
  int32_t lanes = DoubleLanes();
  napi_valuetype laneType = napi_undefined;
  if (argc > 2) napi_typeof(env, argv[2], &laneType);
  if (laneType != napi_undefined) {
    if (napi_get_value_int32(env, argv[2], &lanes) != napi_ok || (lanes != 2 && lanes != 4 && lanes != 8) || lanes > DoubleLanes()) {
      return Throw(env, "lanes: 2, 4 or 8, and no wider than the CPU's vectors");
    }
  }
  char name[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return Throw(env, "kernel name not a string");
  bool isBuffer = false;
  napi_is_arraybuffer(env, argv[1], &isBuffer);
  if (!isBuffer) return Throw(env, "memory not an ArrayBuffer");
  const KernelExport* exports = nullptr;
  for (const Table& t : kTables) {
    if (t.exports != nullptr && std::strcmp(t.name, name) == 0) exports = t.exports;
  }
  if (exports == nullptr) return Throw(env, "no native kernel of that name");
  Memory* mem = new Memory{};
  void* data = nullptr;
  size_t size = 0;
  napi_get_arraybuffer_info(env, argv[1], &data, &size);
  mem->base = static_cast<uint8_t*>(data);
  mem->size = size;
  mem->lanes = lanes;
  napi_create_reference(env, argv[1], 1, &mem->keep);
  napi_value obj;
  napi_create_object(env, &obj);
  for (const KernelExport* e = exports; e->name != nullptr; e++) {
    napi_value fn;
    napi_create_function(env, e->name, NAPI_AUTO_LENGTH, e->fn, mem, &fn);
    mem->users++;
    napi_add_finalizer(env, fn, mem, ReleaseMemory, nullptr, nullptr);
    napi_set_named_property(env, obj, e->name, fn);
  }
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
  const KernelExport fns[] = {{"instantiate", Instantiate}, {"kernels", Kernels}, {"isa", IsaFn}, {"widths", Widths}};
  for (const KernelExport& e : fns) {
    napi_value fn;
    napi_create_function(env, e.name, NAPI_AUTO_LENGTH, e.fn, nullptr, &fn);
    napi_set_named_property(env, exports, e.name, fn);
  }
  return exports;
}

}  // namespace
}  // namespace hb

NAPI_MODULE_INIT() { return hb::Init(env, exports); }
