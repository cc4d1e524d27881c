package org.rnn4j.cpu;

import java.util.Arrays;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Shared part of the sequence kernels ({@link FusedKernel#LSTM_SEQUENCE} and friends): validation
 * against the contract in {@link FusedKernel}, and the pieces every cell's recurrence uses.
 *
 * <p>A call packs {@code W_hh^T} once for all forward steps (and {@code W_hh} once for all backward
 * steps), runs the steps with no graph nodes in between, and keeps, per time step in {@code [B, T, .]}
 * layout, what the backward pass needs (the gate activations and the state entering each step). The
 * backward pass runs backpropagation through time step by step, writing the pre-activation gradients of
 * every step into one {@code [B, T, G*H]} array, from which {@code dW_hh} is one matrix product over all
 * steps ({@code dPre^T · hPrev}) and the bias gradients are column sums.
 *
 * <p>float32 runs in {@link LstmSequenceF32}, {@link GruSequenceF32} and {@link RnnSequenceF32}: batch-wide
 * loops that C2 vectorises, with the rational {@link Vec#tanh} (sigmoid through it), accurate to a few
 * float ulps. float64 runs in the subclasses' own step loops with {@link Math#tanh} and {@link Math#exp}, so
 * that it stays exact for gradient checks.
 */
abstract class SequenceKernel implements FusedKernel {
    final CpuBackend backend;
    final String name;
    final int gates;
    final boolean hasCell;
    private final String[] inputNames;

    /** Sizes, options and common inputs of one call. */
    static final class Call {
        final int batch;
        final int steps;
        final int hidden;
        final DType dtype;
        final boolean reverse;
        /** Per-sequence lengths, null when all are full. */
        final int[] lengths;

        Call(int batch, int steps, int hidden, DType dtype, boolean reverse, int[] lengths) {
            this.batch = batch;
            this.steps = steps;
            this.hidden = hidden;
            this.dtype = dtype;
            this.reverse = reverse;
            this.lengths = lengths;
        }

        boolean float32() {
            return dtype == DType.FLOAT32;
        }

        /** Time index of processing step {@code k}. */
        int time(int k) {
            return reverse ? steps - 1 - k : k;
        }

        /** Whether sequence {@code b} has a real step at time {@code t}. */
        boolean valid(int b, int t) {
            return lengths == null || t < lengths[b];
        }
    }

    SequenceKernel(CpuBackend backend, String name, int gates, boolean hasCell) {
        this.backend = backend;
        this.name = name;
        this.gates = gates;
        this.hasCell = hasCell;
        this.inputNames = hasCell
                ? new String[] {"xProj", "h0", "c0", "W_hh", "b_hh", "b_ih"}
                : new String[] {"xProj", "h0", "W_hh", "b_hh", "b_ih"};
    }

    @Override
    public final Result apply(Tensor... inputs) {
        return apply(Sequence.FORWARD, inputs);
    }

    @Override
    public final Result apply(Sequence options, Tensor... inputs) {
        Call call = validate(options == null ? Sequence.FORWARD : options, inputs);
        return run(call, inputs);
    }

    /** Runs the validated call. */
    abstract Result run(Call call, Tensor[] inputs);

    private Call validate(Sequence options, Tensor[] inputs) {
        if (inputs == null || inputs.length != inputNames.length) {
            throw new IllegalArgumentException(name + ": expected " + inputNames.length + " inputs " + Arrays.toString(inputNames)
                    + ", got " + (inputs == null ? "null" : inputs.length));
        }
        int nonNull = inputNames.length - 2;
        for (int i = 0; i < inputNames.length; i++) {
            if (i < nonNull || inputs[i] != null) {
                backend.requireOwn(name + " input " + inputNames[i], inputs[i]);
            }
        }
        Tensor x = inputs[0];
        Tensor h = inputs[1];
        Shapes.checkRank(name + ": xProj", x, 3);
        Shapes.checkRank(name + ": h0", h, 2);
        int batch = h.dim(0);
        int hidden = h.dim(1);
        int steps = x.dim(1);
        Shapes.checkShape(name + ": xProj [B, T, gates * hidden = " + gates + " * " + hidden + "]", x, batch, steps, gates * hidden);
        for (int i = 2; i < inputNames.length; i++) {
            Tensor t = inputs[i];
            if (t == null) {
                continue;
            }
            String what = name + ": " + inputNames[i];
            switch (inputNames[i]) {
                case "c0" -> Shapes.checkShape(what, t, batch, hidden);
                case "W_hh" -> Shapes.checkShape(what, t, gates * hidden, hidden);
                default -> Shapes.checkShape(what, t, gates * hidden);
            }
        }
        for (int i = 1; i < inputNames.length; i++) {
            if (inputs[i] != null && inputs[i].dtype() != x.dtype()) {
                throw new IllegalArgumentException(name + ": " + inputNames[i] + " is " + inputs[i].dtype() + " but xProj is "
                        + x.dtype() + "; all inputs must have one dtype");
            }
        }
        int[] lengths = options.lengths();
        if (lengths != null) {
            if (lengths.length != batch) {
                throw new IllegalArgumentException(name + ": " + lengths.length + " lengths for a batch of " + batch);
            }
            boolean full = true;
            for (int b = 0; b < batch; b++) {
                if (lengths[b] < 1 || lengths[b] > steps) {
                    throw new IllegalArgumentException(name + ": lengths[" + b + "] = " + lengths[b] + " is outside [1, " + steps + "]");
                }
                full &= lengths[b] == steps;
            }
            lengths = full ? null : lengths.clone();
        }
        return new Call(batch, steps, hidden, x.dtype(), options.reverse(), lengths);
    }

    /**
     * Checks the output gradients of a backward call ({@code y [B,T,H]} then the final states
     * {@code [B,H]}) and returns their arrays, null for a null (zero) gradient.
     */
    final Object[] gradients(Tensor[] grads, Call c) {
        int outputs = hasCell ? 3 : 2;
        Object[] out = new Object[outputs];
        if (grads == null) {
            return out;
        }
        if (grads.length != outputs) {
            throw new IllegalArgumentException(name + " backward: expected " + outputs + " output gradients, got " + grads.length);
        }
        for (int i = 0; i < outputs; i++) {
            Tensor g = grads[i];
            if (g == null) {
                continue;
            }
            backend.requireOwn(name + " output gradient " + i, g);
            if (i == 0) {
                Shapes.checkShape(name + " backward: output gradient 0 (y)", g, c.batch, c.steps, c.hidden);
            } else {
                Shapes.checkShape(name + " backward: output gradient " + i, g, c.batch, c.hidden);
            }
            if (g.dtype() != c.dtype) {
                throw new IllegalArgumentException(name + " backward: output gradient " + i + " is " + g.dtype()
                        + " but the forward pass ran in " + c.dtype);
            }
            out[i] = CpuBackend.data(g);
        }
        return out;
    }

    static Object data(Tensor t) {
        return t == null ? null : CpuBackend.data(t);
    }

    /** The values of a bias as doubles, zeros for a null bias. */
    static double[] biasOrZero(Tensor t, int n) {
        if (t == null) {
            return new double[n];
        }
        return (double[]) Storage.convert(CpuBackend.data(t), DType.FLOAT64);
    }

    /** A copy of a state array (the kernels update their state in place). */
    static Object copy(Object a) {
        return a instanceof float[] f ? f.clone() : ((double[]) a).clone();
    }

    /** A zero array like {@code like} of length n, or a copy of {@code src} when non-null. */
    static Object copyOrZero(Object src, Object like, int n) {
        return src != null ? copy(src) : Storage.allocLike(like, n);
    }

    /** Copies row {@code b} ({@code n} values) of {@code [B, n]} {@code src} to offset {@code dst} of {@code out}. */
    static void copyRow(Object src, int b, int n, Object out, int dst) {
        System.arraycopy(src, b * n, out, dst, n);
    }

    Tensor wrap(Object data, int... shape) {
        return backend.wrap(shape, data);
    }

    /**
     * The weight and bias gradients from the pre-activation gradients of every step {@code dPre [B*T, G*H]}
     * and the states entering each step {@code hPrev [B*T, H]}: {@code dW_hh = dPre^T · hPrev}, {@code db_hh =
     * colsum(dPre)} (null when {@code withBias} is false).
     */
    Tensor[] recurrentWeightGradients(Object dPre, Object hPrev, boolean withBias, Call c) {
        int g = gates * c.hidden;
        int rows = c.batch * c.steps;
        Tensor dW = wrap(backend.gemm(dPre, hPrev, g, c.hidden, rows, true, false, null), g, c.hidden);
        Tensor db = withBias ? wrap(CellKernel.columnSums(dPre, rows, g), g) : null;
        return new Tensor[] {dW, db};
    }

    /** A result with fixed outputs whose backward pass is {@code backward}. */
    static Result result(Tensor[] outputs, java.util.function.Function<Tensor[], Tensor[]> backward) {
        return CellKernel.result(outputs, backward);
    }

    @Override
    public String toString() {
        return "cpu fused " + name;
    }
}
