package org.rnn4j.cpu;

import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#RNN_TANH_SEQUENCE} and {@link KernelKind#RNN_RELU_SEQUENCE}: inputs
 * {@code xProj [B,T,H], h0 [B,H], W_hh [H,H]}, {@code b_hh [H]} or null, {@code b_ih [H]} or null;
 * outputs {@code y [B,T,H], h_T [B,H]}, each step {@code h' = act(xProj_t + b_ih + h W_hh^T + b_hh)} with
 * {@code W_hh^T} packed once per call. Backward needs only {@code y} and the h entering each step (not
 * kept when forward only).
 */
final class RnnSequenceKernel extends CpuSequenceKernel {
    private final boolean relu;

    RnnSequenceKernel(CpuBackend backend, boolean relu) {
        super(backend, relu ? KernelKind.RNN_RELU_SEQUENCE : KernelKind.RNN_TANH_SEQUENCE);
        this.relu = relu;
    }

    @Override
    Result run(Call cl, SequenceArgs args) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        boolean f32 = cl.float32();
        Parallel par = backend.parallel();
        Object like = data(args.xProj());
        Arr xp = Arr.of(like);
        Object w = data(args.weightHh());
        boolean hasBhh = args.biasHh() != null;
        boolean hasBih = args.biasIh() != null;
        double[] bias = biasOrZero(args.biasHh(), hidden, backend.pool());
        double[] bih = biasOrZero(args.biasIh(), hidden, backend.pool());
        for (int j = 0; j < hidden; j++) {
            bias[j] += bih[j];
        }
        backend.pool().give(bih);
        if (f32) {
            Result r = RnnSequenceF32.run(this, relu, cl, (float[]) like, (float[]) data(args.h0()), (float[]) w, bias, hasBhh, hasBih);
            backend.pool().give(bias);
            return r;
        }
        Gemm.Packed<?> wT = Gemm.pack(w, hidden, hidden, true, par);
        Object hState = copy(data(args.h0()));
        Arr h = Arr.of(hState);
        int seqH = batch * steps * hidden;
        Arr y = Arr.allocLike(like, seqH);
        boolean keep = cl.backward; // forward only: nothing per step but y, the state is updated in place
        Object hPrev = keep ? Storage.allocLike(like, seqH) : null;
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Arr pre = Arr.of(Gemm.multiplyPacked(hState, batch, false, wT, null, par));
            for (int b = 0; b < batch; b++) {
                int hs = (b * steps + t) * hidden;
                if (keep) {
                    copyRow(hState, b, hidden, hPrev, hs);
                }
                if (!cl.valid(b, t)) {
                    continue;
                }
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    double v = pre.get(ho + j) + xp.get(hs + j) + bias[j];
                    double hv = relu ? Math.max(v, 0.0) : CpuMath.tanhSeq(v, f32);
                    h.set(ho + j, hv);
                    y.set(hs + j, hv);
                }
            }
        }
        Tensor[] outputs = {wrap(y.raw(), batch, steps, hidden), wrap(hState, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        // backward reads y through its tensor, so that closing it first fails as "closed"
        return Result.of(outputs, grads -> backward(grads, cl, w, Arr.of(CpuBackend.data(outputs[0])), hPrev, hasBhh, hasBih));
    }

    private Tensor[] backward(Tensor[] grads, Call cl, Object w, Arr y, Object hPrev, boolean hasBhh, boolean hasBih) {
        Object[] gy = arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        Parallel par = backend.parallel();
        Object like = y.raw();
        Arr gOut = gy[0] == null ? null : Arr.of(gy[0]);
        Object dhState = copyOrZero(gy[1], like, batch * hidden);
        Arr dh = Arr.of(dhState);
        Object dxpRaw = Storage.allocLike(like, batch * steps * hidden);
        Arr dxp = Arr.of(dxpRaw);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, hidden, false, par);
        int rowStride = steps * hidden;
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                if (!cl.valid(b, t)) {
                    continue;
                }
                int hs = (b * steps + t) * hidden;
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    double g = dh.get(ho + j) + (gOut == null ? 0.0 : gOut.get(hs + j));
                    double v = y.get(hs + j);
                    dxp.set(hs + j, relu ? (v > 0 ? g : 0.0) : g * (1 - v * v));
                }
            }
            Object dhNew = Gemm.multiplyPacked(dxpRaw, t * hidden, rowStride, batch, false, wN, null, par);
            if (cl.full) {
                dhState = dhNew;
                dh = Arr.of(dhNew);
            } else {
                for (int b = 0; b < batch; b++) {
                    if (cl.valid(b, t)) {
                        System.arraycopy(dhNew, b * hidden, dhState, b * hidden, hidden);
                    }
                }
            }
        }
        Tensor[] dWb = recurrentWeightGradients(dxpRaw, hPrev, hasBhh, cl);
        Tensor dbih = !hasBih ? null : hasBhh ? wrap(copy(CpuBackend.data(dWb[1])), hidden)
                : wrap(CpuCellKernel.columnSums(dxpRaw, batch * steps, hidden), hidden);
        return new Tensor[] {wrap(dxpRaw, batch, steps, hidden), wrap(dhState, batch, hidden), null, dWb[0], dWb[1], dbih};
    }
}
