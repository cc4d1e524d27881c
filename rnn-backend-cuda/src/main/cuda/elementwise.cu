/*
 * Elementwise kernels, layout copies and indexing. Every op writes a fresh output (the backend's ops
 * are pure); n is the number of output elements.
 */
#include "common.cuh"

namespace rnn4j {

template <typename T>
__device__ void fill(T* out, T value, int n) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = value; }
}

template <typename S, typename D>
__device__ void cast(const S* in, D* out, int n) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = (D)in[i]; }
}

/* out = a op b[i % nb]: b has the trailing shape of a (nb == n for equal shapes) */
template <typename T>
__device__ void binary(int op, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, int nb) {
    RNN4J_GRID_STRIDE(i, n) {
        T x = a[i];
        T y = b[nb == n ? i : i % nb];
        T r;
        switch (op) {
            case RNN4J_BIN_ADD: r = x + y; break;
            case RNN4J_BIN_SUB: r = x - y; break;
            case RNN4J_BIN_MUL: r = x * y; break;
            case RNN4J_BIN_DIV: r = x / y; break;
            default: r = jmax_(x, y); break;
        }
        out[i] = r;
    }
}

/* out = a * s + t (scale: t = 0; addScalar: s = 1) */
template <typename T>
__device__ void affine(const T* __restrict__ a, T* __restrict__ out, int n, T s, T t) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = a[i] * s + t; }
}

/* out = a + alpha * b */
template <typename T>
__device__ void add_scaled(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, T alpha) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = a[i] + alpha * b[i]; }
}

template <typename T>
__device__ void unary(int op, const T* __restrict__ a, T* __restrict__ out, int n) {
    RNN4J_GRID_STRIDE(i, n) {
        T x = a[i];
        T r;
        switch (op) {
            case RNN4J_UN_TANH: r = tanh_(x); break;
            case RNN4J_UN_SIGMOID: r = sigmoid_(x); break;
            case RNN4J_UN_RELU: r = relu_(x); break;
            case RNN4J_UN_EXP: r = exp_(x); break;
            case RNN4J_UN_LOG: r = log_(x); break;
            case RNN4J_UN_SQRT: r = sqrt_(x); break;
            default: r = abs_(x); break;
        }
        out[i] = r;
    }
}

/* gradient of tanh / sigmoid / relu from the op's output y */
template <typename T>
__device__ void activation_backward(int op, const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ out, int n) {
    RNN4J_GRID_STRIDE(i, n) {
        T v = y[i];
        T g = gy[i];
        T r;
        switch (op) {
            case RNN4J_UN_TANH: r = g * (T(1) - v * v); break;
            case RNN4J_UN_SIGMOID: r = g * v * (T(1) - v); break;
            default: r = v > T(0) ? g : T(0); break;
        }
        out[i] = r;
    }
}

/*
 * Copies a [outer, len, inner] block: element (o, l, r) goes from src[(o * srcLen + srcStart + l) * inner + r]
 * to dst[(o * dstLen + dstStart + l) * inner + r]. Slicing and concatenation along any axis.
 */
template <typename T>
__device__ void copy_block(const T* __restrict__ src, T* __restrict__ dst, int outer, int len, int inner, int srcLen, int srcStart,
                           int dstLen, int dstStart) {
    int per = len * inner;
    int n = outer * per;
    RNN4J_GRID_STRIDE(i, n) {
        int o = i / per;
        int r = i - o * per;
        dst[((long long)o * dstLen + dstStart) * inner + r] = src[((long long)o * srcLen + srcStart) * inner + r];
    }
}

/* dst [cols, rows] = transpose of src [rows, cols], through a padded shared tile (block 32 x 8) */
template <typename T>
__device__ void transpose(const T* __restrict__ src, T* __restrict__ dst, int rows, int cols) {
    __shared__ T tile[RNN4J_TILE][RNN4J_TILE + 1];
    int c0 = blockIdx.x * RNN4J_TILE;
    int r0 = blockIdx.y * RNN4J_TILE;
    for (int dy = threadIdx.y; dy < RNN4J_TILE; dy += RNN4J_TILE_ROWS) {
        int r = r0 + dy;
        int c = c0 + threadIdx.x;
        if (r < rows && c < cols) tile[dy][threadIdx.x] = src[(long long)r * cols + c];
    }
    __syncthreads();
    for (int dy = threadIdx.y; dy < RNN4J_TILE; dy += RNN4J_TILE_ROWS) {
        int c = c0 + dy;             /* row of dst */
        int r = r0 + threadIdx.x;    /* column of dst */
        if (c < cols && r < rows) dst[(long long)c * rows + r] = tile[threadIdx.x][dy];
    }
}

/* out[i] = a[i, index[i]] for a [n, cols] */
template <typename T>
__device__ void gather_columns(const T* __restrict__ a, const int* __restrict__ index, T* __restrict__ out, int n, int cols) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = a[(long long)i * cols + index[i]]; }
}

