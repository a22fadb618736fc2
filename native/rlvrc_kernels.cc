// rlvrc_kernels: fused float32 kernels for the wasm backend's hottest non-matmul work (bench/README.md has the
// profile that chose them), on views of the wasm heap like rlvrc_blas.cc's GEMM:
//   layerNorm / layerNormGrad      one pass per row instead of ~9 forward and ~12 backward wasm kernels
//   gelu / geluGrad                tanh-GELU as x·σ(2c(x + a·x³)), one pass instead of 6 / 10 kernels
//   decodeAttention                the sampler's single-query attention against a preallocated KV cache that
//                                  it appends to in place (no concat of the whole cache per token)
//   adam                           one parameter's Adam/AdamW update (clip, moments, step) in one pass instead
//                                  of ~12 wasm kernels; the same operations in the same order as optim.ts
//   decodeLayer                    one whole GPT layer of a decoding step (the above plus GEMMs on the OpenBLAS
//                                  that rlvrc_blas.cc loaded), one call instead of ~20 tfjs kernels
//   attention / attentionGrad      training's causal self-attention straight from the qkv projection [B·T, 3D]
//                                  to the merged heads [B·T, D] and back, per (row, head) on OpenBLAS GEMMs
//                                  with strided operands: no split, head transposes, concat or separate softmax
// Compiled for the x86-64/aarch64 baseline with -ffp-contract=off (scripts/build-native.mjs): no FMA
// contraction and no -ffast-math, so a build rounds the same on every machine; except adam (same bits as
// wasm's), they round differently from wasm's kernels, so a run that uses them records another numerics key
// (src/runtime/numerics.ts).
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

void* RlvrcBlasSgemm();  // rlvrc_blas.cc
void RlvrcBlasSetThreads(int n);

namespace {

// exp(x) for the sigmoid and the softmax: Cody-Waite reduction to r in [-ln2/2, ln2/2] and a degree-6
// polynomial (relative error < 2e-7), branch-free so that GCC vectorizes the loops that call it.
inline float ExpApprox(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float shifter = 12582912.0f;  // 1.5·2^23: adding it rounds to the nearest integer
  float k = (x * 1.44269504f + shifter) - shifter;
  float r = x - k * 0.693145752f;
  r = r - k * 1.42860677e-6f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

// Elementwise loops also built for AVX2 (8 lanes) and picked at load time on CPUs that have it: AVX2 has
// the same IEEE single-precision arithmetic as SSE2 and no FMA is contracted, so both clones give the same bits.
#if defined(__x86_64__) && defined(__GNUC__)
#define RLVRC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RLVRC_CLONES
#endif

constexpr float kGeluC2 = 2.0f * 0.7978845608028654f;  // 2·sqrt(2/π)
constexpr float kGeluA = 0.044715f;

RLVRC_CLONES void Gelu(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float u = v * (v * v * (kGeluC2 * kGeluA) + kGeluC2);
    y[i] = v / (1.0f + ExpApprox(-u));
  }
}

RLVRC_CLONES void GeluGrad(const float* dy, const float* x, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float v2 = v * v;
    const float s = 1.0f / (1.0f + ExpApprox(-(v * (v2 * (kGeluC2 * kGeluA) + kGeluC2))));
    const float du = v2 * (kGeluC2 * 3.0f * kGeluA) + kGeluC2;
    dx[i] = dy[i] * (s + v * s * (1.0f - s) * du);
  }
}

// y = (x − mean)·rstd·g + b per row of x [n, d]; stats [n, 2] = (mean, rstd) for the backward pass. Row sums in
// double: the mean and variance of a row are then exact to float rounding whatever d is.
void LayerNorm(const float* x, const float* g, const float* b, float* y, float* stats, int64_t n, int64_t d, float eps) {
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * d;
    double sum = 0;
    for (int64_t i = 0; i < d; i++) sum += xr[i];
    const double mean = sum / d;
    double sq = 0;
    for (int64_t i = 0; i < d; i++) sq += (xr[i] - mean) * (xr[i] - mean);
    const float m = static_cast<float>(mean);
    const float rstd = static_cast<float>(1.0 / std::sqrt(sq / d + eps));
    float* yr = y + r * d;
    for (int64_t i = 0; i < d; i++) yr[i] = (xr[i] - m) * rstd * g[i] + b[i];
    stats[2 * r] = m;
    stats[2 * r + 1] = rstd;
  }
}

// dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)), dg = Σ_rows dy·x̂, db = Σ_rows dy (column sums in double).
void LayerNormGrad(const float* dy, const float* x, const float* stats, const float* g, float* dx, float* dg, float* db, int64_t n, int64_t d) {
  double* cg = new double[2 * d]();
  double* cb = cg + d;
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * d;
    const float* dyr = dy + r * d;
    const float m = stats[2 * r], rstd = stats[2 * r + 1];
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < d; i++) {
      const float xh = (xr[i] - m) * rstd;
      const float dxh = dyr[i] * g[i];
      s1 += dxh;
      s2 += static_cast<double>(dxh) * xh;
      cg[i] += static_cast<double>(dyr[i]) * xh;
      cb[i] += dyr[i];
    }
    const float mean1 = static_cast<float>(s1 / d), mean2 = static_cast<float>(s2 / d);
    float* dxr = dx + r * d;
    for (int64_t i = 0; i < d; i++) {
      const float xh = (xr[i] - m) * rstd;
      dxr[i] = rstd * (dyr[i] * g[i] - mean1 - xh * mean2);
    }
  }
  for (int64_t i = 0; i < d; i++) {
    dg[i] = static_cast<float>(cg[i]);
    db[i] = static_cast<float>(cb[i]);
  }
  delete[] cg;
}

// One query per (row, head) against keys/values [bh, cap, hd]: first writes this step's key and value
// (kNew, vNew [bh, hd]) into slot t, then y[bh] = softmax(scale·q·K[0..t] + bias[b, 0..t]) · V[0..t], with
// b = bh / heads and bias [bh / heads, cap] (0 for real keys, −1e9 for padding).
RLVRC_CLONES void DecodeAttention(const float* q, float* k, float* v, const float* kNew, const float* vNew, const float* bias, float* y,
                     int64_t bh, int64_t heads, int64_t cap, int64_t t, int64_t hd, float scale) {
  std::vector<float> buffer(t + 1);
  float* scores = buffer.data();
  for (int64_t i = 0; i < bh; i++) {
    float* ki = k + i * cap * hd;
    float* vi = v + i * cap * hd;
    std::memcpy(ki + t * hd, kNew + i * hd, hd * 4);
    std::memcpy(vi + t * hd, vNew + i * hd, hd * 4);
    const float* qi = q + i * hd;
    const float* bi = bias + (i / heads) * cap;
    float max = -INFINITY;
    for (int64_t j = 0; j <= t; j++) {
      const float* kj = ki + j * hd;
      float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t dd = 0;
      for (; dd + 8 <= hd; dd += 8)
        for (int l = 0; l < 8; l++) acc[l] += qi[dd + l] * kj[dd + l];
      float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      for (; dd < hd; dd++) s += qi[dd] * kj[dd];
      s = s * scale + bi[j];
      scores[j] = s;
      max = s > max ? s : max;
    }
    float sum = 0;
    for (int64_t j = 0; j <= t; j++) {
      scores[j] = ExpApprox(scores[j] - max);
      sum += scores[j];
    }
    const float inv = 1.0f / sum;
    float* yi = y + i * hd;
    for (int64_t dd = 0; dd < hd; dd++) yi[dd] = 0;
    for (int64_t j = 0; j <= t; j++) {
      const float p = scores[j] * inv;
      const float* vj = vi + j * hd;
      for (int64_t dd = 0; dd < hd; dd++) yi[dd] += p * vj[dd];
    }
  }
}

// Denormals flushed to zero while a kernel runs (x86: MXCSR FTZ and DAZ, restored afterwards): measured 3-4x
// faster on GELU, whose vectorized exp otherwise meets denormal intermediates; a value below 1.2e-38 then
// reads and writes as 0. Part of this kernel set's rounding (FUSED_KERNELS in native-kernels.ts).
struct FlushDenormals {
#if defined(__SSE__)
  unsigned saved = _mm_getcsr();
  FlushDenormals() { _mm_setcsr(saved | 0x8040); }
  ~FlushDenormals() { _mm_setcsr(saved); }
#endif
};

struct AdamArgs {
  float clip, b1, omb1, b2, omb2, c1, c2, eps, lr, wd;
  int mode;  // 0: no weight decay, 1: L2 decay in the gradient (Adam), 2: decoupled (AdamW)
  bool clipped;
};

