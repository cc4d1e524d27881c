package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.SplittableRandom;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/** Assertions and random data shared by the CPU backend tests. */
final class TestSupport {
    private TestSupport() {
    }

    /** Tolerance for comparisons with a double-precision reference: loose for float32, tight for float64. */
    static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 2e-6 : 1e-13;
    }

    /** Asserts shape and every element: {@code |actual - expected| <= tol * max(1, |expected|)}. */
    static void assertClose(double[] expected, int[] shape, Tensor actual, double tol) {
        assertArrayEquals(shape, actual.shape(), () -> "shape: expected " + Shapes.str(shape) + ", got " + Shapes.str(actual.shape()));
        assertClose(expected, actual.toDoubleArray(), tol);
    }

    static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) ? !Double.isNaN(a) : Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) {
                fail("element " + i + ": expected " + e + ", got " + a + " (tolerance " + tol + ")");
            }
        }
    }

    static double[] random(Random rnd, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextDouble() * 2 - 1;
        }
        return d;
    }

    /** A tensor of {@code shape} on {@code backend}, its elements uniform in {@code [-bound, bound)} from {@code rng}. */
    static Tensor uniform(CpuBackend backend, SplittableRandom rng, double bound, DType dtype, int... shape) {
        double[] d = new double[Shapes.size(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextDouble(-bound, bound);
        }
        return backend.fromDoubles(d, dtype, shape);
    }

    /** {@code d} rounded to float and back, so that references see exactly the values a float32 tensor holds. */
    static double[] asStored(double[] d, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return d.clone();
        }
        double[] r = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (float) d[i];
        }
        return r;
    }

    static double[] iota(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return d;
    }
}
