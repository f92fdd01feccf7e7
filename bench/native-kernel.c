/*
 * The per-sample kernel in C, as the machine's reference for `pnpm bench:core --native`: the same math as
 * packages/core (784-H-10, sigmoid hidden layer, sigmoid outputs with the summed cross-entropy, plain SGD in
 * place, first layer input-major and visited over the nonzero pixels only), float32, written for the compiler:
 * GCC vector extensions of 8 floats (AVX2 or wider with -march=native, FMA where the CPU has it) and register
 * blocks of up to 12 vectors. It answers "how fast is this CPU at this work", so samples/s of the kernels can be
 * read as a fraction of it. Not part of the product; built by bench/core.ts with the system's C compiler.
 *
 * Usage: native-kernel HIDDEN SAMPLES REPEATS < data, where data is SAMPLES·784 uint8 pixels then SAMPLES
 * uint8 labels. Prints one line per repeat: samples/s of one pass over the samples (the first pass warms up
 * and is not printed), then "accuracy A" of the trained weights on the same samples.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IN 784
#define OUT 10
#define V 8
typedef float v8 __attribute__((vector_size(32)));

static int hidden, stride; /* stride: hidden rounded up to whole vectors */
static float *w0, *b0, *w1, *b1; /* w0[i·stride + o] (input-major), w1[h·16 + o] */
static float *z0, *a0, *d0, *sc0; /* per-sample scratch */
static int rows[IN], count; /* the nonzero inputs of the current sample */
static float vals[IN];

static inline v8 splat(float x) { return (v8){x, x, x, x, x, x, x, x}; }

/* z[o … o+8B) = b + Σₖ vals[k]·w0[rows[k] + o …], B vectors held in registers for the whole row list. */
#define BLOCK(B)                                                                        \
  static void forward##B(int o, int n) {                                                \
    v8 s[B];                                                                            \
    _Pragma("GCC unroll 16") for (int j = 0; j < B; j++) s[j] = *(v8 *)(b0 + o + V * j); \
    for (int k = 0; k < n; k++) {                                                       \
      const float *r = w0 + rows[k] + o;                                                \
      v8 v = splat(vals[k]);                                                            \
      _Pragma("GCC unroll 16") for (int j = 0; j < B; j++) s[j] += v * *(v8 *)(r + V * j); \
    }                                                                                   \
    _Pragma("GCC unroll 16") for (int j = 0; j < B; j++) *(v8 *)(z0 + o + V * j) = s[j]; \
  }                                                                                     \
  static void update##B(int o, int n) {                                                 \
    v8 d[B];                                                                            \
    _Pragma("GCC unroll 16") for (int j = 0; j < B; j++) d[j] = *(v8 *)(sc0 + o + V * j); \
    for (int k = 0; k < n; k++) {                                                       \
      float *r = w0 + rows[k] + o;                                                      \
      v8 v = splat(vals[k]);                                                            \
      _Pragma("GCC unroll 16") for (int j = 0; j < B; j++) *(v8 *)(r + V * j) -= v * d[j]; \
    }                                                                                   \
  }
BLOCK(12)
BLOCK(4)
BLOCK(1)

static void forward(const unsigned char *x, float *out) {
  int n = 0;
  for (int i = 0; i < IN; i++)
    if (x[i]) { rows[n] = i * stride; vals[n] = x[i] * (1.0f / 255); n++; }
  int o = 0;
  for (; o + 12 * V <= stride; o += 12 * V) forward12(o, n);
  for (; o + 4 * V <= stride; o += 4 * V) forward4(o, n);
  for (; o < stride; o += V) forward1(o, n);
  for (int h = 0; h < stride; h++) a0[h] = h < hidden ? 1.0f / (1.0f + expf(-z0[h])) : 0.0f;
  v8 s0 = *(v8 *)b1, s1 = *(v8 *)(b1 + V);
  for (int h = 0; h < hidden; h++) {
    v8 v = splat(a0[h]);
    s0 += v * *(v8 *)(w1 + 16 * h);
    s1 += v * *(v8 *)(w1 + 16 * h + V);
  }
  for (int c = 0; c < OUT; c++) out[c] = 1.0f / (1.0f + expf(-(c < V ? s0[c] : s1[c - V])));
  count = n;
}

static void step(const unsigned char *x, int label, float lr) {
  float y[OUT];
  forward(x, y);
  int n = count;
  v8 e0 = {0}, e1 = {0}; /* δ of the outputs: a − label (sigmoid with the cross-entropy) */
  for (int c = 0; c < OUT; c++) {
    float e = y[c] - (c == label);
    if (c < V) e0[c] = e; else e1[c - V] = e;
  }
  v8 l0 = splat(lr) * e0, l1 = splat(lr) * e1;
  for (int h = 0; h < hidden; h++) {
    v8 *w = (v8 *)(w1 + 16 * h);
    v8 t = w[0] * e0 + w[1] * e1;
    float s = 0;
    for (int j = 0; j < V; j++) s += t[j];
    d0[h] = s * a0[h] * (1 - a0[h]);
    v8 a = splat(a0[h]);
    w[0] -= a * l0;
    w[1] -= a * l1;
  }
  *(v8 *)b1 -= l0;
  *(v8 *)(b1 + V) -= l1;
  for (int h = 0; h < stride; h++) sc0[h] = h < hidden ? lr * d0[h] : 0.0f;
  int o = 0;
  for (; o + 12 * V <= stride; o += 12 * V) update12(o, n);
  for (; o + 4 * V <= stride; o += 4 * V) update4(o, n);
  for (; o < stride; o += V) update1(o, n);
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
  w0 = floats((size_t)IN * stride); b0 = floats(stride); w1 = floats(16 * (size_t)stride); b1 = floats(16);
  z0 = floats(stride); a0 = floats(stride); d0 = floats(stride); sc0 = floats(stride);
  unsigned s = 1; /* U(−0.1, 0.1) from a small LCG: the figure is speed, the accuracy line only a sanity check */
  for (int i = 0; i < IN; i++)
    for (int h = 0; h < hidden; h++) { s = s * 1664525u + 1013904223u; w0[i * stride + h] = (s >> 8) * (0.2f / 16777216.0f) - 0.1f; }
  for (int h = 0; h < hidden; h++)
    for (int c = 0; c < OUT; c++) { s = s * 1664525u + 1013904223u; w1[16 * h + c] = (s >> 8) * (0.2f / 16777216.0f) - 0.1f; }
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
  printf("accuracy %.4f\n", (double)correct / samples);
  return 0;
}
