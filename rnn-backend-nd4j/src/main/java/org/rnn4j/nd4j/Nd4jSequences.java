package org.rnn4j.nd4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.spi.SequenceKernel;
import org.rnn4j.tensor.Tensor;

/**
 * Whole-sequence kernels ({@link KernelKind#LSTM_SEQUENCE}, {@link KernelKind#GRU_SEQUENCE},
 * {@link KernelKind#RNN_TANH_SEQUENCE}, {@link KernelKind#RNN_RELU_SEQUENCE}) on ND4J ops; arguments and
 * output gradients arrive checked by {@link SequenceKernel}.
 *
 * <p>Layout: inside a kernel every per-step block is kept transposed, gates by batch ({@code [G*H, B]}),
 * so that a gate's block is a run of whole rows: contiguous memory, which libnd4j's elementwise ops handle
 * several times faster than the strided column blocks of the batch-first layout. The input projection is
 * permuted once to {@code [T, G*H, B]} (with the biases added once for all steps), the outputs are built as
 * {@code [T, H, B]} and permuted back once. Each step is one gemm ({@code W_hh · h}, accumulated into the
 * step's projection) and a dozen elementwise ops on contiguous blocks; the backward pass collects the gate
 * gradients of all steps so that {@code dW_hh} is one gemm over all {@code T*B} columns and the bias
 * gradients one reduction. A forward-only run ({@link SequenceArgs#backward()} false) keeps nothing per
 * step (the LSTM's gate block is one reused {@code [4H, B]} buffer) and returns {@link Result#outputsOnly}.
 *
 * <p>Lengths ({@link Lengths#activeCount}): steps where every sequence is running need no masking; steps where none is are skipped
 * (forward and backward); only the steps in between blend the state with a per-column 0/1 mask, exactly
 * as the composed path does ({@code old + m * (new - old)}).
 *
 * <p>tanh here is libnd4j's own (in float32 within about 1e-7 absolute of the exact value, like float32
 * rounding itself); the {@code tanh} primitive is more careful near 0 (see {@link Nd4jBackend#tanh}).
 */
final class Nd4jSequences {
    private Nd4jSequences() {
    }

    private static final int FULL = 0;
    private static final int PARTIAL = 1;
    private static final int NONE = 2;

    private static INDArray arr(Tensor t) {
        return t == null ? null : Nd4jBackend.arr(t);
    }

