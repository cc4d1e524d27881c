/*
 * Matrix products C = alpha op(A) op(B) (+ beta D) (+ bias[col]), op transposing when ta / tb:
 *   A is [M, K] row-major with leading dimension lda, or [K, M] when ta;
 *   B is [K, N] with ldb, or [N, K] when tb;
 *   C is [M, N] with ldc; D (null for none) is [M, N] with ldd and may be C itself (accumulate into C:
 *   every element is read and written by the one thread that owns it); bias (null for none) is [N].
 * Batched over blockIdx.z with element strides sA, sB, sC, sD between the matrices of the batch. The
 * product is accumulated in T (float on tensor cores), then scaled and added with separately rounded
 * operations, so that alpha = beta = 1 gives exactly the product plus D.
 *
 * Three kernels, chosen by the host (org.rnn4j.cuda.Launch.gemm):
 *   gemm_tiled_*   64 x 64 output tile per block of 256 threads, 16-deep K slices staged in shared memory,
 *                  a 4 x 4 register block per thread; float and double.
 *   gemm_small_m_* M <= 8 (batch-1 to batch-8 recurrent steps): one warp per output column, lanes split K,
 *                  the lanes' partial sums reduced through shared memory; float and double.
 *   gemm_tf32_f32  TF32 tensor cores (mma.sync m16n8k8, float accumulation), opt-in, GPU only (sm_80+).
 */
#include "common.cuh"

