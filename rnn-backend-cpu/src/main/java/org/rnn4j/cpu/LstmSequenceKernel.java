package org.rnn4j.cpu;

import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#LSTM_SEQUENCE}: inputs {@code xProj [B,T,4H], h0 [B,H], c0 [B,H], W_hh [4H,H]},
 * {@code b_hh [4H]} or null, {@code b_ih [4H]} or null; outputs {@code y [B,T,H], h_T [B,H], c_T [B,H]}.
 * Each step is {@link LstmCellKernel}'s math with {@code W_hh^T} packed once per call (see
 * {@link CpuSequenceKernel}). Saved for backward, per time step: the activations i, f, g, o, the c and h
 * entering the step and {@code tanh(c')}; nothing when forward only.
 */
final class LstmSequenceKernel extends CpuSequenceKernel {

    LstmSequenceKernel(CpuBackend backend) {
        super(backend, KernelKind.LSTM_SEQUENCE);
    }

    @Override
    Result run(Call cl, SequenceArgs args) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        boolean f32 = cl.float32();
        Parallel par = backend.parallel();
        Arr xp = Arr.of(data(args.xProj()));
        Object like = data(args.xProj());
        Object w = data(args.weightHh());
        boolean hasBhh = args.biasHh() != null;
        boolean hasBih = args.biasIh() != null;
        double[] bias = biasOrZero(args.biasHh(), g4, backend.pool());
        double[] bih = biasOrZero(args.biasIh(), g4, backend.pool());
        for (int j = 0; j < g4; j++) {
            bias[j] += bih[j];
        }
        backend.pool().give(bih);
        if (f32) {
            Result r = LstmSequenceF32.run(this, cl, (float[]) like, (float[]) data(args.h0()), (float[]) data(args.c0()), (float[]) w, bias,
                    hasBhh, hasBih);
            backend.pool().give(bias);
            return r;
        }
        Gemm.Packed<?> wT = Gemm.pack(w, g4, hidden, true, par);

        Object hState = copy(data(args.h0()));
        Object cState = copy(data(args.c0()));
        Arr h = Arr.of(hState);
        Arr c = Arr.of(cState);
        int seqH = batch * steps * hidden;
        Arr y = Arr.allocLike(like, seqH);
        boolean keep = cl.backward; // forward only: nothing per step, the states are updated in place
        Arr acts = keep ? Arr.allocLike(like, batch * steps * g4) : null;
        Object hPrev = keep ? Storage.allocLike(like, seqH) : null;
        Object cPrev = keep ? Storage.allocLike(like, seqH) : null;
        Arr cPrevA = keep ? Arr.of(cPrev) : null;
        Arr tanhC = keep ? Arr.allocLike(like, seqH) : null;
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Arr pre = Arr.of(Gemm.multiplyPacked(hState, batch, false, wT, null, par));
            for (int b = 0; b < batch; b++) {
                int bt = b * steps + t;
                int hs = bt * hidden;
                if (keep) {
                    copyRow(hState, b, hidden, hPrev, hs);
                    copyRow(cState, b, hidden, cPrev, hs);
                }
                if (!cl.valid(b, t)) {
                    continue;
                }
                int xo = bt * g4;
                int go = b * g4;
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    int pi = xo + j;
                    int qi = go + j;
                    double i = CpuMath.sigmoid(pre.get(qi) + xp.get(pi) + bias[j], f32);
                    double f = CpuMath.sigmoid(pre.get(qi + hidden) + xp.get(pi + hidden) + bias[j + hidden], f32);
                    double g = CpuMath.tanhSeq(pre.get(qi + 2 * hidden) + xp.get(pi + 2 * hidden) + bias[j + 2 * hidden], f32);
                    double o = CpuMath.sigmoid(pre.get(qi + 3 * hidden) + xp.get(pi + 3 * hidden) + bias[j + 3 * hidden], f32);
                    double c2 = f * c.get(ho + j) + i * g;
                    double tc = CpuMath.tanhSeq(c2, f32);
                    c.set(ho + j, c2);
                    if (keep) {
                        acts.set(pi, i);
                        acts.set(pi + hidden, f);
                        acts.set(pi + 2 * hidden, g);
                        acts.set(pi + 3 * hidden, o);
                        tanhC.set(hs + j, tc);
                    }
                    double hv = o * tc;
                    h.set(ho + j, hv);
                    y.set(hs + j, hv);
                }
            }
        }
        Tensor[] outputs = {wrap(y.raw(), batch, steps, hidden), wrap(hState, batch, hidden), wrap(cState, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(grads, cl, w, acts, tanhC, cPrevA, hPrev, hasBhh, hasBih));
    }

    private Tensor[] backward(Tensor[] grads, Call cl, Object w, Arr acts, Arr tanhC, Arr cPrev, Object hPrev, boolean hasBhh,
                              boolean hasBih) {
        Object[] gy = arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g4 = 4 * hidden;
        Parallel par = backend.parallel();
        Object like = acts.raw();
        Arr gOut = gy[0] == null ? null : Arr.of(gy[0]);
        Object dhState = copyOrZero(gy[1], like, batch * hidden);
        Arr dh = Arr.of(dhState);
        Arr dc = Arr.of(copyOrZero(gy[2], like, batch * hidden));
        Object dxpRaw = Storage.allocLike(like, batch * steps * g4);
        Arr dxp = Arr.of(dxpRaw);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g4, false, par);
        int rowStride = steps * g4;
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                if (!cl.valid(b, t)) {
                    continue; // padding: the state passes through, dh and dc carry over
                }
                int bt = b * steps + t;
                int hs = bt * hidden;
                int xo = bt * g4;
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    int pi = xo + j;
                    double i = acts.get(pi);
                    double f = acts.get(pi + hidden);
                    double g = acts.get(pi + 2 * hidden);
                    double o = acts.get(pi + 3 * hidden);
                    double tc = tanhC.get(hs + j);
                    double dhv = dh.get(ho + j) + (gOut == null ? 0.0 : gOut.get(hs + j));
                    double dc2 = dc.get(ho + j) + dhv * o * (1 - tc * tc);
                    dxp.set(pi, dc2 * g * i * (1 - i));
                    dxp.set(pi + hidden, dc2 * cPrev.get(hs + j) * f * (1 - f));
                    dxp.set(pi + 2 * hidden, dc2 * i * (1 - g * g));
                    dxp.set(pi + 3 * hidden, dhv * tc * o * (1 - o));
                    dc.set(ho + j, dc2 * f);
                }
            }
            // dh = dA_t · W_hh for the sequences that ran this step; the others keep theirs
            Object dhNew = Gemm.multiplyPacked(dxpRaw, t * g4, rowStride, batch, false, wN, null, par);
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
        Tensor dbih = !hasBih ? null : hasBhh ? wrap(copy(CpuBackend.data(dWb[1])), g4) : wrap(CpuCellKernel.columnSums(dxpRaw, batch * steps, g4), g4);
        return new Tensor[] {wrap(dxpRaw, batch, steps, g4), wrap(dhState, batch, hidden), wrap(dc.raw(), batch, hidden), dWb[0], dWb[1], dbih};
    }
}