    /** Rows {@code [from, to)} of a 2-D row-major array: a contiguous view. */
    static INDArray rows(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /** Block {@code t} of a {@code [T, R, B]} array: a contiguous {@code [R, B]} view. */
    static INDArray at(INDArray a, long t) {
        return a.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** {@code [B, T, G]} to a fresh {@code [T, G, B]}. */
    static INDArray toStepMajor(INDArray x) {
        return x.permute(1, 2, 0).dup('c');
    }

    /** {@code [T, G, B]} to a fresh {@code [B, T, G]}. */
    static INDArray toBatchFirst(INDArray x) {
        return x.permute(2, 0, 1).dup('c');
    }

    /** {@code [B, H]} to a fresh {@code [H, B]} and back. */
    static INDArray flip(INDArray x) {
        return x.transpose().dup('c');
    }

    /** The order of the steps, their kinds and, for partly padded steps, the column masks m and 1 - m. */
    static final class Steps {
        final int count;
        final int[] order;
        final int[] kind;
        final INDArray[] mask;
        final INDArray[] keep;

        Steps(int steps, int batch, boolean reverse, Lengths lengths, DataType dt) {
            this.count = steps;
            this.order = new int[steps];
            this.kind = new int[steps];
            this.mask = new INDArray[steps];
            this.keep = new INDArray[steps];
            for (int k = 0; k < steps; k++) {
                order[k] = reverse ? steps - 1 - k : k;
            }
            for (int t = 0; t < steps; t++) {
                int running = lengths.activeCount(t);
                kind[t] = running == batch ? FULL : running == 0 ? NONE : PARTIAL;
                if (kind[t] == PARTIAL) {
                    double[] m = lengths.stepMask(t, 1);
                    double[] mk = new double[batch];
                    for (int b = 0; b < batch; b++) {
                        mk[b] = 1 - m[b];
                    }
                    mask[t] = Nd4j.create(m, new long[] {batch}, dt);
                    keep[t] = Nd4j.create(mk, new long[] {batch}, dt);
                }
            }
        }
    }

    /** {@code [T, G*H, B]} input projection with {@code bias} ({@code [G*H]}, may be null) added to every step. */
    private static INDArray projection(INDArray xProj, INDArray bias) {
        INDArray xT = toStepMajor(xProj);
        if (bias != null) {
            Nd4j.getExecutioner().exec(new BroadcastAddOp(xT, bias, xT, 1));
        }
        return xT;
    }

    /** Sum of two possibly-null bias vectors, or null. */
    private static INDArray sum(INDArray a, INDArray b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.add(b);
    }

    /** {@code dPre [T, R, B]} reshaped for one gemm: a fresh {@code [R, T*B]}. */
    private static INDArray byRow(INDArray all) {
        long t = all.size(0);
        long r = all.size(1);
        long b = all.size(2);
        return all.permute(1, 0, 2).dup('c').reshape('c', new long[] {r, t * b});
    }

    /** {@code hPrev [T, H, B]} as a fresh {@code [T*B, H]}. */
    private static INDArray byColumn(INDArray all) {
        long t = all.size(0);
        long h = all.size(1);
        long b = all.size(2);
        return all.permute(0, 2, 1).dup('c').reshape('c', new long[] {t * b, h});
    }

    /** {@code dPre [T, R, B]} summed over steps and batch: {@code [R]}. */
    private static INDArray biasGrad(INDArray all) {
        return all.sum(0, 2);
    }

    // =====================================================================================
    // common driver
    // =====================================================================================

    /** What one cell type does per step, in the transposed layout. */
    private abstract static class Seq extends SequenceKernel {
        final Nd4jBackend backend;

        Seq(Nd4jBackend backend, KernelKind kind) {
            super(backend, kind);
            this.backend = backend;
        }

        @Override
        protected Result forward(SequenceArgs args, Dims d) {
            DataType dt = Nd4jTensor.dataTypeOf(d.dtype());
            Steps st = new Steps(d.steps(), d.batch(), args.reverse(), args.lengths(), dt);
            INDArray[] state = new INDArray[kind().states()];
            state[0] = flip(arr(args.h0()));
            if (state.length > 1) {
                state[1] = flip(arr(args.c0()));
            }
            return run(st, arr(args.xProj()), state, arr(args.weightHh()), arr(args.biasHh()), arr(args.biasIh()), args);
        }

        abstract Result run(Steps st, INDArray xProj, INDArray[] state, INDArray w, INDArray bhh, INDArray bih, SequenceArgs args);

        /** The gradients in {@link SequenceArgs#tensors()} order (null for null arguments). */
        Tensor[] grads(SequenceArgs args, INDArray dx, INDArray[] dState, INDArray dw, INDArray dbhh, INDArray dbih) {
            return new Tensor[] {backend.wrap(dx), backend.wrap(flip(dState[0])), dState.length > 1 ? backend.wrap(flip(dState[1])) : null,
                backend.wrap(dw), args.biasHh() != null ? backend.wrap(dbhh) : null, args.biasIh() != null ? backend.wrap(dbih) : null};
        }
    }

    // =====================================================================================
    // LSTM
    // =====================================================================================

    /** Inputs xProj [B,T,4H], h0, c0, W_hh [4H,H], b_hh, b_ih; outputs y [B,T,H], h_T, c_T. */
    static final class Lstm extends Seq {
        Lstm(Nd4jBackend backend) {
            super(backend, KernelKind.LSTM_SEQUENCE);
        }

        @Override
        Result run(Steps st, INDArray xProj, INDArray[] state, INDArray w, INDArray bhh, INDArray bih, SequenceArgs args) {
            long hs = w.size(1);
            long batch = xProj.size(0);
            int steps = st.count;
            DataType dt = xProj.dataType();
            INDArray xT = projection(xProj, sum(bih, bhh));
            INDArray yT = Nd4j.zeros(dt, steps, hs, batch);
            boolean keep = args.backward();
            INDArray hPrevAll = keep ? Nd4j.zeros(dt, steps, hs, batch) : null;
            INDArray[] pres = new INDArray[steps];
            INDArray[] cPrevs = new INDArray[steps];
            INDArray[] tcs = new INDArray[steps];
            INDArray preBuf = keep ? null : Nd4j.create(dt, 4 * hs, batch); // forward only: one step's gates, reused
            INDArray h = state[0];
            INDArray c = state[1];
            for (int k = 0; k < steps; k++) {
                int t = st.order[k];
                if (st.kind[t] == NONE) {
                    continue;
                }
                INDArray pre = keep ? at(xT, t).dup('c') : preBuf.assign(at(xT, t));
                Nd4j.gemm(w, h, pre, false, false, 1.0, 1.0);
                Transforms.sigmoid(rows(pre, 0, 2 * hs), false);
                Transforms.tanh(rows(pre, 2 * hs, 3 * hs), false);
                Transforms.sigmoid(rows(pre, 3 * hs, 4 * hs), false);
                INDArray i = rows(pre, 0, hs);
                INDArray f = rows(pre, hs, 2 * hs);
                INDArray g = rows(pre, 2 * hs, 3 * hs);
                INDArray o = rows(pre, 3 * hs, 4 * hs);
                INDArray c2 = f.mul(c).addi(i.mul(g));
                INDArray tc = Transforms.tanh(c2, true);
                if (keep) {
                    at(hPrevAll, t).assign(h);
                    pres[t] = pre;
                    cPrevs[t] = c;
                    tcs[t] = tc;
                }
                INDArray y = at(yT, t);
                if (st.kind[t] == FULL) {
                    o.mul(tc, y);
                    h = y;
                    c = c2;
                } else {
                    INDArray h2 = o.mul(tc);
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(h2, st.mask[t], y, 1));
                    h = h.add(h2.subi(h).muliRowVector(st.mask[t]));
                    c = c.add(c2.subi(c).muliRowVector(st.mask[t]));
                }
            }
            Nd4jTensor yOut = backend.wrap(toBatchFirst(yT));
            Nd4jTensor hOut = backend.wrap(flip(h));
            Nd4jTensor cOut = backend.wrap(flip(c));
            if (!keep) {
                return Result.outputsOnly(yOut, hOut, cOut);
            }
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {yOut, hOut, cOut};
                }

                @Override
                public Tensor[] backward(Tensor... g) {
                    INDArray dy = arr(g[0]);
                    INDArray dhT = arr(g[1]);
                    INDArray dcT = arr(g[2]);
                    INDArray wv = arr(args.weightHh());
                    INDArray dyT = dy == null ? null : toStepMajor(dy);
                    INDArray dh = dhT == null ? Nd4j.zeros(dt, hs, batch) : flip(dhT);
                    INDArray dc = dcT == null ? Nd4j.zeros(dt, hs, batch) : flip(dcT);
                    INDArray dPreAll = Nd4j.zeros(dt, steps, 4 * hs, batch);
                    for (int k = steps - 1; k >= 0; k--) {
                        int t = st.order[k];
                        if (st.kind[t] == NONE) {
                            continue;
                        }
                        INDArray pre = pres[t];
                        INDArray i = rows(pre, 0, hs);
                        INDArray f = rows(pre, hs, 2 * hs);
                        INDArray gg = rows(pre, 2 * hs, 3 * hs);
                        INDArray o = rows(pre, 3 * hs, 4 * hs);
                        INDArray tc = tcs[t];
                        INDArray dh2 = dyT == null ? dh : dh.add(at(dyT, t));
                        INDArray dc2 = dc;
                        INDArray dhKeep = null;
                        INDArray dcKeep = null;
                        if (st.kind[t] == PARTIAL) {
                            dhKeep = dh.mulRowVector(st.keep[t]);
                            dcKeep = dc.mulRowVector(st.keep[t]);
                            dh2 = dh2 == dh ? dh.mulRowVector(st.mask[t]) : dh2.muliRowVector(st.mask[t]);
                            dc2 = dc.mulRowVector(st.mask[t]);
                        }
                        // dc_total = dc' + dh' * o * (1 - tanh(c')^2)
                        INDArray dct = tc.mul(tc).rsubi(1.0).muli(o).muli(dh2).addi(dc2);
                        INDArray dPre = at(dPreAll, t);
                        Nd4j.exec(new TimesOneMinus(pre, dPre));
                        INDArray di = rows(dPre, 0, hs);
                        INDArray df = rows(dPre, hs, 2 * hs);
                        INDArray dg = rows(dPre, 2 * hs, 3 * hs);
                        INDArray dO = rows(dPre, 3 * hs, 4 * hs);
                        gg.mul(gg, dg).rsubi(1.0);
                        di.muli(gg).muli(dct);
                        df.muli(cPrevs[t]).muli(dct);
                        dg.muli(i).muli(dct);
                        dO.muli(tc).muli(dh2);
                        dc = dct.muli(f);
                        dh = Nd4jBackend.gemm(wv, dPre, true, false);
                        if (dhKeep != null) {
                            dh.addi(dhKeep);
                            dc.addi(dcKeep);
                        }
                    }
                    INDArray dw = Nd4jBackend.gemm(byRow(dPreAll), byColumn(hPrevAll), false, false);
                    INDArray db = biasGrad(dPreAll);
                    return grads(args, toBatchFirst(dPreAll), new INDArray[] {dh, dc}, dw, db, db.dup());
                }
            };
        }
    }

    // =====================================================================================
    // GRU
    // =====================================================================================

    /**
     * Inputs xProj [B,T,3H], h0, W_hh [3H,H], b_hh, b_ih; outputs y [B,T,H], h_T. {@code b_ih} and the r, z
     * rows of {@code b_hh} are added to the projection once; the n rows of {@code b_hh} stay inside
     * {@code r * (W_hn h + b_hn)}.
     */
    static final class Gru extends Seq {
        Gru(Nd4jBackend backend) {
            super(backend, KernelKind.GRU_SEQUENCE);
        }

        @Override
        Result run(Steps st, INDArray xProj, INDArray[] state, INDArray w, INDArray bhh, INDArray bih, SequenceArgs args) {
            long hs = w.size(1);
            long batch = xProj.size(0);
            int steps = st.count;
            DataType dt = xProj.dataType();
            INDArray bhn = null;
            INDArray bias = bih;
            if (bhh != null) {
                INDArray rz = bhh.dup('c');
                rz.get(NDArrayIndex.interval(2 * hs, 3 * hs)).assign(0);
                bias = sum(bih, rz);
                bhn = bhh.get(NDArrayIndex.interval(2 * hs, 3 * hs)).dup('c').reshape('c', new long[] {hs, 1});
            }
            INDArray xT = projection(xProj, bias);
            INDArray yT = Nd4j.zeros(dt, steps, hs, batch);
            boolean keep = args.backward();
            INDArray hPrevAll = keep ? Nd4j.zeros(dt, steps, hs, batch) : null;
            INDArray[] rzs = new INDArray[steps];
            INDArray[] ns = new INDArray[steps];
            INDArray[] hhns = new INDArray[steps];
            INDArray h = state[0];
            for (int k = 0; k < steps; k++) {
                int t = st.order[k];
                if (st.kind[t] == NONE) {
                    continue;
                }
                INDArray x = at(xT, t);
                INDArray hh = Nd4jBackend.gemm(w, h, false, false);
                INDArray hhn = rows(hh, 2 * hs, 3 * hs);
                if (bhn != null) {
                    hhn.addiColumnVector(bhn);
                }
                INDArray rz = Transforms.sigmoid(rows(x, 0, 2 * hs).add(rows(hh, 0, 2 * hs)), false);
                INDArray r = rows(rz, 0, hs);
                INDArray z = rows(rz, hs, 2 * hs);
                INDArray n = Transforms.tanh(r.mul(hhn).addi(rows(x, 2 * hs, 3 * hs)), false);
                if (keep) {
                    at(hPrevAll, t).assign(h);
                    rzs[t] = rz;
                    ns[t] = n;
                    hhns[t] = hhn;
                }
                INDArray y = at(yT, t);
                // h' = n + z * (h - n)
                INDArray h2 = h.sub(n).muli(z).addi(n);
                if (st.kind[t] == FULL) {
                    y.assign(h2);
                    h = h2;
                } else {
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(h2, st.mask[t], y, 1));
                    h = h.add(h2.subi(h).muliRowVector(st.mask[t]));
                }
            }
            Nd4jTensor yOut = backend.wrap(toBatchFirst(yT));
            Nd4jTensor hOut = backend.wrap(flip(h));
            if (!keep) {
                return Result.outputsOnly(yOut, hOut);
            }
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {yOut, hOut};
                }

                @Override
                public Tensor[] backward(Tensor... g) {
                    INDArray dy = arr(g[0]);
                    INDArray dhT = arr(g[1]);
                    INDArray wv = arr(args.weightHh());
                    INDArray dyT = dy == null ? null : toStepMajor(dy);
                    INDArray dh = dhT == null ? Nd4j.zeros(dt, hs, batch) : flip(dhT);
                    INDArray dxAll = Nd4j.zeros(dt, steps, 3 * hs, batch);
                    INDArray dhhAll = Nd4j.zeros(dt, steps, 3 * hs, batch);
                    for (int k = steps - 1; k >= 0; k--) {
                        int t = st.order[k];
                        if (st.kind[t] == NONE) {
                            continue;
                        }
                        INDArray rz = rzs[t];
                        INDArray r = rows(rz, 0, hs);
                        INDArray z = rows(rz, hs, 2 * hs);
                        INDArray n = ns[t];
                        INDArray hhn = hhns[t];
                        INDArray hPrev = at(hPrevAll, t);
                        INDArray dh2 = dyT == null ? dh : dh.add(at(dyT, t));
                        INDArray dhKeep = null;
                        if (st.kind[t] == PARTIAL) {
                            dhKeep = dh.mulRowVector(st.keep[t]);
                            dh2 = dh2 == dh ? dh.mulRowVector(st.mask[t]) : dh2.muliRowVector(st.mask[t]);
                        }
                        INDArray dx = at(dxAll, t);
                        INDArray dhh = at(dhhAll, t);
                        // dn (pre-activation) = dh' * (1 - z) * (1 - n^2)
                        INDArray dn = rows(dx, 2 * hs, 3 * hs);
                        n.mul(n, dn).rsubi(1.0).muli(dh2).muli(z.rsub(1.0));
                        // dr, dz (pre-activation) = r(1-r) * dn * hhn, z(1-z) * dh' * (h - n)
                        INDArray drz = rows(dx, 0, 2 * hs);
                        Nd4j.exec(new TimesOneMinus(rz, drz));
                        rows(drz, 0, hs).muli(dn).muli(hhn);
                        rows(drz, hs, 2 * hs).muli(dh2).muli(hPrev.sub(n));
                        rows(dhh, 0, 2 * hs).assign(drz);
                        dn.mul(r, rows(dhh, 2 * hs, 3 * hs));
                        INDArray dhPrev = Nd4jBackend.gemm(wv, dhh, true, false);
                        dhPrev.addi(dh2.mul(z));
                        if (dhKeep != null) {
                            dhPrev.addi(dhKeep);
                        }
                        dh = dhPrev;
                    }
                    INDArray dw = Nd4jBackend.gemm(byRow(dhhAll), byColumn(hPrevAll), false, false);
                    INDArray dbhh = biasGrad(dhhAll);
                    INDArray dbih = biasGrad(dxAll);
                    return grads(args, toBatchFirst(dxAll), new INDArray[] {dh}, dw, dbhh, dbih);
                }
            };
        }
    }

    // =====================================================================================
    // Elman
    // =====================================================================================

    /** Inputs xProj [B,T,H], h0, W_hh [H,H], b_hh, b_ih; outputs y [B,T,H], h_T. */
    static final class Elman extends Seq {
        private final boolean relu;

        Elman(Nd4jBackend backend, boolean relu) {
            super(backend, relu ? KernelKind.RNN_RELU_SEQUENCE : KernelKind.RNN_TANH_SEQUENCE);
            this.relu = relu;
        }

        @Override
        Result run(Steps st, INDArray xProj, INDArray[] state, INDArray w, INDArray bhh, INDArray bih, SequenceArgs args) {
            long hs = w.size(1);
            long batch = xProj.size(0);
            int steps = st.count;
            DataType dt = xProj.dataType();
            INDArray xT = projection(xProj, sum(bih, bhh));
            INDArray yT = Nd4j.zeros(dt, steps, hs, batch);
            boolean keep = args.backward();
            INDArray hPrevAll = keep ? Nd4j.zeros(dt, steps, hs, batch) : null;
            INDArray[] acts = new INDArray[steps];
            INDArray h = state[0];
            for (int k = 0; k < steps; k++) {
                int t = st.order[k];
                if (st.kind[t] == NONE) {
                    continue;
                }
                INDArray pre = at(xT, t).dup('c');
                Nd4j.gemm(w, h, pre, false, false, 1.0, 1.0);
                INDArray h2 = relu ? Transforms.relu(pre, false) : Transforms.tanh(pre, false);
                if (keep) {
                    at(hPrevAll, t).assign(h);
                    acts[t] = h2;
                }
                INDArray y = at(yT, t);
                if (st.kind[t] == FULL) {
                    y.assign(h2);
                    h = h2;
                } else {
                    Nd4j.getExecutioner().exec(new BroadcastMulOp(h2, st.mask[t], y, 1));
                    h = h.add(h2.sub(h).muliRowVector(st.mask[t]));
                }
            }
            Nd4jTensor yOut = backend.wrap(toBatchFirst(yT));
            Nd4jTensor hOut = backend.wrap(flip(h));
            if (!keep) {
                return Result.outputsOnly(yOut, hOut);
            }
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {yOut, hOut};
                }

                @Override
                public Tensor[] backward(Tensor... g) {
                    INDArray dy = arr(g[0]);
                    INDArray dhT = arr(g[1]);
                    INDArray wv = arr(args.weightHh());
                    INDArray dyT = dy == null ? null : toStepMajor(dy);
                    INDArray dh = dhT == null ? Nd4j.zeros(dt, hs, batch) : flip(dhT);
                    INDArray dPreAll = Nd4j.zeros(dt, steps, hs, batch);
                    for (int k = steps - 1; k >= 0; k--) {
                        int t = st.order[k];
                        if (st.kind[t] == NONE) {
                            continue;
                        }
                        INDArray dh2 = dyT == null ? dh : dh.add(at(dyT, t));
                        INDArray dhKeep = null;
                        if (st.kind[t] == PARTIAL) {
                            dhKeep = dh.mulRowVector(st.keep[t]);
                            dh2 = dh2 == dh ? dh.mulRowVector(st.mask[t]) : dh2.muliRowVector(st.mask[t]);
                        }
                        INDArray dPre = at(dPreAll, t);
                        dPre.assign(relu ? Nd4jBackend.reluGrad(acts[t], dh2) : Nd4jBackend.tanhGrad(acts[t], dh2));
                        dh = Nd4jBackend.gemm(wv, dPre, true, false);
                        if (dhKeep != null) {
                            dh.addi(dhKeep);
                        }
                    }
                    INDArray dw = Nd4jBackend.gemm(byRow(dPreAll), byColumn(hPrevAll), false, false);
                    INDArray db = biasGrad(dPreAll);
                    return grads(args, toBatchFirst(dPreAll), new INDArray[] {dh}, dw, db, db.dup());
                }
            };
        }
    }
}
