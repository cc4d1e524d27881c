package org.rnn4j.conformance.cells;

import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.CellParams;

/**
 * The minimal gated unit (Zhou et al., 2016), a cell rnn4j does not ship, written as a user would:
 * {@code f = σ(x_f + W_hf h + b_hf)}, {@code n = tanh(x_n + W_hn (f ⊙ h) + b_hn)},
 * {@code h' = (1 - f) ⊙ h + f ⊙ n}. Two gates, so {@code weight_ih} is {@code [2H, I]}.
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
        Var f = F.sigmoid(F.add(F.slice(xProj, 1, 0, hs), F.linear(h, p.rows(p.weightHh(), 0, hs), p.biasRows(0, hs))));
        Var n = F.tanh(F.add(F.slice(xProj, 1, hs, 2 * hs),
                F.linear(F.mul(f, h), p.rows(p.weightHh(), hs, 2 * hs), p.biasRows(hs, 2 * hs))));
        return List.of(F.add(h, F.mul(f, F.sub(n, h))));
    }
}
