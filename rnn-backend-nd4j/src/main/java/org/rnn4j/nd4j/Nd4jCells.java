package org.rnn4j.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.CellKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Tensor;

/**
 * The fused cell steps of {@link Nd4jBackend}, each forward and backward pass a short fixed sequence of
 * ND4J calls on whole {@code [B, G*H]} blocks: one gemm accumulating {@code h · W_hh^T} into a copy of
 * the input projection, the gate activations in place on column views of that block, and for the
 * backward pass the gate gradients assembled as one {@code [B, G*H]} block so that {@code dh},
 * {@code dW_hh} and {@code db_hh} are one gemm (or column sum) each.
 *
 * <p>tanh here is libnd4j's own (in float32 within about 1e-7 absolute of the exact value); the
 * {@code tanh} primitive is more careful near 0 (see {@link Nd4jBackend#tanh}).
 *
 * <p>Arguments and output gradients arrive checked by {@link CellKernel}. Nothing an input points to is modified; arrays a result keeps for its backward pass are either
 * private to it or reached through the output tensors (so using a closed output fails cleanly).
 */
final class Nd4jCells {
    private Nd4jCells() {
    }

    private static INDArray arr(Tensor t) {
        return t == null ? null : Nd4jBackend.arr(t);
    }

    /** Columns {@code [from, to)} of a 2-D array, as a view. */
    private static INDArray cols(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    /** sigmoid (or tanh) of {@code view} into a new contiguous array (libnd4j's own functions). */
    private static INDArray activated(INDArray view, boolean tanh) {
        INDArray out = Nd4j.createUninitialized(view.dataType(), view.shape(), 'c');
        if (tanh) {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(view, out));
        } else {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(view, out));
        }
        return out;
    }

    /** {@code y * (1 - y)} in a new array. */
    private static INDArray timesOneMinus(INDArray y) {
        INDArray out = Nd4j.createUninitialized(y.dataType(), y.shape(), 'c');
        Nd4j.exec(new TimesOneMinus(y, out));
        return out;
    }

    /** {@code xProj + h · W^T (+ b)} in a new array. */
    private static INDArray preActivation(INDArray xProj, INDArray h, INDArray w, INDArray b) {
        INDArray pre = xProj.dup('c');
        Nd4j.gemm(h, w, pre, false, true, 1.0, 1.0);
        if (b != null) {
            pre.addiRowVector(b);
        }
        return pre;
    }

    /** Gradients common to every cell from the pre-activation gradient block {@code dPre [B, G*H]}: dh, dW, db. */
    private static INDArray[] recurrentGrads(INDArray dPre, INDArray h, INDArray w, boolean bias) {
        INDArray dh = Nd4jBackend.gemm(dPre, w, false, false);
        INDArray dw = Nd4jBackend.gemm(dPre, h, true, false);
        INDArray db = bias ? dPre.sum(0) : null;
        return new INDArray[] {dh, dw, db};
    }

    // =====================================================================================
    // Elman
    // =====================================================================================

    /** {@code h' = act(xProj + h W^T + b)}; inputs xProj, h, W_hh, b_hh (may be null). */
    static final class Elman extends CellKernel {
        private final Nd4jBackend backend;
        private final boolean relu;

        Elman(Nd4jBackend backend, boolean relu) {
            super(backend, relu ? KernelKind.RNN_RELU_CELL : KernelKind.RNN_TANH_CELL);
            this.backend = backend;
            this.relu = relu;
        }

        @Override
        protected Result forward(CellArgs args, Dims dims) {
            Tensor xProj = args.xProj();
            Tensor h = args.h();
            Tensor w = args.weightHh();
            Tensor b = args.biasHh();
            INDArray pre = preActivation(arr(xProj), arr(h), arr(w), arr(b));
            INDArray y = relu ? Transforms.relu(pre, false) : Transforms.tanh(pre, false);
            Nd4jTensor out = backend.wrap(y);
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {out};
                }

                @Override
                public Tensor[] backward(Tensor... g) {
                    INDArray dy = arr(g[0]);
                    INDArray yv = out.array();
                    INDArray dPre = relu ? Nd4jBackend.reluGrad(yv, dy) : Nd4jBackend.tanhGrad(yv, dy);
                    INDArray[] r = recurrentGrads(dPre, arr(h), arr(w), b != null);
                    return new Tensor[] {backend.wrap(dPre), backend.wrap(r[0]), null, backend.wrap(r[1]),
                        b == null ? null : backend.wrap(r[2])};
                }
            };
        }
    }

    // =====================================================================================
    // LSTM
    // =====================================================================================

    /** Gates (i, f, g, o); inputs xProj [B,4H], h, c, W_hh [4H,H], b_hh; outputs h', c'. */
    static final class Lstm extends CellKernel {
        private final Nd4jBackend backend;

        Lstm(Nd4jBackend backend) {
            super(backend, KernelKind.LSTM_CELL);
            this.backend = backend;
        }

        @Override
        protected Result forward(CellArgs args, Dims dims) {
            Tensor xProj = args.xProj();
            Tensor h = args.h();
            Tensor c = args.c();
            Tensor w = args.weightHh();
            Tensor b = args.biasHh();
            long hs = h.shape()[1];
            // gates: [i f g o] activated in place (sigmoid on i, f and o; tanh on g)
            // pre-activations [i f g o]; each gate activated out of place into its own contiguous [B, H] array
            INDArray pre = preActivation(arr(xProj), arr(h), arr(w), arr(b));
            INDArray i = activated(cols(pre, 0, hs), false);
            INDArray f = activated(cols(pre, hs, 2 * hs), false);
            INDArray g = activated(cols(pre, 2 * hs, 3 * hs), true);
            INDArray o = activated(cols(pre, 3 * hs, 4 * hs), false);
            INDArray c2 = f.mul(arr(c)).addi(i.mul(g));
            INDArray tc = Transforms.tanh(c2, true);
            INDArray h2 = tc.mul(o);
            Nd4jTensor hOut = backend.wrap(h2);
            Nd4jTensor cOut = backend.wrap(c2);
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {hOut, cOut};
                }

                @Override
                public Tensor[] backward(Tensor... grads) {
                    INDArray dh2 = arr(grads[0]);
                    INDArray dc2 = arr(grads[1]);
                    INDArray cPrev = arr(c);
                    // dc_total = dc' + dh' * o * (1 - tanh(c')^2)
                    INDArray dct;
                    if (dh2 != null) {
                        dct = tc.mul(tc).rsubi(1.0).muli(o).muli(dh2);
                        if (dc2 != null) {
                            dct.addi(dc2);
                        }
                    } else {
                        dct = dc2;
                    }
                    INDArray di = timesOneMinus(i).muli(g).muli(dct);
                    INDArray df = timesOneMinus(f).muli(cPrev).muli(dct);
                    INDArray dg = g.mul(g).rsubi(1.0).muli(i).muli(dct);
                    INDArray dO = dh2 == null ? Nd4j.zeros(o.dataType(), o.shape()) : timesOneMinus(o).muli(tc).muli(dh2);
                    INDArray dGates = Nd4j.concat(1, di, df, dg, dO);
                    INDArray dc = dct.mul(f);
                    INDArray[] r = recurrentGrads(dGates, arr(h), arr(w), b != null);
                    return new Tensor[] {backend.wrap(dGates), backend.wrap(r[0]), backend.wrap(dc), backend.wrap(r[1]),
                        b == null ? null : backend.wrap(r[2])};
                }
            };
        }
    }

    // =====================================================================================
    // GRU
    // =====================================================================================

    /**
     * Gates (r, z, n), {@code n = tanh(xn + r * (W_hn h + b_hn))}, {@code h' = n + z * (h - n)}; inputs
     * xProj [B,3H], h, W_hh [3H,H], b_hh; output h'.
     */
    static final class Gru extends CellKernel {
        private final Nd4jBackend backend;

        Gru(Nd4jBackend backend) {
            super(backend, KernelKind.GRU_CELL);
            this.backend = backend;
        }

        @Override
        protected Result forward(CellArgs args, Dims dims) {
            Tensor xProj = args.xProj();
            Tensor h = args.h();
            Tensor w = args.weightHh();
            Tensor b = args.biasHh();
            long hs = h.shape()[1];
            INDArray x = arr(xProj);
            INDArray hv = arr(h);
            INDArray hh = Nd4jBackend.gemm(hv, arr(w), false, true);
            if (b != null) {
                hh.addiRowVector(arr(b));
            }
            INDArray hhN = cols(hh, 2 * hs, 3 * hs);
            // rz = sigmoid(x[:, :2H] + hh[:, :2H])
            INDArray rz = Transforms.sigmoid(cols(x, 0, 2 * hs).add(cols(hh, 0, 2 * hs)), false);
            INDArray r = cols(rz, 0, hs);
            INDArray z = cols(rz, hs, 2 * hs);
            INDArray n = Transforms.tanh(r.mul(hhN).addi(cols(x, 2 * hs, 3 * hs)), false);
            INDArray h2 = hv.sub(n).muli(z).addi(n);
            Nd4jTensor out = backend.wrap(h2);
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {out};
                }

                @Override
                public Tensor[] backward(Tensor... grads) {
                    INDArray dh2 = arr(grads[0]);
                    INDArray hPrev = arr(h);
                    // dn (pre-activation) = dh' * (1 - z) * (1 - n^2)
                    INDArray dnPre = Nd4jBackend.tanhGrad(n, dh2).muli(z.rsub(1.0));
                    // dz (pre-activation) = dh' * (h - n) * z(1-z); dr (pre-activation) = dnPre * hhN * r(1-r)
                    INDArray sd = Nd4j.createUninitialized(rz.dataType(), rz.shape(), 'c');
                    Nd4j.exec(new TimesOneMinus(rz, sd));
                    INDArray factor = Nd4j.concat(1, dnPre.mul(hhN), hPrev.sub(n).muli(dh2));
                    INDArray drz = sd.muli(factor);
                    INDArray dx = Nd4j.concat(1, drz, dnPre);
                    INDArray dhh = Nd4j.concat(1, drz, dnPre.mul(r));
                    INDArray[] rg = recurrentGrads(dhh, hPrev, arr(w), b != null);
                    INDArray dh = rg[0].addi(dh2.mul(z));
                    return new Tensor[] {backend.wrap(dx), backend.wrap(dh), null, backend.wrap(rg[1]), b == null ? null : backend.wrap(rg[2])};
                }
            };
        }
    }
}
