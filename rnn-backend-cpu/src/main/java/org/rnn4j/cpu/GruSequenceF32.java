package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.tensor.Tensor;

/**
 * The float32 path of {@link GruSequenceKernel}, laid out like {@link LstmSequenceF32}: per step, the
 * gates of the whole batch gathered gate by gate into contiguous {@code [B*H]} arrays and updated by
 * {@link Vec}-style loops; backward intermediates kept step-major (none when forward only: one set of
 * step buffers is reused). Its arrays come from the backend's {@link ArrayPool} as in {@link LstmSequenceF32}.
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
        ArrayPool pool = kernel.backend.pool();
        Gemm.Packed<?> wT = Gemm.pack(w, g3, hidden, true, par, pool);
        float[] bsum = pool.floats(g3);
        float[] bhF = pool.floats(g3);
        float[] bxF = pool.floats(g3);
        for (int j = 0; j < g3; j++) {
            bsum[j] = (float) (bh[j] + bx[j]);
            bhF[j] = (float) bh[j];
            bxF[j] = (float) bx[j];
        }
        // padded steps leave their rows of y at 0
        float[] y = cl.full ? pool.floats(batch * steps * hidden) : pool.zeroFloats(batch * steps * hidden);
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? pool.floats(steps * n) : null;
        float[][][] saved = keep ? new float[steps][][] : null;
        float[][] hPrev = keep ? new float[steps][] : null;
        float[] h = (float[]) pool.copy(h0);
        h = CpuSequenceKernel.fuseGates() && Gemm.groupable(wT, 3)
                ? fusedSteps(kernel, cl, xp, bsum, bhF, bxF, wT, y, h, hPrevAll, saved, hPrev)
                : steps(kernel, cl, xp, bsum, bhF, bxF, wT, y, h, hPrevAll, saved, hPrev);
        pool.give(bsum);
        pool.give(bhF);
        pool.give(bxF);
        Gemm.release(wT, pool);
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, grads, cl, w, saved, hPrev, hPrevAll, hasBhh, hasBih), () -> {
            // the gates and the states entering each step (the initial state's copy included); h_T is not among them
            for (int k = 0; k < steps; k++) {
                for (float[] b : saved[k]) {
                    pool.give(b);
                }
                pool.give(hPrev[k]);
            }
            pool.give(hPrevAll);
        });
    }

    /**
     * The steps one after the other: the step's product, then its gate math over the whole batch on this thread. Returns
     * the final h; fills {@code hPrevAll}, {@code saved} and {@code hPrev} when they are not null (a call that keeps what
     * backward needs).
     */
    private static float[] steps(GruSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] bsum, float[] bhF, float[] bxF,
                                 Gemm.Packed<?> wT, float[] y, float[] h, float[] hPrevAll, float[][][] saved, float[][] hPrev) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        int n = batch * hidden;
        boolean keep = saved != null;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        float[] bR = Vec.tile(bsum, 0, hidden, batch, pool);
        float[] bZ = Vec.tile(bsum, hidden, hidden, batch, pool);
        float[] bHn = Vec.tile(bhF, 2 * hidden, hidden, batch, pool);
        float[] bXn = Vec.tile(bxF, 2 * hidden, hidden, batch, pool);
        float[] z1 = pool.floats(n);
        float[] x1 = pool.floats(n);
        // forward only: one set of step buffers {r, z, hn, n}, the state double-buffered (spare = the previous h)
        float[][] buf = keep ? null : new float[][] {pool.floats(n), pool.floats(n), pool.floats(n), pool.floats(n)};
        float[] hSpare = keep ? null : pool.floats(n);
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            float[] hp = (float[]) Gemm.multiplyPacked(h, batch, false, wT, null, par, pool);
            int xoff = t * g3;
            int xstride = steps * g3;
            float[] r = keep ? pool.floats(n) : buf[0];
            Vec.gather(hp, 0, g3, 0, hidden, batch, z1);
            Vec.gather(xp, xoff, xstride, 0, hidden, batch, x1);
            Vec.sigmoidSum(z1, x1, bR, r, n);
            float[] z = keep ? pool.floats(n) : buf[1];
            Vec.gather(hp, 0, g3, hidden, hidden, batch, z1);
            Vec.gather(xp, xoff, xstride, hidden, hidden, batch, x1);
            Vec.sigmoidSum(z1, x1, bZ, z, n);
            float[] hn = keep ? pool.floats(n) : buf[2];
            Vec.gather(hp, 0, g3, 2 * hidden, hidden, batch, z1);
            Vec.add(z1, bHn, hn, n);
            Vec.gather(xp, xoff, xstride, 2 * hidden, hidden, batch, x1);
            float[] nGate = keep ? pool.floats(n) : buf[3];
            newGate(x1, bXn, r, hn, nGate, n);
            pool.give(hp);
            float[] h2 = keep ? pool.floats(n) : hSpare;
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
        for (float[] b : new float[][] {bR, bZ, bHn, bXn, z1, x1}) {
            pool.give(b);
        }
        if (!keep) {
            for (float[] b : buf) {
                pool.give(b);
            }
            pool.give(hSpare);
        }
        return h;
    }

    /**
     * {@link #steps} with each step's gate math run by the tasks of its product ({@link Gemm#multiplyGrouped}, {@link
     * VectorGates#gru}), each on the block it has just computed; the same floats.
     */
    private static float[] fusedSteps(GruSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] bsum, float[] bhF, float[] bxF,
                                      Gemm.Packed<?> wT, float[] y, float[] h, float[] hPrevAll, float[][][] saved, float[][] hPrev) {
        int batch = cl.batch;
        int n = batch * cl.hidden;
        boolean keep = saved != null;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        VectorGates.GruStep s = new VectorGates.GruStep();
        s.hidden = cl.hidden;
        s.pre = pool.floats(batch * 3 * cl.hidden); // each product writes it whole
        s.xp = xp;
        s.steps = cl.steps;
        s.biasSum = bsum;
        s.biasH = bhF;
        s.biasX = bxF;
        s.y = y;
        s.padded = cl.full ? null : cl;
        float[] hSpare = keep ? null : pool.floats(n);
        Gemm.GroupEpilogue gates = (i0, i1, j0, j1) -> VectorGates.gru(s, i0, i1, j0, j1);
        for (int k = 0; k < cl.steps; k++) {
            s.t = cl.time(k);
            s.h = h;
            s.hOut = keep ? pool.floats(n) : hSpare;
            if (keep) {
                s.r = pool.floats(n);
                s.z = pool.floats(n);
                s.hn = pool.floats(n);
                s.nGate = pool.floats(n);
            }
            Gemm.multiplyGrouped(h, batch, wT, s.pre, 3, par, gates);
            if (keep) {
                System.arraycopy(h, 0, hPrevAll, k * n, n);
                saved[k] = new float[][] {s.r, s.z, s.hn, s.nGate};
                hPrev[k] = h;
            } else {
                hSpare = h;
            }
            h = s.hOut;
        }
        pool.give(s.pre);
        if (!keep) {
            pool.give(hSpare);
        }
        return h;
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
        ArrayPool pool = kernel.backend.pool();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? pool.zeroFloats(n) : (float[]) pool.copy(gy[1]);
        float[] dAllX = pool.floats(steps * batch * g3);
        float[] dAllH = pool.floats(steps * batch * g3);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g3, false, par, pool);
        dh = CpuSequenceKernel.fuseGates() && Gemm.groupable(wN, 1)
                ? fusedBackwardSteps(kernel, cl, gOut, dh, dAllX, dAllH, wN, saved, hPrev)
                : backwardSteps(kernel, cl, gOut, dh, dAllX, dAllH, wN, saved, hPrev);
        Gemm.release(wN, pool);
        Tensor[] dWb = kernel.recurrentWeightGradients(dAllH, hPrevAll, hasBhh, cl);
        pool.give(dAllH);
        Tensor dbih = hasBih ? kernel.wrap(CpuCellKernel.columnSums(dAllX, steps * batch, g3, pool, kernel.backend.parallel()), g3) : null;
        float[] dxp = CpuSequenceKernel.toBatchMajor(dAllX, cl, g3, kernel.backend.parallel(), pool);
        return new Tensor[] {kernel.wrap(dxp, batch, steps, g3), kernel.wrap(dh, batch, hidden), null, dWb[0], dWb[1], dbih};
    }

    /**
     * Backpropagation through the steps, last first, gate gradients in scalar passes over the batch on this thread, into
     * the steps' blocks of {@code dAllX} and {@code dAllH} ({@code [T, B, 3H]}); returns the gradient of the initial h.
     */
    private static float[] backwardSteps(GruSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] gOut, float[] dh, float[] dAllX,
                                         float[] dAllH, Gemm.Packed<?> wN, float[][][] saved, float[][] hPrev) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        float[] g = pool.floats(n);
        float[] gyt = pool.floats(n);
        float[] dr = pool.floats(n);
        float[] dz = pool.floats(n);
        float[] dn = pool.floats(n);
        float[] dnr = pool.floats(n);
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
            float[] direct = pool.floats(n);
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
            float[] dhNew = (float[]) Gemm.multiplyPacked(dAllH, off, g3, batch, false, wN, direct, par, pool);
            pool.give(direct);
            CpuSequenceKernel.keepPaddedRows(dh, dhNew, cl, t);
            pool.give(dh);
            dh = dhNew;
        }
        for (float[] b : new float[][] {g, gyt, dr, dz, dn, dnr}) {
            pool.give(b);
        }
        return dh;
    }

    /**
     * {@link #backwardSteps} with each step's gate gradients computed by {@link VectorGates#gruBackward} straight into
     * {@code dAllX} and {@code dAllH}, split over the threads by hidden units when the batch's block is large; the same floats.
     */
    private static float[] fusedBackwardSteps(GruSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] gOut, float[] dh, float[] dAllX,
                                              float[] dAllH, Gemm.Packed<?> wN, float[][][] saved, float[][] hPrev) {
        int batch = cl.batch;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        VectorGates.GruBackStep s = new VectorGates.GruBackStep();
        s.hidden = hidden;
        s.steps = cl.steps;
        s.gOut = gOut;
        s.dAllX = dAllX;
        s.dAllH = dAllH;
        s.padded = cl.full ? null : cl;
        s.direct = pool.floats(n); // rewritten every step, copied into the step's product as its addend
        Runnable gates = CpuSequenceKernel.splitByHiddenUnits(par, batch, hidden,
                (j0, j1) -> VectorGates.gruBackward(s, 0, batch, j0, j1));
        for (int k = cl.steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            s.t = t;
            s.dh = dh;
            s.r = saved[k][0];
            s.z = saved[k][1];
            s.hn = saved[k][2];
            s.nGate = saved[k][3];
            s.hPrev = hPrev[k];
            s.off = k * batch * g3;
            gates.run();
            float[] dhNew = (float[]) Gemm.multiplyPacked(dAllH, s.off, g3, batch, false, wN, s.direct, par, pool);
            CpuSequenceKernel.keepPaddedRows(dh, dhNew, cl, t);
            pool.give(dh);
            dh = dhNew;
        }
        pool.give(s.direct);
        return dh;
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
