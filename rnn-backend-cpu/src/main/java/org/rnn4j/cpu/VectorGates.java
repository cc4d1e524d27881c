package org.rnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 gate math of the recurrent cells on the JDK's vector API, run by the tasks of a grouped matrix product
 * ({@link Gemm#multiplyGrouped}) on the block of pre-activations each has just computed, so that the step's
 * elementwise work runs on every thread while that block is in cache. Like {@link VectorGemm}, only code that
 * runs when the vector kernels are on touches this class.
 *
 * <p>The arithmetic is {@link Vec}'s operation for operation (separate multiplies and adds, no fused
 * multiply-add, the same order of the sums), so a step computes the same floats whichever path runs it.
 */
final class VectorGates {
    private static final VectorSpecies<Float> FS = VectorGemm.FS;
    private static final int FL = FS.length();
    private static final float CLAMP = 7.90531110763549805f;

    private VectorGates() {
    }

    // the coefficients of Vec.tanh as vectors: a product with a vector constant is one node, with a float a broadcast more,
    // and C2 stops inlining a method at a node count that a few tanh with broadcasts reach
    private static final FloatVector HI = FloatVector.broadcast(FS, CLAMP);
    private static final FloatVector LO = FloatVector.broadcast(FS, -CLAMP);
    private static final FloatVector P0 = FloatVector.broadcast(FS, -2.76076847742355e-16f);
    private static final FloatVector P1 = FloatVector.broadcast(FS, 2.00018790482477e-13f);
    private static final FloatVector P2 = FloatVector.broadcast(FS, -8.60467152213735e-11f);
    private static final FloatVector P3 = FloatVector.broadcast(FS, 5.12229709037114e-08f);
    private static final FloatVector P4 = FloatVector.broadcast(FS, 1.48572235717979e-05f);
    private static final FloatVector P5 = FloatVector.broadcast(FS, 6.37261928875436e-04f);
    private static final FloatVector P6 = FloatVector.broadcast(FS, 4.89352455891786e-03f);
    private static final FloatVector Q0 = FloatVector.broadcast(FS, 1.19825839466702e-06f);
    private static final FloatVector Q1 = FloatVector.broadcast(FS, 1.18534705686654e-04f);
    private static final FloatVector Q2 = FloatVector.broadcast(FS, 2.26843463243900e-03f);
    private static final FloatVector Q3 = FloatVector.broadcast(FS, 4.89352518554385e-03f);
    private static final FloatVector HALF = FloatVector.broadcast(FS, 0.5f);
    private static final FloatVector ONE = FloatVector.broadcast(FS, 1f);

    /** {@link Vec#tanh(float)} lane by lane. */
    static FloatVector tanh(FloatVector x) {
        FloatVector v = x.min(HI).max(LO);
        FloatVector x2 = v.mul(v);
        FloatVector p = x2.mul(P0).add(P1);
        p = p.mul(x2).add(P2);
        p = p.mul(x2).add(P3);
        p = p.mul(x2).add(P4);
        p = p.mul(x2).add(P5);
        p = p.mul(x2).add(P6);
        FloatVector q = x2.mul(Q0).add(Q1);
        q = q.mul(x2).add(Q2);
        q = q.mul(x2).add(Q3);
        return v.mul(p).div(q);
    }

    /** Where one LSTM step reads and writes; the arrays of the step, shared by its tasks. */
    static final class LstmStep {
        int hidden;
        /** {@code [B, 4H]} pre-activations {@code h W_hh^T}; a forward-only step leaves its activations there. */
        float[] pre;
        /** {@code [B, T, 4H]} input projections, step {@code t} read. */
        float[] xp;
        int steps;
        int t;
        /** {@code [4H]} both biases summed. */
        float[] bias;
        /** {@code [B, H]} state entering the step, read; {@code hOut}, {@code cOut} written. */
        float[] h;
        float[] c;
        float[] hOut;
        float[] cOut;
        /** {@code [B, T, H]}: row {@code (b, t)} written where the step is valid for {@code b}. */
        float[] y;
        /** Kept for backward when not null, each {@code [B, H]}: i, f, g, o, tanh(c'). */
        float[] ai;
        float[] af;
        float[] ag;
        float[] ao;
        float[] tanhC;
        /** Validity of {@code (b, t)}; null when no sequence is padded. */
        CpuSequenceKernel.Call padded;
    }

    /**
     * The step for rows {@code [i0, i1)} and hidden units {@code [j0, j1)} (multiples of the vector length). The work is
     * in two short loops, each with one {@link #tanh}: in one long body C2 stopped inlining at its node-count cutoff
     * and left calls whose vectors were boxed (twice the step's time at B = 1). A forward-only call holds the
     * activations in the block of {@code pre} it is done with.
     */
    static void lstm(LstmStep s, int i0, int i1, int j0, int j1) {
        int hid = s.hidden;
        int g4 = 4 * hid;
        float[] pre = s.pre;
        boolean keep = s.ai != null;
        for (int b = i0; b < i1; b++) {
            int po = b * g4;
            int xo = (b * s.steps + s.t) * g4;
            int so = b * hid;
            for (int q = 0; q < 4; q++) {
                // i, f, g, o go to the arrays kept for backward, or over this row's gate in pre
                activate(q != 2, pre, po + q * hid, s.xp, xo + q * hid, s.bias, q * hid, keep ? gateArray(s, q) : pre, keep ? so : po + q * hid,
                        j0, j1);
            }
            boolean valid = s.padded == null || s.padded.valid(b, s.t);
            // one call site, so that C2 inlines it once (see above)
            lstmCell(keep ? s.ai : pre, keep ? s.af : pre, keep ? s.ag : pre, keep ? s.ao : pre, keep ? so : po, keep ? 0 : hid, s, so,
                    (b * s.steps + s.t) * hid, valid, j0, j1);
        }
    }

    private static float[] gateArray(LstmStep s, int q) {
        return q == 0 ? s.ai : q == 1 ? s.af : q == 2 ? s.ag : s.ao;
    }

    /**
     * {@code out[o + j] = act(pre[p + j] + xp[x + j] + bias[bo + j])} for {@code j} in {@code [j0, j1)}, {@code act}
     * the sigmoid ({@link Vec#sigmoidSum}) or tanh ({@link Vec#tanhSum}).
     */
    private static void activate(boolean sigmoid, float[] pre, int p, float[] xp, int x, float[] bias, int bo, float[] out, int o, int j0,
                                 int j1) {
        for (int j = j0; j < j1; j += FL) {
            FloatVector v = gate(pre, p + j, xp, x + j, bias, bo + j);
            if (sigmoid) {
                v = v.mul(HALF);
            }
            FloatVector t = tanh(v);
            if (sigmoid) {
                t = t.mul(HALF).add(HALF);
            }
            t.intoArray(out, o + j);
        }
    }

    /**
     * {@code c' = f c + i g}, {@code h' = o tanh(c')} from the gates (gate {@code q} at {@code aOff + q * gs} of its
     * array: {@code gs} is H for the gates side by side in {@code pre}, 0 for one array each), {@code tanh(c')} kept when
     * {@code s.tanhC} is not null; a padded step keeps the state.
     */
    private static void lstmCell(float[] ai, float[] af, float[] ag, float[] ao, int aOff, int gs, LstmStep s, int so, int yo, boolean valid,
                                 int j0, int j1) {
        for (int j = j0; j < j1; j += FL) {
            FloatVector c = FloatVector.fromArray(FS, s.c, so + j);
            FloatVector c2 = FloatVector.fromArray(FS, af, aOff + gs + j).mul(c)
                    .add(FloatVector.fromArray(FS, ai, aOff + j).mul(FloatVector.fromArray(FS, ag, aOff + 2 * gs + j)));
            FloatVector tc = tanh(c2);
            FloatVector h2 = FloatVector.fromArray(FS, ao, aOff + 3 * gs + j).mul(tc);
            if (s.tanhC != null) {
                tc.intoArray(s.tanhC, so + j);
            }
            if (valid) {
                c2.intoArray(s.cOut, so + j);
                h2.intoArray(s.hOut, so + j);
                h2.intoArray(s.y, yo + j);
            } else {
                // padding: the state stays
                c.intoArray(s.cOut, so + j);
                FloatVector.fromArray(FS, s.h, so + j).intoArray(s.hOut, so + j);
            }
        }
    }

    /** Where one GRU step reads and writes; the arrays of the step, shared by its tasks. */
    static final class GruStep {
        int hidden;
        /** {@code [B, 3H]} products {@code h W_hh^T}; a forward-only step leaves its r and z there. */
        float[] pre;
        /** {@code [B, T, 3H]} input projections, step {@code t} read. */
        float[] xp;
        int steps;
        int t;
        /** {@code [3H]}: {@code b_ih + b_hh} (r and z read), {@code b_hh} and {@code b_ih} (their n parts read). */
        float[] biasSum;
        float[] biasH;
        float[] biasX;
        /** {@code [B, H]} state entering the step, read; {@code hOut} written. */
        float[] h;
        float[] hOut;
        /** {@code [B, T, H]}: row {@code (b, t)} written where the step is valid for {@code b}. */
        float[] y;
        /** Kept for backward when not null, each {@code [B, H]}: r, z, {@code h W_hn^T + b_hn}, n. */
        float[] r;
        float[] z;
        float[] hn;
        float[] nGate;
        CpuSequenceKernel.Call padded;
    }

    /**
     * The GRU step for rows {@code [i0, i1)}, hidden units {@code [j0, j1)}: {@code r, z = sigmoid(x + h W^T + b)},
     * {@code n = tanh(x_n + b_in + r (h W_hn^T + b_hn))}, {@code h' = n + z (h - n)}, in {@code GruSequenceF32}'s order of
     * operations; one call site per loop as in {@link #lstm}.
     */
    static void gru(GruStep s, int i0, int i1, int j0, int j1) {
        int hid = s.hidden;
        int g3 = 3 * hid;
        float[] pre = s.pre;
        boolean keep = s.r != null;
        for (int b = i0; b < i1; b++) {
            int po = b * g3;
            int xo = (b * s.steps + s.t) * g3;
            int so = b * hid;
            for (int q = 0; q < 2; q++) {
                activate(true, pre, po + q * hid, s.xp, xo + q * hid, s.biasSum, q * hid, keep ? (q == 0 ? s.r : s.z) : pre,
                        keep ? so : po + q * hid, j0, j1);
            }
            boolean valid = s.padded == null || s.padded.valid(b, s.t);
            gruCell(keep ? s.r : pre, keep ? s.z : pre, keep ? so : po, keep ? 0 : hid, s, po, xo, so, (b * s.steps + s.t) * hid, valid, j0,
                    j1);
        }
    }

    /** The new gate and the state of one row of {@link #gru}: r and z at {@code rz + j} and {@code rz + zs + j}. */
    private static void gruCell(float[] ra, float[] za, int rz, int zs, GruStep s, int po, int xo, int so, int yo, boolean valid, int j0,
                                int j1) {
        int hid = s.hidden;
        for (int j = j0; j < j1; j += FL) {
            FloatVector hn = FloatVector.fromArray(FS, s.pre, po + 2 * hid + j).add(FloatVector.fromArray(FS, s.biasH, 2 * hid + j));
            FloatVector r = FloatVector.fromArray(FS, ra, rz + j);
            FloatVector n = tanh(FloatVector.fromArray(FS, s.xp, xo + 2 * hid + j).add(FloatVector.fromArray(FS, s.biasX, 2 * hid + j))
                    .add(r.mul(hn)));
            FloatVector h = FloatVector.fromArray(FS, s.h, so + j);
            if (s.hn != null) {
                hn.intoArray(s.hn, so + j);
                n.intoArray(s.nGate, so + j);
            }
            if (valid) {
                FloatVector h2 = n.add(FloatVector.fromArray(FS, za, rz + zs + j).mul(h.sub(n)));
                h2.intoArray(s.hOut, so + j);
                h2.intoArray(s.y, yo + j);
            } else {
                h.intoArray(s.hOut, so + j);
            }
        }
    }

    /** Where one backward step of a GRU reads and writes; shared by its tasks. */
    static final class GruBackStep {
        int hidden;
        int steps;
        int t;
        /** {@code [B, H]} gradient reaching the step's h, read. */
        float[] dh;
        /** {@code [B, T, H]} gradient of y, or null. */
        float[] gOut;
        /** The step's kept r, z, hn, n and entering h, each {@code [B, H]}. */
        float[] r;
        float[] z;
        float[] hn;
        float[] nGate;
        float[] hPrev;
        /** {@code [T, B, 3H]}: gradients of the input-side and the hidden-side pre-activations, the step's block at {@code off} written. */
        float[] dAllX;
        float[] dAllH;
        int off;
        /** {@code [B, H]} the part of the entering h's gradient that does not go through W_hh ({@code g z}), written. */
        float[] direct;
        CpuSequenceKernel.Call padded;
    }

    /** The GRU gate gradients of rows {@code [i0, i1)}, hidden units {@code [j0, j1)}, in {@code GruSequenceF32}'s order of operations. */
    static void gruBackward(GruBackStep s, int i0, int i1, int j0, int j1) {
        int hid = s.hidden;
        int g3 = 3 * hid;
        for (int b = i0; b < i1; b++) {
            int so = b * hid;
            int da = s.off + b * g3;
            if (s.padded != null && !s.padded.valid(b, s.t)) {
                for (int q = 0; q < 3; q++) {
                    java.util.Arrays.fill(s.dAllX, da + q * hid + j0, da + q * hid + j1, 0f);
                    java.util.Arrays.fill(s.dAllH, da + q * hid + j0, da + q * hid + j1, 0f);
                }
                java.util.Arrays.fill(s.direct, so + j0, so + j1, 0f);
                continue;
            }
            int yo = (b * s.steps + s.t) * hid;
            for (int j = j0; j < j1; j += FL) {
                FloatVector g = FloatVector.fromArray(FS, s.dh, so + j);
                if (s.gOut != null) {
                    g = g.add(FloatVector.fromArray(FS, s.gOut, yo + j));
                }
                FloatVector r = FloatVector.fromArray(FS, s.r, so + j);
                FloatVector z = FloatVector.fromArray(FS, s.z, so + j);
                FloatVector n = FloatVector.fromArray(FS, s.nGate, so + j);
                FloatVector dn = g.mul(ONE.sub(z)).mul(ONE.sub(n.mul(n)));
                FloatVector dr = dn.mul(FloatVector.fromArray(FS, s.hn, so + j)).mul(r).mul(ONE.sub(r));
                FloatVector dz = g.mul(FloatVector.fromArray(FS, s.hPrev, so + j).sub(n)).mul(z).mul(ONE.sub(z));
                dr.intoArray(s.dAllX, da + j);
                dz.intoArray(s.dAllX, da + hid + j);
                dn.intoArray(s.dAllX, da + 2 * hid + j);
                dr.intoArray(s.dAllH, da + j);
                dz.intoArray(s.dAllH, da + hid + j);
                dn.mul(r).intoArray(s.dAllH, da + 2 * hid + j);
                g.mul(z).intoArray(s.direct, so + j);
            }
        }
    }

    /** Where one backward step of an LSTM reads and writes; shared by its tasks. */
    static final class LstmBackStep {
        int hidden;
        int steps;
        int t;
        /** {@code [B, H]} gradients reaching the step's h and c, read. */
        float[] dh;
        float[] dc;
        /** {@code [B, T, H]} gradient of y, or null. */
        float[] gOut;
        /** The step's kept activations, tanh(c') and entering c, each {@code [B, H]}. */
        float[] ai;
        float[] af;
        float[] ag;
        float[] ao;
        float[] tanhC;
        float[] cPrev;
        /** {@code [T, B, 4H]} pre-activation gradients: the step's block at {@code off} written. */
        float[] dAll;
        int off;
        /** {@code [B, H]} gradient of the entering c, written. */
        float[] dcOut;
        CpuSequenceKernel.Call padded;
    }

    /**
     * The gate gradients of rows {@code [i0, i1)}, hidden units {@code [j0, j1)} (multiples of the vector length): the
     * arithmetic of {@code LstmSequenceF32}'s scalar loops, operation for operation, written straight into the step's
     * block of {@code dAll}. A padded step passes {@code dc} through and leaves zero gate gradients.
     */
    static void lstmBackward(LstmBackStep s, int i0, int i1, int j0, int j1) {
        int hid = s.hidden;
        int g4 = 4 * hid;
        for (int b = i0; b < i1; b++) {
            int so = b * hid;
            int da = s.off + b * g4;
            if (s.padded != null && !s.padded.valid(b, s.t)) {
                for (int q = 0; q < 4; q++) {
                    java.util.Arrays.fill(s.dAll, da + q * hid + j0, da + q * hid + j1, 0f);
                }
                System.arraycopy(s.dc, so + j0, s.dcOut, so + j0, j1 - j0);
                continue;
            }
            int yo = (b * s.steps + s.t) * hid;
            for (int j = j0; j < j1; j += FL) {
                FloatVector dhv = FloatVector.fromArray(FS, s.dh, so + j);
                if (s.gOut != null) {
                    dhv = dhv.add(FloatVector.fromArray(FS, s.gOut, yo + j));
                }
                FloatVector i = FloatVector.fromArray(FS, s.ai, so + j);
                FloatVector f = FloatVector.fromArray(FS, s.af, so + j);
                FloatVector g = FloatVector.fromArray(FS, s.ag, so + j);
                FloatVector o = FloatVector.fromArray(FS, s.ao, so + j);
                FloatVector tc = FloatVector.fromArray(FS, s.tanhC, so + j);
                FloatVector dc2 = FloatVector.fromArray(FS, s.dc, so + j).add(dhv.mul(o).mul(ONE.sub(tc.mul(tc))));
                dhv.mul(tc).mul(o).mul(ONE.sub(o)).intoArray(s.dAll, da + 3 * hid + j);
                dc2.mul(g).mul(i).mul(ONE.sub(i)).intoArray(s.dAll, da + j);
                dc2.mul(FloatVector.fromArray(FS, s.cPrev, so + j)).mul(f).mul(ONE.sub(f)).intoArray(s.dAll, da + hid + j);
                dc2.mul(i).mul(ONE.sub(g.mul(g))).intoArray(s.dAll, da + 2 * hid + j);
                dc2.mul(f).intoArray(s.dcOut, so + j);
            }
        }
    }

    /** {@code (pre + xp) + bias}, the order of {@link Vec#sigmoidSum}. */
    private static FloatVector gate(float[] pre, int p, float[] xp, int x, float[] bias, int j) {
        return FloatVector.fromArray(FS, pre, p).add(FloatVector.fromArray(FS, xp, x)).add(FloatVector.fromArray(FS, bias, j));
    }
}