// optim.ts's Adam.apply for one parameter, operation for operation in float32 (each tfjs kernel rounds once;
// so does each operation here, with no FMA contraction): the same bits as the ~12 wasm kernels it replaces.
RLVRC_CLONES void Adam(const float* p, const float* m, const float* v, const float* g, float* po, float* mo, float* vo, int64_t n, AdamArgs a) {
  for (int64_t i = 0; i < n; i++) {
    float gi = a.clipped ? g[i] * a.clip : g[i];
    if (a.mode == 1) gi = gi + p[i] * a.wd;
    const float mi = m[i] * a.b1 + gi * a.omb1;
    const float vi = v[i] * a.b2 + (gi * gi) * a.omb2;
    float u = (mi / a.c1) / (std::sqrt(vi / a.c2) + a.eps);
    if (a.mode == 2) u = u + p[i] * a.wd;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] - u * a.lr;
  }
}

typedef void (*sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                         int ldb, float beta, float* c, int ldc);

// c [m, n] = bias + a [m, k] · w [k, n] on OpenBLAS, as wasm-blas-kernels.ts computes _FusedMatMul with a bias
// (rows start as the bias, GEMM adds with beta 1; one thread below 2^25 multiply-adds, SINGLE_THREAD_ITEM): the same bits.
void Linear(sgemm_fn f, const float* a, const float* w, const float* bias, float* c, int m, int k, int n, int threads) {
  for (int i = 0; i < m; i++) std::memcpy(c + static_cast<int64_t>(i) * n, bias, 4 * n);
  const bool one = threads > 1 && static_cast<int64_t>(m) * n * k < (1 << 25);
  if (one) RlvrcBlasSetThreads(1);
  f(101, 111, 111, m, n, k, 1.0f, a, k, w, n, 1.0f, c, n);
  if (one) RlvrcBlasSetThreads(threads);
}

struct LayerWeights {
  const float *ln1g, *ln1b, *wqkv, *bqkv, *wo, *bo, *ln2g, *ln2b, *w1, *b1, *w2, *b2;
};

// One transformer layer for one decoding step of every row, x [b, d] → out [b, d], the same operations in the
// same order as gpt.ts's trunk with the fused kernels (LayerNorm, qkv projection, split, decodeAttention,
// output projection, residual, LayerNorm, MLP with GELU, residual), in one call instead of ~20 tfjs kernels.
void DecodeLayer(sgemm_fn f, const float* x, float* out, const LayerWeights& w, float* k, float* v, const float* bias, int b, int d, int ff,
                 int heads, int cap, int t, float eps, float scale, int threads) {
  std::vector<float> buf(static_cast<size_t>(b) * (2 * d + 3 * d + 3 * d + d + ff) + 2 * b);
  float* h = buf.data();          // [b, d] LayerNorm outputs
  float* qkv = h + b * d;         // [b, 3d]
  float* qs = qkv + 3 * b * d;    // [b, d] ×3: q, new k, new v, contiguous as tf.split gives them
  float* ks = qs + b * d;
  float* vs = ks + b * d;
  float* y = vs + b * d;          // [b, d] attention output, then the output projection
  float* x1 = y + b * d;          // [b, d] after the attention residual
  float* mlp = x1 + b * d;        // [b, ff]
  float* stats = mlp + static_cast<size_t>(b) * ff;
  // Denormals flush inside the elementwise kernels only, as when they run one by one (GEMMs and adds do not).
  { FlushDenormals flush; LayerNorm(x, w.ln1g, w.ln1b, h, stats, b, d, eps); }
  Linear(f, h, w.wqkv, w.bqkv, qkv, b, d, 3 * d, threads);
  for (int r = 0; r < b; r++) {
    std::memcpy(qs + r * d, qkv + r * 3 * d, 4 * d);
    std::memcpy(ks + r * d, qkv + r * 3 * d + d, 4 * d);
    std::memcpy(vs + r * d, qkv + r * 3 * d + 2 * d, 4 * d);
  }
  { FlushDenormals flush; DecodeAttention(qs, k, v, ks, vs, bias, y, static_cast<int64_t>(b) * heads, heads, cap, t, d / heads, scale); }
  Linear(f, y, w.wo, w.bo, qs, b, d, d, threads);  // qs is free again
  for (int i = 0; i < b * d; i++) x1[i] = x[i] + qs[i];
  { FlushDenormals flush; LayerNorm(x1, w.ln2g, w.ln2b, h, stats, b, d, eps); }
  Linear(f, h, w.w1, w.b1, mlp, b, d, ff, threads);
  { FlushDenormals flush; Gelu(mlp, mlp, static_cast<int64_t>(b) * ff); }
  Linear(f, mlp, w.w2, w.b2, y, b, ff, d, threads);
  for (int i = 0; i < b * d; i++) out[i] = x1[i] + y[i];
}

