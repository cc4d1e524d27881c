package org.rnn4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

class GradClipTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    private static Var withGrad(DType dt, double... g) {
        Var p = Var.parameter(B.zeros(dt, g.length));
        p.setGrad(B.fromDoubles(g, dt, g.length));
        return p;
    }

    @Test
    void pNorms() {
        double[] a = {3, -4, 1};
        double[] b = {-2, 0.5};
        for (double p : new double[] {1, 2, 3, 2.5}) {
            double s = 0;
            for (double v : a) {
                s += Math.pow(Math.abs(v), p);
            }
            for (double v : b) {
                s += Math.pow(Math.abs(v), p);
            }
            double expected = Math.pow(s, 1 / p);
            Var x = withGrad(DType.FLOAT64, a);
            Var y = withGrad(DType.FLOAT64, b);
            double total = GradClip.clipGradNorm(List.of(x, y), 0.5, p);
            assertEquals(expected, total, 1e-12 * expected, "p = " + p);
            double coef = 0.5 / (expected + 1e-6);
            assertEquals(a[1] * coef, x.grad().toDoubleArray()[1], 1e-12);
            assertEquals(b[0] * coef, y.grad().toDoubleArray()[0], 1e-12);
        }
    }

    @Test
    void belowTheLimitNothingChangesAndNullGradsAreSkipped() {
        Var x = withGrad(DType.FLOAT32, 0.3, -0.4);
        Var none = Var.parameter(B.zeros(DType.FLOAT32, 3));
        Tensor g = x.grad();
        double total = GradClip.clipGradNorm(List.of(none, x), 1.0, 2.0);
        assertEquals(0.5, total, 1e-7);
        assertSame(g, x.grad());
        assertEquals(null, none.grad());
        assertEquals(0.0, GradClip.clipGradNorm(List.of(none), 1.0, 2.0));
    }

    @Test
    void nanGradientThrowsAndLeavesGradientsUnchanged() {
        for (double normType : new double[] {2.0, Double.POSITIVE_INFINITY, 1.0, 3.0}) {
            Var x = withGrad(DType.FLOAT64, 10, 20, 30);
            Var y = withGrad(DType.FLOAT64, 1, Double.NaN, 2);
            Tensor gx = x.grad();
            Tensor gy = y.grad();
            NonFiniteException e = assertThrows(NonFiniteException.class,
                    () -> GradClip.clipGradNorm(List.of(x, y), 1.0, normType));
            assertEquals(1, e.parameterIndex());
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("parameter 1")
                    && e.getMessage().contains("element 1"), e.getMessage());
            assertSame(gx, x.grad());
            assertSame(gy, y.grad());
            assertArrayEquals(new double[] {10, 20, 30}, x.grad().toDoubleArray());
        }
        Var inf = withGrad(DType.FLOAT32, 1, Double.NEGATIVE_INFINITY);
        NonFiniteException e = assertThrows(NonFiniteException.class,
                () -> GradClip.clipGradNorm(List.of(inf), 1.0, Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
        assertTrue(e instanceof ArithmeticException);
    }

    @Test
    void overflowingNormOfFiniteGradientsThrowsWithoutIndex() {
        Var x = withGrad(DType.FLOAT64, 1e200, 1e200);
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> GradClip.clipGradNorm(List.of(x), 1.0, 2.0));
        assertEquals(-1, e.parameterIndex());
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
    }

    @Test
    void checkFiniteNamesTheFirstBadParameter() {
        Var a = withGrad(DType.FLOAT64, 1, 2);
        Var b = Var.parameter(B.zeros(DType.FLOAT64, 2));
        Var c = withGrad(DType.FLOAT32, 0, 0, Double.POSITIVE_INFINITY);
        Var d = withGrad(DType.FLOAT64, Double.NaN);
        assertDoesNotThrow(() -> GradClip.checkFinite(List.of(a, b)));
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> GradClip.checkFinite(List.of(a, b, c, d)));
        assertEquals(2, e.parameterIndex());
        assertTrue(e.getMessage().contains("parameter 2") && e.getMessage().contains("element 2"), e.getMessage());
    }

    @Test
    void clipValue() {
        Var x = withGrad(DType.FLOAT64, -3, -0.5, 0, 0.7, 9);
        Var none = Var.parameter(B.zeros(DType.FLOAT64, 1));
        GradClip.clipGradValue(List.of(x, none), 1.0);
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.7, 1}, x.grad().toDoubleArray());
        Var y = withGrad(DType.FLOAT32, -3, 2);
        GradClip.clipGradValue(List.of(y), 0);
        assertTrue(Arrays.stream(y.grad().toDoubleArray()).allMatch(v -> v == 0));
    }

    @Test
    void argumentValidation() {
        Var x = withGrad(DType.FLOAT64, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradClip.clipGradNorm(List.of(x), 1.0, 0.5));
        assertTrue(e.getMessage().contains("normType = 0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(x), -1, 2));
        assertTrue(e.getMessage().contains("maxNorm = -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(List.of(x), Double.NaN));
        assertTrue(e.getMessage().contains("clipValue = NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.checkFinite(null));
        assertTrue(e.getMessage().contains("params is null"), e.getMessage());
    }
}
