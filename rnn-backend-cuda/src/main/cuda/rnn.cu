/*
 * The fused recurrent kernels (org.rnn4j.spi.FusedKernel). One time step of a layer is one matrix product
 * (gemm.cu) plus one of the pointwise kernels here; the host enqueues both for every step on the stream,
 * with no synchronisation, and runs a cell step as a sequence of length 1. For batches of up to 8, where a
 * step is too small to fill the GPU, the forward pass of a whole sequence is one persistent kernel instead
 * (rnn_persistent_fwd, at the end).
 *
 * Layouts (row-major): batch B, steps S, hidden H, gates G (LSTM 4: i f g o; GRU 3: r z n; Elman 1).
 *   xp     [B, S, G*H]  input projections x W_ih^T of every step
 *   pre    [B, G*H]     gate pre-activations of step t: xp[:, t] + h W_hh^T (LSTM, Elman) or h W_hh^T (GRU)
 *   h, c   [B, H]       running state, updated in place
 *   y      [B, S, H]    output of every step (0 at padded steps)
 *   saved  [B, S, .]    what the backward pass needs, per step (null pointers in a forward-only run)
 *   lengths [B] or null: steps t >= lengths[b] of sequence b are padding (state unchanged, output 0,
 *                         gradients 0).
 * Backward kernels consume the running gradient dh (they zero it, or replace it by GRU's direct term, for the
 * sequences that ran the step) so that the following product dh += dpre_t W_hh completes it; padded
 * sequences keep their dh and dc untouched.
 */
#include "common.cuh"

namespace rnn4j {

template <typename T>
__device__ __forceinline__ T bias_at(const T* b, int j) {
    return b ? b[j] : T(0);
}

__device__ __forceinline__ bool padded(const int* lengths, int b, int t) {
    return lengths && t >= lengths[b];
}

/* p[i] = v unless p is null: a forward-only run (no backward pass to come) saves no activations */
template <typename T>
__device__ __forceinline__ void save(T* p, long long i, T v) {
    if (p) p[i] = v;
}

template <typename T>
__device__ void lstm_fwd_step(const T* __restrict__ pre, const T* __restrict__ bhh, const T* __restrict__ bih, T* __restrict__ h,
                              T* __restrict__ c, T* __restrict__ y, T* __restrict__ acts, T* __restrict__ hprev, T* __restrict__ cprev,
                              T* __restrict__ tanhc, const int* __restrict__ lengths, int B, int S, int H, int t) {
    const int G = 4 * H;
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long bt = (long long)b * S + t;
        long long hs = bt * H + j;
        long long as = bt * G + j;
        T hv = h[i];
        T cv = c[i];
        save(hprev, hs, hv);
        save(cprev, hs, cv);
        if (padded(lengths, b, t)) {
            y[hs] = T(0);
            save(tanhc, hs, T(0));
            for (int g = 0; g < 4; ++g) save(acts, as + g * H, T(0));
            continue;
        }
        const T* p = pre + (long long)b * G + j;
        T gi = sigmoid_(p[0] + bias_at(bhh, j) + bias_at(bih, j));
        T gf = sigmoid_(p[H] + bias_at(bhh, j + H) + bias_at(bih, j + H));
        T gg = tanh_(p[2 * H] + bias_at(bhh, j + 2 * H) + bias_at(bih, j + 2 * H));
        T go = sigmoid_(p[3 * H] + bias_at(bhh, j + 3 * H) + bias_at(bih, j + 3 * H));
        T c2 = gf * cv + gi * gg;
        T tc = tanh_(c2);
        T h2 = go * tc;
        save(acts, as, gi);
        save(acts, as + H, gf);
        save(acts, as + 2 * H, gg);
        save(acts, as + 3 * H, go);
        c[i] = c2;
        h[i] = h2;
        y[hs] = h2;
        save(tanhc, hs, tc);
    }
}

