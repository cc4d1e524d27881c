/*
 * Reductions and row-wise softmax. Sums accumulate in double for both float and double tensors (as the
 * cpu backend does), so float32 results do not depend on the summation order beyond double rounding.
 */
#include "common.cuh"

namespace rnn4j {

__device__ __forceinline__ double reduce_step(int op, double acc, double v) {
    return op == RNN4J_RED_SUM ? acc + v : jmax_(acc, fabs(v));
}

/* partial[blockIdx.x] = sum or max |.| over this block's grid-stride share of a (blockDim.x = RNN4J_REDUCE_THREADS) */
template <typename T>
__device__ void reduce_partial(int op, const T* __restrict__ a, double* __restrict__ partial, int n) {
    __shared__ double scratch[32];
    double acc = 0.0;
    RNN4J_GRID_STRIDE(i, n) { acc = reduce_step(op, acc, (double)a[i]); }
    acc = op == RNN4J_RED_SUM ? block_sum(acc, scratch) : block_max(acc, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

/* out[0] = sum or max of partial[0 .. count) (one block) */
template <typename T>
__device__ void reduce_final(int op, const double* __restrict__ partial, T* __restrict__ out, int count) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        acc = op == RNN4J_RED_SUM ? acc + partial[i] : jmax_(acc, partial[i]);
    }
    acc = op == RNN4J_RED_SUM ? block_sum(acc, scratch) : block_max(acc, scratch);
    if (threadIdx.x == 0) out[0] = (T)acc;
}

/* out[r] = sum of row r of a [rows, cols]: one warp per row, RNN4J_ROW_WARPS warps per block */
template <typename T>
__device__ void sum_rows(const T* __restrict__ a, T* __restrict__ out, int rows, int cols) {
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * RNN4J_ROW_WARPS + (threadIdx.x >> 5);
    if (row >= rows) return; /* uniform per warp */
    const T* x = a + (long long)row * cols;
    double acc = 0.0;
    for (int j = lane; j < cols; j += 32) acc += (double)x[j];
    acc = warp_sum(acc);
    if (lane == 0) out[row] = (T)acc;
}

/*
 * Column sums of a [rows, cols], first pass: block (32, 8) covers 32 columns of rows
 * [blockIdx.y * rowsPerChunk, ...); partial[blockIdx.y, col] receives the chunk's sum.
 */
template <typename T>
__device__ void sum_cols_partial(const T* __restrict__ a, double* __restrict__ partial, int rows, int cols, int rowsPerChunk) {
    __shared__ double s[RNN4J_TILE_ROWS][RNN4J_TILE + 1];
    const int col = blockIdx.x * RNN4J_TILE + threadIdx.x;
    const int r0 = blockIdx.y * rowsPerChunk;
    const int r1 = min(rows, r0 + rowsPerChunk);
    double acc = 0.0;
    if (col < cols) {
        for (int r = r0 + threadIdx.y; r < r1; r += RNN4J_TILE_ROWS) acc += (double)a[(long long)r * cols + col];
    }
    s[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        double total = 0.0;
        for (int y = 0; y < RNN4J_TILE_ROWS; ++y) total += s[y][threadIdx.x];
        partial[(long long)blockIdx.y * cols + col] = total;
    }
}

/* second pass: out[col] = sum over chunks of partial[chunk, col] */
template <typename T>
__device__ void sum_cols_final(const double* __restrict__ partial, T* __restrict__ out, int chunks, int cols) {
    RNN4J_GRID_STRIDE(col, cols) {
        double total = 0.0;
        for (int c = 0; c < chunks; ++c) total += partial[(long long)c * cols + col];
        out[col] = (T)total;
    }
}

/*
 * Reduction along one axis of a viewed as [outer, len, inner]: out[o, j] over a[o, 0..len, j], one thread per
 * output, in double. mode 0 sums, 1 averages, 2 gives the variance (the mean first, then the squared
 * deviations) divided by divisor (len, or len - 1 unbiased).
 */
template <typename T>
__device__ void axis_reduce(const T* __restrict__ a, T* __restrict__ out, int outer, int len, int inner, int mode, int divisor) {
    int n = outer * inner;
    RNN4J_GRID_STRIDE(i, n) {
        int o = i / inner;
        int j = i - o * inner;
        const T* x = a + (long long)o * len * inner + j;
        double s = 0.0;
        for (int k = 0; k < len; ++k) s += (double)x[(long long)k * inner];
        if (mode == 0) {
            out[i] = (T)s;
            continue;
        }
        double mean = s / len;
        if (mode == 1) {
            out[i] = (T)mean;
            continue;
        }
        double q = 0.0;
        for (int k = 0; k < len; ++k) {
            double d = (double)x[(long long)k * inner] - mean;
            q += d * d;
        }
        out[i] = (T)(q / divisor);
    }
}

/* softmax (log == 0) or log-softmax over each row of a [rows, cols]: one block per row, in double */
template <typename T>
__device__ void softmax_rows(const T* __restrict__ a, T* __restrict__ out, int rows, int cols, int takeLog) {
    __shared__ double scratch[32];
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        const T* x = a + (long long)row * cols;
        T* y = out + (long long)row * cols;
        double mx = -INFINITY;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) mx = jmax_(mx, (double)x[j]);
        mx = block_max(mx, scratch);
        double s = 0.0;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) s += exp((double)x[j] - mx);
        s = block_sum(s, scratch);
        if (takeLog) {
            double shift = mx + log(s);
            for (int j = threadIdx.x; j < cols; j += blockDim.x) y[j] = (T)((double)x[j] - shift);
        } else {
            double inv = 1.0 / s;
            for (int j = threadIdx.x; j < cols; j += blockDim.x) y[j] = (T)(exp((double)x[j] - mx) * inv);
        }
    }
}

