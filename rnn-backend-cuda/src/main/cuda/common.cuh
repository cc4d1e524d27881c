/*
 * Helpers shared by every kernel file. Compiled by nvcc for the GPU and, for the tests, by g++ with
 * src/test/native/cuda_emu.h force-included (RNN4J_EMULATION defined): keep everything here valid in
 * both, and guard GPU-only code (inline PTX) with RNN4J_EMULATION.
 *
 * Conventions: every kernel is extern "C" (its name is what the host looks up), takes sizes as int
 * (tensors are indexed by Java ints) and is instantiated for float (suffix _f32) and double (_f64).
 * Loops over elements are grid-stride loops, so any grid size is correct; the host picks one.
 */
#ifndef RNN4J_COMMON_CUH
#define RNN4J_COMMON_CUH

#include "ops.h"

#ifdef RNN4J_EMULATION
/* registers the kernel with the emulator's dispatch table (see cuda_emu.h) */
#define RNN4J_REGISTER(name) static const int rnn4j_registered_##name = emu::register_kernel(#name, &name);
#else
#define RNN4J_REGISTER(name)
#endif

#define RNN4J_KERNEL extern "C" __global__

/* a kernel's dynamic shared memory (the launch's shared-bytes argument) as T* name */
#ifdef RNN4J_EMULATION
#define RNN4J_DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(emu::dynamicShared())
#else
#define RNN4J_DYNAMIC_SHARED(T, name)                                      \
    extern __shared__ __align__(16) unsigned char rnn4j_dynamic_shared[]; \
    T* name = reinterpret_cast<T*>(rnn4j_dynamic_shared)
#endif

/* for (int i = global thread index; i < n; i += total threads) */
#define RNN4J_GRID_STRIDE(i, n) \
    for (int i = (int)(blockIdx.x * blockDim.x + threadIdx.x); i < (n); i += (int)(blockDim.x * gridDim.x))

namespace rnn4j {

/* ---- math in the tensor's own precision (float: single-precision intrinsics; double: exact to ~1 ulp) ---- */

__device__ __forceinline__ float exp_(float x) { return expf(x); }
__device__ __forceinline__ double exp_(double x) { return exp(x); }
__device__ __forceinline__ float log_(float x) { return logf(x); }
__device__ __forceinline__ double log_(double x) { return log(x); }
__device__ __forceinline__ float tanh_(float x) { return tanhf(x); }
__device__ __forceinline__ double tanh_(double x) { return tanh(x); }
__device__ __forceinline__ float sqrt_(float x) { return sqrtf(x); }
__device__ __forceinline__ double sqrt_(double x) { return sqrt(x); }
__device__ __forceinline__ float abs_(float x) { return fabsf(x); }
__device__ __forceinline__ double abs_(double x) { return fabs(x); }

/* a * b and a + b rounded on their own, never fused into one fma, so that a kernel rounds exactly as the
   same expression in Java does (float and double arithmetic rounds every operation) */
#ifdef RNN4J_EMULATION
template <typename T>
__device__ __forceinline__ T mul_rn(T a, T b) { return a * b; }
template <typename T>
__device__ __forceinline__ T add_rn(T a, T b) { return a + b; }
#else
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
#endif

/*
 * Broadcasting: the operands' element offsets for output element i. meta holds the output's extents
 * (rank ints), then for each of the OPS operands its strides in elements over the output's dimensions
 * (rank ints, 0 where the operand is broadcast).
 */
template <int OPS>
__device__ __forceinline__ void broadcast_offsets(int i, int rank, const int* meta, long long* off) {
#pragma unroll
    for (int k = 0; k < OPS; ++k) off[k] = 0;
    int rem = i;
    for (int d = rank - 1; d >= 0; --d) {
        int extent = meta[d];
        int c = rem % extent;
        rem /= extent;
#pragma unroll
        for (int k = 0; k < OPS; ++k) off[k] += (long long)c * meta[rank * (k + 1) + d];
    }
}

/* 1 / (1 + e^-x): exp(-x) overflows to inf for very negative x and the result is then exactly 0 */
template <typename T>
__device__ __forceinline__ T sigmoid_(T x) {
    return T(1) / (T(1) + exp_(-x));
}

/* max(x, 0), propagating NaN like java.lang.Math.max */
template <typename T>
__device__ __forceinline__ T relu_(T x) {
    return x > T(0) ? x : (x != x ? x : T(0));
}

/* java.lang.Math.max semantics: NaN wins, +0 beats -0 */
template <typename T>
__device__ __forceinline__ T jmax_(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a > b) return a;
    if (b > a) return b;
    return signbit(a) ? b : a;
}

template <typename T>
__device__ __forceinline__ T activate_(int act, T x) {
    return act == RNN4J_ACT_TANH ? tanh_(x) : act == RNN4J_ACT_RELU ? relu_(x) : x;
}

/* a load that bypasses L1 (cached in L2 only): for data other blocks of a cooperative launch wrote since */
template <typename T>
__device__ __forceinline__ T load_cg(const T* p) {
#ifdef RNN4J_EMULATION
    return *p;
#else
    return __ldcg(p);
#endif
}

/*
 * Joins every block of a cooperative launch (all blocks co-resident): counter starts at 0 before the launch,
 * and the n-th barrier (from 1) waits until it reaches n * gridDim.x. Writes before the barrier are visible
 * to load_cg after it.
 */
__device__ __forceinline__ void grid_barrier(unsigned* counter, unsigned target) {
#ifdef RNN4J_EMULATION
    (void)counter;
    (void)target;
    emu::gridSync();
#else
    __syncthreads();
    if (threadIdx.x == 0) {
        __threadfence();
        atomicAdd(counter, 1u);
        volatile unsigned* v = counter;
        while (*v < target) {
            __nanosleep(32);
        }
        __threadfence();
    }
    __syncthreads();
#endif
}

/* ---- warp and block reductions (all 32 lanes of each warp take part) ---- */

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = jmax_(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

/*
 * Sum of v over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the
 * result. scratch holds 32 values; the call ends with a barrier, so scratch may be reused right away.
 */
template <typename T>
__device__ T block_sum(T v, T* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : T(0);
    total = warp_sum(total);
    __syncthreads();
    return total;
}

/* Maximum of v over the whole block (NaN propagates); see block_sum. */
template <typename T>
__device__ T block_max(T v, T* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_max(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : scratch[0];
    total = warp_max(total);
    __syncthreads();
    return total;
}

}  // namespace rnn4j

#endif
