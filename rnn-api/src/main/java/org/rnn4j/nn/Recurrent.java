package org.rnn4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * A stack of recurrent layers over batch-first sequences, like PyTorch's {@code nn.RNN}, {@code nn.LSTM}
 * and {@code nn.GRU} with {@code batch_first=True}, for any {@link Cell}.
 *
 * <p>Shapes: input {@code x [B, T, I]}; output {@code [B, T, D*H]} ({@code D} = 2 when bidirectional,
 * the forward direction's features first); each state (h, and c for LSTM) {@code [L*D, B, H]}, ordered
 * layer-major then direction as in PyTorch. Parameters carry PyTorch's names ({@code weight_ih_l0},
 * {@code bias_hh_l1_reverse}, ...), layouts and default initialisation U(-1/sqrt(H), 1/sqrt(H)).
 *
 * <p>Variable-length batches: with per-sequence {@code lengths}, steps at or past a sequence's length
 * produce 0 and do not move its state; the final state is the state after its last valid step, and the
 * reverse direction starts at that step.
 *
 * <p>Streaming: {@link #forwardStateful} runs a chunk of steps from the state the previous chunk left,
 * giving the same results as one whole-sequence run; the carried state is cut from the graph between
 * chunks, which is truncated backpropagation through time.
 */
public final class Recurrent extends Module implements Stateful {
    private final Cell cell;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bidirectional;
    private final boolean bias;
    private final double dropout;
    private final long seed;
    private final Backend backend;
    private final DType dtype;
    private final SplittableRandom dropoutRng;
    private final LayerParams[] layerParams;
    private List<Tensor> carried;

    private record LayerParams(Var weightIh, Var biasIh, CellParams recurrent) {
    }

    /** The result of a forward pass: {@code output [B, T, D*H]} and each final state {@code [L*D, B, H]}. */
    public record Output(Var output, List<Var> finalState) {
        /** The final hidden state {@code h_n}. */
        public Var hN() {
            return finalState.get(0);
        }
    }

    private Recurrent(Builder b) {
        this.cell = b.cell;
        this.inputSize = b.inputSize;
        this.hiddenSize = b.hiddenSize;
        this.numLayers = b.numLayers;
        this.bidirectional = b.bidirectional;
        this.bias = b.bias;
        this.dropout = b.dropout;
        this.seed = b.seed;
        this.backend = b.backend != null ? b.backend : Backends.get();
        this.dtype = b.dtype;
        SplittableRandom rng = new SplittableRandom(b.seed);
        this.dropoutRng = rng.split();
        int d = directions();
        int g = cell.gates();
        if (g <= 0) {
            throw new IllegalArgumentException("Cell '" + cell.name() + "' declares " + g + " gates; expected >= 1");
        }
        double bound = 1 / Math.sqrt(hiddenSize);
        this.layerParams = new LayerParams[numLayers * d];
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize * d;
            for (int dir = 0; dir < d; dir++) {
                String sfx = "_l" + l + (dir == 1 ? "_reverse" : "");
                Var wih = param("weight_ih" + sfx, rng, bound, g * hiddenSize, in);
                Var whh = param("weight_hh" + sfx, rng, bound, g * hiddenSize, hiddenSize);
                Var bih = bias ? param("bias_ih" + sfx, rng, bound, g * hiddenSize) : null;
                Var bhh = bias ? param("bias_hh" + sfx, rng, bound, g * hiddenSize) : null;
                Map<String, Var> extra = new LinkedHashMap<>();
                for (Map.Entry<String, int[]> e : cell.extraParameters(hiddenSize).entrySet()) {
                    extra.put(e.getKey(), param(e.getKey() + sfx, rng, bound, e.getValue()));
                }
                layerParams[l * d + dir] = new LayerParams(wih, bih, new CellParams(whh, bhh, Collections.unmodifiableMap(extra)));
            }
        }
    }

    private Var param(String name, SplittableRandom rng, double bound, int... shape) {
        Var v = Init.uniformParameter(backend, dtype, rng, bound, shape);
        registerParameter(name, v);
        return v;
    }

    /** A builder for a layer stack of {@code cell} mapping {@code inputSize} features to {@code hiddenSize}. */
    public static Builder builder(Cell cell, int inputSize, int hiddenSize) {
        return new Builder(cell, inputSize, hiddenSize);
    }

    /** Options of a {@link Recurrent}; defaults: 1 layer, unidirectional, with bias, no dropout, float32, the selected backend, seed 0. */
    public static final class Builder {
        private final Cell cell;
        private final int inputSize;
        private final int hiddenSize;
        private int numLayers = 1;
        private boolean bidirectional;
        private boolean bias = true;
        private double dropout;
        private Backend backend;
        private DType dtype = DType.FLOAT32;
        private long seed;

        private Builder(Cell cell, int inputSize, int hiddenSize) {
            if (cell == null) {
                throw new IllegalArgumentException("Recurrent: cell is null");
            }
            if (inputSize <= 0 || hiddenSize <= 0) {
                throw new IllegalArgumentException("Recurrent: inputSize = " + inputSize + ", hiddenSize = " + hiddenSize
                        + "; both must be >= 1");
            }
            this.cell = cell;
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        public Builder numLayers(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("Recurrent: numLayers = " + n + ", expected >= 1");
            }
            this.numLayers = n;
            return this;
        }

        public Builder bidirectional(boolean b) {
            this.bidirectional = b;
            return this;
        }

        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Dropout probability applied to the outputs of every layer but the last, in training mode. */
        public Builder dropout(double p) {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("Recurrent: dropout = " + p + ", expected a probability in [0, 1)");
            }
            this.dropout = p;
            return this;
        }

        public Builder backend(Backend b) {
            this.backend = b;
            return this;
        }

        public Builder dtype(DType d) {
            if (d == null) {
                throw new IllegalArgumentException("Recurrent: dtype is null; expected FLOAT32 or FLOAT64");
            }
            this.dtype = d;
            return this;
        }

        /** Seed of the weight initialisation and of the dropout masks. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Recurrent build() {
            return new Recurrent(this);
        }
    }

    // ---- accessors ----

    public Cell cell() {
        return cell;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean bidirectional() {
        return bidirectional;
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    public Backend backend() {
        return backend;
    }

    public DType dtype() {
        return dtype;
    }

    /** Training mode enables dropout between layers; on by default. Returns this layer. */
    @Override
    public Recurrent train(boolean on) {
        super.train(on);
        return this;
    }

    /**
     * What runs: cell, layers, directions, backend and whether the recurrence is one fused kernel per
     * sequence ({@code fused:lstm_sequence}), a fused kernel per step ({@code fused:lstm_cell}) or composed.
     */
    public String explain() {
        boolean sequence = Cells.sequenceKernel(cell, backend) != null;
        return cell.name() + " x" + numLayers + (bidirectional ? " bidirectional" : "") + ", input " + inputSize + ", hidden "
                + hiddenSize + ", " + dtype + " on backend '" + backend.name() + "': " + (sequence ? "whole sequence " : "cell step ")
                + cell.implementation(backend) + ", input projection as one matmul per layer and direction";
    }

    // ---- forward ----

    /** {@link #forward(Var, int[], List)} with full-length sequences and zero initial state. */
    public Output forward(Var x) {
        return forward(x, null, null);
    }

    /**
     * Runs the stack over a batch of sequences. Modifies nothing but the dropout random stream.
     *
     * @param x            {@code [B, T, I]}
     * @param lengths      null for full-length sequences, else {@code B} lengths in {@code [1, T]}
     * @param initialState null for zeros, else one tensor {@code [L*D, B, H]} per state (h; h and c for LSTM)
     */
    public Output forward(Var x, int[] lengths, List<Var> initialState) {
        int[] shape = checkInput(x);
        int batch = shape[0];
        checkLengths(lengths, batch, shape[1]);
        checkState("initialState", initialState, batch);
        return run(x, lengths, initialState);
    }

    /**
     * Streaming: runs a chunk {@code x [B, Tc, I]} from the state carried from the previous chunk (zeros
     * after {@link #resetState()}), stores the new state and returns the chunk's output. The carried
     * state is detached, so gradients stop at chunk boundaries (truncated BPTT). Unidirectional only.
     *
     * @param lengths null, or per-sequence valid lengths within this chunk (padded steps keep the state)
     */
    public Var forwardStateful(Var x, int[] lengths) {
        if (bidirectional) {
            throw new IllegalStateException("forwardStateful: a bidirectional layer needs the whole sequence; "
                    + "build the layer with bidirectional(false) to stream");
        }
        int[] shape = checkInput(x);
        checkLengths(lengths, shape[0], shape[1]);
        if (carried != null && carried.get(0).shape()[1] != shape[0]) {
            throw new IllegalArgumentException("forwardStateful: the carried state is for batch size " + carried.get(0).shape()[1]
                    + " but x has batch size " + shape[0] + "; call resetState() before changing the batch size");
        }
        List<Var> init = null;
        if (carried != null) {
            init = new ArrayList<>();
            for (Tensor t : carried) {
                init.add(Var.constant(t));
            }
        }
        Output out = run(x, lengths, init);
        List<Tensor> next = new ArrayList<>();
        for (Var v : out.finalState()) {
            next.add(v.value());
        }
        carried = next;
        return out.output();
    }

    /** {@link #forwardStateful(Var, int[])} with full-length chunks. */
    public Var forwardStateful(Var x) {
        return forwardStateful(x, null);
    }

    /** The carried streaming state, one tensor {@code [L*D, B, H]} per state name, or null after a reset. */
    @Override
    public List<Tensor> state() {
        return carried == null ? null : List.copyOf(carried);
    }

    /** Replaces the carried streaming state (validated against this layer; the batch size may differ from before). */
    @Override
    public void setState(List<Tensor> state) {
        if (state == null) {
            carried = null;
            return;
        }
        List<Var> vars = new ArrayList<>();
        for (Tensor t : state) {
            vars.add(Var.constant(t));
        }
        int batch = !state.isEmpty() && state.get(0).rank() == 3 ? state.get(0).dim(1) : 0;
        checkState("setState", vars, batch);
        carried = List.copyOf(state);
    }

    /** Forgets the carried streaming state; the next chunk starts from zeros and may use a new batch size. */
    public void resetState() {
        carried = null;
    }

    /** Names of the state tensors, e.g. {@code [h]} or {@code [h, c]}. */
    @Override
    public List<String> stateNames() {
        return cell.stateNames();
    }

    // ---- validation ----

    private int[] checkInput(Var x) {
        if (x == null) {
            throw new IllegalArgumentException("Recurrent.forward: x is null; expected [B, T, " + inputSize + "]");
        }
        int[] s = x.shape();
        if (s.length != 3 || s[2] != inputSize || s[0] <= 0 || s[1] <= 0) {
            throw new IllegalArgumentException("Recurrent.forward: x must be [B, T, " + inputSize + "] (batch-first), got "
                    + Shapes.str(s));
        }
        if (x.dtype() != dtype) {
            throw new IllegalArgumentException("Recurrent.forward: x is " + x.dtype() + " but the layer's parameters are " + dtype);
        }
        if (x.backend() != backend) {
            throw new IllegalArgumentException("Recurrent.forward: x belongs to backend '" + x.backend().name()
                    + "' but the layer lives on backend '" + backend.name() + "'; move it with Tensors.to(x, backend)");
        }
        return s;
    }

    private static void checkLengths(int[] lengths, int batch, int steps) {
        if (lengths == null) {
            return;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries but the batch has " + batch + " sequences");
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is outside [1, " + steps
                        + "] (T = " + steps + " steps)");
            }
        }
    }

    private void checkState(String what, List<Var> state, int batch) {
        if (state == null) {
            return;
        }
        List<String> names = cell.stateNames();
        if (state.size() != names.size()) {
            throw new IllegalArgumentException(what + ": expected " + names.size() + " state tensors " + names + ", got " + state.size());
        }
        int[] expected = {numLayers * directions(), batch, hiddenSize};
        for (int i = 0; i < names.size(); i++) {
            Var v = state.get(i);
            if (v == null || !Arrays.equals(v.shape(), expected)) {
                throw new IllegalArgumentException(what + ": state '" + names.get(i) + "' must be [layers*directions, batch, hidden] = "
                        + Shapes.str(expected) + ", got " + (v == null ? "null" : Shapes.str(v.shape())));
            }
            if (v.dtype() != dtype || v.backend() != backend) {
                throw new IllegalArgumentException(what + ": state '" + names.get(i) + "' is " + v.dtype() + " on '" + v.backend().name()
                        + "', expected " + dtype + " on '" + backend.name() + "'");
            }
        }
    }

    /**
     * Converts a {@code [B, T]} 0/1 mask whose ones form a prefix of each row into lengths, or throws
     * naming the first row that is not a prefix mask.
     */
    public static int[] lengthsFromMask(Tensor mask) {
        if (mask.rank() != 2) {
            throw new IllegalArgumentException("mask must be [B, T], got " + Shapes.str(mask.shape()));
        }
        int b = mask.dim(0);
        int t = mask.dim(1);
        double[] m = mask.toDoubleArray();
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            int len = 0;
            while (len < t && m[i * t + len] == 1.0) {
                len++;
            }
            for (int j = len; j < t; j++) {
                if (m[i * t + j] != 0.0) {
                    throw new IllegalArgumentException("mask row " + i + " is not of the form 1..1 0..0 (value " + m[i * t + j]
                            + " at step " + j + "); padding must come at the end");
                }
            }
            lengths[i] = len;
        }
        return lengths;
    }

    // ---- the recurrence ----

    private Output run(Var x, int[] lengths, List<Var> initialState) {
        int[] shape = x.shape();
        int batch = shape[0];
        int steps = shape[1];
        int d = directions();
        int stateCount = cell.stateNames().size();
        Var[][] init = new Var[stateCount][];
        for (int s = 0; s < stateCount; s++) {
            init[s] = initialState == null ? null : F.unbind(initialState.get(s), 0);
        }
        FusedKernel sequenceKernel = Cells.sequenceKernel(cell, backend);
        String sequenceKernelName = Cells.sequenceKernelName(cell);
        Var[] stepMask = lengths == null || sequenceKernel != null ? null : stepMasks(lengths, batch, steps);
        List<List<Var>> finals = new ArrayList<>();
        for (int s = 0; s < stateCount; s++) {
            finals.add(new ArrayList<>());
        }
        Var layerInput = x;
        for (int l = 0; l < numLayers; l++) {
            int in = layerInput.dim(2);
            Var[][] outs = new Var[d][];
            Var[] seqOuts = new Var[d];
            for (int dir = 0; dir < d; dir++) {
                LayerParams p = layerParams[l * d + dir];
                if (sequenceKernel != null) {
                    // the whole sequence as one node; b_ih goes to the kernel, which adds it at every step
                    Var proj = F.reshape(F.matmul(F.reshape(layerInput, batch * steps, in), p.weightIh(), false, true),
                            batch, steps, cell.gates() * hiddenSize);
                    Var[] inputs = new Var[stateCount + 4];
                    inputs[0] = proj;
                    for (int s = 0; s < stateCount; s++) {
                        inputs[1 + s] = init[s] != null ? init[s][l * d + dir] : Var.constant(backend.zeros(dtype, batch, hiddenSize));
                    }
                    inputs[stateCount + 1] = p.recurrent().weightHh();
                    inputs[stateCount + 2] = p.recurrent().biasHh();
                    inputs[stateCount + 3] = p.biasIh();
                    Var[] r = F.fused(sequenceKernelName, sequenceKernel, new FusedKernel.Sequence(dir == 1, lengths), inputs);
                    seqOuts[dir] = r[0];
                    for (int s = 0; s < stateCount; s++) {
                        finals.get(s).add(r[1 + s]);
                    }
                    continue;
                }
                Var proj = F.linear(F.reshape(layerInput, batch * steps, in), p.weightIh(), p.biasIh());
                Var[] projSteps = F.unbind(F.reshape(proj, batch, steps, cell.gates() * hiddenSize), 1);
                List<Var> state = new ArrayList<>(stateCount);
                for (int s = 0; s < stateCount; s++) {
                    state.add(init[s] != null ? init[s][l * d + dir] : Var.constant(backend.zeros(dtype, batch, hiddenSize)));
                }
                outs[dir] = new Var[steps];
                for (int k = 0; k < steps; k++) {
                    int t = dir == 0 ? k : steps - 1 - k;
                    List<Var> next = cell.step(projSteps[t], state, p.recurrent());
                    if (k == 0) {
                        checkStep(next, batch);
                    }
                    if (stepMask != null) {
                        List<Var> blended = new ArrayList<>(stateCount);
                        for (int s = 0; s < stateCount; s++) {
                            // padded steps keep the old state: old + mask * (new - old)
                            blended.add(F.add(state.get(s), F.mul(stepMask[t], F.sub(next.get(s), state.get(s)))));
                        }
                        outs[dir][t] = F.mul(stepMask[t], next.get(0));
                        state = blended;
                    } else {
                        outs[dir][t] = next.get(0);
                        state = next;
                    }
                }
                for (int s = 0; s < stateCount; s++) {
                    finals.get(s).add(state.get(s));
                }
            }
            Var layerOutput;
            if (sequenceKernel != null) {
                layerOutput = d == 1 ? seqOuts[0] : F.concat(2, seqOuts[0], seqOuts[1]);
            } else {
                List<Var> perStep = new ArrayList<>(steps);
                for (int t = 0; t < steps; t++) {
                    perStep.add(d == 1 ? outs[0][t] : F.concat(1, outs[0][t], outs[1][t]));
                }
                layerOutput = F.stack(perStep, 1);
            }
            if (isTraining() && dropout > 0 && l < numLayers - 1) {
                layerOutput = F.mul(layerOutput, Var.constant(dropoutMask(layerOutput.shape())));
            }
            layerInput = layerOutput;
        }
        List<Var> finalState = new ArrayList<>(stateCount);
        for (int s = 0; s < stateCount; s++) {
            finalState.add(F.stack(finals.get(s), 0));
        }
        return new Output(layerInput, finalState);
    }

    private void checkStep(List<Var> next, int batch) {
        List<String> names = cell.stateNames();
        if (next == null || next.size() != names.size()) {
            throw new IllegalStateException("Cell '" + cell.name() + "' returned " + (next == null ? "null" : next.size() + " states")
                    + " but declares " + names.size() + " " + names);
        }
        for (int s = 0; s < names.size(); s++) {
            if (!Arrays.equals(next.get(s).shape(), new int[] {batch, hiddenSize})) {
                throw new IllegalStateException("Cell '" + cell.name() + "' returned state '" + names.get(s) + "' of shape "
                        + Shapes.str(next.get(s).shape()) + "; expected [" + batch + ", " + hiddenSize + "]");
            }
        }
    }

    /** Per step a {@code [B, H]} constant: 1 for sequences still running at that step, else 0. */
    private Var[] stepMasks(int[] lengths, int batch, int steps) {
        Var[] masks = new Var[steps];
        double[] m = new double[batch * hiddenSize];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                Arrays.fill(m, b * hiddenSize, (b + 1) * hiddenSize, t < lengths[b] ? 1.0 : 0.0);
            }
            masks[t] = Var.constant(backend.fromDoubles(m, dtype, batch, hiddenSize));
        }
        return masks;
    }

    private Tensor dropoutMask(int[] shape) {
        double keep = 1 - dropout;
        double[] m = new double[Shapes.size(shape)];
        for (int i = 0; i < m.length; i++) {
            m[i] = dropoutRng.nextDouble() < keep ? 1 / keep : 0;
        }
        return backend.fromDoubles(m, dtype, shape);
    }

    /**
     * {@code cell} (its name), {@code input_size}, {@code hidden_size}, {@code num_layers},
     * {@code bidirectional}, {@code bias}, {@code dropout} and {@code seed} (a decimal string).
     */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cell", cell.name());
        c.put("input_size", inputSize);
        c.put("hidden_size", hiddenSize);
        c.put("num_layers", numLayers);
        c.put("bidirectional", bidirectional);
        c.put("bias", bias);
        c.put("dropout", dropout);
        c.put("seed", Long.toString(seed));
        return c;
    }
}