template <typename T>
__device__ void lstm_bwd_step(const T* __restrict__ acts, const T* __restrict__ tanhc, const T* __restrict__ cprev, const T* __restrict__ gy,
                              T* __restrict__ dh, T* __restrict__ dc, T* __restrict__ dpre, const int* __restrict__ lengths, int B, int S,
                              int H, int t) {
    const int G = 4 * H;
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long bt = (long long)b * S + t;
        long long hs = bt * H + j;
        long long as = bt * G + j;
        if (padded(lengths, b, t)) {
            dpre[as] = dpre[as + H] = dpre[as + 2 * H] = dpre[as + 3 * H] = T(0);
            continue;
        }
        T dhv = dh[i] + (gy ? gy[hs] : T(0));
        dh[i] = T(0);
        T gi = acts[as];
        T gf = acts[as + H];
        T gg = acts[as + 2 * H];
        T go = acts[as + 3 * H];
        T tc = tanhc[hs];
        T dc2 = dc[i] + dhv * go * (T(1) - tc * tc);
        dpre[as] = dc2 * gg * gi * (T(1) - gi);
        dpre[as + H] = dc2 * cprev[hs] * gf * (T(1) - gf);
        dpre[as + 2 * H] = dc2 * gi * (T(1) - gg * gg);
        dpre[as + 3 * H] = dhv * tc * go * (T(1) - go);
        dc[i] = dc2 * gf;
    }
}

/* hp = h W_hh^T (no bias); n = tanh(x_n + b_in + r (hp_n + b_hn)); h' = n + z (h - n) */
template <typename T>
__device__ void gru_fwd_step(const T* __restrict__ hp, const T* __restrict__ xp, const T* __restrict__ bhh, const T* __restrict__ bih,
                             T* __restrict__ h, T* __restrict__ y, T* __restrict__ saved, T* __restrict__ ngate, T* __restrict__ hprev,
                             const int* __restrict__ lengths, int B, int S, int H, int t) {
    const int G = 3 * H;
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long bt = (long long)b * S + t;
        long long hs = bt * H + j;
        long long as = bt * G + j;
        T hv = h[i];
        save(hprev, hs, hv);
        if (padded(lengths, b, t)) {
            y[hs] = T(0);
            save(ngate, hs, T(0));
            for (int g = 0; g < 3; ++g) save(saved, as + g * H, T(0));
            continue;
        }
        const T* x = xp + as;
        const T* q = hp + (long long)b * G + j;
        T r = sigmoid_(x[0] + bias_at(bih, j) + q[0] + bias_at(bhh, j));
        T z = sigmoid_(x[H] + bias_at(bih, j + H) + q[H] + bias_at(bhh, j + H));
        T hn = q[2 * H] + bias_at(bhh, j + 2 * H);
        T nn = tanh_(x[2 * H] + bias_at(bih, j + 2 * H) + r * hn);
        T h2 = nn + z * (hv - nn);
        save(saved, as, r);
        save(saved, as + H, z);
        save(saved, as + 2 * H, hn);
        save(ngate, hs, nn);
        h[i] = h2;
        y[hs] = h2;
    }
}

/* dxp = (dr, dz, dn); dhp = (dr, dz, r dn) for the product dh += dhp_t W_hh; dh is replaced by the direct term g z */
template <typename T>
__device__ void gru_bwd_step(const T* __restrict__ saved, const T* __restrict__ ngate, const T* __restrict__ hprev, const T* __restrict__ gy,
                             T* __restrict__ dh, T* __restrict__ dxp, T* __restrict__ dhp, const int* __restrict__ lengths, int B, int S, int H,
                             int t) {
    const int G = 3 * H;
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long bt = (long long)b * S + t;
        long long hs = bt * H + j;
        long long as = bt * G + j;
        if (padded(lengths, b, t)) {
            dxp[as] = dxp[as + H] = dxp[as + 2 * H] = T(0);
            dhp[as] = dhp[as + H] = dhp[as + 2 * H] = T(0);
            continue;
        }
        T g = dh[i] + (gy ? gy[hs] : T(0));
        T r = saved[as];
        T z = saved[as + H];
        T hn = saved[as + 2 * H];
        T nn = ngate[hs];
        T dn = g * (T(1) - z) * (T(1) - nn * nn);
        T dr = dn * hn * r * (T(1) - r);
        T dz = g * (hprev[hs] - nn) * z * (T(1) - z);
        dxp[as] = dr;
        dxp[as + H] = dz;
        dxp[as + 2 * H] = dn;
        dhp[as] = dr;
        dhp[as + H] = dz;
        dhp[as + 2 * H] = dn * r;
        dh[i] = g * z;
    }
}

