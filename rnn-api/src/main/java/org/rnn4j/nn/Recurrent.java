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
import org.rnn4j.spi.Lengths;
import org.rnn4j.tensor.Backend;
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
 * <p>Each layer and direction runs as one whole-sequence kernel of the backend where the cell names one
 * ({@link Cell#sequenceKernel()}) and the backend offers it, else as the cell's {@link Cell#step} at every
 * step; {@link #explain()} says which.
 *
 * <p>Streaming: {@link #forwardStateful} runs a chunk of steps from the state the previous chunk left,
 * giving the same results as one whole-sequence run; the carried state is cut from the graph between
 * chunks, which is truncated backpropagation through time.
 */
public final class Recurrent extends Module implements Stateful, Stochastic {
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
    /** Seed of the dropout mask stream (mask k is drawn from {@code Dropout.streamSeed(dropoutSeed, k)}). */
    private long dropoutSeed;
    private long dropoutDraws;
    private final DirectionParams[] layerParams;
    /** The width of each state ({@link Cell#stateSizes}); the first is the output width per direction. */
    private final int[] stateSizes;
    private List<Tensor> carried;
    /** Zero initial states by state index, for the last batch size used (see {@link #zeroState}). */
    private volatile Tensor[] zeroStates;

    /** The result of a forward pass: {@code output [B, T, D*H]} ({@code D*P} with projections) and each final state {@code [L*D, B, H]} ({@code h} is {@code [L*D, B, P]} with projections). */
    public record Output(Var output, List<Var> finalState) {
        /** The final hidden state {@code h_n}. */
        public Var hN() {
            return finalState.get(0);
        }
    }

    private Recurrent(Builder b) {
        this.cell = b.projSize > 0 ? Cells.lstm(b.projSize) : b.cell;
        this.inputSize = b.inputSize;
        this.hiddenSize = b.hiddenSize;
        this.numLayers = b.numLayers;
        this.bidirectional = b.bidirectional;
        this.bias = b.bias;
        this.dropout = b.dropout;
        this.seed = b.seed;
        if (b.backend == null) {
            throw new IllegalStateException("Recurrent: no backend given; call Recurrent.Builder.backend(backend) before build(), "
                    + "e.g. with Backends.get()");
        }
        this.backend = b.backend;
        this.dtype = b.dtype;
        SplittableRandom rng = new SplittableRandom(b.seed);
        this.dropoutSeed = rng.split().nextLong();
        int d = directions();
        int g = cell.gates();
        if (g <= 0) {
            throw new IllegalArgumentException("Cell '" + cell.name() + "' declares " + g + " gates; expected >= 1");
        }
        double bound = 1 / Math.sqrt(hiddenSize);
        this.stateSizes = cell.stateSizes(hiddenSize);
        int out = stateSizes[0];
        this.layerParams = new DirectionParams[numLayers * d];
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : out * d;
            for (int dir = 0; dir < d; dir++) {
                String sfx = "_l" + l + (dir == 1 ? "_reverse" : "");
                Var wih = param("weight_ih" + sfx, rng, bound, g * hiddenSize, in);
                Var whh = param("weight_hh" + sfx, rng, bound, g * hiddenSize, out);
                Var bih = bias ? param("bias_ih" + sfx, rng, bound, g * hiddenSize) : null;
                Var bhh = bias ? param("bias_hh" + sfx, rng, bound, g * hiddenSize) : null;
                Map<String, Var> extra = new LinkedHashMap<>();
                for (Map.Entry<String, int[]> e : cell.extraParameters(hiddenSize).entrySet()) {
                    extra.put(e.getKey(), param(e.getKey() + sfx, rng, bound, e.getValue()));
                }
                layerParams[l * d + dir] = new DirectionParams(wih, bih, new CellParams(whh, bhh, Collections.unmodifiableMap(extra)));
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

    /**
     * Options of a {@link Recurrent}; defaults: 1 layer, unidirectional, with bias, no dropout, float32, seed 0.
     * The backend has no default: give it with {@link #backend(Backend)}.
     */
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
        private int projSize;

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

        /** The backend the parameters live on and the layer computes on (required), e.g. {@code Backends.get()}. */
        public Builder backend(Backend b) {
            if (b == null) {
                throw new IllegalArgumentException("Recurrent: backend is null; pass one, e.g. Backends.get()");
            }
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

        /**
         * PyTorch's {@code proj_size} for an LSTM: {@code h} (and the output) is projected to {@code p < hidden}
         * features by {@code weight_hr_l{k} [p, H]} ({@link Cells#lstm(int)}); 0 (the default) for none.
         *
         * @throws IllegalArgumentException when {@code p} is negative or not below the hidden size, or the cell is not the LSTM
         */
        public Builder projSize(int p) {
            if (p < 0 || p >= hiddenSize && p != 0) {
                throw new IllegalArgumentException("Recurrent: projSize = " + p + ", expected 0 (none) or 1.." + (hiddenSize - 1)
                        + " (below hiddenSize " + hiddenSize + ", as PyTorch requires)");
            }
            if (p > 0 && !cell.name().equals("lstm")) {
                throw new IllegalArgumentException("Recurrent: projSize applies to the LSTM only, this layer's cell is '" + cell.name() + "'");
            }
            this.projSize = p;
            return this;
        }

        /** Seed of the weight initialisation and of the dropout masks. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * The layer, its parameters initialised.
         *
         * @throws IllegalStateException when no {@link #backend(Backend)} was given
         */
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
     * sequence ({@code fused:lstm_sequence}), a fused kernel per step ({@code fused:lstm_cell}) or composed,
     * ending with the backend's {@link Backend#version()} (which says, e.g., which matrix-product kernel runs).
     */
    public String explain() {
        return cell.name() + " x" + numLayers + (bidirectional ? " bidirectional" : "") + ", input " + inputSize + ", hidden "
                + hiddenSize + ", " + dtype + " on backend '" + backend.name() + "': " + SequenceRunner.forCell(cell, backend, hiddenSize).describe()
                + ", input projection as one matmul per layer and direction; backend version " + backend.version();
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
        Lengths valid = lengths(lengths, batch, shape[1]);
        checkState("initialState", initialState, batch);
        return run(x, valid, initialState);
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
        Lengths valid = lengths(lengths, shape[0], shape[1]);
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
        Output out = run(x, valid, init);
        List<Tensor> next = new ArrayList<>();
        for (Var v : out.finalState()) {
            next.add(v.detach().value()); // detached: kept open when the step's graph is released
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

    /** The checked lengths of a batch of {@code batch} sequences of {@code steps} steps; all full for null. */
    private static Lengths lengths(int[] lengths, int batch, int steps) {
        return lengths == null ? Lengths.full(batch, steps) : Lengths.of(lengths, batch, steps);
    }

    private void checkState(String what, List<Var> state, int batch) {
        if (state == null) {
            return;
        }
        List<String> names = cell.stateNames();
        if (state.size() != names.size()) {
            throw new IllegalArgumentException(what + ": expected " + names.size() + " state tensors " + names + ", got " + state.size());
        }
        for (int i = 0; i < names.size(); i++) {
            int[] expected = {numLayers * directions(), batch, stateSizes[i]};
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

    /** The layers one after another; in each, the directions through one runner, their outputs concatenated. */
    private Output run(Var x, Lengths lengths, List<Var> initialState) {
        int batch = x.dim(0);
        int d = directions();
        int stateCount = cell.stateNames().size();
        Var[][] init = new Var[stateCount][];
        for (int s = 0; s < stateCount; s++) {
            init[s] = initialState == null ? null : F.unbind(initialState.get(s), 0);
        }
        SequenceRunner runner = SequenceRunner.forCell(cell, backend, hiddenSize);
        List<List<Var>> finals = new ArrayList<>();
        for (int s = 0; s < stateCount; s++) {
            finals.add(new ArrayList<>());
        }
        Var layerInput = x;
        for (int l = 0; l < numLayers; l++) {
            Var[] outputs = new Var[d];
            for (int dir = 0; dir < d; dir++) {
                int index = l * d + dir;
                List<Var> state = new ArrayList<>(stateCount);
                for (int s = 0; s < stateCount; s++) {
                    state.add(init[s] != null ? init[s][index] : Var.constant(zeroState(s, batch)));
                }
                SequenceRunner.Run r = runner.run(layerInput, layerParams[index], state, dir == 1, lengths);
                outputs[dir] = r.output();
                for (int s = 0; s < stateCount; s++) {
                    finals.get(s).add(r.finalState().get(s));
                }
            }
            Var layerOutput = d == 1 ? outputs[0] : F.concat(2, outputs);
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

    /**
     * A zero initial state {@code [batch, size of state s]}, made once and reused while the batch size stays
     * (nothing writes a state tensor: kernels copy it), so that a step does not allocate one per call.
     */
    private Tensor zeroState(int s, int batch) {
        Tensor[] cache = zeroStates;
        if (cache == null || cache.length != stateSizes.length) {
            cache = new Tensor[stateSizes.length];
            zeroStates = cache;
        }
        Tensor z = cache[s];
        if (z == null || z.isClosed() || z.dim(0) != batch) {
            z = backend.zeros(dtype, batch, stateSizes[s]);
            cache[s] = z;
        }
        return z;
    }

    private Tensor dropoutMask(int[] shape) {
        SplittableRandom rng = new SplittableRandom(Dropout.streamSeed(dropoutSeed, dropoutDraws++));
        double keep = 1 - dropout;
        double[] m = new double[Shapes.size(shape)];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < keep ? 1 / keep : 0;
        }
        return backend.fromDoubles(m, dtype, shape);
    }

    /** The seed of the inter-layer dropout mask stream (see {@link Stochastic}). */
    @Override
    public long streamSeed() {
        return dropoutSeed;
    }

    @Override
    public void setStreamSeed(long seed) {
        dropoutSeed = seed;
    }

    /** How many inter-layer dropout masks this layer has drawn (see {@link Stochastic}). */
    @Override
    public long drawCount() {
        return dropoutDraws;
    }

    @Override
    public void setDrawCount(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("Recurrent.setDrawCount: count = " + count + ", expected >= 0");
        }
        dropoutDraws = count;
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
        if (Cells.projSize(cell) > 0) {
            c.put("proj_size", Cells.projSize(cell));
        }
        c.put("seed", Long.toString(seed));
        return c;
    }
}
