package org.rnn4j.cpu;

import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.Tensor;

/**
 * {@link FusedKernel#RNN_TANH_CELL} and {@link FusedKernel#RNN_RELU_CELL}: inputs
 * {@code xProj [B,H], h [B,H], W_hh [H,H], b_hh [H]} (or null); output
 * {@code h' = act(xProj + h W_hh^T + b_hh)}. Backward needs only {@code h'}: with
 * {@code dA = dh' act'(h')}, {@code dxProj = dA}, {@code dh = dA W_hh}, {@code dW_hh = dA^T h},
 * {@code db_hh = colsum(dA)}.
 */
final class RnnCellKernel extends CellKernel {
    private final boolean relu;

    RnnCellKernel(CpuBackend backend, boolean relu) {
        super(backend, relu ? RNN_RELU_CELL : RNN_TANH_CELL, 1, false);
        this.relu = relu;
    }

    @Override
    public Result apply(Tensor... inputs) {
        Dims d = validate(inputs);
        int batch = d.batch();
        int hidden = d.hidden();
        boolean f32 = d.float32();
        Object h = data(inputs[1]);
        Object w = data(inputs[2]);
        Arr bias = inputs[3] == null ? null : Arr.of(data(inputs[3]));

        // xProj + h W^T, activated in place; the array becomes h'
        Arr y = Arr.of(backend.gemm(h, w, batch, hidden, hidden, false, true, data(inputs[0])));
        for (int b = 0; b < batch; b++) {
            for (int j = 0, p = b * hidden; j < hidden; j++, p++) {
                double v = y.get(p) + get(bias, j);
                y.set(p, relu ? Math.max(v, 0.0) : CpuMath.tanh(v, f32));
            }
        }
        Tensor[] outputs = {backend.wrap(new int[] {batch, hidden}, y.raw())};
        boolean hasBias = bias != null;
        return result(outputs, grads -> backward(grads, d, y, h, w, hasBias));
    }

    private Tensor[] backward(Tensor[] grads, Dims d, Arr y, Object h, Object w, boolean hasBias) {
        Arr gh = gradients(grads, d)[0];
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
        return new Tensor[] {dx, dh, dWb[0], dWb[1]};
    }
}