// Runs body(first, last) over [0, n) on `threads` threads in contiguous chunks (1: in this thread). Every
// item writes only its own outputs, so the split changes no number, only the time. `work` (multiply-adds in
// all) below kMinSplitWork stays in this thread: starting a thread costs more than small models' attention.
constexpr int64_t kMinSplitWork = int64_t{1} << 20;
template <typename F>
void ParallelFor(int64_t n, int threads, int64_t work, F body) {
  if (threads <= 1 || n < 2 || work < kMinSplitWork) {
    body(0, n);
    return;
  }
  const int64_t chunk = (n + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (int i = 1; i < threads && i * chunk < n; i++) pool.emplace_back(body, i * chunk, std::min(n, (i + 1) * chunk));
  body(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

// Causal self-attention for training, per (row b, head h) of qkv [B·T, 3D] (q, k, v side by side, as the qkv
// projection writes them): P = softmax(scale·Q·Kᵀ + bias[b]) [T, T] (kept for the backward pass, probs
// [B·H, T, T]) and y[b, :, h] = P·V into the merged layout [B·T, D]. bias [B, T, T] is additive (0, or −1e9
// for masked keys). Each GEMM reads its operands in place through leading dimensions, on one OpenBLAS thread;
// the (row, head) items are split over `threads` threads.
void Attention(sgemm_fn f, const float* qkv, const float* bias, float* y, float* probs, int b, int t, int d, int heads, float scale, int threads) {
  const int hd = d / heads, ld = 3 * d;
  ParallelFor(static_cast<int64_t>(b) * heads, threads, static_cast<int64_t>(b) * heads * t * t * hd, [&](int64_t first, int64_t last) {
    FlushDenormals flush;
    for (int64_t i = first; i < last; i++) {
      const int64_t r = i / heads, h = i % heads;
      const float* q = qkv + r * t * ld + h * hd;
      float* p = probs + i * t * t;
      f(kRowMajor, kNoTrans, kTrans, t, t, hd, scale, q, ld, q + d, ld, 0.0f, p, t);
      const float* br = bias + r * t * t;
      for (int qi = 0; qi < t; qi++) {
        float* row = p + static_cast<int64_t>(qi) * t;
        const float* brow = br + static_cast<int64_t>(qi) * t;
        float max = -INFINITY;
        for (int j = 0; j < t; j++) {
          row[j] += brow[j];
          max = row[j] > max ? row[j] : max;
        }
        float sum = 0;
        for (int j = 0; j < t; j++) {
          row[j] = ExpApprox(row[j] - max);
          sum += row[j];
        }
        const float inv = 1.0f / sum;
        for (int j = 0; j < t; j++) row[j] *= inv;
      }
      f(kRowMajor, kNoTrans, kNoTrans, t, hd, t, 1.0f, p, t, q + 2 * d, ld, 0.0f, y + r * t * d + h * hd, d);
    }
  });
}

// The backward pass of Attention: dqkv [B·T, 3D] from dy [B·T, D], qkv and probs. Per (row, head):
// dV = Pᵀ·dY, dP = dY·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q.
void AttentionGrad(sgemm_fn f, const float* dy, const float* qkv, const float* probs, float* dqkv, int b, int t, int d, int heads, float scale, int threads) {
  const int hd = d / heads, ld = 3 * d;
  ParallelFor(static_cast<int64_t>(b) * heads, threads, static_cast<int64_t>(b) * heads * t * t * hd, [&](int64_t first, int64_t last) {
    FlushDenormals flush;
    std::vector<float> scratch(static_cast<size_t>(t) * t);
    float* ds = scratch.data();
    for (int64_t i = first; i < last; i++) {
      const int64_t r = i / heads, h = i % heads;
      const float* q = qkv + r * t * ld + h * hd;
      const float* p = probs + i * t * t;
      const float* g = dy + r * t * d + h * hd;
      float* dq = dqkv + r * t * ld + h * hd;
      f(kRowMajor, kTrans, kNoTrans, t, hd, t, 1.0f, p, t, g, d, 0.0f, dq + 2 * d, ld);
      f(kRowMajor, kNoTrans, kTrans, t, t, hd, 1.0f, g, d, q + 2 * d, ld, 0.0f, ds, t);
      for (int qi = 0; qi < t; qi++) {
        float* row = ds + static_cast<int64_t>(qi) * t;
        const float* prow = p + static_cast<int64_t>(qi) * t;
        float dot = 0;
        for (int j = 0; j < t; j++) dot += row[j] * prow[j];
        for (int j = 0; j < t; j++) row[j] = prow[j] * (row[j] - dot);
      }
      f(kRowMajor, kNoTrans, kNoTrans, t, hd, t, scale, ds, t, q + d, ld, 0.0f, dq, ld);
      f(kRowMajor, kTrans, kNoTrans, t, hd, t, scale, ds, t, q, ld, 0.0f, dq + d, ld);
    }
  });
}

napi_value Throw(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

// Every kernel is called as name(heap, ...numbers): a Uint8Array over the wasm heap, then byte offsets,
// sizes and scalars. Heap reads arguments 1..count as doubles (exact for offsets below 2^53).
struct Args {
  char* base = nullptr;
  int64_t bytes = 0;
  double num[32] = {};
  bool ok = false;
};

Args Read(napi_env env, napi_callback_info info, size_t count, const char* name) {
  Args a;
  size_t argc = 33;
  napi_value argv[33];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value buffer;
  if (argc != count + 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_uint8_array) {
    Throw(env, (std::string(name) + ": expected a Uint8Array heap and " + std::to_string(count) + " numbers").c_str());
    return a;
  }
  a.base = static_cast<char*>(data) - offset;
  a.bytes = static_cast<int64_t>(offset + length);
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_double(env, argv[i + 1], &a.num[i]) != napi_ok) {
      Throw(env, (std::string(name) + ": argument " + std::to_string(i + 1) + " is not a number").c_str());
      return a;
    }
  }
  a.ok = true;
  return a;
}

// A float array of `count` elements at byte offset `at`, or null when it leaves the heap.
float* Span(const Args& a, double at, int64_t count) {
  const int64_t off = static_cast<int64_t>(at);
  if (off < 0 || off % 4 || count < 0 || off + 4 * count > a.bytes) return nullptr;
  return reinterpret_cast<float*>(a.base + off);
}

// gelu(heap, x, y, n) / geluGrad(heap, dy, x, dx, n)
napi_value GeluN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 3, "gelu");
  if (!a.ok) return nullptr;
  const int64_t n = static_cast<int64_t>(a.num[2]);
  float *x = Span(a, a.num[0], n), *y = Span(a, a.num[1], n);
  if (!x || !y) return Throw(env, "gelu: operands out of the heap's bounds");
  FlushDenormals flush;
  Gelu(x, y, n);
  return nullptr;
}

