/* furcate C kernel prelude: exact dtype conversions, the numerics contract's
 * integer division, NaN-propagating max/min, and branch-free f32 exp, log,
 * tanh, logistic and erf that the compiler vectorizes without -ffast-math.
 * Every special value (NaN, +-inf, overflow, underflow, denormals) is handled
 * with explicit selects. Max errors vs. correctly rounded results are tested
 * in tests/backends/test_c_math.py. */
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <omp.h>

#define FC_INLINE static inline __attribute__((always_inline))

FC_INLINE uint32_t fc_fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
FC_INLINE float fc_bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
FC_INLINE uint64_t fc_dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
FC_INLINE double fc_bitsd(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

/* ---- f16 / bf16 <-> f32, round to nearest even ---- */
FC_INLINE float fc_h2f(uint16_t h) {
    uint32_t o = (uint32_t)(h & 0x7fffu) << 13;
    float f = fc_bitsf(o) * 0x1p112f;                  /* normals and denormals, exact */
    float special = fc_bitsf(o | 0x7f800000u);         /* inf / NaN keep their payload */
    f = ((h >> 10) & 0x1f) == 0x1f ? special : f;
    return fc_bitsf(fc_fbits(f) | ((uint32_t)(h & 0x8000u) << 16));
}
FC_INLINE uint16_t fc_f2h(float f) {
    uint32_t u = fc_fbits(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    u &= 0x7fffffffu;
    uint32_t infnan = u > 0x7f800000u ? 0x7e00u : 0x7c00u;
    uint32_t sub = fc_fbits(fc_bitsf(u) + 0.5f) - 0x3f000000u;   /* subnormal: FPU rounds */
    uint32_t norm = (u + 0xc8000fffu + ((u >> 13) & 1u)) >> 13;  /* rebias + RNE */
    uint32_t r = u >= 0x47800000u ? infnan : (u < 0x38800000u ? sub : norm);
    return (uint16_t)(r | sign);
}
FC_INLINE float fc_bf2f(uint16_t h) { return fc_bitsf((uint32_t)h << 16); }
FC_INLINE uint16_t fc_f2bf(float f) {
    uint32_t u = fc_fbits(f);
    uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    uint32_t nan = (u >> 16) | 0x40u;
    return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? nan : r);
}
/* f64 -> f32 rounding to odd: a following f32 -> f16/bf16 rounding is then exact RNE */
FC_INLINE float fc_d2f_odd(double d) {
    float f = (float)d;
    uint32_t b = fc_fbits(f);
    b = fabs((double)f) > fabs(d) ? b - 1u : b;
    b = ((double)f == d || d != d) ? fc_fbits(f) : (b | 1u);
    return fc_bitsf(b);
}
FC_INLINE float fc_round_h(float x) { return fc_h2f(fc_f2h(x)); }
FC_INLINE float fc_round_bf(float x) { return fc_bf2f(fc_f2bf(x)); }

/* ---- max / min: IEEE 754-2019 (StableHLO's): NaN propagates, -0.0 < +0.0 ----
 * x and y are the larger operand picked from either side: they differ only on a tie
 * of zeros, where the AND of their bits is +0 unless both are -0 (min: the OR, -0 if
 * either is). A NaN operand gives a + b, a NaN. Cheaper than a separate tie test. */
#define FC_MAXMIN(T, N, BITS, FROM)                                                  \
FC_INLINE T fc_max##N(T a, T b) {                                                  \
    T x = a > b ? a : b, y = b > a ? b : a;                                        \
    return (a != a) | (b != b) ? a + b : FROM(BITS(x) & BITS(y));                  \
}                                                                                  \
FC_INLINE T fc_min##N(T a, T b) {                                                  \
    T x = a < b ? a : b, y = b < a ? b : a;                                        \
    return (a != a) | (b != b) ? a + b : FROM(BITS(x) | BITS(y));                  \
}
FC_MAXMIN(float, f, fc_fbits, fc_bitsf)
FC_MAXMIN(double, d, fc_dbits, fc_bitsd)

/* ---- integers: never trap (x/0 = -1, MIN/-1 = MIN, x%0 = x, MIN%-1 = 0), wrap ---- */
#define FC_INT_OPS(T, N)                                                                     \
FC_INLINE T fc_div_##N(T a, T b) { return b == 0 ? (T)-1 : (b == -1 ? (T)(-a) : (T)(a / b)); } \
FC_INLINE T fc_rem_##N(T a, T b) { return b == 0 ? a : (b == -1 ? (T)0 : (T)(a % b)); }         \
FC_INLINE T fc_pow_##N(T a, T b) {                                                           \
    if (b < 0) return a == 1 ? (T)1 : (a == -1 ? ((b & 1) ? (T)-1 : (T)1) : (T)0);          \
    T r = 1;                                                                                 \
    while (b) { if (b & 1) r = (T)(r * a); a = (T)(a * a); b = (T)(b >> 1); }                \
    return r;                                                                                \
}
FC_INT_OPS(int8_t, i8)
FC_INT_OPS(int32_t, i32)
FC_INT_OPS(int64_t, i64)