/* out [n, cols]: g[i] at (i, index[i]), zeros elsewhere (every element written) */
template <typename T>
__device__ void scatter_columns(const T* __restrict__ g, const int* __restrict__ index, T* __restrict__ out, int n, int cols) {
    int total = n * cols;
    RNN4J_GRID_STRIDE(i, total) {
        int row = i / cols;
        int col = i - row * cols;
        out[i] = col == index[row] ? g[row] : T(0);
    }
}

/* out[i, :] = a[index[i], :] for a [rows, width] */
template <typename T>
__device__ void gather_rows(const T* __restrict__ a, const int* __restrict__ index, T* __restrict__ out, int n, int width) {
    int total = n * width;
    RNN4J_GRID_STRIDE(i, total) {
        int row = i / width;
        int col = i - row * width;
        out[i] = a[(long long)index[row] * width + col];
    }
}

/* out[index[i], :] += g[i, :]; out must be zeroed first (repeated indices accumulate atomically) */
template <typename T>
__device__ void scatter_add_rows(const T* __restrict__ g, const int* __restrict__ index, T* __restrict__ out, int n, int width) {
    int total = n * width;
    RNN4J_GRID_STRIDE(i, total) {
        int row = i / width;
        int col = i - row * width;
        atomicAdd(out + (long long)index[row] * width + col, g[i]);
    }
}

}  // namespace rnn4j

#define RNN4J_ELEMENTWISE(T, S)                                                                                               \
    RNN4J_KERNEL void fill_##S(T* out, T value, int n) { rnn4j::fill<T>(out, value, n); }                                    \
    RNN4J_REGISTER(fill_##S)                                                                                                  \
    RNN4J_KERNEL void binary_##S(int op, const T* a, const T* b, T* out, int n, int nb) { rnn4j::binary<T>(op, a, b, out, n, nb); } \
    RNN4J_REGISTER(binary_##S)                                                                                                \
    RNN4J_KERNEL void affine_##S(const T* a, T* out, int n, T s, T t) { rnn4j::affine<T>(a, out, n, s, t); }                 \
    RNN4J_REGISTER(affine_##S)                                                                                                \
    RNN4J_KERNEL void add_scaled_##S(const T* a, const T* b, T* out, int n, T alpha) { rnn4j::add_scaled<T>(a, b, out, n, alpha); } \
    RNN4J_REGISTER(add_scaled_##S)                                                                                            \
    RNN4J_KERNEL void unary_##S(int op, const T* a, T* out, int n) { rnn4j::unary<T>(op, a, out, n); }                       \
    RNN4J_REGISTER(unary_##S)                                                                                                 \
    RNN4J_KERNEL void activation_backward_##S(int op, const T* y, const T* gy, T* out, int n) {                             \
        rnn4j::activation_backward<T>(op, y, gy, out, n);                                                                     \
    }                                                                                                                         \
    RNN4J_REGISTER(activation_backward_##S)                                                                                   \
    RNN4J_KERNEL void copy_block_##S(const T* src, T* dst, int outer, int len, int inner, int srcLen, int srcStart, int dstLen, \
                                     int dstStart) {                                                                          \
        rnn4j::copy_block<T>(src, dst, outer, len, inner, srcLen, srcStart, dstLen, dstStart);                                \
    }                                                                                                                         \
    RNN4J_REGISTER(copy_block_##S)                                                                                            \
    RNN4J_KERNEL void transpose_##S(const T* src, T* dst, int rows, int cols) { rnn4j::transpose<T>(src, dst, rows, cols); } \
    RNN4J_REGISTER(transpose_##S)                                                                                             \
    RNN4J_KERNEL void gather_columns_##S(const T* a, const int* index, T* out, int n, int cols) {                            \
        rnn4j::gather_columns<T>(a, index, out, n, cols);                                                                     \
    }                                                                                                                         \
    RNN4J_REGISTER(gather_columns_##S)                                                                                        \
    RNN4J_KERNEL void scatter_columns_##S(const T* g, const int* index, T* out, int n, int cols) {                           \
        rnn4j::scatter_columns<T>(g, index, out, n, cols);                                                                    \
    }                                                                                                                         \
    RNN4J_REGISTER(scatter_columns_##S)                                                                                       \
    RNN4J_KERNEL void gather_rows_##S(const T* a, const int* index, T* out, int n, int width) {                              \
        rnn4j::gather_rows<T>(a, index, out, n, width);                                                                       \
    }                                                                                                                         \
    RNN4J_REGISTER(gather_rows_##S)                                                                                           \
    RNN4J_KERNEL void scatter_add_rows_##S(const T* g, const int* index, T* out, int n, int width) {                         \
        rnn4j::scatter_add_rows<T>(g, index, out, n, width);                                                                  \
    }                                                                                                                         \
    RNN4J_REGISTER(scatter_add_rows_##S)

RNN4J_ELEMENTWISE(float, f32)
RNN4J_ELEMENTWISE(double, f64)

RNN4J_KERNEL void cast_f32_f64(const float* in, double* out, int n) { rnn4j::cast<float, double>(in, out, n); }
RNN4J_REGISTER(cast_f32_f64)
RNN4J_KERNEL void cast_f64_f32(const double* in, float* out, int n) { rnn4j::cast<double, float>(in, out, n); }
RNN4J_REGISTER(cast_f64_f32)