napi_value GeluGradN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 4, "geluGrad");
  if (!a.ok) return nullptr;
  const int64_t n = static_cast<int64_t>(a.num[3]);
  float *dy = Span(a, a.num[0], n), *x = Span(a, a.num[1], n), *dx = Span(a, a.num[2], n);
  if (!dy || !x || !dx) return Throw(env, "geluGrad: operands out of the heap's bounds");
  FlushDenormals flush;
  GeluGrad(dy, x, dx, n);
  return nullptr;
}

// layerNorm(heap, x, g, b, y, stats, n, d, eps)
napi_value LayerNormN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 8, "layerNorm");
  if (!a.ok) return nullptr;
  const int64_t n = static_cast<int64_t>(a.num[5]), d = static_cast<int64_t>(a.num[6]);
  float *x = Span(a, a.num[0], n * d), *g = Span(a, a.num[1], d), *b = Span(a, a.num[2], d), *y = Span(a, a.num[3], n * d), *st = Span(a, a.num[4], 2 * n);
  if (!x || !g || !b || !y || !st || d < 1) return Throw(env, "layerNorm: operands out of the heap's bounds");
  FlushDenormals flush;
  LayerNorm(x, g, b, y, st, n, d, static_cast<float>(a.num[7]));
  return nullptr;
}

