package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.cpu.TestSupport.asStored;
import static org.rnn4j.cpu.TestSupport.assertClose;
import static org.rnn4j.cpu.TestSupport.random;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * {@link CpuBackend#matmul} against a naive triple loop, for all four transpose combinations and sizes
 * that exercise each path of {@link Gemm}: the direct loop, the blocked kernel with odd row counts,
 * {@code k} not a multiple of 4 and beyond one k block, more than one column panel, and the threaded
 * split.
 */
class MatmulTest {
    private static final CpuBackend SERIAL = new CpuBackend(new BackendOptions(1));
    private static final CpuBackend THREADED = new CpuBackend(new BackendOptions(3));

    static Stream<Arguments> cases() {
        int[][] sizes = {
            {1, 1, 1}, {2, 3, 4}, {3, 5, 7}, // direct
            {1, 300, 40}, {2, 17, 600}, // direct: at most two rows
            {5, 9, 130}, {33, 7, 19}, // blocked, odd rows, k remainder
            {37, 259, 517}, // blocked: k remainder 3, threaded
            {9, 1100, 33}, // two panels
            {64, 1024, 64}, {128, 64, 1030}, // larger
            {600, 40, 70}, {1030, 255, 64}, // narrow: computed transposed
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] s : sizes) {
            for (DType dtype : DType.values()) {
                for (int t = 0; t < 4; t++) {
                    b.add(Arguments.of(dtype, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3} transA={4} transB={5}")
    @MethodSource("cases")
    void matchesNaiveProduct(DType dtype, int m, int k, int n, boolean ta, boolean tb) {
        Random rnd = new Random(m * 31L + k * 7L + n);
        double[] a = asStored(random(rnd, m * k), dtype);
        double[] b = asStored(random(rnd, k * n), dtype);
        double[] expected = naive(a, b, m, n, k, ta, tb);
        for (CpuBackend be : new CpuBackend[] {SERIAL, THREADED}) {
            Tensor at = ta ? be.fromDoubles(a, dtype, k, m) : be.fromDoubles(a, dtype, m, k);
            Tensor bt = tb ? be.fromDoubles(b, dtype, n, k) : be.fromDoubles(b, dtype, k, n);
            Tensor c = be.matmul(at, bt, ta, tb);
            // float32 sums of k products of values in [-1, 1): error grows like sqrt(k) ulps
            double tol = dtype == DType.FLOAT32 ? 2e-6 * Math.sqrt(k) * 4 : 1e-13 * k;
            assertClose(expected, new int[] {m, n}, c, tol);
            assertEquals(dtype, c.dtype());
        }
    }

    /** {@code op(a) · op(b)} by the definition, in double. */
    static double[] naive(double[] a, double[] b, int m, int n, int k, boolean ta, boolean tb) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[p * m + i] : a[i * k + p];
                    double y = tb ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        Random rnd = new Random(5);
        int m = 71;
        int k = 300;
        int n = 530;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        float[] serial = SERIAL.matmul(SERIAL.fromFloats(a, DType.FLOAT32, m, k), SERIAL.fromFloats(b, DType.FLOAT32, k, n), false, false)
                .toFloatArray();
        for (int threads : new int[] {2, 3, 8}) {
            CpuBackend be = new CpuBackend(new BackendOptions(threads));
            assertEquals(threads, be.threads());
            float[] parallel = be.matmul(be.fromFloats(a, DType.FLOAT32, m, k), be.fromFloats(b, DType.FLOAT32, k, n), false, false)
                    .toFloatArray();
            assertArrayEquals(serial, parallel, threads + " threads");
        }
    }

    @Test
    void defaultThreadCountIsTheProcessorCount() {
        assertEquals(Runtime.getRuntime().availableProcessors(), new CpuBackend().threads());
    }

    @Test
    void addendIsAddedOnEveryPath() {
        Random rnd = new Random(11);
        for (int[] s : new int[][] {{2, 3, 4}, {9, 70, 600}}) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            double[] a = random(rnd, m * k);
            double[] b = random(rnd, n * k);
            double[] add = random(rnd, m * n);
            double[] expected = naive(a, b, m, n, k, false, true);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += add[i];
            }
            double[] c = (double[]) SERIAL.gemm(a, b, m, n, k, false, true, add);
            assertClose(expected, c, 1e-12);
        }
    }

    @Test
    void emptyInnerDimensionGivesZeros() {
        for (DType dtype : DType.values()) {
            Tensor c = SERIAL.matmul(SERIAL.zeros(dtype, 3, 0), SERIAL.zeros(dtype, 0, 2), false, false);
            assertClose(new double[6], new int[] {3, 2}, c, 0);
            assertArrayEquals(new int[] {0, 2}, SERIAL.matmul(SERIAL.zeros(dtype, 0, 4), SERIAL.zeros(dtype, 4, 2), false, false).shape());
        }
    }

    @Test
    void mismatchedInnerDimensionsAreRejected() {
        Tensor a = SERIAL.zeros(DType.FLOAT32, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SERIAL.matmul(a, a, false, false));
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());
    }
}