namespace rnn4j {

template <typename T>
__device__ __forceinline__ T epilogue(T v, const T* D, const T* bias, int m, int n, int ldd, T alpha, T beta) {
    v = mul_rn(v, alpha);
    if (D) v = add_rn(v, mul_rn(beta, D[(long long)m * ldd + n]));
    if (bias) v = add_rn(v, bias[n]);
    return v;
}

template <typename T>
__device__ void gemm_tiled(const T* A, const T* B, T* C, const T* D, const T* bias, int M, int N, int K, int lda, int ldb, int ldc,
                           int ldd, int ta, int tb, long long sA, long long sB, long long sC, long long sD, T alpha, T beta) {
    constexpr int BM = RNN4J_GEMM_BM;
    constexpr int BN = RNN4J_GEMM_BN;
    constexpr int BK = RNN4J_GEMM_BK;
    constexpr int NT = RNN4J_GEMM_THREADS;
    constexpr int TM = BM / 16;
    constexpr int TN = BN / 16;
    /* +1 column of padding: the k-fastest stores of a row-major A hit distinct banks */
    __shared__ T As[BK][BM + 1];
    __shared__ T Bs[BK][BN + 1];

    const int tid = threadIdx.x;
    const int tx = tid & 15;
    const int ty = tid >> 4;
    const long long z = blockIdx.z;
    A += z * sA;
    B += z * sB;
    C += z * sC;
    if (D) D += z * sD;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;

    T acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = T(0);

    for (int k0 = 0; k0 < K; k0 += BK) {
        /* stage op(A)[m0.., k0..] and op(B)[k0.., n0..]; consecutive threads read consecutive addresses */
        for (int e = tid; e < BM * BK; e += NT) {
            int mm, kk;
            if (ta) {
                mm = e % BM;
                kk = e / BM;
            } else {
                kk = e % BK;
                mm = e / BK;
            }
            int gm = m0 + mm;
            int gk = k0 + kk;
            T v = T(0);
            if (gm < M && gk < K) v = ta ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk];
            As[kk][mm] = v;
        }
        for (int e = tid; e < BK * BN; e += NT) {
            int nn, kk;
            if (tb) {
                kk = e % BK;
                nn = e / BK;
            } else {
                nn = e % BN;
                kk = e / BN;
            }
            int gn = n0 + nn;
            int gk = k0 + kk;
            T v = T(0);
            if (gn < N && gk < K) v = tb ? B[(long long)gn * ldb + gk] : B[(long long)gk * ldb + gn];
            Bs[kk][nn] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
            T a[TM];
            T b[TN];
#pragma unroll
            for (int i = 0; i < TM; ++i) a[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < TN; ++j) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    /* rows ty + 16 i, columns tx + 16 j: a warp writes 16 consecutive columns of two rows */
#pragma unroll
    for (int i = 0; i < TM; ++i) {
        int m = m0 + ty + 16 * i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < TN; ++j) {
            int n = n0 + tx + 16 * j;
            if (n < N) C[(long long)m * ldc + n] = epilogue(acc[i][j], D, bias, m, n, ldd, alpha, beta);
        }
    }
}

template <typename T>
__device__ void gemm_small_m(const T* A, const T* B, T* C, const T* D, const T* bias, int M, int N, int K, int lda, int ldb, int ldc,
                             int ldd, int ta, int tb, long long sA, long long sB, long long sC, long long sD, T alpha, T beta) {
    constexpr int SM = RNN4J_GEMM_SMALL_M;
    /* per-lane partial sums, reduced by lanes 0 .. M-1 (one row each) after one warp barrier */
    __shared__ T part[RNN4J_GEMM_SMALL_WARPS][SM][33];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int n = blockIdx.x * RNN4J_GEMM_SMALL_WARPS + warp;
    const long long z = blockIdx.z;
    if (n >= N) return; /* uniform per warp */
    A += z * sA;
    B += z * sB;
    C += z * sC;
    if (D) D += z * sD;
    T acc[SM];
#pragma unroll
    for (int m = 0; m < SM; ++m) acc[m] = T(0);
    for (int k = lane; k < K; k += 32) {
        T b = tb ? B[(long long)n * ldb + k] : B[(long long)k * ldb + n];
#pragma unroll
        for (int m = 0; m < SM; ++m) {
            if (m < M) acc[m] += (ta ? A[(long long)k * lda + m] : A[(long long)m * lda + k]) * b;
        }
    }
#pragma unroll
    for (int m = 0; m < SM; ++m) part[warp][m][lane] = acc[m];
    __syncwarp();
    if (lane < M) {
        T s = T(0);
        for (int l = 0; l < 32; ++l) s += part[warp][lane][l];
        C[(long long)lane * ldc + n] = epilogue(s, D, bias, lane, n, ldd, alpha, beta);
    }
}

#ifndef RNN4J_EMULATION
__device__ __forceinline__ unsigned to_tf32(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

/*
 * 64 x 64 tile per block of 4 warps (2 x 2), each warp a 32 x 32 sub-tile of 2 x 4 m16n8k8 fragments.
 * Fragment layout (PTX ISA, mma.m16n8k8 .tf32), g = lane / 4, t = lane % 4:
 *   A: a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4)   [row, k]
 *   B: b0 (t, g), b1 (t + 4, g)                                        [k, col]
 *   C: c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1)  [row, col]
 */
__device__ void gemm_tf32(const float* A, const float* B, float* C, const float* D, const float* bias, int M, int N, int K, int lda,
                          int ldb, int ldc, int ldd, int ta, int tb, long long sA, long long sB, long long sC, long long sD, float alpha, float beta) {
    constexpr int BM = RNN4J_TF32_BM;
    constexpr int BN = RNN4J_TF32_BN;
    constexpr int BK = RNN4J_TF32_BK;
    constexpr int NT = RNN4J_TF32_THREADS;
    /* +8 padding: fragment reads (row t, column g) land in 32 distinct banks */
    __shared__ float As[BK][BM + 8];
    __shared__ float Bs[BK][BN + 8];
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int wm = warp >> 1;
    const int wn = warp & 1;
    const int g = lane >> 2;
    const int t = lane & 3;
    const long long z = blockIdx.z;
    A += z * sA;
    B += z * sB;
    C += z * sC;
    if (D) D += z * sD;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;
    float acc[2][4][4];
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j)
#pragma unroll
            for (int q = 0; q < 4; ++q) acc[i][j][q] = 0.f;

    for (int k0 = 0; k0 < K; k0 += BK) {
        for (int e = tid; e < BM * BK; e += NT) {
            int mm = ta ? e % BM : e / BK;
            int kk = ta ? e / BM : e % BK;
            int gm = m0 + mm;
            int gk = k0 + kk;
            As[kk][mm] = (gm < M && gk < K) ? (ta ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk]) : 0.f;
        }
        for (int e = tid; e < BK * BN; e += NT) {
            int nn = tb ? e / BK : e % BN;
            int kk = tb ? e % BK : e / BN;
            int gn = n0 + nn;
            int gk = k0 + kk;
            Bs[kk][nn] = (gn < N && gk < K) ? (tb ? B[(long long)gn * ldb + gk] : B[(long long)gk * ldb + gn]) : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int ks = 0; ks < BK; ks += 8) {
            unsigned a[2][4];
            unsigned b[4][2];
#pragma unroll
            for (int i = 0; i < 2; ++i) {
                int r = wm * 32 + i * 16 + g;
                a[i][0] = to_tf32(As[ks + t][r]);
                a[i][1] = to_tf32(As[ks + t][r + 8]);
                a[i][2] = to_tf32(As[ks + t + 4][r]);
                a[i][3] = to_tf32(As[ks + t + 4][r + 8]);
            }
#pragma unroll
            for (int j = 0; j < 4; ++j) {
                int c = wn * 32 + j * 8 + g;
                b[j][0] = to_tf32(Bs[ks + t][c]);
                b[j][1] = to_tf32(Bs[ks + t + 4][c]);
            }
#pragma unroll
            for (int i = 0; i < 2; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j)
                    asm volatile(
                        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                        : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                        : "r"(a[i][0]), "r"(a[i][1]), "r"(a[i][2]), "r"(a[i][3]), "r"(b[j][0]), "r"(b[j][1]));
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j)
#pragma unroll
            for (int q = 0; q < 4; ++q) {
                int m = m0 + wm * 32 + i * 16 + g + (q >> 1) * 8;
                int n = n0 + wn * 32 + j * 8 + 2 * t + (q & 1);
                if (m < M && n < N) C[(long long)m * ldc + n] = epilogue(acc[i][j][q], D, bias, m, n, ldd, alpha, beta);
            }
}
#endif

}  // namespace rnn4j

