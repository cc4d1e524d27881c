package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rnn4j.cpu.TestSupport.asStored;
import static org.rnn4j.cpu.TestSupport.assertClose;
import static org.rnn4j.cpu.TestSupport.random;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.tensor.DType;

/**
 * {@link VectorGemm} (the kernels on {@code jdk.incubator.vector}) against the loops {@link Gemm} runs
 * without the module, and both against the product by definition: every transpose, both dtypes, sizes
 * that leave remainders in every blocking (rows not a multiple of 8, 4 or 2; columns past the last
 * panel; inner dimensions across {@link VectorGemm#KC}), products of packed operands read at an offset
 * with a row stride, addends, and the threaded split. Skipped where the JVM runs without the module
 * (Surefire runs this module's tests once with and once without it); {@link #engineSaysWhichKernelRuns}
 * runs in both.
 */
class VectorGemmTest {
    private static final Parallel SERIAL = new Parallel(1);
    private static final Parallel THREADED = new Parallel(3);

    @AfterEach
    void vectorBackOn() {
        Gemm.useVector(true);
    }

    static Stream<Arguments> cases() {
        int[][] sizes = {
            {3, 5, 7}, {7, 33, 17}, {15, 300, 65}, {9, 256, 32}, {17, 257, 31}, // remainders in rows, columns and KC
            {64, 1024, 96}, {33, 600, 1030}, {130, 70, 129}, // several row blocks and panels, threaded
            {8, 513, 4096}, {1, 40, 300}, {2, 260, 70}, // few rows: strips of 1 and 2
            {200, 300, 700}, // tasks whose block of C is large: A packed whole, C in chunks of panels
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
    void matchesTheLoopsAndTheDefinition(DType dtype, int m, int k, int n, boolean ta, boolean tb) {
        assumeTrue(Gemm.vectorAvailable(), Gemm.engine());
        Random rnd = new Random(m * 131L + k * 17L + n);
        double[] a = asStored(random(rnd, m * k), dtype);
        double[] b = asStored(random(rnd, k * n), dtype);
        double[] add = asStored(random(rnd, m * n), dtype);
        double[] expected = MatmulTest.naive(a, b, m, n, k, ta, tb);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += add[i];
        }
        double tol = dtype == DType.FLOAT32 ? 2e-6 * Math.sqrt(k) * 4 : 1e-13 * k;
        Object sa = Storage.convert(a, dtype);
        Object sb = Storage.convert(b, dtype);
        Object sadd = Storage.convert(add, dtype);
        Gemm.useVector(false);
        double[] loops = toDoubles(Gemm.multiply(sa, sb, m, n, k, ta, tb, sadd, SERIAL));
        Gemm.useVector(true);
        for (Parallel par : new Parallel[] {SERIAL, THREADED}) {
            // the packed path directly, whatever Gemm.multiply's size thresholds choose
            VectorGemm.Packed pb = VectorGemm.pack(sb, n, k, tb, par);
            double[] vector = toDoubles(VectorGemm.multiply(sa, 0, ta ? m : k, m, ta, pb, sadd, par));
            assertClose(expected, vector, tol);
            assertClose(loops, vector, 2 * tol);
            assertClose(expected, toDoubles(Gemm.multiply(sa, sb, m, n, k, ta, tb, sadd, par)), tol);
        }
    }

    @Test
    void packedOperandReadAtAnOffsetWithARowStride() {
        assumeTrue(Gemm.vectorAvailable(), Gemm.engine());
        // one time step of a [B, T, N] tensor times a packed weight, as the sequence kernels do
        Random rnd = new Random(3);
        int batch = 13;
        int steps = 5;
        int width = 70;
        int n = 45;
        for (DType dtype : DType.values()) {
            double[] seq = asStored(random(rnd, batch * steps * width), dtype);
            double[] w = asStored(random(rnd, n * width), dtype);
            Gemm.Packed<?> packed = Gemm.pack(Storage.convert(w, dtype), n, width, true, THREADED);
            assertTrue(packed.vector != null, "Gemm.pack did not use the vector layout");
            for (int t = 0; t < steps; t++) {
                double[] expected = new double[batch * n];
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < width; p++) {
                            s += seq[(i * steps + t) * width + p] * w[j * width + p];
                        }
                        expected[i * n + j] = s;
                    }
                }
                Object got = Gemm.multiplyPacked(Storage.convert(seq, dtype), t * width, steps * width, batch, false, packed, null, THREADED);
                assertClose(expected, toDoubles(got), dtype == DType.FLOAT32 ? 1e-5 : 1e-13);
            }
        }
    }

    /**
     * Without an addend the first block of the inner dimension writes C instead of adding to it (the pooled result is
     * not zeroed first): a result array that held NaN must give the same product as a fresh one, bit for bit, with
     * the last panel narrower than the others and the inner dimension over several blocks.
     */
    @Test
    void resultWithoutAnAddendIgnoresWhatItsPooledArrayHeld() {
        assumeTrue(Gemm.vectorAvailable(), Gemm.engine());
        Random rnd = new Random(9);
        int[][] sizes = {{13, 600, 45}, {3, 70, 33}, {130, 257, 64}, {200, 300, 700}};
        for (DType dtype : DType.values()) {
            for (int[] s : sizes) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                Object a = Storage.convert(asStored(random(rnd, m * k), dtype), dtype);
                Object b = Storage.convert(asStored(random(rnd, k * n), dtype), dtype);
                for (Parallel par : new Parallel[] {SERIAL, THREADED}) {
                    VectorGemm.Packed pb = VectorGemm.pack(b, n, k, false, par);
                    double[] fresh = toDoubles(VectorGemm.multiply(a, 0, k, m, false, pb, null, par, ArrayPool.NONE));
                    ArrayPool pool = new ArrayPool(1L << 24);
                    Object dirty = Storage.allocLike(a, m * n);
                    if (dirty instanceof float[] f) {
                        java.util.Arrays.fill(f, Float.NaN);
                    } else {
                        java.util.Arrays.fill((double[]) dirty, Double.NaN);
                    }
                    pool.give(dirty);
                    Object got = VectorGemm.multiply(a, 0, k, m, false, pb, null, par, pool);
                    assertTrue(got == dirty, "the product should have reused the pooled array");
                    assertArrayEquals(fresh, toDoubles(got), 0.0, dtype + " " + m + "x" + k + "x" + n);
                }
            }
        }
    }

    /**
     * A task's packing buffer, given back, serves the next task whatever its size: a buffer lent for one block of
     * {@link VectorGemm#KC} is large enough for a task that packs its rows whole ({@link VectorGemm#CHUNKED_MAX_K}), so
     * that products of both kinds in turn do not allocate (they did: 100 MB per step of the big LSTM's training).
     */
    @Test
    void aReturnedTaskBufferServesEveryKindOfTask() {
        VectorGemm.BufferPool pool = new VectorGemm.BufferPool();
        float[] like = new float[0];
        Object small = pool.take(like, VectorGemm.MC * VectorGemm.KC);
        pool.give(small);
        assertTrue(pool.take(like, VectorGemm.MC * VectorGemm.CHUNKED_MAX_K) == small, "the returned buffer was not reused");
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        assumeTrue(Gemm.vectorAvailable(), Gemm.engine());
        Random rnd = new Random(5);
        int m = 71;
        int k = 700;
        int n = 530;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        float[] serial = (float[]) Gemm.multiply(a, b, m, n, k, false, false, null, SERIAL);
        for (int threads : new int[] {2, 3, 8}) {
            assertArrayEquals(serial, (float[]) Gemm.multiply(a, b, m, n, k, false, false, null, new Parallel(threads)), threads + " threads");
        }
    }

    @Test
    void nonFiniteValuesPropagateAsInTheDefinition() {
        assumeTrue(Gemm.vectorAvailable(), Gemm.engine());
        // a NaN or infinity in A must reach exactly its row of C, not the zero padding's neighbours
        int m = 11;
        int k = 40;
        int n = 37;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        a[3 * k + 7] = Float.NaN;
        a[10 * k + 1] = Float.POSITIVE_INFINITY;
        float[] c = (float[]) Gemm.multiply(a, b, m, n, k, false, false, null, SERIAL);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = c[i * n + j];
                if (i == 3) {
                    assertTrue(Float.isNaN(v), "row 3");
                } else if (i == 10) {
                    assertEquals(Float.POSITIVE_INFINITY, v, "row 10");
                } else {
                    assertEquals(k * 0.125f, v, 1e-5f, "row " + i);
                }
            }
        }
    }

    @Test
    void engineSaysWhichKernelRuns() {
        String engine = Gemm.engine();
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && !"false".equalsIgnoreCase(System.getProperty("rnn4j.cpu.vector"));
        assertEquals(module, Gemm.vectorAvailable(), engine);
        // the pom's second Surefire execution runs without the module and says so
        assertTrue(!"absent".equals(System.getProperty("rnn4j.test.vectorModule")) || !module, "the module is present: " + engine);
        // the first runs with it (as the jars do) unless switched off
        assertTrue(!"with".equals(System.getProperty("rnn4j.test.vectorModule")) || module, "the module is absent: " + engine);
        if (module) {
            assertTrue(engine.contains("jdk.incubator.vector") && engine.contains("micro-kernel"), engine);
        } else {
            assertTrue(engine.contains("plain loops") && engine.contains("--add-modules jdk.incubator.vector"), engine);
            assertFalse(Gemm.useVector(true), "switched on without the module");
        }
        assertTrue(new CpuBackend().version().contains(engine), new CpuBackend().version());
    }

    private static double[] toDoubles(Object o) {
        return (double[]) Storage.convert(o, DType.FLOAT64);
    }
}
