package org.rnn4j.cpu;

import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#LSTM_CELL}: inputs {@code xProj [B,4H], h [B,H], c [B,H], W_hh [4H,H], b_hh [4H]}
 * (or null); outputs {@code h' [B,H], c' [B,H]}. With gates {@code a = xProj + h W_hh^T + b_hh} in the
 * order i, f, g, o: {@code c' = σ(a_f) c + σ(a_i) tanh(a_g)}, {@code h' = σ(a_o) tanh(c')}.
 *
 * <p>Forward: one matmul (accumulated onto xProj) and one pass that activates the gates in place and
 * keeps them, with {@code tanh(c')}, for backward. Backward: one pass to the gate pre-activation
 * gradients {@code dA}, then {@code dh = dA W_hh}, {@code dW_hh = dA^T h}, {@code db_hh = colsum(dA)},
 * {@code dxProj = dA}, {@code dc = dc' σ(a_f)}.
 */
final class LstmCellKernel extends CpuCellKernel {

    LstmCellKernel(CpuBackend backend) {
        super(backend, KernelKind.LSTM_CELL);
    }

    @Override
    protected Result forward(CellArgs args, Dims d) {
        int batch = d.batch();
        int hidden = d.hidden();
        int g4 = 4 * hidden;
        boolean f32 = float32(d);
        Object x = data(args.xProj());
        Object h = data(args.h());
        Object w = data(args.weightHh());
        Arr c = Arr.of(data(args.c()));
        Arr bias = arr(args.biasHh());

        // gate pre-activations, replaced below by the activations i, f, g, o
        Arr act = Arr.of(backend.gemm(h, w, batch, g4, hidden, false, true, x));
        Arr hOut = Arr.allocLike(x, batch * hidden);
        Arr cOut = Arr.allocLike(x, batch * hidden);
        Arr tanhC = Arr.allocLike(x, batch * hidden);
        for (int n = 0; n < batch; n++) {
            int gr = n * g4;
            int hr = n * hidden;
            for (int j = 0; j < hidden; j++) {
                int pi = gr + j;
                int pf = pi + hidden;
                int pg = pf + hidden;
                int po = pg + hidden;
                double i = CpuMath.sigmoid(act.get(pi) + get(bias, j));
                double f = CpuMath.sigmoid(act.get(pf) + get(bias, j + hidden));
                double g = CpuMath.tanh(act.get(pg) + get(bias, j + 2 * hidden), f32);
                double o = CpuMath.sigmoid(act.get(po) + get(bias, j + 3 * hidden));
                act.set(pi, i);
                act.set(pf, f);
                act.set(pg, g);
                act.set(po, o);
                double c2 = f * c.get(hr + j) + i * g;
                double tc = CpuMath.tanh(c2, f32);
                cOut.set(hr + j, c2);
                tanhC.set(hr + j, tc);
                hOut.set(hr + j, o * tc);
            }
        }
        int[] stateShape = {batch, hidden};
        Tensor[] outputs = {backend.wrap(stateShape, hOut.raw()), backend.wrap(stateShape.clone(), cOut.raw())};
        boolean hasBias = bias != null;
        // backward reads c and h through their tensors, so that closing either first fails as "closed"
        Tensor cIn = args.c();
        Tensor hIn = args.h();
        return Result.of(outputs, grads -> backward(grads, d, act, tanhC, Arr.of(CpuBackend.data(cIn)), CpuBackend.data(hIn), w, hasBias));
    }

    private Tensor[] backward(Tensor[] grads, Dims d, Arr act, Arr tanhC, Arr c, Object h, Object w, boolean hasBias) {
        Arr gh = arr(grads[0]);
        Arr gc = arr(grads[1]);
        int batch = d.batch();
        int hidden = d.hidden();
        int g4 = 4 * hidden;
        Object like = act.raw();
        Arr dA = Arr.allocLike(like, batch * g4);
        Arr dc = Arr.allocLike(like, batch * hidden);
        for (int n = 0; n < batch; n++) {
            int gr = n * g4;
            int hr = n * hidden;
            for (int j = 0; j < hidden; j++) {
                int pi = gr + j;
                int pf = pi + hidden;
                int pg = pf + hidden;
                int po = pg + hidden;
                double i = act.get(pi);
                double f = act.get(pf);
                double g = act.get(pg);
                double o = act.get(po);
                double tc = tanhC.get(hr + j);
                double dh = get(gh, hr + j);
                double dc2 = get(gc, hr + j) + dh * o * (1 - tc * tc);
                dA.set(pi, dc2 * g * i * (1 - i));
                dA.set(pf, dc2 * c.get(hr + j) * f * (1 - f));
                dA.set(pg, dc2 * i * (1 - g * g));
                dA.set(po, dh * tc * o * (1 - o));
                dc.set(hr + j, dc2 * f);
            }
        }
        Object dPre = dA.raw();
        Tensor dx = backend.wrap(new int[] {batch, g4}, dPre);
        Tensor dh = backend.wrap(new int[] {batch, hidden}, backend.gemm(dPre, w, batch, hidden, g4, false, false, null));
        Tensor dcPrev = backend.wrap(new int[] {batch, hidden}, dc.raw());
        Tensor[] dWb = weightGradients(dPre, h, hasBias, d);
        return new Tensor[] {dx, dh, dcPrev, dWb[0], dWb[1]};
    }
}
