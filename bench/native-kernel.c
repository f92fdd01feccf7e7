/*
 * The per-sample kernel in C, as the machine's reference for `pnpm bench:core --native`: the same math as
 * packages/core (784-H-10, sigmoid hidden layer, sigmoid outputs with the summed cross-entropy and its cost,
 * plain SGD in place, first layer input-major and visited over the nonzero pixels only), float32, written for
 * the compiler and as fast as this CPU allows: GCC vector extensions of 16 floats where the CPU has AVX-512
 * (-march=native), 8 otherwise, with FMA where the CPU has it; the first layer's outputs in one register block per
 * pass over the nonzero rows (up to 24 vectors: AVX-512 has 32 registers, so R's 100 outputs take one pass; 12
 * vectors of 8 with AVX2's 16). It answers "how fast is this CPU at this work", so samples/s of the kernels can
 * be read as a fraction of it. Not part of the product; built by bench/core.ts with the system's C compiler.
 *
 * Usage: native-kernel HIDDEN SAMPLES REPEATS < data, where data is SAMPLES·784 uint8 pixels then SAMPLES
 * uint8 labels. Prints one line per repeat: samples/s of one pass over the samples (the first pass warms up
 * and is not printed), then "accuracy A" of the trained weights on the same samples and "vector V" (floats).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <immintrin.h>

#define IN 784
#define OUT 10
#define OUTS 16 /* the output layer's row stride: its 10 outputs padded to 16 floats */
#ifdef __AVX512F__
#define V 16
#define MAXB 24 /* of 32 registers: the block's sums, the broadcast value and loads in flight */
#else
#define V 8
#define MAXB 12 /* of 16 */
#endif
typedef float vf __attribute__((vector_size(4 * V)));
#define OUTV (OUTS / V)

static int hidden, stride; /* stride: hidden rounded up to whole vectors */
static float *w0, *b0, *w1, *b1; /* w0[i·stride + o] (input-major), w1[h·16 + o] */
static float *z0, *a0, *d0, *sc0; /* per-sample scratch */
static int rows[IN], count; /* the nonzero inputs of the current sample */
static float vals[IN];
static double cost; /* summed cross-entropy of the trained samples, as the kernels return it */

static inline vf splat(float x) { return (vf){0} + x; }

/* z[o … o+V·B) = b + Σₖ vals[k]·w0[rows[k] + o …], B vectors held in registers for the whole row list. */
#define BLOCK(B)                                                                        \
  static void forward##B(int o, int n) {                                                \
    vf s[B];                                                                            \
    _Pragma("GCC unroll 32") for (int j = 0; j < B; j++) s[j] = *(vf *)(b0 + o + V * j); \
    for (int k = 0; k < n; k++) {                                                       \
      const float *r = w0 + rows[k] + o;                                                \
      vf v = splat(vals[k]);                                                            \
      _Pragma("GCC unroll 32") for (int j = 0; j < B; j++) s[j] += v * *(vf *)(r + V * j); \
    }                                                                                   \
    _Pragma("GCC unroll 32") for (int j = 0; j < B; j++) *(vf *)(z0 + o + V * j) = s[j]; \
  }                                                                                     \
  static void update##B(int o, int n) {                                                 \
    vf d[B];                                                                            \
    _Pragma("GCC unroll 32") for (int j = 0; j < B; j++) d[j] = *(vf *)(sc0 + o + V * j); \
    for (int k = 0; k < n; k++) {                                                       \
      float *r = w0 + rows[k] + o;                                                      \
      vf v = splat(vals[k]);                                                            \
      _Pragma("GCC unroll 32") for (int j = 0; j < B; j++) *(vf *)(r + V * j) -= v * d[j]; \
    }                                                                                   \
  }