#define RNN4J_GEMM_PARAMS(T)                                                                                                 \
    const T *A, const T *B, T *C, const T *D, const T *bias, int M, int N, int K, int lda, int ldb, int ldc, int ldd, int ta, \
        int tb, long long sA, long long sB, long long sC, long long sD, T alpha, T beta
#define RNN4J_GEMM_ARGS A, B, C, D, bias, M, N, K, lda, ldb, ldc, ldd, ta, tb, sA, sB, sC, sD, alpha, beta

#define RNN4J_GEMM(T, S)                                                                                                    \
    RNN4J_KERNEL void __launch_bounds__(RNN4J_GEMM_THREADS) gemm_tiled_##S(RNN4J_GEMM_PARAMS(T)) {                          \
        rnn4j::gemm_tiled<T>(RNN4J_GEMM_ARGS);                                                                              \
    }                                                                                                                       \
    RNN4J_REGISTER(gemm_tiled_##S)                                                                                          \
    RNN4J_KERNEL void gemm_small_m_##S(RNN4J_GEMM_PARAMS(T)) { rnn4j::gemm_small_m<T>(RNN4J_GEMM_ARGS); }                  \
    RNN4J_REGISTER(gemm_small_m_##S)

RNN4J_GEMM(float, f32)
RNN4J_GEMM(double, f64)

#ifndef RNN4J_EMULATION
RNN4J_KERNEL void __launch_bounds__(RNN4J_TF32_THREADS) gemm_tf32_f32(RNN4J_GEMM_PARAMS(float)) { rnn4j::gemm_tf32(RNN4J_GEMM_ARGS); }
#endif
