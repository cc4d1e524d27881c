package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/** Norm-wise comparisons with the suite's tolerances. */
public final class Expect {
    /** float64 tolerance on values and gradients (relative, norm-wise). */
    public static final double F64 = 1e-9;
    /** float32 tolerance on forward values. */
    public static final double F32_VALUES = 1e-4;
    /** float32 tolerance on gradients. */
    public static final double F32_GRADIENTS = 1e-3;

    private Expect() {
    }

    /** Tolerance for values of {@code dtype}. */
    public static double values(DType dtype) {
        return dtype == DType.FLOAT64 ? F64 : F32_VALUES;
    }

    /** Tolerance for gradients of {@code dtype}. */
    public static double gradients(DType dtype) {
        return dtype == DType.FLOAT64 ? F64 : F32_GRADIENTS;
    }

    /** Asserts shape equality and a norm-wise relative error within {@code tol}. */
    public static void close(String what, Tensor actual, int[] expectedShape, double[] expected, double tol) {
        if (actual == null) {
            throw new AssertionError(what + ": no value was computed (null)");
        }
        assertArrayEquals(expectedShape, actual.shape(), () -> what + ": shape " + Shapes.str(actual.shape()) + ", expected "
                + Shapes.str(expectedShape));
        close(what, actual.toDoubleArray(), expected, tol);
    }

    /** Asserts a norm-wise relative error within {@code tol}. */
    public static void close(String what, double[] actual, double[] expected, double tol) {
        double err = Tensors.relativeError(actual, expected);
        assertTrue(err <= tol, () -> what + ": relative error " + err + " exceeds " + tol);
    }
}
