package org.rnn4j.nn;

import java.util.Map;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;

/**
 * The recurrent parameters a {@link Cell} step sees for one layer and direction.
 *
 * @param weightHh {@code [G*H, H]}
 * @param biasHh   {@code [G*H]}, or null when the layer has no bias
 * @param extra    the cell's {@link Cell#extraParameters} by their short name
 */
public record CellParams(Var weightHh, Var biasHh, Map<String, Var> extra) {

    /** Rows {@code [from, to)} of a weight (one gate's block). */
    public Var rows(Var weight, int from, int to) {
        return F.slice(weight, 0, from, to);
    }

    /** Elements {@code [from, to)} of {@code biasHh}, or null when there is no bias. */
    public Var biasRows(int from, int to) {
        return biasHh == null ? null : F.slice(biasHh, 0, from, to);
    }

    /** An extra parameter by short name; an error naming the known ones if absent. */
    public Var extra(String name) {
        Var v = extra.get(name);
        if (v == null) {
            throw new IllegalArgumentException("Cell parameter '" + name + "' not declared; declared: " + extra.keySet());
        }
        return v;
    }
}
