package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rnn4j.cpu.TestSupport.assertClose;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The fused cell kernels: forward against the same cell composed from the backend's primitive ops,
 * backward against float64 central differences, float32 against float64, and the contract's edge
 * cases (null bias, null output gradients, validation).
 */
class FusedCellKernelsTest {
    private final CpuBackend be = new CpuBackend(new BackendOptions(2));

    /** The four kernels with their gate count and whether they carry a cell state. */
    enum Cell {
        LSTM(FusedKernel.LSTM_CELL, 4, true),
        GRU(FusedKernel.GRU_CELL, 3, false),
        RNN_TANH(FusedKernel.RNN_TANH_CELL, 1, false),
        RNN_RELU(FusedKernel.RNN_RELU_CELL, 1, false);

        final String kernel;
        final int gates;
        final boolean hasCell;

        Cell(String kernel, int gates, boolean hasCell) {
            this.kernel = kernel;
            this.gates = gates;
            this.hasCell = hasCell;
        }

        int outputs() {
            return hasCell ? 2 : 1;
        }
    }

    private FusedKernel kernel(Cell cell) {
        return be.fused(cell.kernel).orElseThrow(() -> new AssertionError("no fused " + cell.kernel));
    }

    /** Inputs in contract order: xProj, h, [c], W_hh, b_hh (null without bias). */
    private Tensor[] inputs(Cell cell, DType dtype, int batch, int hidden, boolean bias, long seed) {
        Random rnd = new Random(seed);
        int g = cell.gates * hidden;
        Tensor x = tensor(rnd, dtype, 1.0, batch, g);
        Tensor h = tensor(rnd, dtype, 1.0, batch, hidden);
        Tensor w = tensor(rnd, dtype, 0.6, g, hidden);
        Tensor b = bias ? tensor(rnd, dtype, 0.5, g) : null;
        return cell.hasCell ? new Tensor[] {x, h, tensor(rnd, dtype, 1.0, batch, hidden), w, b} : new Tensor[] {x, h, w, b};
    }

    private Tensor tensor(Random rnd, DType dtype, double scale, int... shape) {
        double[] d = TestSupport.random(rnd, Shapes.size(shape));
        for (int i = 0; i < d.length; i++) {
            d[i] *= scale;
        }
        return be.fromDoubles(d, dtype, shape);
    }

    /** The cell step composed from primitive ops, written like the reference cells in rnn-api. */
    private Tensor[] composed(Cell cell, Tensor[] in) {
        Tensor x = in[0];
        Tensor h = in[1];
        Tensor w = in[cell.hasCell ? 3 : 2];
        Tensor b = in[cell.hasCell ? 4 : 3];
        int hs = h.dim(1);
        Tensor hh = be.matmul(h, w, false, true);
        if (b != null) {
            hh = be.add(hh, b);
        }
        switch (cell) {
            case LSTM -> {
                Tensor gates = be.add(x, hh);
                Tensor i = be.sigmoid(be.slice(gates, 1, 0, hs));
                Tensor f = be.sigmoid(be.slice(gates, 1, hs, 2 * hs));
                Tensor g = be.tanh(be.slice(gates, 1, 2 * hs, 3 * hs));
                Tensor o = be.sigmoid(be.slice(gates, 1, 3 * hs, 4 * hs));
                Tensor c2 = be.add(be.mul(f, in[2]), be.mul(i, g));
                return new Tensor[] {be.mul(o, be.tanh(c2)), c2};
            }
            case GRU -> {
                Tensor r = be.sigmoid(be.add(be.slice(x, 1, 0, hs), be.slice(hh, 1, 0, hs)));
                Tensor z = be.sigmoid(be.add(be.slice(x, 1, hs, 2 * hs), be.slice(hh, 1, hs, 2 * hs)));
                Tensor n = be.tanh(be.add(be.slice(x, 1, 2 * hs, 3 * hs), be.mul(r, be.slice(hh, 1, 2 * hs, 3 * hs))));
                return new Tensor[] {be.add(n, be.mul(z, be.sub(h, n)))};
            }
            case RNN_TANH -> {
                return new Tensor[] {be.tanh(be.add(x, hh))};
            }
            default -> {
                return new Tensor[] {be.relu(be.add(x, hh))};
            }
        }
    }