/* float -> int: truncate, saturate, NaN -> 0 */
FC_INLINE int8_t fc_d2i8(double x) { return x != x ? 0 : (x >= 127.0 ? 127 : (x <= -128.0 ? -128 : (int8_t)x)); }
FC_INLINE int32_t fc_d2i32(double x) {
    return x != x ? 0 : (x >= 2147483647.0 ? INT32_MAX : (x <= -2147483648.0 ? INT32_MIN : (int32_t)x));
}
FC_INLINE int64_t fc_d2i64(double x) {
    return x != x ? 0 : (x >= 9223372036854775807.0 ? INT64_MAX : (x <= -9223372036854775808.0 ? INT64_MIN : (int64_t)x));
}
FC_INLINE int32_t fc_f2i32(float x) {
    return x != x ? 0 : (x >= 2147483647.0f ? INT32_MAX : (x <= -2147483648.0f ? INT32_MIN : (int32_t)x));
}

/* ---- rounding ---- */
FC_INLINE float fc_rintf(float x) {   /* round half to even, exact for |x| < 2^23, identity above */
    float big = 12582912.0f;            /* 1.5 * 2^23 */
    float r = (x + big) - big;
    float r2 = (x - big) + big;
    r = x < 0.0f ? r2 : r;
    return fabsf(x) < 8388608.0f ? copysignf(r, x) : x;
}
FC_INLINE float fc_round_afzf(float x) {
    float t = truncf(x);
    float d = fabsf(x - t);
    return d >= 0.5f ? t + copysignf(1.0f, x) : t;
}
FC_INLINE double fc_round_afzd(double x) {
    double t = trunc(x);
    double d = fabs(x - t);
    return d >= 0.5 ? t + copysign(1.0, x) : t;
}

/* ---- exp: Cephes range reduction (fma) + degree-6 polynomial; n = rint(x/ln2)
 * by the 1.5*2^23 trick (exact for |x/ln2| < 2^22, which the clamp ensures); 2^n
 * applied in two steps so denormal results round once. max error 1 ulp. ---- */
FC_INLINE float fc_expf(float x) {
    float xc = x > 88.8f ? 88.8f : x;
    xc = xc < -104.0f ? -104.0f : xc;
    /* lanes whose result is a constant (NaN, 0, inf) compute exp(0): exp(-104)'s scaling makes a
     * subnormal, a microcode assist of ~100 cycles a lane on x86 (a causal mask's -inf in softmax) */
    xc = (x != x || x < -103.972084045410f || x > 88.72283935546875f) ? 0.0f : xc;
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = fmaf(n, -0.693359375f, xc);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    float y = fmaf(p, r * r, r) + 1.0f;
    int32_t ni = (int32_t)n;
    int32_t n1 = ni >> 1;
    int32_t n2 = ni - n1;
    y = y * fc_bitsf((uint32_t)(n1 + 127) << 23) * fc_bitsf((uint32_t)(n2 + 127) << 23);
    y = x > 88.72283935546875f ? INFINITY : y;
    y = x < -103.972084045410f ? 0.0f : y;
    return x != x ? x : y;
}

/* ---- log: Cephes logf (denormals scaled up first). max error 1 ulp. ---- */
FC_INLINE float fc_logf(float x) {
    int sub = x < 1.17549435e-38f;
    float xs = sub ? x * 8388608.0f : x;
    uint32_t ix = fc_fbits(xs);
    int32_t e = (int32_t)((ix >> 23) & 0xffu) - 126 - (sub ? 23 : 0);
    float m = fc_bitsf((ix & 0x007fffffu) | 0x3f000000u);
    int lt = m < 0.707106781186547524f;
    e = e - lt;
    float a = (m + m) - 1.0f;
    float b = m - 1.0f;
    float xm = lt ? a : b;
    float z = xm * xm;
    float y = 7.0376836292e-2f;
    y = fmaf(y, xm, -1.1514610310e-1f);
    y = fmaf(y, xm, 1.1676998740e-1f);
    y = fmaf(y, xm, -1.2420140846e-1f);
    y = fmaf(y, xm, 1.4249322787e-1f);
    y = fmaf(y, xm, -1.6668057665e-1f);
    y = fmaf(y, xm, 2.0000714765e-1f);
    y = fmaf(y, xm, -2.4999993993e-1f);
    y = fmaf(y, xm, 3.3333331174e-1f);
    y = y * xm * z;
    float fe = (float)e;
    y = fmaf(fe, -2.12194440e-4f, y);
    y = fmaf(-0.5f, z, y);
    float r = xm + y;
    r = fmaf(fe, 0.693359375f, r);
    r = x == 0.0f ? -INFINITY : r;
    r = x < 0.0f ? NAN : r;
    r = x == INFINITY ? INFINITY : r;
    return x != x ? x : r;
}

