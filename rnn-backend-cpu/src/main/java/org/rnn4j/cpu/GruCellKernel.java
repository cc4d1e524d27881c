package org.rnn4j.cpu;

import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Tensor;

/**
 * {@link KernelKind#GRU_CELL}: inputs {@code xProj [B,3H], h [B,H], W_hh [3H,H], b_hh [3H]} (or null);
 * output {@code h' [B,H]}. With {@code hp = h W_hh^T + b_hh} split into r, z, n parts (PyTorch order and
 * semantics, the reset gate applied after the recurrent matmul): {@code r = σ(x_r + hp_r)},
 * {@code z = σ(x_z + hp_z)}, {@code n = tanh(x_n + r hp_n)}, {@code h' = (1 - z) n + z h}.
 *
 * <p>Forward keeps {@code r, z, hp_n} (in the matmul's buffer) and {@code n}. Backward computes, in one
 * pass, {@code dxProj} and {@code dhp = (dx_r, dx_z, r dx_n)}, then {@code dh = z dh' + dhp W_hh}
 * (one matmul accumulated onto the direct term), {@code dW_hh = dhp^T h}, {@code db_hh = colsum(dhp)}.
 */
final class GruCellKernel extends CpuCellKernel {

    GruCellKernel(CpuBackend backend) {
        super(backend, KernelKind.GRU_CELL);
    }

    @Override
    protected Result forward(CellArgs args, Dims d) {
        int batch = d.batch();
        int hidden = d.hidden();
        int g3 = 3 * hidden;
        boolean f32 = float32(d);
        Arr x = Arr.of(data(args.xProj()));
        Object h = data(args.h());
        Arr hv = Arr.of(h);
        Object w = data(args.weightHh());
        Arr bias = arr(args.biasHh());

        // h W_hh^T; its r and z parts are replaced by the gates, its n part gets the bias added
        Arr hp = Arr.of(backend.gemm(h, w, batch, g3, hidden, false, true, null));
        Arr nGate = Arr.allocLike(h, batch * hidden);
        Arr hOut = Arr.allocLike(h, batch * hidden);
        for (int b = 0; b < batch; b++) {
            int gr = b * g3;
            int hr = b * hidden;
            for (int j = 0; j < hidden; j++) {
                int pr = gr + j;
                int pz = pr + hidden;
                int pn = pz + hidden;
                double r = CpuMath.sigmoid(x.get(pr) + hp.get(pr) + get(bias, j));
                double z = CpuMath.sigmoid(x.get(pz) + hp.get(pz) + get(bias, j + hidden));
                double hn = hp.get(pn) + get(bias, j + 2 * hidden);
                double n = CpuMath.tanh(x.get(pn) + r * hn, f32);
                hp.set(pr, r);
                hp.set(pz, z);
                hp.set(pn, hn);
                nGate.set(hr + j, n);
                hOut.set(hr + j, n + z * (hv.get(hr + j) - n));
            }
        }
        Tensor[] outputs = {backend.wrap(new int[] {batch, hidden}, hOut.raw())};
        boolean hasBias = bias != null;
        // backward reads h through its tensor, so that closing it first fails as "closed"
        Tensor hIn = args.h();
        return Result.of(outputs, grads -> backward(grads, d, hp, nGate, CpuBackend.data(hIn), w, hasBias));
    }

    private Tensor[] backward(Tensor[] grads, Dims d, Arr saved, Arr nGate, Object h, Object w, boolean hasBias) {
        Arr gh = arr(grads[0]);
        int batch = d.batch();
        int hidden = d.hidden();
        int g3 = 3 * hidden;
        Arr hv = Arr.of(h);
        Arr dx = Arr.allocLike(h, batch * g3);
        Arr dhp = Arr.allocLike(h, batch * g3);
        Arr dhDirect = Arr.allocLike(h, batch * hidden);
        for (int b = 0; b < batch; b++) {
            int gr = b * g3;
            int hr = b * hidden;
            for (int j = 0; j < hidden; j++) {
                int pr = gr + j;
                int pz = pr + hidden;
                int pn = pz + hidden;
                double r = saved.get(pr);
                double z = saved.get(pz);
                double hn = saved.get(pn);
                double n = nGate.get(hr + j);
                double g = get(gh, hr + j);
                double dn = g * (1 - z) * (1 - n * n);
                double dr = dn * hn * r * (1 - r);
                double dz = g * (hv.get(hr + j) - n) * z * (1 - z);
                dx.set(pr, dr);
                dx.set(pz, dz);
                dx.set(pn, dn);
                dhp.set(pr, dr);
                dhp.set(pz, dz);
                dhp.set(pn, dn * r);
                dhDirect.set(hr + j, g * z);
            }
        }
        Object dPre = dhp.raw();
        Tensor dxProj = backend.wrap(new int[] {batch, g3}, dx.raw());
        Tensor dh = backend.wrap(new int[] {batch, hidden}, backend.gemm(dPre, w, batch, hidden, g3, false, false, dhDirect.raw()));
        Tensor[] dWb = weightGradients(dPre, h, hasBias, d);
        return new Tensor[] {dxProj, dh, null, dWb[0], dWb[1]};
    }
}