    static Stream<Arguments> cellsDTypesBias() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (Cell c : Cell.values()) {
            for (DType d : DType.values()) {
                s.add(Arguments.of(c, d, true));
                s.add(Arguments.of(c, d, false));
            }
        }
        return s.build();
    }

    @ParameterizedTest(name = "{0} {1} bias={2}")
    @MethodSource("cellsDTypesBias")
    void forwardMatchesComposedPrimitives(Cell cell, DType dtype, boolean bias) {
        // a small case (direct matmul) and one that takes the blocked, threaded matmul
        for (int[] bh : new int[][] {{5, 7}, {33, 70}}) {
            Tensor[] in = inputs(cell, dtype, bh[0], bh[1], bias, 17);
            Tensor[] fused = kernel(cell).apply(in).outputs();
            Tensor[] reference = composed(cell, in);
            assertEquals(cell.outputs(), fused.length);
            for (int k = 0; k < fused.length; k++) {
                assertEquals(dtype, fused[k].dtype());
                assertClose(reference[k].toDoubleArray(), reference[k].shape(), fused[k], dtype == DType.FLOAT32 ? 1e-5 : 1e-12);
            }
        }
    }

    static Stream<Arguments> cellsBias() {
        return Stream.of(Cell.values()).flatMap(c -> Stream.of(Arguments.of(c, true), Arguments.of(c, false)));
    }

    @ParameterizedTest(name = "{0} bias={1}")
    @MethodSource("cellsBias")
    void backwardMatchesCentralDifferences(Cell cell, boolean bias) {
        DType dtype = DType.FLOAT64;
        Tensor[] in = inputs(cell, dtype, 3, 4, bias, 23);
        FusedKernel k = kernel(cell);
        FusedKernel.Result r = k.apply(in);
        Random rnd = new Random(29);
        Tensor[] weights = new Tensor[cell.outputs()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = tensor(rnd, dtype, 1.0, r.outputs()[i].shape());
        }
        Tensor[] grads = r.backward(weights);
        assertEquals(in.length, grads.length);
        double eps = 1e-6;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) {
                assertNull(grads[i], "gradient of a null input");
                continue;
            }
            assertNotNull(grads[i], "gradient of input " + i);
            assertArrayEquals(in[i].shape(), grads[i].shape(), "gradient shape of input " + i);
            double[] base = in[i].toDoubleArray();
            double[] analytic = grads[i].toDoubleArray();
            for (int e = 0; e < base.length; e++) {
                double[] plus = base.clone();
                double[] minus = base.clone();
                plus[e] += eps;
                minus[e] -= eps;
                double numeric = (loss(k, replace(in, i, plus), weights) - loss(k, replace(in, i, minus), weights)) / (2 * eps);
                if (Math.abs(numeric - analytic[e]) > 1e-7 * Math.max(1, Math.abs(numeric))) {
                    fail(cell + " input " + i + " element " + e + ": analytic " + analytic[e] + ", numeric " + numeric);
                }
            }
        }
    }

    private Tensor[] replace(Tensor[] in, int i, double[] values) {
        Tensor[] copy = in.clone();
        copy[i] = be.fromDoubles(values, in[i].dtype(), in[i].shape());
        return copy;
    }

    /** {@code Σ_k sum(out_k * w_k)}, whose gradient with respect to {@code out_k} is {@code w_k}. */
    private static double loss(FusedKernel k, Tensor[] in, Tensor[] weights) {
        Tensor[] out = k.apply(in).outputs();
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

    @ParameterizedTest
    @EnumSource(Cell.class)
    void float32BackwardAgreesWithFloat64(Cell cell) {
        Tensor[] in32 = inputs(cell, DType.FLOAT32, 33, 70, true, 31);
        Tensor[] in64 = new Tensor[in32.length];
        for (int i = 0; i < in32.length; i++) {
            in64[i] = be.cast(in32[i], DType.FLOAT64);
        }
        Random rnd = new Random(37);
        Tensor[] w32 = new Tensor[cell.outputs()];
        Tensor[] w64 = new Tensor[cell.outputs()];
        for (int i = 0; i < w32.length; i++) {
            w32[i] = tensor(rnd, DType.FLOAT32, 1.0, 33, 70);
            w64[i] = be.cast(w32[i], DType.FLOAT64);
        }
        Tensor[] g32 = kernel(cell).apply(in32).backward(w32);
        Tensor[] g64 = kernel(cell).apply(in64).backward(w64);
        for (int i = 0; i < g32.length; i++) {
            assertEquals(DType.FLOAT32, g32[i].dtype());
            // dW_hh and db_hh sum 33 rows of products
            assertClose(g64[i].toDoubleArray(), g64[i].shape(), g32[i], 2e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void nullOutputGradientsMeanZero(Cell cell) {
        Tensor[] in = inputs(cell, DType.FLOAT64, 2, 3, true, 41);
        FusedKernel.Result r = kernel(cell).apply(in);
        Tensor ones = be.full(1, DType.FLOAT64, 2, 3);
        Tensor zeros = be.zeros(DType.FLOAT64, 2, 3);
        if (cell.hasCell) {
            assertSameGradients(r.backward(ones, zeros), r.backward(ones, null));
            assertSameGradients(r.backward(zeros, ones), r.backward(null, ones));
        }
        Tensor[] allZero = cell.hasCell ? r.backward(zeros, zeros) : r.backward(zeros);
        assertSameGradients(allZero, cell.hasCell ? r.backward(null, null) : r.backward((Tensor) null));
        assertSameGradients(allZero, r.backward((Tensor[]) null));
        for (Tensor g : allZero) {
            assertEquals(0.0, be.maxAbs(g).item());
        }
    }

    private static void assertSameGradients(Tensor[] expected, Tensor[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i].toDoubleArray(), actual[i].toDoubleArray(), "gradient " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void inputsAreNotModifiedAndBackwardCanRepeat(Cell cell) {
        Tensor[] in = inputs(cell, DType.FLOAT32, 4, 5, true, 43);
        float[][] before = new float[in.length][];
        for (int i = 0; i < in.length; i++) {
            before[i] = in[i].toFloatArray();
        }
        FusedKernel.Result r = kernel(cell).apply(in);
        Tensor[] gy = cell.hasCell ? new Tensor[] {be.full(0.5, DType.FLOAT32, 4, 5), be.full(-1, DType.FLOAT32, 4, 5)}
                : new Tensor[] {be.full(0.5, DType.FLOAT32, 4, 5)};
        Tensor[] first = r.backward(gy);
        Tensor[] second = r.backward(gy);
        assertSameGradients(first, second);
        for (int i = 0; i < in.length; i++) {
            assertArrayEquals(before[i], in[i].toFloatArray(), "input " + i + " was modified");
        }
    }

    @Test
    void everyCellAndSequenceKernelIsOfferedAndNothingElse() {
        for (Cell c : Cell.values()) {
            assertTrue(be.fused(c.kernel).isPresent(), c.kernel);
        }
        for (String s : new String[] {"lstm_sequence", "gru_sequence", "rnn_tanh_sequence", "rnn_relu_sequence"}) {
            assertTrue(be.fused(s).isPresent(), s);
        }
        assertTrue(be.fused("lstm_block").isEmpty());
    }

    @Test
    void invalidInputsAreRejectedWithTheirNames() {
        FusedKernel lstm = kernel(Cell.LSTM);
        Tensor[] ok = inputs(Cell.LSTM, DType.FLOAT32, 2, 3, true, 47);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> lstm.apply(ok[0], ok[1]));
        assertTrue(count.getMessage().contains("lstm_cell") && count.getMessage().contains("5 inputs"), count.getMessage());

        Tensor[] badW = ok.clone();
        badW[3] = be.zeros(DType.FLOAT32, 12, 4);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> lstm.apply(badW));
        assertTrue(shape.getMessage().contains("W_hh") && shape.getMessage().contains("[12, 3]"), shape.getMessage());

        Tensor[] mixed = ok.clone();
        mixed[2] = be.cast(ok[2], DType.FLOAT64);
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> lstm.apply(mixed));
        assertTrue(dtype.getMessage().contains("FLOAT64"), dtype.getMessage());

        Tensor[] missing = ok.clone();
        missing[1] = null;
        assertThrows(IllegalArgumentException.class, () -> lstm.apply(missing));

        Tensor[] foreign = ok.clone();
        foreign[0] = new CpuBackend(new BackendOptions(1)).zeros(DType.FLOAT32, 2, 12);
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> lstm.apply(foreign));
        assertTrue(other.getMessage().contains("xProj") && other.getMessage().contains("two backends"), other.getMessage());

        FusedKernel.Result r = lstm.apply(ok);
        assertThrows(IllegalArgumentException.class, () -> r.backward(be.zeros(DType.FLOAT32, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> r.backward(be.zeros(DType.FLOAT32, 3, 3), null));
    }
}
