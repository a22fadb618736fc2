// rlvrc_blas: single-precision GEMM from the system's OpenBLAS, on views of a JS typed array's memory (the
// wasm backend's heap), so tfjs's wasm backend can hand its large matmuls to AVX2/FMA code without copying.
// OpenBLAS is found with dlopen at run time: building needs only a C++ compiler and Node's headers, and a
// machine without OpenBLAS gets a clear "unavailable" instead of a load failure. Plain N-API (node_api.h),
// so one build serves every Node version from 18 on.
#include <dlfcn.h>
#include <node_api.h>

#include <cstdint>
#include <string>

void RlvrcDefineKernels(napi_env env, napi_value exports);  // rlvrc_kernels.cc

namespace {

typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                         int lda, const float* b, int ldb, float beta, float* c, int ldc);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)();
typedef const char* (*get_config_fn)();

sgemm_fn sgemm = nullptr;
set_threads_fn set_threads = nullptr;
get_threads_fn get_threads = nullptr;
get_config_fn get_config = nullptr;
std::string loaded_from;

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

napi_value Throw(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

// load(candidates: string[]) -> path it loaded, or throws with dlerror's text.
napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t count = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &count) != napi_ok) return Throw(env, "load: expected an array of library names");
  std::string errors;
  for (uint32_t i = 0; i < count && !sgemm; i++) {
    napi_value item;
    char name[1024];
    size_t len = 0;
    napi_get_element(env, argv[0], i, &item);
    if (napi_get_value_string_utf8(env, item, name, sizeof name, &len) != napi_ok) continue;
    void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = dlerror();
      errors += std::string(errors.empty() ? "" : "; ") + (e ? e : name);
      continue;
    }
    sgemm = reinterpret_cast<sgemm_fn>(dlsym(handle, "cblas_sgemm"));
    if (!sgemm) {
      errors += std::string(errors.empty() ? "" : "; ") + name + ": no cblas_sgemm";
      dlclose(handle);
      continue;
    }
    set_threads = reinterpret_cast<set_threads_fn>(dlsym(handle, "openblas_set_num_threads"));
    get_threads = reinterpret_cast<get_threads_fn>(dlsym(handle, "openblas_get_num_threads"));
    get_config = reinterpret_cast<get_config_fn>(dlsym(handle, "openblas_get_config"));
    loaded_from = name;
  }
  if (!sgemm) return Throw(env, errors.empty() ? "no library names given" : errors.c_str());
  napi_value out;
  napi_create_string_utf8(env, loaded_from.c_str(), loaded_from.size(), &out);
  return out;
}

// setThreads(n) -> the thread count OpenBLAS reports afterwards (or n when it cannot say).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) return Throw(env, "setThreads: expected a positive integer");
  if (set_threads) set_threads(n);
  napi_value out;
  napi_create_int32(env, get_threads ? get_threads() : n, &out);
  return out;
}

// config() -> OpenBLAS's build and the kernel it chose for this CPU ("OpenBLAS 0.3.21 ... Zen ..."), or null
// for a library that cannot say. Kernels round differently, so a run's manifest records it.
napi_value Config(napi_env env, napi_callback_info info) {
  napi_value out;
  const char* text = get_config ? get_config() : nullptr;
  if (text) napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  else napi_get_null(env, &out);
  return out;
}

// gemm(heap, aByte, bByte, cByte, m, n, k, transA, transB, beta): C = op(A)·op(B) + beta·C, row-major
// float32 at byte offsets into the buffer under `heap`, a Uint8Array (the wasm backend's HEAPU8).
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (!sgemm) return Throw(env, "gemm: OpenBLAS is not loaded");
  if (argc < 10) return Throw(env, "gemm: expected 10 arguments");
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) {
    return Throw(env, "gemm: heap must be a Uint8Array");
  }
  // Offsets count from the start of the underlying buffer (ArrayBuffer or SharedArrayBuffer), up to the view's end.
  char* p = static_cast<char*>(data) - offset;
  const int64_t bytes = static_cast<int64_t>(offset + length);
  int64_t at, bt, ct;
  int32_t m, n, k;
  bool ta, tb;
  double beta;
  napi_get_value_int64(env, argv[1], &at);
  napi_get_value_int64(env, argv[2], &bt);
  napi_get_value_int64(env, argv[3], &ct);
  napi_get_value_int32(env, argv[4], &m);
  napi_get_value_int32(env, argv[5], &n);
  napi_get_value_int32(env, argv[6], &k);
  napi_get_value_bool(env, argv[7], &ta);
  napi_get_value_bool(env, argv[8], &tb);
  napi_get_value_double(env, argv[9], &beta);
  const int64_t end_a = at + 4LL * m * k, end_b = bt + 4LL * k * n, end_c = ct + 4LL * m * n;
  if (m < 1 || n < 1 || k < 1 || at < 0 || bt < 0 || ct < 0 || at % 4 || bt % 4 || ct % 4 ||
      end_a > bytes || end_b > bytes || end_c > bytes) {
    return Throw(env, "gemm: operands out of the heap's bounds");
  }
  sgemm(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, m, n, k, 1.0f, reinterpret_cast<const float*>(p + at),
        ta ? m : k, reinterpret_cast<const float*>(p + bt), tb ? k : n, static_cast<float>(beta),
        reinterpret_cast<float*>(p + ct), n);
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"config", nullptr, Config, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 4, props);
  RlvrcDefineKernels(env, exports);
  return exports;
}

}  // namespace

// For rlvrc_kernels.cc's fused decoding layer: the sgemm that load() found (null before), and its thread count.
void* RlvrcBlasSgemm() { return reinterpret_cast<void*>(sgemm); }
void RlvrcBlasSetThreads(int n) {
  if (set_threads) set_threads(n);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