// layerNormGrad(heap, dy, x, stats, g, dx, dg, db, n, d)
napi_value LayerNormGradN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 9, "layerNormGrad");
  if (!a.ok) return nullptr;
  const int64_t n = static_cast<int64_t>(a.num[7]), d = static_cast<int64_t>(a.num[8]);
  float *dy = Span(a, a.num[0], n * d), *x = Span(a, a.num[1], n * d), *st = Span(a, a.num[2], 2 * n), *g = Span(a, a.num[3], d);
  float *dx = Span(a, a.num[4], n * d), *dg = Span(a, a.num[5], d), *db = Span(a, a.num[6], d);
  if (!dy || !x || !st || !g || !dx || !dg || !db || d < 1) return Throw(env, "layerNormGrad: operands out of the heap's bounds");
  FlushDenormals flush;
  LayerNormGrad(dy, x, st, g, dx, dg, db, n, d);
  return nullptr;
}

// decodeAttention(heap, q, k, v, kNew, vNew, bias, y, bh, heads, cap, t, hd, scale)
napi_value DecodeAttentionN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 13, "decodeAttention");
  if (!a.ok) return nullptr;
  const int64_t bh = static_cast<int64_t>(a.num[7]), heads = static_cast<int64_t>(a.num[8]), cap = static_cast<int64_t>(a.num[9]);
  const int64_t t = static_cast<int64_t>(a.num[10]), hd = static_cast<int64_t>(a.num[11]);
  if (heads < 1 || bh % heads || t < 0 || t >= cap || hd < 1) return Throw(env, "decodeAttention: bad sizes");
  float *q = Span(a, a.num[0], bh * hd), *k = Span(a, a.num[1], bh * cap * hd), *v = Span(a, a.num[2], bh * cap * hd);
  float *kn = Span(a, a.num[3], bh * hd), *vn = Span(a, a.num[4], bh * hd), *bias = Span(a, a.num[5], (bh / heads) * cap);
  float* y = Span(a, a.num[6], bh * hd);
  if (!q || !k || !v || !kn || !vn || !bias || !y) return Throw(env, "decodeAttention: operands out of the heap's bounds");
  FlushDenormals flush;
  DecodeAttention(q, k, v, kn, vn, bias, y, bh, heads, cap, t, hd, static_cast<float>(a.num[12]));
  return nullptr;
}

// adam(heap, p, m, v, g, pOut, mOut, vOut, n, clip, b1, 1−b1, b2, 1−b2, c1, c2, eps, lr, wd, mode): scalars as
// doubles, rounded to float32 here as tfjs rounds its scalar operands; clip ≥ 1 means no clipping. No denormal
// flushing: the moments decay towards denormals, and wasm keeps them.
napi_value AdamN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 19, "adam");
  if (!a.ok) return nullptr;
  const int64_t n = static_cast<int64_t>(a.num[7]);
  float* t[7];
  for (int i = 0; i < 7; i++) {
    t[i] = Span(a, a.num[i], n);
    if (!t[i]) return Throw(env, "adam: operands out of the heap's bounds");
  }
  const int mode = static_cast<int>(a.num[18]);
  if (mode < 0 || mode > 2) return Throw(env, "adam: mode must be 0, 1 or 2");
  auto f = [&](int i) { return static_cast<float>(a.num[i]); };
  const AdamArgs args{f(8), f(9), f(10), f(11), f(12), f(13), f(14), f(15), f(16), f(17), mode, a.num[8] < 1};
  Adam(t[0], t[1], t[2], t[3], t[4], t[5], t[6], n, args);
  return nullptr;
}