/* h' = act(pre + b_hh + b_ih) with pre = xp[:, t] + h W_hh^T */
template <typename T>
__device__ void rnn_fwd_step(const T* __restrict__ pre, const T* __restrict__ bhh, const T* __restrict__ bih, T* __restrict__ h,
                             T* __restrict__ y, T* __restrict__ hprev, const int* __restrict__ lengths, int B, int S, int H, int t, int act) {
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long hs = ((long long)b * S + t) * H + j;
        save(hprev, hs, h[i]);
        if (padded(lengths, b, t)) {
            y[hs] = T(0);
            continue;
        }
        T v = activate_(act, pre[i] + bias_at(bhh, j) + bias_at(bih, j));
        h[i] = v;
        y[hs] = v;
    }
}

template <typename T>
__device__ void rnn_bwd_step(const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ dh, T* __restrict__ dpre,
                             const int* __restrict__ lengths, int B, int S, int H, int t, int act) {
    const int n = B * H;
    RNN4J_GRID_STRIDE(i, n) {
        int b = i / H;
        int j = i - b * H;
        long long hs = ((long long)b * S + t) * H + j;
        if (padded(lengths, b, t)) {
            dpre[hs] = T(0);
            continue;
        }
        T g = dh[i] + (gy ? gy[hs] : T(0));
        dh[i] = T(0);
        T v = y[hs];
        dpre[hs] = act == RNN4J_ACT_RELU ? (v > T(0) ? g : T(0)) : g * (T(1) - v * v);
    }
}

/*
 * The persistent forward of a whole sequence for small batches: one cooperative launch runs every step.
 * Block p owns the hidden units [p U, p U + U): it keeps their G U rows of W_hh in shared memory for the
 * whole sequence and, each step, reads all of h (written by every block the step before; through L2),
 * computes its rows' products with one warp per (row, sequence) pair, applies the cell's pointwise math to
 * its units, writes their new h into the other of two buffers, and meets the other blocks at a grid
 * barrier. It writes exactly what the step kernels write (y, the state, the saved activations), so the
 * backward pass is the same. cell: 0 LSTM, 1 GRU, 2 Elman (act). Shared memory: W rows [G U][H], h [B][H],
 * products [B][G U]. h holds h0 on entry; the final h is in h when S is even, else in hAlt. barrier: zeroed.
 */
