package org.rnn4j.cpu;

import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#RNN_TANH_CELL} and {@link KernelKind#RNN_RELU_CELL}: inputs
 * {@code xProj [B,H], h [B,H], W_hh [H,H], b_hh [H]} (or null); output
 * {@code h' = act(xProj + h W_hh^T + b_hh)}. Backward needs only {@code h'}: with
 * {@code dA = dh' act'(h')}, {@code dxProj = dA}, {@code dh = dA W_hh}, {@code dW_hh = dA^T h},
 * {@code db_hh = colsum(dA)}.
 */
final class RnnCellKernel extends CpuCellKernel {
    private final boolean relu;

    RnnCellKernel(CpuBackend backend, boolean relu) {
        super(backend, relu ? KernelKind.RNN_RELU_CELL : KernelKind.RNN_TANH_CELL);
        this.relu = relu;
    }

    @Override
    protected Result forward(CellArgs args, Dims d) {
        int batch = d.batch();
        int hidden = d.hidden();
        boolean f32 = float32(d);
        Object h = data(args.h());
        Object w = data(args.weightHh());
        Arr bias = arr(args.biasHh());

        // xProj + h W^T, activated in place; the array becomes h'
        Arr y = Arr.of(backend.gemm(h, w, batch, hidden, hidden, false, true, data(args.xProj())));
        for (int b = 0; b < batch; b++) {
            for (int j = 0, p = b * hidden; j < hidden; j++, p++) {
                double v = y.get(p) + get(bias, j);
                y.set(p, relu ? Math.max(v, 0.0) : CpuMath.tanh(v, f32));
            }
        }
        Tensor[] outputs = {backend.wrap(new int[] {batch, hidden}, y.raw())};
        boolean hasBias = bias != null;
        // backward reads h' and h through their tensors, so that closing either first fails as "closed"
        Tensor hIn = args.h();
        return Result.of(outputs, grads -> backward(grads, d, Arr.of(CpuBackend.data(outputs[0])), CpuBackend.data(hIn), w, hasBias));
    }

    private Tensor[] backward(Tensor[] grads, Dims d, Arr y, Object h, Object w, boolean hasBias) {
        Arr gh = arr(grads[0]);
        int batch = d.batch();
        int hidden = d.hidden();
        int size = batch * hidden;
        Arr dA = Arr.allocLike(h, size);
        for (int p = 0; p < size; p++) {
            double g = get(gh, p);
            double v = y.get(p);
            dA.set(p, relu ? (v > 0 ? g : 0.0) : g * (1 - v * v));
        }
        Object dPre = dA.raw();
        Tensor dx = backend.wrap(new int[] {batch, hidden}, dPre);
        Tensor dh = backend.wrap(new int[] {batch, hidden}, backend.gemm(dPre, w, batch, hidden, hidden, false, false, null));
        Tensor[] dWb = weightGradients(dPre, h, hasBias, d);
        return new Tensor[] {dx, dh, null, dWb[0], dWb[1]};
    }
}
