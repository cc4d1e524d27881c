package org.rnn4j.cpu;

import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.spi.SequenceKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Shared part of the CPU backend's sequence kernels ({@code lstm_sequence} and friends): the pieces every
 * cell's recurrence uses. The arguments and output gradients arrive checked by {@link SequenceKernel}.
 *
 * <p>A call packs {@code W_hh^T} once for all forward steps (and {@code W_hh} once for all backward
 * steps), runs the steps with no graph nodes in between, and keeps, per time step in {@code [B, T, .]}
 * layout, what the backward pass needs (the gate activations and the state entering each step). The
 * backward pass runs backpropagation through time step by step, writing the pre-activation gradients of
 * every step into one {@code [B, T, G*H]} array, from which {@code dW_hh} is one matrix product over all
 * steps ({@code dPre^T · hPrev}) and the bias gradients are column sums.
 *
 * <p>A forward-only call ({@link SequenceArgs#backward()} false) keeps none of that: its steps reuse
 * {@code [B, H]}-sized buffers and it returns {@link Result#outputsOnly}; the math and its order are the
 * training call's, so the outputs are equal bit for bit.
 *
 * <p>float32 runs in {@link LstmSequenceF32}, {@link GruSequenceF32} and {@link RnnSequenceF32}: batch-wide
 * loops that C2 vectorises, with the rational {@link Vec#tanh} (sigmoid through it), accurate to a few
 * float ulps. With the vector kernels on, the LSTM and GRU steps run that same arithmetic in {@link VectorGates},
 * inside the tasks of each step's product ({@link Gemm#multiplyGrouped}) and, backward, split over the threads by
 * hidden units ({@link #splitByHiddenUnits}): the same floats, on every thread. float64 runs in the subclasses' own step loops with {@link Math#tanh} and {@link Math#exp}, so
 * that it stays exact for gradient checks.
 */
abstract class CpuSequenceKernel extends SequenceKernel {
    /**
     * Whether float32 steps run their gate math inside the tasks of the step's product where the vector kernels allow
     * ({@link Gemm#multiplyGrouped}); {@code -Drnn4j.cpu.fusedGates=false} runs product and gates one after the other.
     */
    private static volatile boolean fusedGates = !"false".equalsIgnoreCase(System.getProperty("rnn4j.cpu.fusedGates", "true").trim());

    final CpuBackend backend;

    /** See {@link #fusedGates}. */
    static boolean fuseGates() {
        return fusedGates;
    }

    /** Hidden units per range of {@link #splitByHiddenUnits}: a panel of the vector kernels, a whole number of vectors. */
    static final int HIDDEN_UNIT = 32;
    /** Elements of a step's {@code [B, H]} block from which {@link #splitByHiddenUnits} uses the threads. */
    static final int PARALLEL_ELEMENTS = 1 << 14;

    /** Work on the hidden units {@code [j0, j1)} of every row of a step. */
    @FunctionalInterface
    interface HiddenRange {
        void run(int j0, int j1);
    }

    /**
     * Returns what runs {@code body} over the hidden units {@code [0, hidden)} ({@code hidden} a multiple of
     * {@link #HIDDEN_UNIT}) of one step: in ranges of whole units on {@code par}'s threads (about two ranges per thread)
     * when the step's {@code [batch, hidden]} block has {@link #PARALLEL_ELEMENTS} or more, else at once on the calling
     * thread, where a hand-off would cost more than it saves.
     */
    static Runnable splitByHiddenUnits(Parallel par, int batch, int hidden, HiddenRange body) {
        int units = hidden / HIDDEN_UNIT;
        int tasks = par == null || par.threads() < 2 || batch * hidden < PARALLEL_ELEMENTS ? 1 : Math.min(units, 2 * par.threads());
        if (tasks <= 1) {
            return () -> body.run(0, hidden);
        }
        int per = (units + tasks - 1) / tasks;
        int count = (units + per - 1) / per;
        return () -> par.forEach(count, q -> body.run(q * per * HIDDEN_UNIT, Math.min(hidden, (q + 1) * per * HIDDEN_UNIT)));
    }

    /**
     * The step-major {@code [T, B, width]} per-step gradients {@code dAll} (step {@code k} holds time {@code cl.time(k)})
     * as a new batch-major {@code [B, T, width]} array of {@code pool}; {@code dAll} is given back to {@code pool}. A copy
     * of the size of the input projection: by ranges of sequences on {@code par}'s threads when large.
     */
    static float[] toBatchMajor(float[] dAll, Call cl, int width, Parallel par, ArrayPool pool) {
        int batch = cl.batch;
        int steps = cl.steps;
        float[] out = pool.floats(batch * steps * width);
        int parts = par == null || par.threads() < 2 || (long) steps * batch * width < Gemm.PARALLEL_WORK ? 1 : Math.min(batch, 2 * par.threads());
        int per = (batch + parts - 1) / parts;
        java.util.function.IntConsumer copy = q -> {
            for (int k = 0; k < steps; k++) {
                int t = cl.time(k);
                for (int b = q * per; b < Math.min(batch, (q + 1) * per); b++) {
                    System.arraycopy(dAll, (k * batch + b) * width, out, (b * steps + t) * width, width);
                }
            }
        };
        if (parts == 1) {
            copy.accept(0);
        } else {
            par.forEach(parts, copy);
        }
        pool.give(dAll);
        return out;
    }

    /** For every sequence padded at time {@code t}: its row of {@code to} ({@code [B, H]}) becomes its row of {@code from}. */
    static void keepPaddedRows(float[] from, float[] to, Call cl, int t) {
        if (cl.full) {
            return;
        }
        int hidden = cl.hidden;
        for (int b = 0; b < cl.batch; b++) {
            if (!cl.valid(b, t)) {
                System.arraycopy(from, b * hidden, to, b * hidden, hidden);
            }
        }
    }

    /** Switches {@link #fusedGates} for the whole JVM, for tests that compare both paths; returns the previous setting. */
    static boolean fuseGates(boolean on) {
        boolean was = fusedGates;
        fusedGates = on;
        return was;
    }

    /** Sizes, direction and lengths of one checked call. */
    static final class Call {
        final int batch;
        final int steps;
        final int hidden;
        final DType dtype;
        final boolean reverse;
        final Lengths lengths;
        /** Whether no sequence is padded (then {@link #valid} is always true). */
        final boolean full;
        /** Whether the result may be backpropagated: keep per-step activations; false: forward only, keep none. */
        final boolean backward;

        Call(Dims d, boolean reverse, Lengths lengths, boolean backward) {
            this.batch = d.batch();
            this.steps = d.steps();
            this.hidden = d.hidden();
            this.dtype = d.dtype();
            this.reverse = reverse;
            this.lengths = lengths;
            this.full = lengths.isFull();
            this.backward = backward;
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
            return full || lengths.active(b, t);
        }
    }

    CpuSequenceKernel(CpuBackend backend, KernelKind kind) {
        super(backend, kind);
        this.backend = backend;
    }

    @Override
    protected final Result forward(SequenceArgs args, Dims dims) {
        return run(new Call(dims, args.reverse(), args.lengths(), args.backward()), args);
    }

    /** Runs the checked call (forward only, keeping no per-step activations, when {@code call.backward} is false). */
    abstract Result run(Call call, SequenceArgs args);

    /** The arrays of the output gradients ({@code y [B,T,H]} then the final states {@code [B,H]}), null for a zero gradient. */
    static Object[] arrays(Tensor[] grads) {
        Object[] out = new Object[grads.length];
        for (int i = 0; i < grads.length; i++) {
            out[i] = data(grads[i]);
        }
        return out;
    }

    static Object data(Tensor t) {
        return t == null ? null : CpuBackend.data(t);
    }

    /** The values of a bias as doubles in an array of {@code pool}, zeros for a null bias. */
    static double[] biasOrZero(Tensor t, int n, ArrayPool pool) {
        if (t == null) {
            return pool.zeroDoubles(n);
        }
        return (double[]) Storage.convert(pool, CpuBackend.data(t), DType.FLOAT64);
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
        int g = kind().gates() * c.hidden;
        int rows = c.batch * c.steps;
        Tensor dW = wrap(backend.gemm(dPre, hPrev, g, c.hidden, rows, true, false, null), g, c.hidden);
        Tensor db = withBias ? wrap(CpuCellKernel.columnSums(dPre, rows, g, backend.pool(), backend.parallel()), g) : null;
        return new Tensor[] {dW, db};
    }
}