template <typename T>
__device__ void rnn_persistent_fwd(int cell, int act, const T* __restrict__ xp, const T* __restrict__ w, const T* __restrict__ bhh,
                                   const T* __restrict__ bih, T* h, T* hAlt, T* __restrict__ c, T* __restrict__ y, T* __restrict__ acts,
                                   T* __restrict__ hprev, T* __restrict__ cprev, T* __restrict__ tanhc, T* __restrict__ ngate,
                                   const int* __restrict__ lengths, unsigned* barrier, int B, int S, int H, int U, int reverse) {
    const int G = cell == 0 ? 4 : cell == 1 ? 3 : 1;
    const int GH = G * H;
    const int rows = G * U;
    const int j0 = blockIdx.x * U;
    RNN4J_DYNAMIC_SHARED(T, smem);
    T* sw = smem;
    T* sh = sw + (long long)rows * H;
    T* sp = sh + (long long)B * H;
    for (int e = threadIdx.x; e < rows * H; e += blockDim.x) {
        int r = e / H;
        int k = e - r * H;
        int g = r / U;
        int j = j0 + (r - g * U);
        sw[e] = j < H ? w[(long long)(g * H + j) * H + k] : T(0);
    }
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    for (int k = 0; k < S; ++k) {
        const int t = reverse ? S - 1 - k : k;
        const T* hin = (k & 1) ? hAlt : h;
        T* hout = (k & 1) ? h : hAlt;
        for (int e = threadIdx.x; e < B * H; e += blockDim.x) sh[e] = load_cg(hin + e);
        __syncthreads();
        for (int d = warp; d < rows * B; d += warps) { /* uniform per warp */
            int b = d / rows;
            int r = d - b * rows;
            const T* wr = sw + (long long)r * H;
            const T* hb = sh + (long long)b * H;
            T acc = T(0);
            for (int q = lane; q < H; q += 32) acc += wr[q] * hb[q];
            acc = warp_sum(acc);
            if (lane == 0) sp[b * rows + r] = acc;
        }
        __syncthreads();
        for (int e = threadIdx.x; e < B * U; e += blockDim.x) {
            int b = e / U;
            int u = e - b * U;
            int j = j0 + u;
            if (j >= H) continue;
            long long bt = (long long)b * S + t;
            long long hs = bt * H + j;
            long long as = bt * GH + j;
            T hv = sh[b * H + j];
            save(hprev, hs, hv);
            const T* q = sp + b * rows + u; /* gate g's product at q[g * U] */
            const T* x = xp + as;
            bool pad = padded(lengths, b, t);
            T h2;
            if (cell == 0) {
                T cv = c[b * H + j];
                save(cprev, hs, cv);
                if (pad) {
                    y[hs] = T(0);
                    save(tanhc, hs, T(0));
                    for (int g = 0; g < 4; ++g) save(acts, as + g * H, T(0));
                    hout[b * H + j] = hv;
                    continue;
                }
                T gi = sigmoid_(x[0] + q[0] + bias_at(bhh, j) + bias_at(bih, j));
                T gf = sigmoid_(x[H] + q[U] + bias_at(bhh, j + H) + bias_at(bih, j + H));
                T gg = tanh_(x[2 * H] + q[2 * U] + bias_at(bhh, j + 2 * H) + bias_at(bih, j + 2 * H));
                T go = sigmoid_(x[3 * H] + q[3 * U] + bias_at(bhh, j + 3 * H) + bias_at(bih, j + 3 * H));
                T c2 = gf * cv + gi * gg;
                T tc = tanh_(c2);
                h2 = go * tc;
                save(acts, as, gi);
                save(acts, as + H, gf);
                save(acts, as + 2 * H, gg);
                save(acts, as + 3 * H, go);
                c[b * H + j] = c2;
                save(tanhc, hs, tc);
            } else if (cell == 1) {
                if (pad) {
                    y[hs] = T(0);
                    save(ngate, hs, T(0));
                    for (int g = 0; g < 3; ++g) save(acts, as + g * H, T(0));
                    hout[b * H + j] = hv;
                    continue;
                }
                T r = sigmoid_(x[0] + bias_at(bih, j) + q[0] + bias_at(bhh, j));
                T z = sigmoid_(x[H] + bias_at(bih, j + H) + q[U] + bias_at(bhh, j + H));
                T hn = q[2 * U] + bias_at(bhh, j + 2 * H);
                T nn = tanh_(x[2 * H] + bias_at(bih, j + 2 * H) + r * hn);
                h2 = nn + z * (hv - nn);
                save(acts, as, r);
                save(acts, as + H, z);
                save(acts, as + 2 * H, hn);
                save(ngate, hs, nn);
            } else {
                if (pad) {
                    y[hs] = T(0);
                    hout[b * H + j] = hv;
                    continue;
                }
                h2 = activate_(act, x[0] + q[0] + bias_at(bhh, j) + bias_at(bih, j));
            }
            y[hs] = h2;
            hout[b * H + j] = h2;
        }
        grid_barrier(barrier, (unsigned)(k + 1) * gridDim.x);
    }
}

}  // namespace rnn4j

