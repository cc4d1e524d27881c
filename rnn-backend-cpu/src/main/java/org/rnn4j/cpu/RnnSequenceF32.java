package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.tensor.Tensor;

/**
 * The float32 path of {@link RnnSequenceKernel}, laid out like {@link LstmSequenceF32} (forward only likewise,
 * and with its arrays from the backend's {@link ArrayPool} likewise).
 */
final class RnnSequenceF32 {
    private RnnSequenceF32() {
    }

    static Result run(RnnSequenceKernel kernel, boolean relu, CpuSequenceKernel.Call cl, float[] xp, float[] h0, float[] w, double[] bias,
                      boolean hasBhh, boolean hasBih) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        Gemm.Packed<?> wT = Gemm.pack(w, hidden, hidden, true, par, pool);
        float[] biasF = pool.floats(hidden);
        for (int j = 0; j < hidden; j++) {
            biasF[j] = (float) bias[j];
        }
        float[] bt = Vec.tile(biasF, 0, hidden, batch, pool);
        pool.give(biasF);
        // padded steps leave their rows of y at 0
        float[] y = cl.full ? pool.floats(batch * steps * hidden) : pool.zeroFloats(batch * steps * hidden);
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? pool.floats(steps * n) : null;
        float[][] out = keep ? new float[steps][] : null;
        float[] x1 = pool.floats(n);
        float[] h = (float[]) pool.copy(h0);
        float[] hSpare = keep ? null : pool.floats(n); // forward only: the state double-buffered
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            float[] pre = (float[]) Gemm.multiplyPacked(h, batch, false, wT, null, par, pool);
            Vec.gather(xp, t * hidden, steps * hidden, 0, hidden, batch, x1);
            float[] h2 = keep ? pool.floats(n) : hSpare;
            if (relu) {
                Vec.reluSum(pre, x1, bt, h2, n);
            } else {
                Vec.tanhSum(pre, x1, bt, h2, n);
            }
            if (keep) {
                System.arraycopy(h, 0, hPrevAll, k * n, n);
            }
            for (int b = 0; b < batch; b++) {
                if (cl.valid(b, t)) {
                    System.arraycopy(h2, b * hidden, y, (b * steps + t) * hidden, hidden);
                }
            }
            pool.give(pre);
            if (keep) {
                // the last state is the output h_T, whose tensor may be closed before backward runs: keep a copy of it
                out[k] = cl.full && k < steps - 1 ? h2 : (float[]) pool.copy(h2);
            }
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        System.arraycopy(h, b * hidden, h2, b * hidden, hidden);
                    }
                }
            }
            if (!keep) {
                hSpare = h;
            } else if (k == 0 || !cl.full) {
                pool.give(h); // copied into hPrevAll, and not one of out (the initial state, or a padded run's state)
            }
            h = h2;
        }
        Gemm.release(wT, pool);
        pool.give(bt);
        pool.give(x1);
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden)};
        if (!keep) {
            pool.give(hSpare);
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, relu, grads, cl, w, out, hPrevAll, hasBhh, hasBih), () -> {
            // out[k]: the state after step k, or a copy of it (the last one, or every one of a padded run); never h_T itself
            for (int k = 0; k < steps; k++) {
                pool.give(out[k]);
            }
            pool.give(hPrevAll);
        });
    }

    private static Tensor[] backward(RnnSequenceKernel kernel, boolean relu, Tensor[] grads, CpuSequenceKernel.Call cl, float[] w,
                                     float[][] out, float[] hPrevAll, boolean hasBhh, boolean hasBih) {
        Object[] gy = CpuSequenceKernel.arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? pool.zeroFloats(n) : (float[]) pool.copy(gy[1]);
        float[] dAll = pool.floats(steps * n);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, hidden, false, par, pool);
        float[] g = pool.floats(n);
        float[] gyt = pool.floats(n);
        float[] dA = pool.floats(n);
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            if (gOut != null) {
                Vec.gather(gOut, t * hidden, steps * hidden, 0, hidden, batch, gyt);
                Vec.add(dh, gyt, g, n);
            } else {
                System.arraycopy(dh, 0, g, 0, n);
            }
            if (relu) {
                reluGrad(g, out[k], dA, n);
            } else {
                tanhGrad(g, out[k], dA, n);
            }
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        java.util.Arrays.fill(dA, b * hidden, (b + 1) * hidden, 0f);
                    }
                }
            }
            int off = k * n;
            System.arraycopy(dA, 0, dAll, off, n);
            float[] dhNew = (float[]) Gemm.multiplyPacked(dAll, off, hidden, batch, false, wN, null, par, pool);
            CpuSequenceKernel.keepPaddedRows(dh, dhNew, cl, t);
            pool.give(dh);
            dh = dhNew;
        }
        Gemm.release(wN, pool);
        pool.give(g);
        pool.give(gyt);
        pool.give(dA);
        Tensor[] dWb = kernel.recurrentWeightGradients(dAll, hPrevAll, hasBhh, cl);
        Tensor dbih = null;
        if (hasBih) {
            dbih = hasBhh ? kernel.wrap(pool.copy(CpuBackend.data(dWb[1])), hidden)
                    : kernel.wrap(CpuCellKernel.columnSums(dAll, steps * batch, hidden, pool, kernel.backend.parallel()), hidden);
        }
        float[] dxp = CpuSequenceKernel.toBatchMajor(dAll, cl, hidden, par, pool);
        return new Tensor[] {kernel.wrap(dxp, batch, steps, hidden), kernel.wrap(dh, batch, hidden), null, dWb[0], dWb[1], dbih};
    }

    private static void tanhGrad(float[] g, float[] y, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = g[j] * (1f - y[j] * y[j]);
        }
    }

    private static void reluGrad(float[] g, float[] y, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = y[j] > 0f ? g[j] : 0f;
        }
    }
}