// decodeLayer(heap, x, out, ln1g, ln1b, wqkv, bqkv, wo, bo, ln2g, ln2b, w1, b1, w2, b2, k, v, bias,
//             b, d, ff, heads, cap, t, eps, scale, threads)
napi_value DecodeLayerN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 26, "decodeLayer");
  if (!a.ok) return nullptr;
  sgemm_fn f = reinterpret_cast<sgemm_fn>(RlvrcBlasSgemm());
  if (!f) return Throw(env, "decodeLayer: OpenBLAS is not loaded");
  const int64_t b = static_cast<int64_t>(a.num[17]), d = static_cast<int64_t>(a.num[18]), ff = static_cast<int64_t>(a.num[19]);
  const int64_t heads = static_cast<int64_t>(a.num[20]), cap = static_cast<int64_t>(a.num[21]), t = static_cast<int64_t>(a.num[22]);
  if (b < 1 || d < 1 || ff < 1 || heads < 1 || d % heads || t < 0 || t >= cap) return Throw(env, "decodeLayer: bad sizes");
  const int64_t sizes[17] = {b * d, b * d, d, d, d * 3 * d, 3 * d, d * d, d, d, d, d * ff, ff, ff * d, d, b * cap * d, b * cap * d, b * cap};
  float* p[17];
  for (int i = 0; i < 17; i++) {
    p[i] = Span(a, a.num[i], sizes[i]);
    if (!p[i]) return Throw(env, "decodeLayer: operands out of the heap's bounds");
  }
  const LayerWeights w{p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
  DecodeLayer(f, p[0], p[1], w, p[14], p[15], p[16], static_cast<int>(b), static_cast<int>(d), static_cast<int>(ff), static_cast<int>(heads),
              static_cast<int>(cap), static_cast<int>(t), static_cast<float>(a.num[23]), static_cast<float>(a.num[24]), static_cast<int>(a.num[25]));
  return nullptr;
}

// attention(heap, qkv, bias, y, probs, b, t, d, heads, scale, threads)
napi_value AttentionN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 10, "attention");
  if (!a.ok) return nullptr;
  sgemm_fn f = reinterpret_cast<sgemm_fn>(RlvrcBlasSgemm());
  if (!f) return Throw(env, "attention: OpenBLAS is not loaded");
  const int64_t b = static_cast<int64_t>(a.num[4]), t = static_cast<int64_t>(a.num[5]), d = static_cast<int64_t>(a.num[6]), heads = static_cast<int64_t>(a.num[7]);
  if (b < 1 || t < 1 || d < 1 || heads < 1 || d % heads) return Throw(env, "attention: bad sizes");
  float *qkv = Span(a, a.num[0], b * t * 3 * d), *bias = Span(a, a.num[1], b * t * t), *y = Span(a, a.num[2], b * t * d), *probs = Span(a, a.num[3], b * heads * t * t);
  if (!qkv || !bias || !y || !probs) return Throw(env, "attention: operands out of the heap's bounds");
  const int threads = static_cast<int>(a.num[9]);
  RlvrcBlasSetThreads(1);
  Attention(f, qkv, bias, y, probs, static_cast<int>(b), static_cast<int>(t), static_cast<int>(d), static_cast<int>(heads), static_cast<float>(a.num[8]), threads);
  RlvrcBlasSetThreads(threads);
  return nullptr;
}

// attentionGrad(heap, dy, qkv, probs, dqkv, b, t, d, heads, scale, threads)
napi_value AttentionGradN(napi_env env, napi_callback_info info) {
  Args a = Read(env, info, 10, "attentionGrad");
  if (!a.ok) return nullptr;
  sgemm_fn f = reinterpret_cast<sgemm_fn>(RlvrcBlasSgemm());
  if (!f) return Throw(env, "attentionGrad: OpenBLAS is not loaded");
  const int64_t b = static_cast<int64_t>(a.num[4]), t = static_cast<int64_t>(a.num[5]), d = static_cast<int64_t>(a.num[6]), heads = static_cast<int64_t>(a.num[7]);
  if (b < 1 || t < 1 || d < 1 || heads < 1 || d % heads) return Throw(env, "attentionGrad: bad sizes");
  float *dy = Span(a, a.num[0], b * t * d), *qkv = Span(a, a.num[1], b * t * 3 * d), *probs = Span(a, a.num[2], b * heads * t * t), *dqkv = Span(a, a.num[3], b * t * 3 * d);
  if (!dy || !qkv || !probs || !dqkv) return Throw(env, "attentionGrad: operands out of the heap's bounds");
  const int threads = static_cast<int>(a.num[9]);
  RlvrcBlasSetThreads(1);
  AttentionGrad(f, dy, qkv, probs, dqkv, static_cast<int>(b), static_cast<int>(t), static_cast<int>(d), static_cast<int>(heads), static_cast<float>(a.num[8]), threads);
  RlvrcBlasSetThreads(threads);
  return nullptr;
}

}  // namespace

// Called from rlvrc_blas.cc's module initialiser: one addon, one build.
void RlvrcDefineKernels(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gelu", nullptr, GeluN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluGrad", nullptr, GeluGradN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNormN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGradN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeAttention", nullptr, DecodeAttentionN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, AdamN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeLayer", nullptr, DecodeLayerN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, AttentionN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGradN, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
