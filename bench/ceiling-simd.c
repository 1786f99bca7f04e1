/* The 128-bit SIMD matmul ceiling: C[M×N] = A[M×K]·B[K×N], row-major, for the W4 forward shape
 * 64×784 @ 784×128, with SSE intrinsics compiled natively (gcc -O3 -mno-avx -mno-fma), i.e. the
 * instructions wasm SIMD128 maps to on x64, with no engine in between and no FMA (wasm has none
 * without relaxed SIMD). Register-tiled like XNNPACK's wasmsimd GEMM: an R×(4·V) tile of C in
 * registers, one broadcast of A per row and V vectors of B per k step. Prints one line per
 * variant: "<name> <GFLOP/s>". Built and run by bench/ceiling-simd.ts. */
#include <emmintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { M = 64, K = 784, N = 128 };
static float Af[M * K], Bf[K * N], Cf[M * N];
static double Ad[M * K], Bd[K * N], Cd[M * N];

#define TILE_F32(R, V)                                                                          \
  static void f32_##R##x##V(void) {                                                             \
    for (int j = 0; j < N; j += 4 * V)                                                          \
      for (int i = 0; i < M; i += R) {                                                          \
        __m128 c[R][V];                                                                         \
        for (int r = 0; r < R; r++)                                                             \
          for (int v = 0; v < V; v++) c[r][v] = _mm_setzero_ps();                               \
        const float *b = Bf + j;                                                                \
        for (int k = 0; k < K; k++, b += N) {                                                   \
          __m128 bv[V];                                                                         \
          for (int v = 0; v < V; v++) bv[v] = _mm_loadu_ps(b + 4 * v);                          \
          for (int r = 0; r < R; r++) {                                                         \
            __m128 a = _mm_set1_ps(Af[(i + r) * K + k]);                                        \
            for (int v = 0; v < V; v++) c[r][v] = _mm_add_ps(c[r][v], _mm_mul_ps(a, bv[v]));    \
          }                                                                                     \
        }                                                                                       \
        for (int r = 0; r < R; r++)                                                             \
          for (int v = 0; v < V; v++) _mm_storeu_ps(Cf + (i + r) * N + j + 4 * v, c[r][v]);     \
      }                                                                                         \
  }

#define TILE_F64(R, V)                                                                          \
  static void f64_##R##x##V(void) {                                                             \
    for (int j = 0; j < N; j += 2 * V)                                                          \
      for (int i = 0; i < M; i += R) {                                                          \
        __m128d c[R][V];                                                                        \
        for (int r = 0; r < R; r++)                                                             \
          for (int v = 0; v < V; v++) c[r][v] = _mm_setzero_pd();                               \
        const double *b = Bd + j;                                                               \
        for (int k = 0; k < K; k++, b += N) {                                                   \
          __m128d bv[V];                                                                        \
          for (int v = 0; v < V; v++) bv[v] = _mm_loadu_pd(b + 2 * v);                          \
          for (int r = 0; r < R; r++) {                                                         \
            __m128d a = _mm_set1_pd(Ad[(i + r) * K + k]);                                       \
            for (int v = 0; v < V; v++) c[r][v] = _mm_add_pd(c[r][v], _mm_mul_pd(a, bv[v]));    \
          }                                                                                     \
        }                                                                                       \
        for (int r = 0; r < R; r++)                                                             \
          for (int v = 0; v < V; v++) _mm_storeu_pd(Cd + (i + r) * N + j + 2 * v, c[r][v]);     \
      }                                                                                         \
  }

/* M = 64 and N = 128 are multiples of every tile below. */
TILE_F32(4, 2) TILE_F32(2, 4) TILE_F32(8, 1) TILE_F32(4, 1) TILE_F32(2, 2)
TILE_F64(4, 2) TILE_F64(2, 4) TILE_F64(8, 1) TILE_F64(4, 4) TILE_F64(4, 1)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Best of 5 rounds of ~0.1 s each, after a warm-up, checked against a plain loop. */
static void run(const char *name, void (*kernel)(void), int f32) {
  double ref = 0, got;
  for (int k = 0; k < K; k++) ref += f32 ? (double)Af[5 * K + k] * Bf[k * N + 7] : Ad[5 * K + k] * Bd[k * N + 7];
  kernel();
  got = f32 ? Cf[5 * N + 7] : Cd[5 * N + 7];
  if (got - ref > 1e-3 || ref - got > 1e-3) {
    printf("%s WRONG %g %g\n", name, got, ref);
    return;
  }
  double best = 0;
  for (int round = 0; round < 5; round++) {
    int reps = 0;
    double t0 = now(), t;
    do {
      kernel();
      reps++;
    } while ((t = now() - t0) < 0.1);
    double gflops = 2.0 * M * K * N * reps / t / 1e9;
    if (gflops > best) best = gflops;
  }
  printf("%s %.3f\n", name, best);
}

int main(void) {
  srand(12345);
  for (int i = 0; i < M * K; i++) Ad[i] = Af[i] = (float)rand() / RAND_MAX - 0.5f;
  for (int i = 0; i < K * N; i++) Bd[i] = Bf[i] = (float)rand() / RAND_MAX - 0.5f;
  run("f32_4x2", f32_4x2, 1); run("f32_2x4", f32_2x4, 1); run("f32_8x1", f32_8x1, 1);
  run("f32_4x1", f32_4x1, 1); run("f32_2x2", f32_2x2, 1);
  run("f64_4x2", f64_4x2, 0); run("f64_2x4", f64_2x4, 0); run("f64_8x1", f64_8x1, 0);
  run("f64_4x4", f64_4x4, 0); run("f64_4x1", f64_4x1, 0);
  return 0;
}
