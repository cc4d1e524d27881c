package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.conformance.cells.MinimalGatedUnit;
import org.rnn4j.conformance.cells.PeepholeLstm;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Contracts every cell meets on every backend, built-in or user-defined: float64 gradient checks through
 * multi-layer bidirectional masked layers, masked-equals-unpadded, streaming-equals-whole-sequence,
 * checkpoint round trips of parameters and state, fused-equals-composed where the backend fuses, and
 * clear errors for bad lengths and states. Subclasses may add cells by overriding {@link #cells()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CellContract extends BackendContract {

    /** The cells under test: the four built-ins and two user-defined cells (MGU and peephole LSTM). */
    protected List<Cell> cells() {
        return List.of(Cells.rnnTanh(), Cells.rnnRelu(), Cells.lstm(), Cells.gru(), new MinimalGatedUnit(), new PeepholeLstm());
    }

    Stream<Arguments> cellArgs() {
        return cells().stream().map(c -> Arguments.of(c.name(), c));
    }

    private Recurrent layer(Cell cell, ComputeBackend b, DType dtype, int in, int hidden, int layers, boolean bidir, long seed) {
        return Recurrent.builder(cell, in, hidden).numLayers(layers).bidirectional(bidir).backend(b).dtype(dtype).seed(seed).build();
    }

    private static List<Var> randomState(Recurrent l, ComputeBackend b, SplittableRandom rng, DType dtype, int batch, boolean grad) {
        List<Var> s = new ArrayList<>();
        for (int i = 0; i < l.stateNames().size(); i++) {
            s.add(Var.leaf(GradCheck.random(b, rng, dtype, l.numLayers() * l.directions(), batch, l.hiddenSize()), grad));
        }
        return s;
    }

    // ---- gradient checks ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void gradientCheckTwoLayerBidirectionalMasked(String name, Cell cell) {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(11);
        Recurrent l = layer(cell, b, DType.FLOAT64, 3, 2, 2, true, 5);
        Var x = GradCheck.randomLeaf(b, rng, true, 2, 3, 3);
        List<Var> h0 = randomState(l, b, rng, DType.FLOAT64, 2, true);
        int[] lengths = {3, 2};
        Tensor rOut = GradCheck.random(b, rng, DType.FLOAT64, 2, 3, 4);
        List<Tensor> rState = new ArrayList<>();
        for (int i = 0; i < h0.size(); i++) {
            rState.add(GradCheck.random(b, rng, DType.FLOAT64, 4, 2, 2));
        }
        Map<String, Var> leaves = new LinkedHashMap<>(l.parameters());
        leaves.put("x", x);
        GradCheck.putAll(leaves, "state", h0);
        GradCheck.check(name + " 2-layer bidirectional masked", leaves, () -> {
            Recurrent.Output o = l.forward(x, lengths, h0);
            Var loss = GradCheck.weightedSum(o.output(), rOut);
            for (int i = 0; i < rState.size(); i++) {
                loss = F.add(loss, GradCheck.weightedSum(o.finalState().get(i), rState.get(i)));
            }
            return loss;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void gradientCheckSingleLayerZeroState(String name, Cell cell) {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(12);
        Recurrent l = layer(cell, b, DType.FLOAT64, 2, 3, 1, false, 6);
        Var x = GradCheck.randomLeaf(b, rng, true, 3, 4, 2);
        Tensor rOut = GradCheck.random(b, rng, DType.FLOAT64, 3, 4, 3);
        Map<String, Var> leaves = new LinkedHashMap<>(l.parameters());
        leaves.put("x", x);
        GradCheck.check(name + " single layer", leaves, () -> GradCheck.weightedSum(l.forward(x).output(), rOut));
    }

    // ---- masks ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void maskedBatchEqualsEachSequenceAlone(String name, Cell cell) {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(13);
        int batch = 3;
        int steps = 5;
        int hidden = 3;
        int[] lengths = {5, 2, 4};
        Recurrent l = layer(cell, b, DType.FLOAT64, 2, hidden, 2, true, 7);
        Var x = GradCheck.randomLeaf(b, rng, true, batch, steps, 2); // padding holds garbage, not zeros
        Tensor rOut = GradCheck.random(b, rng, DType.FLOAT64, batch, steps, 2 * hidden);
        Tensor rH = GradCheck.random(b, rng, DType.FLOAT64, 4, batch, hidden);
        Recurrent.Output whole = l.forward(x, lengths, null);
        F.add(GradCheck.weightedSum(whole.output(), rOut), GradCheck.weightedSum(whole.hN(), rH)).backward();
        Map<String, double[]> batchGrads = new LinkedHashMap<>();
        l.parameters().forEach((k, v) -> batchGrads.put(k, v.grad().toDoubleArray()));
        double[] gx = x.grad().toDoubleArray();
        double[] out = whole.output().value().toDoubleArray();
        double[][] finals = new double[whole.finalState().size()][];
        for (int s = 0; s < finals.length; s++) {
            finals[s] = whole.finalState().get(s).value().toDoubleArray();
        }
        l.zeroGrad();
        double[] xs = x.value().toDoubleArray();
        double[] ro = rOut.toDoubleArray();
        double[] rh = rH.toDoubleArray();
        int dh = 2 * hidden;
        for (int s = 0; s < batch; s++) {
            int len = lengths[s];
            double[] xsOne = new double[len * 2];
            System.arraycopy(xs, s * steps * 2, xsOne, 0, len * 2);
            Var xOne = Var.leaf(b.fromDoubles(xsOne, DType.FLOAT64, 1, len, 2), true);
            double[] roOne = new double[len * dh];
            System.arraycopy(ro, s * steps * dh, roOne, 0, len * dh);
            double[] rhOne = new double[4 * hidden];
            for (int k = 0; k < 4; k++) {
                System.arraycopy(rh, (k * batch + s) * hidden, rhOne, k * hidden, hidden);
            }
            Recurrent.Output one = l.forward(xOne, null, null);
            F.add(GradCheck.weightedSum(one.output(), b.fromDoubles(roOne, DType.FLOAT64, 1, len, dh)),
                    GradCheck.weightedSum(one.hN(), b.fromDoubles(rhOne, DType.FLOAT64, 4, 1, hidden))).backward();
            double[] oneOut = one.output().value().toDoubleArray();
            double[] oneGx = xOne.grad().toDoubleArray();
            for (int t = 0; t < steps; t++) {
                for (int j = 0; j < dh; j++) {
                    double expected = t < len ? oneOut[t * dh + j] : 0.0;
                    assertEquals(expected, out[(s * steps + t) * dh + j], 1e-12, name + ": output[" + s + "," + t + "," + j + "]");
                }
                for (int j = 0; j < 2; j++) {
                    double expected = t < len ? oneGx[t * 2 + j] : 0.0;
                    assertEquals(expected, gx[(s * steps + t) * 2 + j], 1e-12, name + ": grad x[" + s + "," + t + "," + j + "]");
                }
            }
            for (int st = 0; st < finals.length; st++) {
                double[] f1 = one.finalState().get(st).value().toDoubleArray();
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < hidden; j++) {
                        assertEquals(f1[k * hidden + j], finals[st][(k * batch + s) * hidden + j], 1e-12,
                                name + ": final state " + st + " [" + k + "," + s + "," + j + "]");
                    }
                }
            }
        }
        // the parameters' gradients of the padded batch are the sums over the sequences alone
        for (Map.Entry<String, Var> e : l.parameters().entrySet()) {
            Expect.close(name + " grad " + e.getKey(), e.getValue().grad().toDoubleArray(), batchGrads.get(e.getKey()), 1e-10);
        }
    }

    // ---- streaming ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void streamingEqualsWholeSequence(String name, Cell cell) {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(14);
        Recurrent l = layer(cell, b, DType.FLOAT64, 3, 4, 2, false, 8);
        Var x = GradCheck.randomLeaf(b, rng, false, 2, 6, 3);
        Recurrent.Output whole = l.forward(x);
        List<Var> parts = new ArrayList<>();
        int[] chunks = {2, 1, 3};
        int t = 0;
        try (var off = Grad.disabled()) {
            for (int c : chunks) {
                parts.add(l.forwardStateful(F.slice(x, 1, t, t + c)));
                t += c;
            }
        }
        Expect.close(name + " streamed output", F.concat(parts, 1).value().toDoubleArray(), whole.output().value().toDoubleArray(), 1e-12);
        List<Tensor> st = l.state();
        for (int i = 0; i < st.size(); i++) {
            Expect.close(name + " streamed state " + i, st.get(i).toDoubleArray(), whole.finalState().get(i).value().toDoubleArray(), 1e-12);
        }
        // a new batch size needs a reset first, and the failed call changes nothing
        Var other = GradCheck.randomLeaf(b, rng, false, 3, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forwardStateful(other));
        assertTrue(e.getMessage().contains("resetState"), e.getMessage());
        assertArrayEquals(st.get(0).toDoubleArray(), l.state().get(0).toDoubleArray());
        l.resetState();
        assertNull(l.state());
        Var out = l.forwardStateful(other);
        assertArrayEquals(new int[] {3, 2, 4}, out.shape());
        assertEquals(3, l.state().get(0).dim(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void streamingWithLengthsKeepsStateOfFinishedSequences(String name, Cell cell) {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(15);
        Recurrent l = layer(cell, b, DType.FLOAT64, 2, 3, 1, false, 9);
        Var x = GradCheck.randomLeaf(b, rng, false, 2, 4, 2);
        int[] lengths = {4, 3};
        Recurrent.Output whole = l.forward(x, lengths, null);
        l.forwardStateful(F.slice(x, 1, 0, 2));
        l.forwardStateful(F.slice(x, 1, 2, 4), new int[] {2, 1});
        for (int i = 0; i < l.stateNames().size(); i++) {
            Expect.close(name + " state " + i, l.state().get(i).toDoubleArray(), whole.finalState().get(i).value().toDoubleArray(), 1e-12);
        }
    }

    // ---- checkpoints ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void checkpointRoundTripOfParametersAndState(String name, Cell cell, @TempDir Path dir) throws IOException {
        for (DType dtype : DType.values()) {
            ComputeBackend b = backend();
            if (!b.supports(dtype)) {
                continue;
            }
            SplittableRandom rng = new SplittableRandom(16);
            Recurrent a = layer(cell, b, dtype, 3, 4, 2, false, 1);
            Var x = Var.constant(GradCheck.random(b, rng, dtype, 2, 3, 3));
            a.forwardStateful(x);
            Path file = dir.resolve(name + "-" + dtype + ".safetensors");
            Checkpoints.save(file, a);
            Recurrent c = layer(cell, b, dtype, 3, 4, 2, false, 2);
            Checkpoints.load(file, c);
            for (String p : a.parameters().keySet()) {
                assertArrayEquals(a.parameters().get(p).value().toDoubleArray(), c.parameters().get(p).value().toDoubleArray(), p);
            }
            for (int i = 0; i < a.stateNames().size(); i++) {
                assertArrayEquals(a.state().get(i).toDoubleArray(), c.state().get(i).toDoubleArray(), "state " + i);
            }
            assertArrayEquals(a.forwardStateful(x).value().toDoubleArray(), c.forwardStateful(x).value().toDoubleArray(),
                    name + ": continued streams differ after load");
            // a checkpoint of another shape is refused, naming the tensor and both shapes, and changes nothing
            Recurrent wrong = layer(cell, b, dtype, 3, 5, 2, false, 3);
            double[] before = wrong.parameters().get("weight_hh_l0").value().toDoubleArray();
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(file, wrong));
            assertTrue(e.getMessage().contains("weight_hh_l0") && e.getMessage().contains("[" + cell.gates() * 4 + ", 4]")
                    && e.getMessage().contains("[" + cell.gates() * 5 + ", 5]"), e.getMessage());
            assertArrayEquals(before, wrong.parameters().get("weight_hh_l0").value().toDoubleArray());
            assertNull(wrong.state());
            assertTrue(Files.size(file) > 0);
        }
    }

    // ---- fused vs composed ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void fusedEqualsComposed(String name, Cell cell) {
        ComputeBackend b = backend();
        Assumptions.assumeTrue(cell.implementation(b).startsWith("fused"),
                () -> "backend '" + b.name() + "' runs cell '" + name + "' " + cell.implementation(b) + ": nothing fused to compare");
        for (DType dtype : DType.values()) {
            if (!b.supports(dtype)) {
                continue;
            }
            SplittableRandom rng = new SplittableRandom(17);
            Recurrent fused = layer(cell, b, dtype, 3, 4, 2, true, 21);
            Recurrent composed = layer(Cells.composed(cell), b, dtype, 3, 4, 2, true, 21);
            assertTrue(composed.cell().implementation(b).equals("composed"));
            Tensor xv = GradCheck.random(b, rng, dtype, 2, 5, 3);
            Tensor r = GradCheck.random(b, rng, dtype, 2, 5, 8);
            int[] lengths = {5, 3};
            Var x1 = Var.leaf(xv, true);
            Var x2 = Var.leaf(xv, true);
            Recurrent.Output o1 = fused.forward(x1, lengths, null);
            Recurrent.Output o2 = composed.forward(x2, lengths, null);
            double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
            Expect.close(name + " fused output", o1.output().value().toDoubleArray(), o2.output().value().toDoubleArray(), tol);
            GradCheck.weightedSum(o1.output(), r).backward();
            GradCheck.weightedSum(o2.output(), r).backward();
            Expect.close(name + " fused grad x", x1.grad().toDoubleArray(), x2.grad().toDoubleArray(), tol * 10);
            for (String p : fused.parameters().keySet()) {
                Expect.close(name + " fused grad " + p, fused.parameters().get(p).grad().toDoubleArray(),
                        composed.parameters().get(p).grad().toDoubleArray(), tol * 10);
            }
        }
    }

    // ---- bad input ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cellArgs")
    void badLengthsAndStatesAreRejectedBeforeAnythingChanges(String name, Cell cell) {
        ComputeBackend b = backend();
        SplittableRandom rng = new SplittableRandom(18);
        Recurrent l = layer(cell, b, DType.FLOAT32, 2, 3, 2, false, 4);
        Var x = Var.constant(GradCheck.random(b, rng, DType.FLOAT32, 2, 4, 2));
        assertMessage(() -> l.forward(x, new int[] {5, 1}, null), "lengths[0] = 5", "T = 4");
        assertMessage(() -> l.forward(x, new int[] {0, 1}, null), "lengths[0] = 0");
        assertMessage(() -> l.forward(x, new int[] {1, 2, 3}, null), "3 entries", "2 sequences");
        List<Var> wrong = new ArrayList<>();
        for (int i = 0; i < l.stateNames().size(); i++) {
            wrong.add(Var.constant(b.zeros(DType.FLOAT32, 1, 2, 3)));
        }
        assertMessage(() -> l.forward(x, null, wrong), "[2, 2, 3]", "[1, 2, 3]");
        assertMessage(() -> l.forward(Var.constant(b.zeros(DType.FLOAT32, 2, 4, 5))), "[B, T, 2]", "[2, 4, 5]");
        l.forwardStateful(x);
        List<Tensor> before = l.state();
        assertMessage(() -> l.forwardStateful(x, new int[] {9, 9}), "lengths[0] = 9");
        assertNotNull(l.state());
        assertArrayEquals(before.get(0).toDoubleArray(), l.state().get(0).toDoubleArray());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
