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
 *
 * <p>Every array comes from the backend's {@link ArrayPool}: the workspaces go back when the call (or the
 * backward pass) ends, what is kept for backward when the result is released (its graph freed), and the
 * outputs and gradients when the tensors wrapping them are closed.
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
        ArrayPool pool = kernel.backend.pool();
        Gemm.Packed<?> wT = Gemm.pack(w, g4, hidden, true, par, pool);
        float[] biasF = pool.floats(g4);
        for (int j = 0; j < g4; j++) {
            biasF[j] = (float) bias[j];
        }
        // padded steps leave their rows of y at 0
        float[] y = cl.full ? pool.floats(batch * steps * hidden) : pool.zeroFloats(batch * steps * hidden);
        boolean keep = cl.backward;
        float[] hPrevAll = keep ? pool.floats(steps * n) : null;
        float[][][] acts = keep ? new float[steps][][] : null;
        float[][] tanhC = keep ? new float[steps][] : null;
        float[][] cPrev = keep ? new float[steps][] : null;
        float[] h = (float[]) pool.copy(h0);
        float[] c = (float[]) pool.copy(c0);
        float[][] hc = CpuSequenceKernel.fuseGates() && Gemm.groupable(wT, 4)
                ? fusedSteps(kernel, cl, xp, biasF, wT, y, h, c, hPrevAll, acts, tanhC, cPrev)
                : steps(kernel, cl, xp, biasF, wT, y, h, c, hPrevAll, acts, tanhC, cPrev);
        h = hc[0];
        c = hc[1];
        pool.give(biasF);
        Gemm.release(wT, pool);
        Tensor[] outputs = {kernel.wrap(y, batch, steps, hidden), kernel.wrap(h, batch, hidden), kernel.wrap(c, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(kernel, grads, cl, w, acts, tanhC, cPrev, hPrevAll, hasBhh, hasBih), () -> {
            // the activations, tanh(c) and the states entering each step: none of them is an output
            for (int k = 0; k < steps; k++) {
                for (float[] g : acts[k]) {
                    pool.give(g);
                }
                pool.give(tanhC[k]);
                pool.give(cPrev[k]);
            }
            pool.give(hPrevAll);
        });
    }

    /**
     * The steps one after the other: the step's product, then its gate math over the whole batch on this thread.
     * Returns the final {@code {h, c}}; fills {@code hPrevAll}, {@code acts}, {@code tanhC} and {@code cPrev} when they
     * are not null (a call that keeps what backward needs).
     */
    private static float[][] steps(LstmSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] biasF, Gemm.Packed<?> wT,
                                   float[] y, float[] h, float[] c, float[] hPrevAll, float[][][] acts, float[][] tanhC, float[][] cPrev) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        int n = batch * hidden;
        boolean keep = acts != null;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        float[][] bq = new float[4][];
        for (int q = 0; q < 4; q++) {
            bq[q] = Vec.tile(biasF, q * hidden, hidden, batch, pool);
        }
        float[] z = pool.floats(n);
        float[] x = pool.floats(n);
        // forward only: one set of step buffers, the states double-buffered (spare = the previous state)
        float[][] a = new float[4][];
        float[] tc = null;
        float[] hSpare = keep ? null : pool.floats(n);
        float[] cSpare = keep ? null : pool.floats(n);
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            float[] pre = (float[]) Gemm.multiplyPacked(h, batch, false, wT, null, par, pool);
            if (keep) {
                a = new float[4][];
            }
            for (int q = 0; q < 4; q++) {
                Vec.gather(pre, 0, g4, q * hidden, hidden, batch, z);
                Vec.gather(xp, t * g4, steps * g4, q * hidden, hidden, batch, x);
                a[q] = keep || a[q] == null ? pool.floats(n) : a[q];
                if (q == 2) {
                    Vec.tanhSum(z, x, bq[q], a[q], n);
                } else {
                    Vec.sigmoidSum(z, x, bq[q], a[q], n);
                }
            }
            pool.give(pre);
            float[] c2 = keep ? pool.floats(n) : cSpare;
            Vec.mulAddMul(a[1], c, a[0], a[2], c2, n);
            tc = keep || tc == null ? pool.floats(n) : tc;
            Vec.tanh(c2, tc, n);
            float[] h2 = keep ? pool.floats(n) : hSpare;
            Vec.mul(a[3], tc, h2, n);
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
                keepStep(k, n, h, c, a, tc, hPrevAll, acts, tanhC, cPrev, pool);
            } else {
                hSpare = h;
                cSpare = c;
            }
            h = h2;
            c = c2;
        }
        for (float[] b : bq) {
            pool.give(b);
        }
        pool.give(z);
        pool.give(x);
        if (!keep) {
            for (float[] g : a) {
                pool.give(g);
            }
            pool.give(tc);
            pool.give(hSpare);
            pool.give(cSpare);
        }
        return new float[][] {h, c};
    }

    /**
     * {@link #steps} with each step's gate math run by the tasks of its product ({@link Gemm#multiplyGrouped}), each on
     * the block of pre-activations it has just computed: the elementwise work runs on every thread, with no gathers.
     */
    private static float[][] fusedSteps(LstmSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] xp, float[] biasF, Gemm.Packed<?> wT,
                                        float[] y, float[] h, float[] c, float[] hPrevAll, float[][][] acts, float[][] tanhC,
                                        float[][] cPrev) {
        int batch = cl.batch;
        int n = batch * cl.hidden;
        boolean keep = acts != null;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        VectorGates.LstmStep s = new VectorGates.LstmStep();
        s.hidden = cl.hidden;
        s.pre = pool.floats(batch * 4 * cl.hidden); // each product writes it whole
        s.xp = xp;
        s.steps = cl.steps;
        s.bias = biasF;
        s.y = y;
        s.padded = cl.full ? null : cl;
        float[] hSpare = keep ? null : pool.floats(n);
        float[] cSpare = keep ? null : pool.floats(n);
        Gemm.GroupEpilogue gates = (i0, i1, j0, j1) -> VectorGates.lstm(s, i0, i1, j0, j1);
        for (int k = 0; k < cl.steps; k++) {
            s.t = cl.time(k);
            s.h = h;
            s.c = c;
            s.hOut = keep ? pool.floats(n) : hSpare;
            s.cOut = keep ? pool.floats(n) : cSpare;
            float[][] a = null;
            if (keep) {
                a = new float[][] {pool.floats(n), pool.floats(n), pool.floats(n), pool.floats(n)};
                s.ai = a[0];
                s.af = a[1];
                s.ag = a[2];
                s.ao = a[3];
                s.tanhC = pool.floats(n);
            }
            Gemm.multiplyGrouped(h, batch, wT, s.pre, 4, par, gates);
            if (keep) {
                keepStep(k, n, h, c, a, s.tanhC, hPrevAll, acts, tanhC, cPrev, pool);
            } else {
                hSpare = h;
                cSpare = c;
            }
            h = s.hOut;
            c = s.cOut;
        }
        pool.give(s.pre);
        if (!keep) {
            pool.give(hSpare);
            pool.give(cSpare);
        }
        return new float[][] {h, c};
    }

    /** Keeps step {@code k}'s activations, {@code tanh(c')} and entering state for backward; {@code h} goes to {@code hPrevAll}. */
    private static void keepStep(int k, int n, float[] h, float[] c, float[][] a, float[] tc, float[] hPrevAll, float[][][] acts,
                                 float[][] tanhC, float[][] cPrev, ArrayPool pool) {
        System.arraycopy(h, 0, hPrevAll, k * n, n);
        acts[k] = a;
        tanhC[k] = tc;
        cPrev[k] = c;
        pool.give(h);
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
        ArrayPool pool = kernel.backend.pool();
        float[] gOut = (float[]) gy[0];
        float[] dh = gy[1] == null ? pool.zeroFloats(n) : (float[]) pool.copy(gy[1]);
        float[] dc = gy[2] == null ? pool.zeroFloats(n) : (float[]) pool.copy(gy[2]);
        float[] dAll = pool.floats(steps * batch * g4);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g4, false, par, pool);
        boolean fused = CpuSequenceKernel.fuseGates() && Gemm.groupable(wN, 1);
        float[][] dhdc = fused ? fusedBackwardSteps(kernel, cl, gOut, dh, dc, dAll, wN, acts, tanhC, cPrev)
                : backwardSteps(kernel, cl, gOut, dh, dc, dAll, wN, acts, tanhC, cPrev);
        dh = dhdc[0];
        dc = dhdc[1];
        Gemm.release(wN, pool);
        Tensor[] dWb = kernel.recurrentWeightGradients(dAll, hPrevAll, hasBhh, cl);
        Tensor dbih = null;
        if (hasBih) {
            dbih = hasBhh ? kernel.wrap(pool.copy(CpuBackend.data(dWb[1])), g4)
                    : kernel.wrap(CpuCellKernel.columnSums(dAll, steps * batch, g4, pool, par), g4);
        }
        float[] dxp = CpuSequenceKernel.toBatchMajor(dAll, cl, g4, par, pool);
        return new Tensor[] {kernel.wrap(dxp, batch, steps, g4), kernel.wrap(dh, batch, hidden), kernel.wrap(dc, batch, hidden),
            dWb[0], dWb[1], dbih};
    }

    /**
     * Backpropagation through the steps, last first: each step's gate gradients (scalar passes over the batch on this
     * thread) go to its block of {@code dAll} ({@code [T, B, 4H]}), then {@code dh = dA_t · W_hh}. Returns the
     * gradients {@code {dh, dc}} of the initial state.
     */
    private static float[][] backwardSteps(LstmSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] gOut, float[] dh, float[] dc,
                                           float[] dAll, Gemm.Packed<?> wN, float[][][] acts, float[][] tanhC, float[][] cPrev) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        float[] dhv = pool.floats(n);
        float[] gyt = pool.floats(n);
        float[] dc2 = pool.floats(n);
        float[][] dA = {pool.floats(n), pool.floats(n), pool.floats(n), pool.floats(n)};
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
            float[] dcNew = pool.floats(n);
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
            float[] dhNew = (float[]) Gemm.multiplyPacked(dAll, off, g4, batch, false, wN, null, par, pool);
            CpuSequenceKernel.keepPaddedRows(dh, dhNew, cl, t);
            pool.give(dh);
            pool.give(dc);
            dh = dhNew;
            dc = dcNew;
        }
        pool.give(dhv);
        pool.give(gyt);
        pool.give(dc2);
        for (float[] d : dA) {
            pool.give(d);
        }
        return new float[][] {dh, dc};
    }

    /**
     * {@link #backwardSteps} with each step's gate gradients computed by {@link VectorGates#lstmBackward} straight into
     * {@code dAll}, split over the threads by hidden units when the batch's block is large; the same floats.
     */
    private static float[][] fusedBackwardSteps(LstmSequenceKernel kernel, CpuSequenceKernel.Call cl, float[] gOut, float[] dh, float[] dc,
                                                float[] dAll, Gemm.Packed<?> wN, float[][][] acts, float[][] tanhC, float[][] cPrev) {
        int batch = cl.batch;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        int n = batch * hidden;
        Parallel par = kernel.backend.parallel();
        ArrayPool pool = kernel.backend.pool();
        VectorGates.LstmBackStep s = new VectorGates.LstmBackStep();
        s.hidden = hidden;
        s.steps = cl.steps;
        s.gOut = gOut;
        s.dAll = dAll;
        s.padded = cl.full ? null : cl;
        Runnable gates = CpuSequenceKernel.splitByHiddenUnits(par, batch, hidden, (j0, j1) -> VectorGates.lstmBackward(s, 0, batch, j0, j1));
        for (int k = cl.steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            float[][] a = acts[k];
            s.t = t;
            s.dh = dh;
            s.dc = dc;
            s.ai = a[0];
            s.af = a[1];
            s.ag = a[2];
            s.ao = a[3];
            s.tanhC = tanhC[k];
            s.cPrev = cPrev[k];
            s.off = k * batch * g4;
            s.dcOut = pool.floats(n);
            gates.run();
            float[] dhNew = (float[]) Gemm.multiplyPacked(dAll, s.off, g4, batch, false, wN, null, par, pool);
            CpuSequenceKernel.keepPaddedRows(dh, dhNew, cl, t);
            pool.give(dh);
            pool.give(dc);
            dh = dhNew;
            dc = s.dcOut;
        }
        return new float[][] {dh, dc};
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