/* gradient of log-softmax from its output y: out = gy - exp(y) * rowsum(gy); one block per row */
template <typename T>
__device__ void log_softmax_backward(const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ out, int rows, int cols) {
    __shared__ double scratch[32];
    for (int row = blockIdx.x; row < rows; row += gridDim.x) {
        long long o = (long long)row * cols;
        double s = 0.0;
        for (int j = threadIdx.x; j < cols; j += blockDim.x) s += (double)gy[o + j];
        s = block_sum(s, scratch);
        for (int j = threadIdx.x; j < cols; j += blockDim.x) out[o + j] = (T)((double)gy[o + j] - exp((double)y[o + j]) * s);
    }
}

}  // namespace rnn4j

#define RNN4J_REDUCE(T, S)                                                                                                   \
    RNN4J_KERNEL void reduce_partial_##S(int op, const T* a, double* partial, int n) { rnn4j::reduce_partial<T>(op, a, partial, n); } \
    RNN4J_REGISTER(reduce_partial_##S)                                                                                       \
    RNN4J_KERNEL void reduce_final_##S(int op, const double* partial, T* out, int count) {                                  \
        rnn4j::reduce_final<T>(op, partial, out, count);                                                                     \
    }                                                                                                                        \
    RNN4J_REGISTER(reduce_final_##S)                                                                                         \
    RNN4J_KERNEL void sum_rows_##S(const T* a, T* out, int rows, int cols) { rnn4j::sum_rows<T>(a, out, rows, cols); }      \
    RNN4J_REGISTER(sum_rows_##S)                                                                                             \
    RNN4J_KERNEL void sum_cols_partial_##S(const T* a, double* partial, int rows, int cols, int rowsPerChunk) {             \
        rnn4j::sum_cols_partial<T>(a, partial, rows, cols, rowsPerChunk);                                                    \
    }                                                                                                                        \
    RNN4J_REGISTER(sum_cols_partial_##S)                                                                                     \
    RNN4J_KERNEL void sum_cols_final_##S(const double* partial, T* out, int chunks, int cols) {                             \
        rnn4j::sum_cols_final<T>(partial, out, chunks, cols);                                                                \
    }                                                                                                                        \
    RNN4J_REGISTER(sum_cols_final_##S)                                                                                       \
    RNN4J_KERNEL void axis_reduce_##S(const T* a, T* out, int outer, int len, int inner, int mode, int divisor) {            \
        rnn4j::axis_reduce<T>(a, out, outer, len, inner, mode, divisor);                                                     \
    }                                                                                                                        \
    RNN4J_REGISTER(axis_reduce_##S)                                                                                          \
    RNN4J_KERNEL void softmax_rows_##S(const T* a, T* out, int rows, int cols, int takeLog) {                                   \
        rnn4j::softmax_rows<T>(a, out, rows, cols, takeLog);                                                                     \
    }                                                                                                                        \
    RNN4J_REGISTER(softmax_rows_##S)                                                                                         \
    RNN4J_KERNEL void log_softmax_backward_##S(const T* y, const T* gy, T* out, int rows, int cols) {                       \
        rnn4j::log_softmax_backward<T>(y, gy, out, rows, cols);                                                              \
    }                                                                                                                        \
    RNN4J_REGISTER(log_softmax_backward_##S)

RNN4J_REDUCE(float, f32)
RNN4J_REDUCE(double, f64)
