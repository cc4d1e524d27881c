package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.CellParams;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Every fused kernel a backend offers ({@link KernelKind}), against the composed built-in cells
 * ({@link Cells#composed}) run step by step on the backend's primitive ops through autograd: forward
 * outputs and the gradients of every argument, in float64 and float32, with and without biases and
 * initial states, for gradients reaching every output or only some; sequence kernels in both
 * directions, with all-full and mixed lengths (padded steps give 0 and pass no gradient). Also: float64
 * gradients against central differences of the kernel itself, float32 against float64, null output
 * gradients meaning zero, inputs left unchanged, and every bad argument (wrong shape, mixed dtypes, a
 * tensor of another backend, missing or extra cell state, lengths out of {@code [1, T]} or of the wrong
 * count, the wrong number, shape or dtype of output gradients) rejected with its exact message.
 *
 * <p>Kinds the backend does not offer skip with the reason; a subclass names the kinds its backend must
 * offer in {@link #expectedKinds()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FusedKernelContract extends BackendContract {

    /** The kinds the backend under test must offer (a backend that loses one fails); default none. */
    protected Set<KernelKind> expectedKinds() {
        return EnumSet.noneOf(KernelKind.class);
    }

    // =====================================================================================
    // helpers
    // =====================================================================================

    /** The backend, when it offers {@code kind} and supports {@code dtype}; else the test skips saying why. */
    private ComputeBackend offering(KernelKind kind, DType dtype) {
        ComputeBackend b = backendFor(dtype);
        Assumptions.assumeTrue(b.fused(kind).isPresent(),
                () -> "backend '" + b.name() + "' does not offer " + kind.id() + ": its " + kind.cell() + " cells run composed");
        return b;
    }

    private static FusedKernel.Result apply(ComputeBackend b, KernelKind kind, Tensor[] args, boolean reverse, Lengths lengths) {
        if (kind.sequence()) {
            return b.sequenceKernel(kind).orElseThrow().apply(new SequenceArgs(args[0], args[1], args[2], args[3], args[4], args[5],
                    reverse, lengths));
        }
        return b.cellKernel(kind).orElseThrow().apply(new CellArgs(args[0], args[1], args[2], args[3], args[4]));
    }

    /**
     * Random arguments in {@link CellArgs#tensors()} or {@link SequenceArgs#tensors()} order, values in
     * U(-1, 1); {@code steps} 0 for a cell step. Without {@code state} the states are zeros.
     */
    private static Tensor[] arguments(ComputeBackend b, KernelKind kind, DType dt, int batch, int steps, int hidden, boolean bias,
                                      boolean state, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int g = kind.gates() * hidden;
        Tensor x = kind.sequence() ? GradCheck.random(b, rng, dt, batch, steps, g) : GradCheck.random(b, rng, dt, batch, g);
        Tensor h = state ? GradCheck.random(b, rng, dt, batch, hidden) : b.zeros(dt, batch, hidden);
        Tensor c = !kind.hasCellState() ? null : state ? GradCheck.random(b, rng, dt, batch, hidden) : b.zeros(dt, batch, hidden);
        Tensor w = GradCheck.random(b, rng, dt, g, hidden);
        Tensor bhh = bias ? GradCheck.random(b, rng, dt, g) : null;
        if (!kind.sequence()) {
            return new Tensor[] {x, h, c, w, bhh};
        }
        return new Tensor[] {x, h, c, w, bhh, bias ? GradCheck.random(b, rng, dt, g) : null};
    }

    /** Random weights of the outputs, one tensor per output; {@code which}: 0 all, k only output k - 1. */
    private static Tensor[] outputWeights(ComputeBackend b, Tensor[] outputs, int which, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor[] r = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor w = GradCheck.random(b, rng, outputs[i].dtype(), outputs[i].shape());
            r[i] = which == 0 || which == i + 1 ? w : null;
        }
        return r;
    }

    private static Var leaf(Tensor t) {
        return t == null ? null : Var.leaf(t, true);
    }

    /** {@code Σ_k sum(out_k * r_k)} over the outputs with a weight. */
    private static Var weightedLoss(Var[] outputs, Tensor[] r) {
        Var loss = null;
        for (int i = 0; i < outputs.length; i++) {
            if (r[i] != null) {
                Var term = GradCheck.weightedSum(outputs[i], r[i]);
                loss = loss == null ? term : F.add(loss, term);
            }
        }
        return loss;
    }

    /**
     * The reference: the composed cell of {@code kind} on {@code leaves} (in argument order), one step, or
     * every step of a sequence with padded steps masked as the contract says.
     */
    private static Var[] composed(KernelKind kind, Var[] in, boolean reverse, int[] lengths) {
        Cell cell = Cells.composed(Cells.byName(kind.cell()));
        CellParams p = new CellParams(in[3], in[4], Map.of());
        List<Var> state = new ArrayList<>();
        state.add(in[1]);
        if (kind.hasCellState()) {
            state.add(in[2]);
        }
        if (!kind.sequence()) {
            return cell.step(in[0], state, p).toArray(new Var[0]);
        }
        Var[] xs = F.unbind(in[0], 1);
        int batch = in[1].dim(0);
        int hidden = in[1].dim(1);
        int steps = xs.length;
        Var[] ys = new Var[steps];
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            Var x = in[5] == null ? xs[t] : F.add(xs[t], in[5]);
            List<Var> next = cell.step(x, state, p);
            if (lengths == null) {
                ys[t] = next.get(0);
                state = next;
                continue;
            }
            double[] m = new double[batch * hidden];
            for (int s = 0; s < batch; s++) {
                Arrays.fill(m, s * hidden, (s + 1) * hidden, t < lengths[s] ? 1 : 0);
            }
            Var mask = Var.constant(ComputeBackend.of(x.value()).fromDoubles(m, x.dtype(), batch, hidden));
            List<Var> kept = new ArrayList<>();
            for (int i = 0; i < state.size(); i++) {
                kept.add(F.add(state.get(i), F.mul(mask, F.sub(next.get(i), state.get(i)))));
            }
            ys[t] = F.mul(mask, next.get(0));
            state = kept;
        }
        List<Var> out = new ArrayList<>();
        out.add(F.stack(Arrays.asList(ys), 1));
        out.addAll(state);
        return out.toArray(new Var[0]);
    }

    /** Asserts the kernel's outputs and gradients equal the composed reference's within {@code tol} (gradients {@code gradTol}). */
    private static void compareWithComposed(String what, ComputeBackend b, KernelKind kind, Tensor[] args, boolean reverse, int[] lengths,
                                            int which, double tol, double gradTol) {
        FusedKernel.Result r = apply(b, kind, args, reverse, lengths == null ? null : Lengths.of(lengths, args[1].dim(0), args[0].dim(1)));
        Tensor[] out = r.outputs();
        assertEquals(kind.outputCount(), out.length, what + ": number of outputs");
        Tensor[] weights = outputWeights(b, out, which, 99);
        Var[] leaves = new Var[args.length];
        for (int i = 0; i < args.length; i++) {
            leaves[i] = leaf(args[i]);
        }
        Var[] ref = composed(kind, leaves, reverse, lengths);
        for (int i = 0; i < out.length; i++) {
            assertEquals(args[0].dtype(), out[i].dtype(), what + ": dtype of output " + i);
            Expect.close(what + ": output " + i, out[i], ref[i].shape(), ref[i].value().toDoubleArray(), tol);
        }
        weightedLoss(ref, weights).backward();
        Tensor[] grads = r.backward(weights);
        assertEquals(args.length, grads.length, what + ": number of gradients");
        List<String> names = kind.sequence() ? SequenceArgs.NAMES : CellArgs.NAMES;
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                assertNull(grads[i], what + ": the gradient of the null argument " + names.get(i));
                continue;
            }
            assertNotNull(grads[i], what + ": no gradient of " + names.get(i));
            double[] expected = leaves[i].grad() == null ? new double[args[i].size()] : leaves[i].grad().toDoubleArray();
            Expect.close(what + ": gradient of " + names.get(i), grads[i], args[i].shape(), expected, gradTol);
        }
    }

    // =====================================================================================
    // what is offered
    // =====================================================================================

    @Test
    void offeredKernelsAreOfTheirKindAndBackend() {
        ComputeBackend b = backend();
        Set<KernelKind> offered = b.fusedKinds();
        assertTrue(offered.containsAll(expectedKinds()), () -> "backend '" + b.name() + "' offers " + offered + ", expected at least "
                + expectedKinds());
        for (KernelKind k : KernelKind.values()) {
            if (!offered.contains(k)) {
                assertTrue(b.fused(k).isEmpty(), k.id());
                continue;
            }
            FusedKernel f = b.fused(k).orElseThrow();
            assertSame(k, f.kind(), k.id());
            assertSame(b, f.backend(), k.id());
            assertSame(f, b.fused(k).orElseThrow(), k.id() + ": the backend keeps its kernels");
            assertSame(f, k.sequence() ? b.sequenceKernel(k).orElseThrow() : b.cellKernel(k).orElseThrow(), k.id());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.cellKernel(KernelKind.GRU_SEQUENCE));
        assertEquals("cellKernel: gru_sequence is a sequence kind; expected one of the *_CELL kinds (use sequenceKernel for the "
                + "*_SEQUENCE kinds)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.sequenceKernel(KernelKind.LSTM_CELL));
        assertEquals("sequenceKernel: lstm_cell is a cell-step kind; expected one of the *_SEQUENCE kinds (use cellKernel for the "
                + "*_CELL kinds)", e.getMessage());
    }

    @Test
    void builtInCellsRunTheMostFusedPathTheBackendOffers() {
        ComputeBackend b = backend();
        for (String name : List.of("lstm", "gru", "rnn_tanh", "rnn_relu")) {
            Cell cell = Cells.byName(name);
            KernelKind step = KernelKind.valueOf(name.toUpperCase(java.util.Locale.ROOT) + "_CELL");
            KernelKind sequence = step.sequenceKind();
            String expected = b.fused(sequence).isPresent() ? "fused:" + sequence.id() : b.fused(step).isPresent() ? "fused:" + step.id()
                    : "composed";
            assertEquals(expected, cell.implementation(b), name);
            String explain = Recurrent.builder(cell, 3, 4).backend(b).build().explain();
            String path = b.fused(sequence).isPresent() ? "whole sequence fused:" + sequence.id() : "cell step " + expected;
            assertTrue(explain.contains(path), () -> name + ": " + explain + " lacks '" + path + "'");
            assertEquals("composed", Cells.composed(cell).implementation(b), name);
            String composed = Recurrent.builder(Cells.composed(cell), 3, 4).backend(b).build().explain();
            assertTrue(composed.contains("cell step composed"), composed);
        }
    }

    // =====================================================================================
    // cell steps
    // =====================================================================================

    Stream<Arguments> cellCases() {
        List<Arguments> out = new ArrayList<>();
        for (KernelKind k : KernelKind.values()) {
            if (k.sequence()) {
                continue;
            }
            for (DType dt : DType.values()) {
                for (boolean bias : new boolean[] {true, false}) {
                    for (int which = 0; which <= k.outputCount(); which++) {
                        if (which == 0 || k.outputCount() > 1) {
                            out.add(Arguments.of(k, dt, bias, which));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    /** which: 0 = gradients reach every output, k = only output k (h' or c'). */
    @ParameterizedTest(name = "{0} {1} bias={2} grads={3}")
    @MethodSource("cellCases")
    void cellStepEqualsTheComposedCell(KernelKind kind, DType dtype, boolean bias, int which) {
        ComputeBackend b = offering(kind, dtype);
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        // a small step and one past the small-product shortcuts of a blocked matrix product
        for (int[] bh : new int[][] {{5, 7}, {33, 70}}) {
            Tensor[] args = arguments(b, kind, dtype, bh[0], 0, bh[1], bias, true, 17 + which);
            compareWithComposed(kind.id() + " " + dtype + " B=" + bh[0] + " H=" + bh[1], b, kind, args, false, null, which, tol, tol);
        }
    }

    /**
     * The built-in cell's {@link Cell#step} runs the kernel as one graph node: outputs and the gradients autograd
     * gives every argument equal the composed cell's, for gradients reaching every output or only some.
     */
    @ParameterizedTest(name = "{0} {1} bias={2} grads={3}")
    @MethodSource("cellCases")
    void builtInCellStepRunsTheKernelInTheGraph(KernelKind kind, DType dtype, boolean bias, int which) {
        ComputeBackend b = offering(kind, dtype);
        Cell fused = Cells.byName(kind.cell());
        assertTrue(fused.implementation(b).startsWith("fused:"), fused.implementation(b));
        Tensor[] args = arguments(b, kind, dtype, 5, 0, 7, bias, true, 61);
        Var[][] leaves = new Var[2][args.length];
        Var[][] outs = new Var[2][];
        for (int run = 0; run < 2; run++) {
            for (int i = 0; i < args.length; i++) {
                leaves[run][i] = leaf(args[i]);
            }
            Var[] in = leaves[run];
            List<Var> state = kind.hasCellState() ? List.of(in[1], in[2]) : List.of(in[1]);
            Cell cell = run == 0 ? fused : Cells.composed(fused);
            outs[run] = cell.step(in[0], state, new CellParams(in[3], in[4], Map.of())).toArray(new Var[0]);
        }
        Tensor[] values = new Tensor[outs[0].length];
        for (int i = 0; i < values.length; i++) {
            values[i] = outs[0][i].value();
        }
        Tensor[] weights = outputWeights(b, values, which, 67);
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int run = 0; run < 2; run++) {
            weightedLoss(outs[run], weights).backward();
        }
        for (int i = 0; i < outs[0].length; i++) {
            Expect.close(kind.id() + " step output " + i, outs[0][i].value(), outs[1][i].shape(), outs[1][i].value().toDoubleArray(), tol);
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i] != null) {
                Tensor g = leaves[0][i].grad();
                Tensor e = leaves[1][i].grad();
                double[] expected = e == null ? new double[args[i].size()] : e.toDoubleArray();
                Expect.close(kind.id() + " step gradient " + i, g == null ? b.zeros(dtype, args[i].shape()) : g, args[i].shape(), expected,
                        tol);
            }
        }
    }

    Stream<Arguments> kindsWithBias() {
        return Stream.of(KernelKind.values()).flatMap(k -> Stream.of(Arguments.of(k, true), Arguments.of(k, false)));
    }

    /** The kernel's own float64 gradients against central differences of its forward pass (no autograd involved). */
    @ParameterizedTest(name = "{0} bias={1}")
    @MethodSource("kindsWithBias")
    void gradientsMatchCentralDifferences(KernelKind kind, boolean bias) {
        ComputeBackend b = offering(kind, DType.FLOAT64);
        int[] lengths = kind.sequence() ? new int[] {3, 2} : null;
        Lengths valid = lengths == null ? null : Lengths.of(lengths, 3);
        Tensor[] args = arguments(b, kind, DType.FLOAT64, 2, 3, 2, bias, true, 23);
        boolean reverse = kind.sequence() && bias; // both directions over the cases
        Function<Tensor[], Tensor[]> forward = in -> apply(b, kind, in, reverse, valid).outputs();
        Tensor[] out = forward.apply(args);
        Tensor[] weights = outputWeights(b, out, 0, 29);
        Tensor[] grads = apply(b, kind, args, reverse, valid).backward(weights);
        double eps = 1e-6;
        List<String> names = kind.sequence() ? SequenceArgs.NAMES : CellArgs.NAMES;
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                assertNull(grads[i], names.get(i));
                continue;
            }
            double[] base = args[i].toDoubleArray();
            double[] analytic = grads[i].toDoubleArray();
            for (int e = 0; e < base.length; e++) {
                double[] plus = base.clone();
                double[] minus = base.clone();
                plus[e] += eps;
                minus[e] -= eps;
                double numeric = (dot(forward.apply(replaced(b, args, i, plus)), weights)
                        - dot(forward.apply(replaced(b, args, i, minus)), weights)) / (2 * eps);
                if (Math.abs(numeric - analytic[e]) > 1e-7 * Math.max(1, Math.abs(numeric))) {
                    fail(kind.id() + ": gradient of " + names.get(i) + " element " + e + ": analytic " + analytic[e] + ", numeric " + numeric);
                }
            }
        }
    }

    private static Tensor[] replaced(ComputeBackend b, Tensor[] args, int i, double[] values) {
        Tensor[] copy = args.clone();
        copy[i] = b.fromDoubles(values, args[i].dtype(), args[i].shape());
        return copy;
    }

    /** {@code Σ_k sum(out_k * w_k)}. */
    private static double dot(Tensor[] out, Tensor[] weights) {
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            double[] o = out[i].toDoubleArray();
            double[] w = weights[i].toDoubleArray();
            for (int j = 0; j < o.length; j++) {
                s += o[j] * w[j];
            }
        }
        return s;
    }

    Stream<KernelKind> kinds() {
        return Stream.of(KernelKind.values());
    }

    /** float32 outputs and gradients against the same kernel in float64, on a batch whose sums run over 33 rows. */
    @ParameterizedTest
    @MethodSource("kinds")
    void float32AgreesWithFloat64(KernelKind kind) {
        offering(kind, DType.FLOAT32);
        ComputeBackend b = offering(kind, DType.FLOAT64);
        Tensor[] a64 = arguments(b, kind, DType.FLOAT64, 33, 4, 70, true, true, 31);
        Tensor[] a32 = new Tensor[a64.length];
        for (int i = 0; i < a64.length; i++) {
            a32[i] = a64[i] == null ? null : b.cast(a64[i], DType.FLOAT32);
            a64[i] = a64[i] == null ? null : b.cast(a32[i], DType.FLOAT64); // the float32 values exactly
        }
        FusedKernel.Result r64 = apply(b, kind, a64, false, null);
        FusedKernel.Result r32 = apply(b, kind, a32, false, null);
        Tensor[] w64 = outputWeights(b, r64.outputs(), 0, 37);
        Tensor[] w32 = new Tensor[w64.length];
        for (int i = 0; i < w64.length; i++) {
            w32[i] = b.cast(w64[i], DType.FLOAT32);
        }
        for (int i = 0; i < w64.length; i++) {
            Expect.close(kind.id() + " float32 output " + i, r32.outputs()[i], r64.outputs()[i].shape(), r64.outputs()[i].toDoubleArray(),
                    1e-5);
        }
        Tensor[] g64 = r64.backward(w64);
        Tensor[] g32 = r32.backward(w32);
        for (int i = 0; i < g64.length; i++) {
            if (g64[i] != null) {
                assertEquals(DType.FLOAT32, g32[i].dtype());
                Expect.close(kind.id() + " float32 gradient " + i, g32[i], g64[i].shape(), g64[i].toDoubleArray(), 2e-5);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void nullOutputGradientsMeanZero(KernelKind kind) {
        ComputeBackend b = offering(kind, DType.FLOAT64);
        Tensor[] args = arguments(b, kind, DType.FLOAT64, 2, 3, 3, true, true, 41);
        FusedKernel.Result r = apply(b, kind, args, true, kind.sequence() ? Lengths.of(new int[] {3, 1}, 3) : null);
        Tensor[] out = r.outputs();
        int n = out.length;
        for (int i = 0; i < n; i++) {
            Tensor[] zerosButOne = new Tensor[n];
            Tensor[] nullsButOne = new Tensor[n];
            for (int j = 0; j < n; j++) {
                zerosButOne[j] = j == i ? b.full(1, DType.FLOAT64, out[j].shape()) : b.zeros(DType.FLOAT64, out[j].shape());
                nullsButOne[j] = j == i ? zerosButOne[j] : null;
            }
            assertSameGradients(kind.id() + " only output " + i, r.backward(zerosButOne), r.backward(nullsButOne));
        }
        Tensor[] zeros = new Tensor[n];
        for (int j = 0; j < n; j++) {
            zeros[j] = b.zeros(DType.FLOAT64, out[j].shape());
        }
        Tensor[] allZero = r.backward(zeros);
        assertSameGradients(kind.id() + " all null", allZero, r.backward(new Tensor[n]));
        assertSameGradients(kind.id() + " null array", allZero, r.backward((Tensor[]) null));
        for (int i = 0; i < allZero.length; i++) {
            if (args[i] != null) {
                assertEquals(0.0, b.maxAbs(allZero[i]).item(), kind.id() + " gradient " + i);
            }
        }
    }

    private static void assertSameGradients(String what, Tensor[] expected, Tensor[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == null) {
                assertNull(actual[i], what + ": gradient " + i);
            } else {
                // delta 0: equal values, where -0.0 equals 0.0
                assertArrayEquals(expected[i].toDoubleArray(), actual[i].toDoubleArray(), 0.0, what + ": gradient " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void argumentsAreNotModifiedAndBackwardCanRepeat(KernelKind kind) {
        DType dt = backend().supports(DType.FLOAT32) ? DType.FLOAT32 : DType.FLOAT64;
        ComputeBackend b = offering(kind, dt);
        Tensor[] args = arguments(b, kind, dt, 4, 3, 5, true, true, 43);
        double[][] before = new double[args.length][];
        for (int i = 0; i < args.length; i++) {
            before[i] = args[i] == null ? null : args[i].toDoubleArray();
        }
        FusedKernel.Result r = apply(b, kind, args, false, kind.sequence() ? Lengths.of(new int[] {3, 2, 1, 3}, 3) : null);
        Tensor[] w = outputWeights(b, r.outputs(), 0, 47);
        assertSameGradients(kind.id() + " second backward", r.backward(w), r.backward(w));
        for (int i = 0; i < args.length; i++) {
            if (args[i] != null) {
                assertArrayEquals(before[i], args[i].toDoubleArray(), kind.id() + ": argument " + i + " was modified");
            }
        }
    }

    // =====================================================================================
    // sequences
    // =====================================================================================

    Stream<Arguments> sequenceCases() {
        List<Arguments> out = new ArrayList<>();
        for (KernelKind k : KernelKind.values()) {
            if (!k.sequence()) {
                continue;
            }
            for (DType d : DType.values()) {
                out.add(Arguments.of(k, d, false, null, true, true));
                out.add(Arguments.of(k, d, true, null, true, false));
                out.add(Arguments.of(k, d, false, new int[] {5, 5, 5}, true, false));
                out.add(Arguments.of(k, d, false, new int[] {5, 2, 1}, false, true));
                out.add(Arguments.of(k, d, true, new int[] {3, 5, 4}, true, true));
                out.add(Arguments.of(k, d, true, new int[] {1, 1, 2}, false, false));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} reverse={2} lengths={3} bias={4} state={5}")
    @MethodSource("sequenceCases")
    void sequenceEqualsTheComposedCellStepByStep(KernelKind kind, DType dtype, boolean reverse, int[] lengths, boolean bias,
                                                 boolean state) {
        ComputeBackend b = offering(kind, dtype);
        int batch = 3;
        int steps = 5;
        int hidden = 7;
        Tensor[] args = arguments(b, kind, dtype, batch, steps, hidden, bias, state, kind.ordinal() * 31L + (reverse ? 7 : 0));
        String what = kind.id() + " " + dtype + (reverse ? " reverse" : "") + " lengths " + Arrays.toString(lengths);
        double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
        compareWithComposed(what, b, kind, args, reverse, lengths, 0, tol, 10 * tol);
        if (lengths != null) {
            // padded steps give exactly 0 (either sign) and their xProj gets exactly no gradient
            FusedKernel.Result r = apply(b, kind, args, reverse, Lengths.of(lengths, steps));
            double[] y = r.outputs()[0].toDoubleArray();
            double[] gx = r.backward(outputWeights(b, r.outputs(), 0, 5))[0].toDoubleArray();
            int g = kind.gates() * hidden;
            for (int s = 0; s < batch; s++) {
                for (int t = lengths[s]; t < steps; t++) {
                    for (int j = 0; j < hidden; j++) {
                        assertEquals(0.0, y[(s * steps + t) * hidden + j], 0.0, what + ": y[" + s + ", " + t + "]");
                    }
                    for (int j = 0; j < g; j++) {
                        assertEquals(0.0, gx[(s * steps + t) * g + j], 0.0, what + ": gradient of xProj[" + s + ", " + t + "]");
                    }
                }
            }
        }
    }

    Stream<KernelKind> sequenceKinds() {
        return Stream.of(KernelKind.values()).filter(KernelKind::sequence);
    }

    Stream<Arguments> forwardOnlyCases() {
        List<Arguments> out = new ArrayList<>();
        for (KernelKind k : KernelKind.values()) {
            if (!k.sequence()) {
                continue;
            }
            for (DType d : DType.values()) {
                out.add(Arguments.of(k, d, false, null));
                out.add(Arguments.of(k, d, true, null));
                out.add(Arguments.of(k, d, false, new int[] {6, 2, 1, 6, 4}));
                out.add(Arguments.of(k, d, true, new int[] {3, 6, 1, 5, 6}));
            }
        }
        return out.stream();
    }

    /**
     * A forward-only run ({@link SequenceArgs#backward()} false) gives the training run's outputs bit for
     * bit (same sign of zero), in both directions, with full and mixed lengths; its backward throws, for any
     * output gradients, null included; the training run's backward is unaffected.
     */
    @ParameterizedTest(name = "{0} {1} reverse={2} lengths={3}")
    @MethodSource("forwardOnlyCases")
    void forwardOnlyRunEqualsTheTrainingRunExactlyAndHasNoBackward(KernelKind kind, DType dtype, boolean reverse, int[] lengths) {
        ComputeBackend b = offering(kind, dtype);
        int batch = 5;
        int steps = 6;
        int hidden = 37;
        Tensor[] args = arguments(b, kind, dtype, batch, steps, hidden, true, true, kind.ordinal() * 13L + (reverse ? 3 : 0));
        Lengths valid = lengths == null ? null : Lengths.of(lengths, steps);
        var kernel = b.sequenceKernel(kind).orElseThrow();
        FusedKernel.Result training = kernel.apply(new SequenceArgs(args[0], args[1], args[2], args[3], args[4], args[5], reverse, valid,
                true));
        FusedKernel.Result inference = kernel.apply(new SequenceArgs(args[0], args[1], args[2], args[3], args[4], args[5], reverse, valid,
                false));
        String what = kind.id() + " " + dtype + (reverse ? " reverse" : "") + " lengths " + Arrays.toString(lengths);
        Tensor[] expected = training.outputs();
        Tensor[] actual = inference.outputs();
        assertEquals(expected.length, actual.length, what + ": number of outputs");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(dtype, actual[i].dtype(), what + ": dtype of output " + i);
            assertArrayEquals(expected[i].shape(), actual[i].shape(), what + ": shape of output " + i);
            // no delta: equal bits (Double.equals), so 0.0 and -0.0 differ
            assertArrayEquals(expected[i].toDoubleArray(), actual[i].toDoubleArray(), what + ": output " + i);
        }
        Tensor[] weights = outputWeights(b, actual, 0, 71);
        String message = kind.id() + " backward: the run was forward only (SequenceArgs.backward false), so it kept no activations;"
                + " run the kernel with backward true (graph recording on and an input requiring a gradient) to backpropagate";
        for (Tensor[] g : Arrays.asList(weights, new Tensor[weights.length], null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> inference.backward(g), what);
            assertEquals(message, e.getMessage());
        }
        Tensor[] grads = training.backward(weights);
        assertEquals(args.length, grads.length, what);
        assertNotNull(grads[0], what + ": the training run still has its backward");
    }

    /**
     * A built-in layer runs its sequence kernel forward only when no graph is recorded: under
     * {@code Grad.disabled()} its outputs equal the recorded forward pass's bit for bit, and they are
     * constants (no node, so no backward can reach the kernel).
     */
    @ParameterizedTest
    @MethodSource("sequenceKinds")
    void layerForwardWithoutRecordingEqualsTheRecordedForward(KernelKind kind) {
        DType dt = anyDType();
        ComputeBackend b = offering(kind, dt);
        Recurrent layer = Recurrent.builder(Cells.byName(kind.cell()), 6, 9).backend(b).dtype(dt).seed(5).bidirectional(true).build();
        Var x = Var.constant(GradCheck.random(b, new SplittableRandom(3), dt, 4, 7, 6));
        int[] lengths = {7, 3, 5, 1};
        Recurrent.Output recorded = layer.forward(x, lengths, null);
        assertTrue(recorded.output().requiresGrad(), kind.id() + ": the recorded forward has a graph");
        Recurrent.Output plain;
        try (var off = Grad.disabled()) {
            plain = layer.forward(x, lengths, null);
        }
        assertTrue(!plain.output().requiresGrad(), kind.id() + ": nothing is recorded under Grad.disabled()");
        assertArrayEquals(recorded.output().value().toDoubleArray(), plain.output().value().toDoubleArray(), kind.id() + ": output");
        for (int i = 0; i < recorded.finalState().size(); i++) {
            assertArrayEquals(recorded.finalState().get(i).value().toDoubleArray(), plain.finalState().get(i).value().toDoubleArray(),
                    kind.id() + ": final state " + i);
        }
    }

    // =====================================================================================
    // bad arguments
    // =====================================================================================

    private DType anyDType() {
        return backend().supports(DType.FLOAT32) ? DType.FLOAT32 : DType.FLOAT64;
    }

    private static void rejects(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    private static Tensor[] with(Tensor[] args, int i, Tensor t) {
        Tensor[] copy = args.clone();
        copy[i] = t;
        return copy;
    }

    @Test
    void badCellArgumentsAreRejectedWithExactMessages() {
        DType dt = anyDType();
        ComputeBackend b = offering(KernelKind.LSTM_CELL, dt);
        String be = b.name();
        Tensor[] ok = arguments(b, KernelKind.LSTM_CELL, dt, 2, 0, 3, true, true, 51);
        Function<Tensor[], Executable> lstm = a -> () -> apply(b, KernelKind.LSTM_CELL, a, false, null);
        rejects("lstm_cell: weightHh has shape [12, 4], expected [4*H, H] = [12, 3] (B = 2, H = 3 from h)",
                lstm.apply(with(ok, 3, b.zeros(dt, 12, 4))));
        rejects("lstm_cell: xProj has shape [2, 9], expected [B, 4*H] = [2, 12] (B = 2, H = 3 from h)",
                lstm.apply(with(ok, 0, b.zeros(dt, 2, 9))));
        rejects("lstm_cell: c has shape [3, 3], expected [B, H] = [2, 3] (B = 2, H = 3 from h)", lstm.apply(with(ok, 2, b.zeros(dt, 3, 3))));
        rejects("lstm_cell: biasHh has shape [3], expected [4*H] = [12] (B = 2, H = 3 from h)", lstm.apply(with(ok, 4, b.zeros(dt, 3))));
        rejects("lstm_cell: h has shape [3], expected [B, H] with B, H >= 1", lstm.apply(with(ok, 1, b.zeros(dt, 3))));
        rejects(be + " backend: argument 'lstm_cell h' is null", lstm.apply(with(ok, 1, null)));
        rejects(be + " backend: argument 'lstm_cell c' is null", lstm.apply(with(ok, 2, null)));
        rejects("Tensors of two backends mixed: argument 'lstm_cell xProj' belongs to backend '" + TensorOpsContract.FOREIGN
                + "' but the op runs on backend '" + be + "'; move it first with Tensors.to(tensor, backend)",
                lstm.apply(with(ok, 0, TensorOpsContract.foreignTensor(dt, 2, 12))));
        rejects("lstm_cell: args is null; expected CellArgs(xProj, h, c, weightHh, biasHh)",
                () -> b.cellKernel(KernelKind.LSTM_CELL).orElseThrow().apply(null));
        if (b.supports(DType.FLOAT32) && b.supports(DType.FLOAT64)) {
            rejects("lstm_cell: c is FLOAT64 but xProj is FLOAT32; all arguments must have one dtype",
                    () -> apply(b, KernelKind.LSTM_CELL, with(arguments(b, KernelKind.LSTM_CELL, DType.FLOAT32, 2, 0, 3, true, true, 51), 2,
                            b.zeros(DType.FLOAT64, 2, 3)), false, null));
        }
        if (b.fused(KernelKind.GRU_CELL).isPresent()) {
            Tensor[] gru = arguments(b, KernelKind.GRU_CELL, dt, 2, 0, 3, false, true, 52);
            rejects("gru_cell: c must be null: a gru cell has no cell state, got a tensor of shape [2, 3]",
                    () -> apply(b, KernelKind.GRU_CELL, with(gru, 2, b.zeros(dt, 2, 3)), false, null));
        }
        // output gradients
        FusedKernel.Result r = apply(b, KernelKind.LSTM_CELL, ok, false, null);
        Tensor g = b.zeros(dt, 2, 3);
        rejects("lstm_cell backward: expected 2 output gradients [h', c'], got 1", () -> r.backward(g));
        rejects("lstm_cell backward: the gradient of h' has shape [3, 3], expected [2, 3] (the shape of h')",
                () -> r.backward(b.zeros(dt, 3, 3), null));
        rejects("Tensors of two backends mixed: argument 'lstm_cell output gradient c'' belongs to backend '" + TensorOpsContract.FOREIGN
                + "' but the op runs on backend '" + be + "'; move it first with Tensors.to(tensor, backend)",
                () -> r.backward(g, TensorOpsContract.foreignTensor(dt, 2, 3)));
        DType other = dt == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        if (b.supports(other)) {
            rejects("lstm_cell backward: the gradient of c' is " + other + " but the forward pass ran in " + dt,
                    () -> r.backward(null, b.zeros(other, 2, 3)));
        }
    }

    @Test
    void badSequenceArgumentsAreRejectedWithExactMessages() {
        DType dt = anyDType();
        ComputeBackend b = offering(KernelKind.GRU_SEQUENCE, dt);
        Tensor[] ok = arguments(b, KernelKind.GRU_SEQUENCE, dt, 2, 3, 4, true, true, 53);
        rejects("gru_sequence: lengths[0] = 4 is outside [1, 3] (T = 3 steps)",
                () -> apply(b, KernelKind.GRU_SEQUENCE, ok, false, Lengths.of(new int[] {4, 1}, 4)));
        rejects("gru_sequence: lengths has 3 entries but the batch has 2 sequences",
                () -> apply(b, KernelKind.GRU_SEQUENCE, ok, false, Lengths.of(new int[] {1, 1, 1}, 3)));
        rejects("lengths[1] = 0 is outside [1, 3] (T = 3 steps)", () -> Lengths.of(new int[] {2, 0}, 3));
        rejects("lengths has 1 entries but the batch has 2 sequences", () -> Lengths.of(new int[] {2}, 2, 3));
        Function<Tensor[], Executable> gru = a -> () -> apply(b, KernelKind.GRU_SEQUENCE, a, true, null);
        rejects("gru_sequence: xProj has shape [2, 3, 9], expected [B, T, 3*H] = [2, 3, 12] (B = 2, H = 4 from h0, T = 3 from xProj)",
                gru.apply(with(ok, 0, b.zeros(dt, 2, 3, 9))));
        rejects("gru_sequence: xProj has shape [2, 12], expected [B, T, 3*H] with T >= 1 (B = 2, H = 4 from h0)",
                gru.apply(with(ok, 0, b.zeros(dt, 2, 12))));
        rejects("gru_sequence: biasIh has shape [4], expected [3*H] = [12] (B = 2, H = 4 from h0, T = 3 from xProj)",
                gru.apply(with(ok, 5, b.zeros(dt, 4))));
        rejects("gru_sequence: h0 has shape [2, 4, 1], expected [B, H] with B, H >= 1", gru.apply(with(ok, 1, b.zeros(dt, 2, 4, 1))));
        rejects("gru_sequence: c0 must be null: a gru cell has no cell state, got a tensor of shape [2, 4]",
                gru.apply(with(ok, 2, b.zeros(dt, 2, 4))));
        rejects(b.name() + " backend: argument 'gru_sequence weightHh' is null", gru.apply(with(ok, 3, null)));
        rejects("gru_sequence: args is null; expected SequenceArgs(xProj, h0, c0, weightHh, biasHh, biasIh, reverse, lengths, backward)",
                () -> b.sequenceKernel(KernelKind.GRU_SEQUENCE).orElseThrow().apply(null));
        FusedKernel.Result r = apply(b, KernelKind.GRU_SEQUENCE, ok, false, null);
        Tensor gy = b.zeros(dt, 2, 3, 4);
        Tensor gh = b.zeros(dt, 2, 4);
        rejects("gru_sequence backward: expected 2 output gradients [y, h_T], got 3", () -> r.backward(gy, gh, gh));
        rejects("gru_sequence backward: the gradient of y has shape [2, 4], expected [2, 3, 4] (the shape of y)", () -> r.backward(gh, gh));
    }
}
