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

template <typename T>
__device__ __forceinline__ T apply_binary(int op, T x, T y) {
    switch (op) {
        case RNN4J_BIN_ADD: return x + y;
        case RNN4J_BIN_SUB: return x - y;
        case RNN4J_BIN_MUL: return x * y;
        case RNN4J_BIN_DIV: return x / y;
        default: return jmax_(x, y);
    }
}

/* out = a op b[i % nb]: b has the trailing shape of a (nb == n for equal shapes) */
template <typename T>
__device__ void binary(int op, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, int nb) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = apply_binary(op, a[i], b[nb == n ? i : i % nb]); }
}

/* out = a op b with both broadcast to out's shape (meta: see broadcast_offsets, two operands) */
template <typename T>
__device__ void binary_broadcast(int op, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, int rank,
                                 const int* __restrict__ meta) {
    RNN4J_GRID_STRIDE(i, n) {
        long long off[2];
        broadcast_offsets<2>(i, rank, meta, off);
        out[i] = apply_binary(op, a[off[0]], b[off[1]]);
    }
}

/* out = mask != 0 ? a : b, the three broadcast to out's shape (meta: three operands) */
template <typename T>
__device__ void where(const T* __restrict__ mask, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, int rank,
                      const int* __restrict__ meta) {
    RNN4J_GRID_STRIDE(i, n) {
        long long off[3];
        broadcast_offsets<3>(i, rank, meta, off);
        out[i] = mask[off[0]] != T(0) ? a[off[1]] : b[off[2]];
    }
}

/* out = mask != 0 ? value : a, a and out of one shape, mask broadcast to it (meta: one operand, the mask) */
template <typename T>
__device__ void masked_fill(const T* __restrict__ a, const T* __restrict__ mask, T* __restrict__ out, T value, int n, int rank,
                            const int* __restrict__ meta) {
    RNN4J_GRID_STRIDE(i, n) {
        long long off[1];
        broadcast_offsets<1>(i, rank, meta, off);
        out[i] = mask[off[0]] != T(0) ? value : a[i];
    }
}

/* target = beta * target + alpha * b in place (the scale skipped unless scaleTarget), each operation rounded */
template <typename T>
__device__ void scale_add_inplace(T* __restrict__ target, const T* __restrict__ b, int n, T beta, T alpha, int scaleTarget) {
    RNN4J_GRID_STRIDE(i, n) {
        T t = target[i];
        if (scaleTarget) t = mul_rn(t, beta);
        target[i] = add_rn(t, mul_rn(alpha, b[i]));
    }
}

/* out = a * s + t (scale: t = 0; addScalar: s = 1) */
template <typename T>
__device__ void affine(const T* __restrict__ a, T* __restrict__ out, int n, T s, T t) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = a[i] * s + t; }
}

/* out = a + alpha * b, the product rounded before the sum */
template <typename T>
__device__ void add_scaled(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, int n, T alpha) {
    RNN4J_GRID_STRIDE(i, n) { out[i] = add_rn(a[i], mul_rn(alpha, b[i])); }
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
    RNN4J_KERNEL void binary_broadcast_##S(int op, const T* a, const T* b, T* out, int n, int rank, const int* meta) {          \
        rnn4j::binary_broadcast<T>(op, a, b, out, n, rank, meta);                                                             \
    }                                                                                                                         \
    RNN4J_REGISTER(binary_broadcast_##S)                                                                                      \
    RNN4J_KERNEL void where_##S(const T* mask, const T* a, const T* b, T* out, int n, int rank, const int* meta) {             \
        rnn4j::where<T>(mask, a, b, out, n, rank, meta);                                                                      \
    }                                                                                                                         \
    RNN4J_REGISTER(where_##S)                                                                                                 \
    RNN4J_KERNEL void masked_fill_##S(const T* a, const T* mask, T* out, T value, int n, int rank, const int* meta) {          \
        rnn4j::masked_fill<T>(a, mask, out, value, n, rank, meta);                                                            \
    }                                                                                                                         \
    RNN4J_REGISTER(masked_fill_##S)                                                                                           \
    RNN4J_KERNEL void scale_add_inplace_##S(T* target, const T* b, int n, T beta, T alpha, int scaleTarget) {                 \
        rnn4j::scale_add_inplace<T>(target, b, n, beta, alpha, scaleTarget);                                                  \
    }                                                                                                                         \
    RNN4J_REGISTER(scale_add_inplace_##S)                                                                                     \
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
