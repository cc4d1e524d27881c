package org.rnn4j.conformance.cells;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.CellParams;

/**
 * An LSTM with peephole connections (Gers and Schmidhuber, 2000), a cell with extra parameters:
 * {@code i = σ(x_i + W_hi h + w_ci ⊙ c)}, {@code f = σ(x_f + W_hf h + w_cf ⊙ c)},
 * {@code c' = f ⊙ c + i ⊙ tanh(x_g + W_hg h)}, {@code o = σ(x_o + W_ho h + w_co ⊙ c')},
 * {@code h' = o ⊙ tanh(c')}; peephole weights {@code w_ci, w_cf, w_co [H]}.
 */
public final class PeepholeLstm implements Cell {
    @Override
    public String name() {
        return "peephole_lstm";
    }

    @Override
    public int gates() {
        return 4;
    }

    @Override
    public List<String> stateNames() {
        return List.of("h", "c");
    }

    @Override
    public Map<String, int[]> extraParameters(int hiddenSize) {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("peephole_i", new int[] {hiddenSize});
        m.put("peephole_f", new int[] {hiddenSize});
        m.put("peephole_o", new int[] {hiddenSize});
        return m;
    }

    @Override
    public List<Var> step(Var xProj, List<Var> state, CellParams p) {
        Var h = state.get(0);
        Var c = state.get(1);
        int hs = h.dim(1);
        Var gates = F.add(xProj, F.linear(h, p.weightHh(), p.biasHh()));
        Var i = F.sigmoid(F.add(F.slice(gates, 1, 0, hs), F.mul(c, p.extra("peephole_i"))));
        Var f = F.sigmoid(F.add(F.slice(gates, 1, hs, 2 * hs), F.mul(c, p.extra("peephole_f"))));
        Var g = F.tanh(F.slice(gates, 1, 2 * hs, 3 * hs));
        Var c2 = F.add(F.mul(f, c), F.mul(i, g));
        Var o = F.sigmoid(F.add(F.slice(gates, 1, 3 * hs, 4 * hs), F.mul(c2, p.extra("peephole_o"))));
        return List.of(F.mul(o, F.tanh(c2)), c2);
    }
}
