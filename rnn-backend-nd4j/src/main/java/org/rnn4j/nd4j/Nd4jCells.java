package org.rnn4j.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rnn4j.backend.FusedKernel;
import org.rnn4j.tensor.Tensor;

/**
 * The fused cell steps of {@link Nd4jBackend}, each forward and backward pass a short fixed sequence of
 * ND4J calls on whole {@code [B, G*H]} blocks: one gemm accumulating {@code h · W_hh^T} into a copy of
 * the input projection, the gate activations in place on column views of that block, and for the
 * backward pass the gate gradients assembled as one {@code [B, G*H]} block so that {@code dh},
 * {@code dW_hh} and {@code db_hh} are one gemm (or column sum) each.
 *
 * <p>Nothing an input points to is modified; arrays a result keeps for its backward pass are either
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
    static final class Elman implements FusedKernel {
        private final Nd4jBackend backend;
        private final boolean relu;

        Elman(Nd4jBackend backend, boolean relu) {
            this.backend = backend;
            this.relu = relu;
        }

        @Override
        public Result apply(Tensor... in) {
            Tensor xProj = in[0];
            Tensor h = in[1];
            Tensor w = in[2];
            Tensor b = in.length > 3 ? in[3] : null;
            INDArray pre = preActivation(arr(xProj), arr(h), arr(w), arr(b));
            INDArray y = relu ? Transforms.relu(pre, false) : Nd4jBackend.tanhInPlace(pre);
            Nd4jTensor out = backend.wrap(y);
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return new Tensor[] {out};
                }

                @Override
                public Tensor[] backward(Tensor... g) {
                    INDArray dy = arr(g[0]);
                    if (dy == null) {
                        return new Tensor[] {null, null, null, null};
                    }
                    INDArray yv = out.array();
                    INDArray dPre = relu ? Nd4jBackend.reluGrad(yv, dy) : Nd4jBackend.tanhGrad(yv, dy);
                    INDArray[] r = recurrentGrads(dPre, arr(h), arr(w), b != null);
                    return new Tensor[] {backend.wrap(dPre), backend.wrap(r[0]), backend.wrap(r[1]),
                        b == null ? null : backend.wrap(r[2])};
                }
            };
        }
    }

    // =====================================================================================
    // LSTM
    // =====================================================================================

    /** Gates (i, f, g, o); inputs xProj [B,4H], h, c, W_hh [4H,H], b_hh; outputs h', c'. */
    static final class Lstm implements FusedKernel {
        private final Nd4jBackend backend;

        Lstm(Nd4jBackend backend) {
            this.backend = backend;
        }

        @Override
        public Result apply(Tensor... in) {
            Tensor xProj = in[0];
            Tensor h = in[1];
            Tensor c = in[2];
            Tensor w = in[3];
            Tensor b = in.length > 4 ? in[4] : null;
            long hs = h.shape()[1];
            // gates: [i f g o] activated in place (sigmoid on i, f and o; tanh on g)
            INDArray gates = preActivation(arr(xProj), arr(h), arr(w), arr(b));
            Transforms.sigmoid(cols(gates, 0, 2 * hs), false);
            Nd4jBackend.tanhInPlace(cols(gates, 2 * hs, 3 * hs));
            Transforms.sigmoid(cols(gates, 3 * hs, 4 * hs), false);
            INDArray i = cols(gates, 0, hs);
            INDArray f = cols(gates, hs, 2 * hs);
            INDArray g = cols(gates, 2 * hs, 3 * hs);
            INDArray o = cols(gates, 3 * hs, 4 * hs);
            INDArray c2 = f.mul(arr(c)).addi(i.mul(g));
            INDArray tc = Nd4jBackend.tanh(c2);
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
                    INDArray dc2 = grads.length > 1 ? arr(grads[1]) : null;
                    if (dh2 == null && dc2 == null) {
                        return new Tensor[] {null, null, null, null, null};
                    }
                    INDArray cPrev = arr(c);
                    INDArray tcv = tc;
                    // dc_total = dc' + dh' * o * (1 - tanh(c')^2)
                    INDArray dct;
                    if (dh2 != null) {
                        dct = Nd4jBackend.tanhGrad(tcv, dh2).muli(o);
                        if (dc2 != null) {
                            dct.addi(dc2);
                        }
                    } else {
                        dct = dc2;
                    }
                    // act' = [i(1-i), f(1-f), 1-g^2, o(1-o)]
                    INDArray act = Nd4j.createUninitialized(gates.dataType(), gates.shape(), 'c');
                    Nd4j.exec(new TimesOneMinus(gates, act));
                    INDArray actG = cols(act, 2 * hs, 3 * hs);
                    actG.assign(g).muli(g).rsubi(1.0);
                    // other factor = [g, c, i, tanh(c')] and upstream = [dct, dct, dct, dh']
                    INDArray other = Nd4j.concat(1, g, cPrev, i, tcv);
                    INDArray up = Nd4j.concat(1, dct, dct, dct, dh2 != null ? dh2 : Nd4j.zeros(dct.dataType(), dct.shape()));
                    INDArray dGates = act.muli(other).muli(up);
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
    static final class Gru implements FusedKernel {
        private final Nd4jBackend backend;

        Gru(Nd4jBackend backend) {
            this.backend = backend;
        }

        @Override
        public Result apply(Tensor... in) {
            Tensor xProj = in[0];
            Tensor h = in[1];
            Tensor w = in[2];
            Tensor b = in.length > 3 ? in[3] : null;
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
            INDArray n = Nd4jBackend.tanh(r.mul(hhN).addi(cols(x, 2 * hs, 3 * hs)));
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
                    if (dh2 == null) {
                        return new Tensor[] {null, null, null, null};
                    }
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
                    return new Tensor[] {backend.wrap(dx), backend.wrap(dh), backend.wrap(rg[1]), b == null ? null : backend.wrap(rg[2])};
                }
            };
        }
    }
}
