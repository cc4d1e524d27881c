package org.rnn4j.cpu;

import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#GRU_SEQUENCE}: inputs {@code xProj [B,T,3H], h0 [B,H], W_hh [3H,H]}, {@code b_hh [3H]}
 * or null, {@code b_ih [3H]} or null; outputs {@code y [B,T,H], h_T [B,H]}. Each step is
 * {@link GruCellKernel}'s math (reset gate applied to {@code W_hn h + b_hn}) with {@code W_hh^T} packed
 * once per call. Saved per time step: r, z, {@code hp_n = W_hn h + b_hn}, n and the h entering the step;
 * nothing when forward only.
 */
final class GruSequenceKernel extends CpuSequenceKernel {

    GruSequenceKernel(CpuBackend backend) {
        super(backend, KernelKind.GRU_SEQUENCE);
    }

    @Override
    Result run(Call cl, SequenceArgs args) {
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        boolean f32 = cl.float32();
        Parallel par = backend.parallel();
        Object like = data(args.xProj());
        Arr xp = Arr.of(like);
        Object w = data(args.weightHh());
        boolean hasBhh = args.biasHh() != null;
        boolean hasBih = args.biasIh() != null;
        if (f32) {
            double[] bh = biasOrZero(args.biasHh(), g3, backend.pool());
            double[] bx = biasOrZero(args.biasIh(), g3, backend.pool());
            Result r = GruSequenceF32.run(this, cl, (float[]) like, (float[]) data(args.h0()), (float[]) w, bh, bx, hasBhh, hasBih);
            backend.pool().give(bh);
            backend.pool().give(bx);
            return r;
        }
        double[] bh = biasOrZero(args.biasHh(), g3);
        double[] bx = biasOrZero(args.biasIh(), g3);
        Gemm.Packed<?> wT = Gemm.pack(w, g3, hidden, true, par);

        Object hState = copy(data(args.h0()));
        Arr h = Arr.of(hState);
        int seqH = batch * steps * hidden;
        Arr y = Arr.allocLike(like, seqH);
        boolean keep = cl.backward; // forward only: nothing per step, the state is updated in place
        Arr saved = keep ? Arr.allocLike(like, batch * steps * g3) : null;
        Arr nGate = keep ? Arr.allocLike(like, seqH) : null;
        Object hPrev = keep ? Storage.allocLike(like, seqH) : null;
        for (int k = 0; k < steps; k++) {
            int t = cl.time(k);
            Arr hp = Arr.of(Gemm.multiplyPacked(hState, batch, false, wT, null, par));
            for (int b = 0; b < batch; b++) {
                int bt = b * steps + t;
                int hs = bt * hidden;
                if (keep) {
                    copyRow(hState, b, hidden, hPrev, hs);
                }
                if (!cl.valid(b, t)) {
                    continue;
                }
                int xo = bt * g3;
                int go = b * g3;
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    int pr = xo + j;
                    int qr = go + j;
                    double r = CpuMath.sigmoid(xp.get(pr) + bx[j] + hp.get(qr) + bh[j], f32);
                    double z = CpuMath.sigmoid(xp.get(pr + hidden) + bx[j + hidden] + hp.get(qr + hidden) + bh[j + hidden], f32);
                    double hn = hp.get(qr + 2 * hidden) + bh[j + 2 * hidden];
                    double n = CpuMath.tanhSeq(xp.get(pr + 2 * hidden) + bx[j + 2 * hidden] + r * hn, f32);
                    if (keep) {
                        saved.set(pr, r);
                        saved.set(pr + hidden, z);
                        saved.set(pr + 2 * hidden, hn);
                        nGate.set(hs + j, n);
                    }
                    double hv = n + z * (h.get(ho + j) - n);
                    h.set(ho + j, hv);
                    y.set(hs + j, hv);
                }
            }
        }
        Tensor[] outputs = {wrap(y.raw(), batch, steps, hidden), wrap(hState, batch, hidden)};
        if (!keep) {
            return Result.outputsOnly(outputs);
        }
        return Result.of(outputs, grads -> backward(grads, cl, w, saved, nGate, hPrev, hasBhh, hasBih));
    }

    private Tensor[] backward(Tensor[] grads, Call cl, Object w, Arr saved, Arr nGate, Object hPrev, boolean hasBhh, boolean hasBih) {
        Object[] gy = arrays(grads);
        int batch = cl.batch;
        int steps = cl.steps;
        int hidden = cl.hidden;
        int g3 = 3 * hidden;
        Parallel par = backend.parallel();
        Object like = saved.raw();
        Arr gOut = gy[0] == null ? null : Arr.of(gy[0]);
        Arr hPrevA = Arr.of(hPrev);
        Object dhState = copyOrZero(gy[1], like, batch * hidden);
        Arr dh = Arr.of(dhState);
        Object dxpRaw = Storage.allocLike(like, batch * steps * g3);
        Object dhpRaw = Storage.allocLike(like, batch * steps * g3);
        Arr dxp = Arr.of(dxpRaw);
        Arr dhp = Arr.of(dhpRaw);
        Arr direct = Arr.allocLike(like, batch * hidden);
        Gemm.Packed<?> wN = Gemm.pack(w, hidden, g3, false, par);
        int rowStride = steps * g3;
        for (int k = steps - 1; k >= 0; k--) {
            int t = cl.time(k);
            for (int b = 0; b < batch; b++) {
                if (!cl.valid(b, t)) {
                    continue;
                }
                int bt = b * steps + t;
                int hs = bt * hidden;
                int xo = bt * g3;
                int ho = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    int pr = xo + j;
                    double r = saved.get(pr);
                    double z = saved.get(pr + hidden);
                    double hn = saved.get(pr + 2 * hidden);
                    double n = nGate.get(hs + j);
                    double g = dh.get(ho + j) + (gOut == null ? 0.0 : gOut.get(hs + j));
                    double dn = g * (1 - z) * (1 - n * n);
                    double dr = dn * hn * r * (1 - r);
                    double dz = g * (hPrevA.get(hs + j) - n) * z * (1 - z);
                    dxp.set(pr, dr);
                    dxp.set(pr + hidden, dz);
                    dxp.set(pr + 2 * hidden, dn);
                    dhp.set(pr, dr);
                    dhp.set(pr + hidden, dz);
                    dhp.set(pr + 2 * hidden, dn * r);
                    direct.set(ho + j, g * z);
                }
            }
            Arr dhNew = Arr.of(Gemm.multiplyPacked(dhpRaw, t * g3, rowStride, batch, false, wN, null, par));
            for (int b = 0; b < batch; b++) {
                if (cl.valid(b, t)) {
                    for (int j = 0, o = b * hidden; j < hidden; j++, o++) {
                        dh.set(o, dhNew.get(o) + direct.get(o));
                    }
                }
            }
        }
        Tensor[] dWb = recurrentWeightGradients(dhpRaw, hPrev, hasBhh, cl);
        Tensor dbih = hasBih ? wrap(CpuCellKernel.columnSums(dxpRaw, batch * steps, g3), g3) : null;
        return new Tensor[] {wrap(dxpRaw, batch, steps, g3), wrap(dhState, batch, hidden), null, dWb[0], dWb[1], dbih};
    }
}