#define RNN4J_RNN(T, S_)                                                                                                     \
    RNN4J_KERNEL void lstm_fwd_step_##S_(const T* pre, const T* bhh, const T* bih, T* h, T* c, T* y, T* acts, T* hprev, T* cprev, \
                                         T* tanhc, const int* lengths, int B, int S, int H, int t) {                         \
        rnn4j::lstm_fwd_step<T>(pre, bhh, bih, h, c, y, acts, hprev, cprev, tanhc, lengths, B, S, H, t);                    \
    }                                                                                                                        \
    RNN4J_REGISTER(lstm_fwd_step_##S_)                                                                                       \
    RNN4J_KERNEL void lstm_bwd_step_##S_(const T* acts, const T* tanhc, const T* cprev, const T* gy, T* dh, T* dc, T* dpre,  \
                                         const int* lengths, int B, int S, int H, int t) {                                   \
        rnn4j::lstm_bwd_step<T>(acts, tanhc, cprev, gy, dh, dc, dpre, lengths, B, S, H, t);                                  \
    }                                                                                                                        \
    RNN4J_REGISTER(lstm_bwd_step_##S_)                                                                                       \
    RNN4J_KERNEL void gru_fwd_step_##S_(const T* hp, const T* xp, const T* bhh, const T* bih, T* h, T* y, T* saved, T* ngate, \
                                        T* hprev, const int* lengths, int B, int S, int H, int t) {                          \
        rnn4j::gru_fwd_step<T>(hp, xp, bhh, bih, h, y, saved, ngate, hprev, lengths, B, S, H, t);                            \
    }                                                                                                                        \
    RNN4J_REGISTER(gru_fwd_step_##S_)                                                                                        \
    RNN4J_KERNEL void gru_bwd_step_##S_(const T* saved, const T* ngate, const T* hprev, const T* gy, T* dh, T* dxp, T* dhp,  \
                                        const int* lengths, int B, int S, int H, int t) {                                    \
        rnn4j::gru_bwd_step<T>(saved, ngate, hprev, gy, dh, dxp, dhp, lengths, B, S, H, t);                                  \
    }                                                                                                                        \
    RNN4J_REGISTER(gru_bwd_step_##S_)                                                                                        \
    RNN4J_KERNEL void rnn_fwd_step_##S_(const T* pre, const T* bhh, const T* bih, T* h, T* y, T* hprev, const int* lengths,  \
                                        int B, int S, int H, int t, int act) {                                               \
        rnn4j::rnn_fwd_step<T>(pre, bhh, bih, h, y, hprev, lengths, B, S, H, t, act);                                        \
    }                                                                                                                        \
    RNN4J_REGISTER(rnn_fwd_step_##S_)                                                                                        \
    RNN4J_KERNEL void rnn_bwd_step_##S_(const T* y, const T* gy, T* dh, T* dpre, const int* lengths, int B, int S, int H, int t, \
                                        int act) {                                                                           \
        rnn4j::rnn_bwd_step<T>(y, gy, dh, dpre, lengths, B, S, H, t, act);                                                   \
    }                                                                                                                        \
    RNN4J_REGISTER(rnn_bwd_step_##S_)                                                                                        \
    RNN4J_KERNEL void rnn_persistent_fwd_##S_(int cell, int act, const T* xp, const T* w, const T* bhh, const T* bih, T* h, T* hAlt, \
                                              T* c, T* y, T* acts, T* hprev, T* cprev, T* tanhc, T* ngate, const int* lengths,     \
                                              unsigned* barrier, int B, int S, int H, int U, int reverse) {                        \
        rnn4j::rnn_persistent_fwd<T>(cell, act, xp, w, bhh, bih, h, hAlt, c, y, acts, hprev, cprev, tanhc, ngate, lengths, barrier, B, S, \
                                     H, U, reverse);                                                                               \
    }                                                                                                                        \
    RNN4J_REGISTER(rnn_persistent_fwd_##S_)

RNN4J_RNN(float, f32)
RNN4J_RNN(double, f64)