/* ---- tanh: odd polynomial below 0.625, 1 - 2/(e^2|x| + 1) above. ---- */
FC_INLINE float fc_tanhf(float x) {
    float ax = fabsf(x);
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    p = p * z * ax + ax;
    float e = fc_expf(2.0f * ax);
    float q = 1.0f - 2.0f / (e + 1.0f);
    return copysignf(ax < 0.625f ? p : q, x); /* odd: tanh(-0) = -0 */
}

/* logistic: e = exp(-|x|) (never overflows), 1/(1+e) for x >= 0, e/(1+e) below */
FC_INLINE float fc_logisticf(float x) {
    float e = fc_expf(-fabsf(x));
    float r = (x >= 0.0f ? 1.0f : e) / (1.0f + e);
    return x != x ? x : r;
}

/* ---- erf, without exp: |x| < 1: x + x * P(x^2); 1 <= |x| < 3.919206: 1 - erfc with erfc
 * a rational P(u)/Q(u) of u = (|x| - 1) / 2.919206 (absolute error 4e-9); above it erf rounds
 * to +-1 in f32. Least-squares fits (Lawson reweighting); max 0.99 ulp on every third f32 of
 * [2^-30, 4.5]. About 2.8x the speed of the 1 - exp(G(|x|) - x^2) form it replaced. ---- */
FC_INLINE float fc_erff(float a) {
    float t = fabsf(a);
    float s = a * a;
    float r = 7.853929419116022e-05f;
    r = fmaf(r, s, -0.0008010213117836029f);
    r = fmaf(r, s, 0.005188329769086345f);
    r = fmaf(r, s, -0.026853812955011956f);
    r = fmaf(r, s, 0.11283585170950121f);
    r = fmaf(r, s, -0.3761262582598339f);
    r = fmaf(r, s, 0.12837916572690405f);
    r = fmaf(r, a, a);  /* x + x * P(x^2) */
    float u = fmaf(t, 0.34254787106498136f, -0.34254787106498136f);
    float p = 0.22128971912607326f;
    p = fmaf(p, u, -1.2176451233142789f);
    p = fmaf(p, u, 2.8208242110019586f);
    p = fmaf(p, u, -3.525721763190428f);
    p = fmaf(p, u, 2.5103995957501675f);
    p = fmaf(p, u, -0.9664440704462809f);
    p = fmaf(p, u, 0.1572992033136757f);
    float q = 16.71562464091267f;
    q = fmaf(q, u, 9.248058443074525f);
    q = fmaf(q, u, 12.194430216110904f);
    q = fmaf(q, u, 6.636728827628013f);
    q = fmaf(q, u, 5.4879188393866665f);
    q = fmaf(q, u, 1.559940466924272f);
    q = fmaf(q, u, 1.0f);
    float big = copysignf(1.0f - p / q, a);
    big = t >= 3.919206f ? copysignf(1.0f, a) : big;
    return t < 1.0f ? r : (a != a ? a : big);
}

FC_INLINE double fc_logisticd(double x) {
    double r = 1.0 / (1.0 + exp(-x));
    return x < -700.0 ? exp(x) : r;
}

/* ---- out-of-line copies of the expensive functions, as OpenMP SIMD clones: a kernel
 * with many of them calls these (the vectorized loop calls the vector clone) instead of
 * inlining every copy, which makes gcc -O3's time grow superlinearly with the loop body
 * (a 3,000-op chain: 13 s inlined, 0.5 s out of line). Same code, same results. ---- */
#pragma omp declare simd notinbranch
__attribute__((noinline)) static float fc_expf_ool(float x) { return fc_expf(x); }
#pragma omp declare simd notinbranch
__attribute__((noinline)) static float fc_logf_ool(float x) { return fc_logf(x); }
#pragma omp declare simd notinbranch
__attribute__((noinline)) static float fc_tanhf_ool(float x) { return fc_tanhf(x); }
#pragma omp declare simd notinbranch
__attribute__((noinline)) static float fc_logisticf_ool(float x) { return fc_logisticf(x); }
#pragma omp declare simd notinbranch
__attribute__((noinline)) static float fc_erff_ool(float x) { return fc_erff(x); }

/* ---- window kernels (convolution, pooling): ceil division, per-thread scratch ---- */
#include <stdlib.h>
FC_INLINE int64_t fc_cdiv(int64_t a, int64_t b) { return a > 0 ? (a + b - 1) / b : -((-a) / b); }
/* a growing per-thread buffer (slot 0: a worker's im2col tile, slot 1: the calling
 * thread's converted weights); kept for the next call, never shrunk */
static __thread void *fc_scratch_buf[2];
static __thread size_t fc_scratch_cap[2];
static inline void *fc_scratch(int slot, size_t bytes) {
    if (bytes > fc_scratch_cap[slot]) {
        void *p = NULL;
        free(fc_scratch_buf[slot]);
        if (posix_memalign(&p, 64, bytes)) abort();
        fc_scratch_buf[slot] = p;
        fc_scratch_cap[slot] = bytes;
    }
    return fc_scratch_buf[slot];
}
