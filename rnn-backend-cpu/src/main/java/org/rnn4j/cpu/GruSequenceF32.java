package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.tensor.Tensor;

/**
 * The float32 path of {@link GruSequenceKernel}, laid out like {@link LstmSequenceF32}: per step, the
 * gates of the whole batch gathered gate by gate into contiguous {@code [B*H]} arrays and updated by
 * {@link Vec}-style loops; backward intermediates kept step-major (none when forward only: one set of
 * step buffers is reused).
 */
final class GruSequenceF32 {
    private GruSequenceF32() {
    }

    static Result run(GruSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] h0, float[] w, double[] bh, double[] bx,
                      boolean hasBhh, boolean hasBih) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        Gemm.Packed<?> wT = Gemm.pack(w, g3, hidden, true, par);
        float[] bsum = new float[g3];
        float[] bhF = new float[g3];
        float[] bxF = new float[g3];
        for (int j = 0; j < g3; j++) {
            bsum[j] = (float) (bh[j] + bx[j]);
            bhF[j] = (float) bh[j];
            bxF[j] = (float) bx[j];
        }
        float[] bR = Vec.tile(bsum, 0, hidden, batch);
        float[] bZ = Vec.tile(bsum, hidden, hidden, batch);
        float[] bHn = Vec.tile(bhF, 2 * hidden, hidden, batch);
        float[] bXn = Vec.tile(bxF, 2 * hidden, hidden, batch);
        float[] y = new float[batch * steps * hidden];
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? new float[steps * n] : null;
        float[][][] saved = keep ? new float[steps][][] : null;
        float[][] hPrev = keep ? new float[steps][] : null;
        float[] z1 = new float[n];
        float[] x1 = new float[n];
        float[] h = h0.clone();
        // forward only: one set of step buffers {r, z, hn, n}, the state double-buffered (spare = the previous h)
        float[][] buf = keep ? null : new float[][] {new float[n], new float[n], new float[n], new float[n]};
        float[] hSpare = keep ? null : new float[n];
        float[] hp = new float[batch * g3]; // each step's h W_hh^T, consumed before the next step
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Gemm.multiplyPackedInto(h, 0, hidden, batch, false, wT, null, hp, par);
            int xoff = t * g3;
            int xstride = steps * g3;
            float[] r = keep ? new float[n] : buf[0];
            Vec.gather(hp, 0, g3, 0, hidden, batch, z1);
            Vec.gather(xp, xoff, xstride, 0, hidden, batch, x1);
            Vec.sigmoidSum(z1, x1, bR, r, n);
            float[] z = keep ? new float[n] : buf[1];
            Vec.gather(hp, 0, g3, hidden, hidden, batch, z1);
            Vec.gather(xp, xoff, xstride, hidden, hidden, batch, x1);
            Vec.sigmoidSum(z1, x1, bZ, z, n);
            float[] hn = keep ? new float[n] : buf[2];
            Vec.gather(hp, 0, g3, 2 * hidden, hidden, batch, z1);
            Vec.add(z1, bHn, hn, n);
            Vec.gather(xp, xoff, xstride, 2 * hidden, hidden, batch, x1);
            float[] nGate = keep ? new float[n] : buf[3];
            newGate(x1, bXn, r, hn, nGate, n);
            float[] h2 = keep ? new float[n] : hSpare;
            interpolate(nGate, z, h, h2, n);
            if (keep) {
                System.arraycopy(h, 0, hPrevAll, k * n, n);
            }
            for (int b = 0; b < batch; b++) {
                if (cl.valid(b, t)) {
                    System.arraycopy(h2, b * hidden, y, (b * steps + t) * hidden, hidden);
                } else {
                    System.arraycopy(h, b * hidden, h2, b * hidden, hidden);
                }
            }
            if (keep) {
                saved[k] = new float[][] {r, z, hn, nGate};
                hPrev[k] = h;
            } else {
                hSpare = h;
            }
            h = h2;
        }
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, grads, cl, w, saved, hPrev, hPrevAll, hasBhh, hasBih));
    }

    private static Tensor[] backward(GruSequenceKernel kernel, Tensor[] grads, CpuSequenceKernel.Call cl, float[] w, float[][][] saved,
                                     float[][] hPrev, float[] hPrevAll, boolean hasBhh, boolean hasBih) {
        Object[] gy = CpuSequenceKernel.arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? new float[n] : ((float[]) gy[1]).clone();
        float[] dAllX = new float[steps * batch * g3];
        float[] dAllH = new float[steps * batch * g3];
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g3, false, par);
        float[] g = new float[n];
        float[] gyt = new float[n];
        float[] dr = new float[n];
        float[] dz = new float[n];
        float[] dn = new float[n];
        float[] dnr = new float[n];
        float[][] dhBuf = {new float[n], new float[n]};
        float[] directBuf = new float[n];
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            if (gOut != null) {
                Vec.gather(gOut, t * hidden, steps * hidden, 0, hidden, batch, gyt);
                Vec.add(dh, gyt, g, n);
            } else {
                System.arraycopy(dh, 0, g, 0, n);
            }
            float[] r = saved[k][0];
            float[] z = saved[k][1];
            float[] hn = saved[k][2];
            float[] nGate = saved[k][3];
            newGateGrad(g, z, nGate, dn, n);
            sigGrad(dn, hn, r, dr, n);
            updateGateGrad(g, hPrev[k], nGate, z, dz, n);
            Vec.mul(dn, r, dnr, n);
            float[] direct = directBuf; // h's own share of dh, consumed by this step's product
            Vec.mul(g, z, direct, n);
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        int from = b * hidden;
                        int to = from + hidden;
                        java.util.Arrays.fill(dr, from, to, 0f);
                        java.util.Arrays.fill(dz, from, to, 0f);
                        java.util.Arrays.fill(dn, from, to, 0f);
                        java.util.Arrays.fill(dnr, from, to, 0f);
                        java.util.Arrays.fill(direct, from, to, 0f);
                    }
                }
            }
            int off = k * batch * g3;
            Vec.scatter(dr, hidden, batch, dAllX, off, g3, 0);
            Vec.scatter(dz, hidden, batch, dAllX, off, g3, hidden);
            Vec.scatter(dn, hidden, batch, dAllX, off, g3, 2 * hidden);
            Vec.scatter(dr, hidden, batch, dAllH, off, g3, 0);
            Vec.scatter(dz, hidden, batch, dAllH, off, g3, hidden);
            Vec.scatter(dnr, hidden, batch, dAllH, off, g3, 2 * hidden);
            float[] dhNew = dh == dhBuf[0] ? dhBuf[1] : dhBuf[0]; // double-buffered: dh is read until this step's end
            Gemm.multiplyPackedInto(dAllH, off, g3, batch, false, wN, direct, dhNew, par);
            if (!cl.full) {
                for (int b = 0; b < batch; b++) {
                    if (!cl.valid(b, t)) {
                        System.arraycopy(dh, b * hidden, dhNew, b * hidden, hidden);
                    }
                }
            }
            dh = dhNew;
        }
        Tensor[] dWb = kernel.recurrentWeightGradients(dAllH, hPrevAll, hasBhh, cl);
        Tensor dbih = hasBih ? kernel.wrap(CpuCellKernel.columnSums(dAllX, steps * batch, g3), g3) : null;
        float[] dxp = new float[batch * steps * g3];
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(dAllX, (k * batch + b) * g3, dxp, (b * steps + t) * g3, g3);
            }
        }
        return new Tensor[] {kernel.wrap(dxp, batch, steps, g3), kernel.wrap(dh, batch, hidden), null, dWb[0], dWb[1], dbih};
    }

    /** {@code n = tanh(x + bx + r * hn)}, in two loops (one loop with both stays scalar); {@code x} is overwritten. */
    private static void newGate(float[] x, float[] bx, float[] r, float[] hn, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            x[j] = x[j] + bx[j] + r[j] * hn[j];
        }
        Vec.tanh(x, out, n);
    }

    /** {@code h' = n + z (h - n)}. */
    private static void interpolate(float[] nGate, float[] z, float[] h, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = nGate[j] + z[j] * (h[j] - nGate[j]);
        }
    }

    /** {@code dn = g (1 - z) (1 - n^2)}. */
    private static void newGateGrad(float[] g, float[] z, float[] nGate, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = g[j] * (1f - z[j]) * (1f - nGate[j] * nGate[j]);
        }
    }

    /** {@code out = d * u * s (1 - s)}. */
    private static void sigGrad(float[] d, float[] u, float[] s, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = d[j] * u[j] * s[j] * (1f - s[j]);
        }
    }

    /** {@code dz = g (h - n) z (1 - z)}. */
    private static void updateGateGrad(float[] g, float[] h, float[] nGate, float[] z, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = g[j] * (h[j] - nGate[j]) * z[j] * (1f - z[j]);
        }
    }
}
