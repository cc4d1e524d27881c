package org.rnn4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * One time step of a recurrent cell as a module, PyTorch's {@code nn.LSTMCell} / {@code nn.GRUCell} /
 * {@code nn.RNNCell}: what a decoder calls once per generated token. Parameters {@code weight_ih
 * [G*H, I]}, {@code weight_hh [G*H, H]}, {@code bias_ih [G*H]}, {@code bias_hh [G*H]} (and a user
 * cell's extra parameters), initialised U(-1/sqrt(H), 1/sqrt(H)) in that order. Works with any
 * {@link Cell}, built-in or the user's; built-in cells use the backend's fused step kernel when it has
 * one.
 */
public class CellModule extends Module {
    private final Cell cell;
    private final int inputSize;
    private final int hiddenSize;
    private final Backend backend;
    private final DType dtype;
    private final Var weightIh;
    private final Var biasIh;
    private final CellParams params;

    /**
     * @param rng advanced by the draws, in parameter order
     * @throws IllegalArgumentException on sizes below 1, a cell with no gates, or a null argument
     */
    public CellModule(Cell cell, int inputSize, int hiddenSize, boolean bias, Backend backend, DType dtype, SplittableRandom rng) {
        if (cell == null || backend == null || dtype == null || rng == null) {
            throw new IllegalArgumentException("CellModule: cell, backend, dtype and rng are required");
        }
        if (inputSize <= 0 || hiddenSize <= 0 || cell.gates() <= 0) {
            throw new IllegalArgumentException("CellModule(" + cell.name() + "): inputSize = " + inputSize + ", hiddenSize = "
                    + hiddenSize + ", gates = " + cell.gates() + "; all must be >= 1");
        }
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.backend = backend;
        this.dtype = dtype;
        int gh = Math.multiplyExact(cell.gates(), hiddenSize);
        double bound = 1 / Math.sqrt(hiddenSize);
        this.weightIh = registerParameter("weight_ih", Init.uniformParameter(backend, dtype, rng, bound, gh, inputSize));
        Var weightHh = registerParameter("weight_hh", Init.uniformParameter(backend, dtype, rng, bound, gh, hiddenSize));
        this.biasIh = bias ? registerParameter("bias_ih", Init.uniformParameter(backend, dtype, rng, bound, gh)) : null;
        Var biasHh = bias ? registerParameter("bias_hh", Init.uniformParameter(backend, dtype, rng, bound, gh)) : null;
        Map<String, Var> extra = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : cell.extraParameters(hiddenSize).entrySet()) {
            extra.put(e.getKey(), registerParameter(e.getKey(), Init.uniformParameter(backend, dtype, rng, bound, e.getValue())));
        }
        this.params = new CellParams(weightHh, biasHh, Collections.unmodifiableMap(extra));
    }

    /** Zero states for a batch: one {@code [batch, H]} tensor per name of {@link Cell#stateNames()}. */
    public List<Var> initialState(int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException(typeName() + ".initialState: batch = " + batch + ", expected >= 1");
        }
        List<Var> s = new ArrayList<>();
        for (int i = 0; i < cell.stateNames().size(); i++) {
            s.add(Var.constant(backend.zeros(dtype, batch, hiddenSize)));
        }
        return s;
    }

    /**
     * One step: {@code x [B, I]} and the current states (each {@code [B, H]}, in the cell's
     * {@link Cell#stateNames()} order, e.g. {@code (h, c)} for LSTM); returns the new states in that
     * order, the first being the step's output. With {@code state} null, starts from zeros.
     *
     * @throws IllegalArgumentException on shapes that do not fit, naming them
     */
    public List<Var> forward(Var x, List<Var> state) {
        int[] xs = x.shape();
        if (xs.length != 2 || xs[1] != inputSize) {
            throw new IllegalArgumentException(typeName() + ".forward: x must be [B, " + inputSize + "], got " + Shapes.str(xs));
        }
        List<Var> s = state == null ? initialState(xs[0]) : state;
        if (s.size() != cell.stateNames().size()) {
            throw new IllegalArgumentException(typeName() + ".forward: " + s.size() + " state tensors given, expected "
                    + cell.stateNames().size() + " " + cell.stateNames());
        }
        for (int i = 0; i < s.size(); i++) {
            int[] ss = s.get(i).shape();
            if (ss.length != 2 || ss[0] != xs[0] || ss[1] != hiddenSize) {
                throw new IllegalArgumentException(typeName() + ".forward: state '" + cell.stateNames().get(i) + "' must be ["
                        + xs[0] + ", " + hiddenSize + "], got " + Shapes.str(ss));
            }
        }
        Var xProj = F.linear(x, weightIh, biasIh);
        return cell.step(xProj, s, params);
    }

    /** The cell this module steps. */
    public Cell cell() {
        return cell;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** {@code cell} (its name), {@code input_size}, {@code hidden_size}, {@code bias}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cell", cell.name());
        c.put("input_size", inputSize);
        c.put("hidden_size", hiddenSize);
        c.put("bias", biasIh != null);
        return c;
    }
}
