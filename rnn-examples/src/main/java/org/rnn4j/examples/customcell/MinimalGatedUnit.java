package org.rnn4j.examples.customcell;

import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.CellParams;

/**
 * The minimal gated unit (Zhou et al., 2016), written as a user of rnn4j would: one forget gate and a
 * candidate, composed from {@link F} ops. No backend code and no backward pass are written: the layer
 * runs it on every backend, in every option (layers, both directions, masks, streaming), and autograd
 * differentiates it.
 *
 * <pre>
 *   f  = sigmoid(W_f x + b_if + U_f h + b_hf)
 *   n  = tanh(W_n x + b_in + U_n (f * h) + b_hn)
 *   h' = (1 - f) * h + f * n
 * </pre>
 *
 * Parameters follow PyTorch's layout with two gates: {@code weight_ih [2H, I]} (rows f, n),
 * {@code weight_hh [2H, H]}, {@code bias_ih [2H]}, {@code bias_hh [2H]}.
 */
public final class MinimalGatedUnit implements Cell {
    @Override
    public String name() {
        return "mgu";
    }

    @Override
    public int gates() {
        return 2;
    }

    @Override
    public List<String> stateNames() {
        return List.of("h");
    }

    @Override
    public List<Var> step(Var xProj, List<Var> state, CellParams p) {
        Var h = state.get(0);
        int hs = h.dim(1);
        // xProj = x W_ih^T + b_ih was computed for all steps at once by the layer: [B, 2H]
        Var f = F.sigmoid(F.add(F.slice(xProj, 1, 0, hs), F.linear(h, p.rows(p.weightHh(), 0, hs), p.biasRows(0, hs))));
        Var n = F.tanh(F.add(F.slice(xProj, 1, hs, 2 * hs),
                F.linear(F.mul(f, h), p.rows(p.weightHh(), hs, 2 * hs), p.biasRows(hs, 2 * hs))));
        return List.of(F.add(h, F.mul(f, F.sub(n, h)))); // h' = h + f (n - h) = (1 - f) h + f n
    }
}