/* Every block width up to MAXB, so that any stride takes full passes of MAXB and one pass of the rest. */
BLOCK(1) BLOCK(2) BLOCK(3) BLOCK(4) BLOCK(5) BLOCK(6) BLOCK(7) BLOCK(8) BLOCK(9) BLOCK(10) BLOCK(11) BLOCK(12)
#if MAXB > 12
BLOCK(13) BLOCK(14) BLOCK(15) BLOCK(16) BLOCK(17) BLOCK(18) BLOCK(19) BLOCK(20) BLOCK(21) BLOCK(22) BLOCK(23) BLOCK(24)
#endif
typedef void pass(int o, int n);
static pass *const forwards[] = {0, forward1, forward2, forward3, forward4, forward5, forward6, forward7, forward8, forward9, forward10, forward11, forward12,
#if MAXB > 12
  forward13, forward14, forward15, forward16, forward17, forward18, forward19, forward20, forward21, forward22, forward23, forward24,
#endif
};
static pass *const updates[] = {0, update1, update2, update3, update4, update5, update6, update7, update8, update9, update10, update11, update12,
#if MAXB > 12
  update13, update14, update15, update16, update17, update18, update19, update20, update21, update22, update23, update24,
#endif
};

/* Passes of MAXB vectors, then one of what remains. */
static void blocks(pass *const *fns, int n) {
  int o = 0;
  for (; o + MAXB * V <= stride; o += MAXB * V) fns[MAXB](o, n);
  if (o < stride) fns[(stride - o) / V](o, n);
}

/* The nonzero pixels: a mask of the nonzero bytes 64 (AVX-512BW) or 32 at a time, visited by count-trailing-zeros. */
static int gather(const unsigned char *x) {
  int n = 0, i = 0;
#ifdef __AVX512BW__
  for (; i + 64 <= IN; i += 64) {
    __m512i b = _mm512_loadu_si512(x + i);
    for (unsigned long long m = _mm512_test_epi8_mask(b, b); m; m &= m - 1) {
      int j = i + __builtin_ctzll(m);
      rows[n] = j * stride; vals[n] = x[j] * (1.0f / 255); n++;
    }
  }
#elif defined(__AVX2__)
  for (; i + 32 <= IN; i += 32) {
    __m256i b = _mm256_loadu_si256((const __m256i *)(x + i));
    for (unsigned m = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, _mm256_setzero_si256())); m; m &= m - 1) {
      int j = i + __builtin_ctz(m);
      rows[n] = j * stride; vals[n] = x[j] * (1.0f / 255); n++;
    }
  }
#endif
  for (; i < IN; i++)
    if (x[i]) { rows[n] = i * stride; vals[n] = x[i] * (1.0f / 255); n++; }
  return n;
}

static void forward(const unsigned char *x, float *out) {
  int n = gather(x);
  blocks(forwards, n);
  for (int h = 0; h < stride; h++) a0[h] = h < hidden ? 1.0f / (1.0f + expf(-z0[h])) : 0.0f;
  /* Four interleaved sums over h, so that the FMAs do not wait on one another (the padding rows of w1 are 0). */
  vf s[4][OUTV];
  memset(s, 0, sizeof s);
  for (int h = 0; h < stride; h += 4)
    for (int u = 0; u < 4; u++) {
      vf v = splat(a0[h + u]);
      for (int j = 0; j < OUTV; j++) s[u][j] += v * *(vf *)(w1 + OUTS * (h + u) + V * j);
    }
  for (int j = 0; j < OUTV; j++) s[0][j] = *(vf *)(b1 + V * j) + ((s[0][j] + s[1][j]) + (s[2][j] + s[3][j]));
  float z[OUTS];
  memcpy(z, s[0], sizeof z);
  for (int c = 0; c < OUTS; c++) z[c] = 1.0f / (1.0f + expf(-z[c])); /* all 16 lanes: one vector exp */
  memcpy(out, z, OUT * sizeof(float));
  count = n;
}

