package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.tensor.Tensor;

/**
 * The float32 path of {@link LstmSequenceKernel}, arranged for C2's vectoriser: each step gathers the
 * gate pre-activations of the whole batch gate by gate into contiguous {@code [B*H]} arrays, so that
 * every elementwise pass ({@link Vec}) runs over one index from 0. The state arrays are replaced, not
 * updated, at every step, so the states entering each step are kept for backward without copies.
 * Per-step intermediates of the backward pass are kept step-major ({@code [T, B, 4H]}), which makes the
 * per-step {@code dA_t · W_hh} read a contiguous block; they are put back into {@code [B, T, 4H]} order
 * once at the end. A forward-only call keeps none of them: it reuses one set of {@code [B*H]} step
 * buffers and two of each state.
 */
final class LstmSequenceF32 {
    private LstmSequenceF32() {
    }

    static Result run(LstmSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] h0, float[] c0, float[] w, double[] bias,
                      boolean hasBhh, boolean hasBih) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        Gemm.Packed<?> wT = Gemm.pack(w, g4, hidden, true, par);
        float[] biasF = new float[g4];
        for (int j = 0; j < g4; j++) {
            biasF[j] = (float) bias[j];
        }
        float[][] bq = new float[4][];
        for (int q = 0; q < 4; q++) {
            bq[q] = Vec.tile(biasF, q * hidden, hidden, batch);
        }
        float[] y = new float[batch * steps * hidden];
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? new float[steps * n] : null;
        float[][][] acts = keep ? new float[steps][][] : null;
        float[][] tanhC = keep ? new float[steps][] : null;
        float[][] cPrev = keep ? new float[steps][] : null;
        float[] z = new float[n];
        float[] x = new float[n];
        float[] h = h0.clone();
        float[] c = c0.clone();
        // forward only: one set of step buffers, the states double-buffered (spare = the previous state)
        float[][] a = new float[4][];
        float[] tc = null;
        float[] hSpare = keep ? null : new float[n];
        float[] cSpare = keep ? null : new float[n];
        float[] pre = new float[batch * g4]; // each step's h W_hh^T, gathered gate by gate before the next step
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Gemm.multiplyPackedInto(h, 0, hidden, batch, false, wT, null, pre, par);
            if (keep) {
                a = new float[4][];
            }
            for (int q = 0; q < 4; q++) {
                Vec.gather(pre, 0, g4, q * hidden, hidden, batch, z);
                Vec.gather(xp, t * g4, steps * g4, q * hidden, hidden, batch, x);
                a[q] = keep || a[q] == null ? new float[n] : a[q];
                if (q == 2) {
                    Vec.tanhSum(z, x, bq[q], a[q], n);
                } else {
                    Vec.sigmoidSum(z, x, bq[q], a[q], n);
                }
            }
            float[] c2 = keep ? new float[n] : cSpare;
            Vec.mulAddMul(a[1], c, a[0], a[2], c2, n);
            tc = keep || tc == null ? new float[n] : tc;
            Vec.tanh(c2, tc, n);
            float[] h2 = keep ? new float[n] : hSpare;
            Vec.mul(a[3], tc, h2, n);
            if (keep) {
                System.arraycopy(h, 0, hPrevAll, k * n, n);
            }
            for (int b = 0; b < batch; b++) {
                if (cl.valid(b, t)) {
                    System.arraycopy(h2, b * hidden, y, (b * steps + t) * hidden, hidden);
                } else {
                    // padding: the state stays
                    System.arraycopy(h, b * hidden, h2, b * hidden, hidden);
                    System.arraycopy(c, b * hidden, c2, b * hidden, hidden);
                }
            }
            if (keep) {
                acts[k] = a;
                tanhC[k] = tc;
                cPrev[k] = c;
            } else {
                hSpare = h;
                cSpare = c;
            }
            h = h2;
            c = c2;
        }
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden), kernel.wrap(c, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, grads, cl, w, acts, tanhC, cPrev, hPrevAll, hasBhh, hasBih));
    }

    private static Tensor[] backward(LstmSequenceKernel kernel, Tensor[] grads, CpuSequenceKernel.Call cl, float[] w, float[][][] acts,
                                     float[][] tanhC, float[][] cPrev, float[] hPrevAll, boolean hasBhh, boolean hasBih) {
        Object[] gy = CpuSequenceKernel.arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? new float[n] : ((float[]) gy[1]).clone();
        float[] dc = gy[2] == null ? new float[n] : ((float[]) gy[2]).clone();
        float[] dAll = new float[steps * batch * g4];
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g4, false, par);
        float[] dhv = new float[n];
        float[] gyt = new float[n];
        float[] dc2 = new float[n];
        float[][] dA = {new float[n], new float[n], new float[n], new float[n]};
        float[][] dhBuf = {new float[n], new float[n]};
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            if (gOut != null) {
                Vec.gather(gOut, t * hidden, steps * hidden, 0, hidden, batch, gyt);
                Vec.add(dh, gyt, dhv, n);
            } else {
                System.arraycopy(dh, 0, dhv, 0, n);
            }
            float[][] a = acts[k];
            float[] ai = a[0];
            float[] af = a[1];
            float[] ag = a[2];
            float[] ao = a[3];
            float[] tc = tanhC[k];
            float[] cp = cPrev[k];
            cellGradC(dc, dhv, ao, tc, dc2, n);
            gateGradO(dhv, tc, ao, dA[3], n);
            gateGradSig(dc2, ag, ai, dA[0], n);
            gateGradSig(dc2, cp, af, dA[1], n);
            gateGradTanh(dc2, ai, ag, dA[2], n);
            float[] dcNew = new float[n];
            Vec.mul(dc2, af, dcNew, n);
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        for (int q = 0; q < 4; q++) {
                            java.util.Arrays.fill(dA[q], b * hidden, (b + 1) * hidden, 0f);
                        }
                        System.arraycopy(dc, b * hidden, dcNew, b * hidden, hidden);
                    }
                }
            }
            int off = k * batch * g4;
            for (int q = 0; q < 4; q++) {
                Vec.scatter(dA[q], hidden, batch, dAll, off, g4, q * hidden);
            }
            float[] dhNew = dh == dhBuf[0] ? dhBuf[1] : dhBuf[0]; // double-buffered: dh is read until this step's end
            Gemm.multiplyPackedInto(dAll, off, g4, batch, false, wN, null, dhNew, par);
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        System.arraycopy(dh, b * hidden, dhNew, b * hidden, hidden);
                    }
                }
            }
            dh = dhNew;
            dc = dcNew;
        }
        Tensor[] dWb = kernel.recurrentWeightGradients(dAll, hPrevAll, hasBhh, cl);
        Tensor dbih = null;
        if (hasBih) {
            dbih = hasBhh ? kernel.wrap(((float[]) CpuBackend.data(dWb[1])).clone(), g4)
                    : kernel.wrap(CpuCellKernel.columnSums(dAll, steps * batch, g4), g4);
        }
        float[] dxp = new float[batch * steps * g4];
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(dAll, (k * batch + b) * g4, dxp, (b * steps + t) * g4, g4);
            }
        }
        return new Tensor[] {kernel.wrap(dxp, batch, steps, g4), kernel.wrap(dh, batch, hidden), kernel.wrap(dc, batch, hidden),
            dWb[0], dWb[1], dbih};
    }

    /** {@code dc2 = dc + dh * o * (1 - tanh(c)^2)}. */
    private static void cellGradC(float[] dc, float[] dh, float[] o, float[] tc, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = dc[j] + dh[j] * o[j] * (1f - tc[j] * tc[j]);
        }
    }

    /** {@code dA_o = dh * tanh(c) * o (1 - o)}. */
    private static void gateGradO(float[] dh, float[] tc, float[] o, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = dh[j] * tc[j] * o[j] * (1f - o[j]);
        }
    }

    /** {@code out = d * u * s (1 - s)} for a sigmoid gate {@code s}. */
    private static void gateGradSig(float[] d, float[] u, float[] s, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = d[j] * u[j] * s[j] * (1f - s[j]);
        }
    }

    /** {@code out = d * u * (1 - g^2)} for the tanh gate {@code g}. */
    private static void gateGradTanh(float[] d, float[] u, float[] g, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = d[j] * u[j] * (1f - g[j] * g[j]);
        }
    }
}
