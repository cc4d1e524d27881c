package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.tensor.Tensor;

/** The float32 path of {@link RnnSequenceKernel}, laid out like {@link LstmSequenceF32} (forward only likewise). */
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
        Gemm.Packed<?> wT = Gemm.pack(w, hidden, hidden, true, par);
        float[] biasF = new float[hidden];
        for (int j = 0; j < hidden; j++) {
            biasF[j] = (float) bias[j];
        }
        float[] bt = Vec.tile(biasF, 0, hidden, batch);
        float[] y = new float[batch * steps * hidden];
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? new float[steps * n] : null;
        float[][] out = keep ? new float[steps][] : null;
        float[] x1 = new float[n];
        float[] h = h0.clone();
        float[] hSpare = keep ? null : new float[n]; // forward only: the state double-buffered
        float[] pre = new float[batch * hidden]; // each step's h W_hh^T, consumed before the next step
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Gemm.multiplyPackedInto(h, 0, hidden, batch, false, wT, null, pre, par);
            Vec.gather(xp, t * hidden, steps * hidden, 0, hidden, batch, x1);
            float[] h2 = keep ? new float[n] : hSpare;
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
            if (keep) {
                out[k] = cl.full ? h2 : h2.clone();
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
            }
            h = h2;
        }
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, relu, grads, cl, w, out, hPrevAll, hasBhh, hasBih));
    }

    private static Tensor[] backward(RnnSequenceKernel kernel, boolean relu, Tensor[] grads, CpuSequenceKernel.Call cl, float[] w,
                                     float[][] out, float[] hPrevAll, boolean hasBhh, boolean hasBih) {
        Object[] gy = CpuSequenceKernel.arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? new float[n] : ((float[]) gy[1]).clone();
        float[] dAll = new float[steps * n];
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, hidden, false, par);
        float[] g = new float[n];
        float[] gyt = new float[n];
        float[] dA = new float[n];
        float[][] dhBuf = {new float[n], new float[n]};
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
            float[] dhNew = dh == dhBuf[0] ? dhBuf[1] : dhBuf[0]; // double-buffered: dh is read until this step's end
            Gemm.multiplyPackedInto(dAll, off, hidden, batch, false, wN, null, dhNew, par);
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        System.arraycopy(dh, b * hidden, dhNew, b * hidden, hidden);
                    }
                }
            }
            dh = dhNew;
        }
        Tensor[] dWb = kernel.recurrentWeightGradients(dAll, hPrevAll, hasBhh, cl);
        Tensor dbih = null;
        if (hasBih) {
            dbih = hasBhh ? kernel.wrap(((float[]) CpuBackend.data(dWb[1])).clone(), hidden)
                    : kernel.wrap(CpuCellKernel.columnSums(dAll, steps * batch, hidden), hidden);
        }
        float[] dxp = new float[batch * steps * hidden];
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(dAll, (k * batch + b) * hidden, dxp, (b * steps + t) * hidden, hidden);
            }
        }
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