static void step(const unsigned char *x, int label, float lr) {
  float y[OUTS];
  forward(x, y);
  int n = count;
  float e[OUTS] = {0}, p[OUT]; /* δ of the outputs: a − label (sigmoid with the cross-entropy) */
  for (int c = 0; c < OUT; c++) {
    e[c] = y[c] - (c == label);
    p[c] = c == label ? y[c] : 1 - y[c];
  }
  float c0 = 0;
  for (int c = 0; c < OUT; c++) c0 -= logf(p[c] + 1e-30f); /* one vector log */
  cost += c0;
  vf ev[OUTV], lv[OUTV];
  memcpy(ev, e, sizeof ev);
  for (int j = 0; j < OUTV; j++) lv[j] = splat(lr) * ev[j];
  for (int h = 0; h < hidden; h++) {
    vf *w = (vf *)(w1 + OUTS * h);
    vf t = w[0] * ev[0];
    for (int j = 1; j < OUTV; j++) t += w[j] * ev[j];
    float s = 0;
    for (int j = 0; j < V; j++) s += t[j];
    d0[h] = s * a0[h] * (1 - a0[h]);
    vf a = splat(a0[h]);
    for (int j = 0; j < OUTV; j++) w[j] -= a * lv[j];
  }
  for (int j = 0; j < OUTV; j++) *(vf *)(b1 + V * j) -= lv[j];
  for (int h = 0; h < stride; h++) sc0[h] = h < hidden ? lr * d0[h] : 0.0f;
  blocks(updates, n);
  for (int h = 0; h < stride; h++) b0[h] -= sc0[h];
}

static float *floats(size_t n) {
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  if (!p) { fprintf(stderr, "native-kernel: out of memory\n"); exit(1); }
  memset(p, 0, n * sizeof(float));
  return p;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: native-kernel HIDDEN SAMPLES REPEATS < pixels-then-labels\n"); return 2; }
  hidden = atoi(argv[1]);
  int samples = atoi(argv[2]), repeats = atoi(argv[3]);
  if (hidden < 1 || samples < 1 || repeats < 1) { fprintf(stderr, "native-kernel: bad arguments\n"); return 2; }
  stride = (hidden + V - 1) / V * V;
  unsigned char *x = malloc((size_t)samples * IN), *labels = malloc(samples);
  if (!x || !labels || fread(x, IN, samples, stdin) != (size_t)samples || fread(labels, 1, samples, stdin) != (size_t)samples) {
    fprintf(stderr, "native-kernel: expected %d images and labels on stdin\n", samples);
    return 1;
  }
  w0 = floats((size_t)IN * stride); b0 = floats(stride); w1 = floats(OUTS * (size_t)stride); b1 = floats(OUTS);
  z0 = floats(stride); a0 = floats(stride); d0 = floats(stride); sc0 = floats(stride);
  unsigned s = 1; /* U(−0.1, 0.1) from a small LCG: the figure is speed, the accuracy line only a sanity check */
  for (int i = 0; i < IN; i++)
    for (int h = 0; h < hidden; h++) { s = s * 1664525u + 1013904223u; w0[i * stride + h] = (s >> 8) * (0.2f / 16777216.0f) - 0.1f; }
  for (int h = 0; h < hidden; h++)
    for (int c = 0; c < OUT; c++) { s = s * 1664525u + 1013904223u; w1[OUTS * h + c] = (s >> 8) * (0.2f / 16777216.0f) - 0.1f; }
  for (int r = -1; r < repeats; r++) {
    double t0 = now();
    for (int i = 0; i < samples; i++) step(x + (size_t)i * IN, labels[i], 0.033f);
    double dt = now() - t0;
    if (r >= 0) printf("%.0f\n", samples / dt);
  }
  int correct = 0;
  for (int i = 0; i < samples; i++) {
    float y[OUT];
    forward(x + (size_t)i * IN, y);
    int best = 0;
    for (int c = 1; c < OUT; c++) if (y[c] > y[best]) best = c;
    correct += best == labels[i];
  }
  printf("accuracy %.4f\nvector %d\ncost %.1f\n", (double)correct / samples, V, cost);
  return 0;
}
