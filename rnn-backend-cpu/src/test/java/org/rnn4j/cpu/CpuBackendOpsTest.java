package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.cpu.TestSupport.asStored;
import static org.rnn4j.cpu.TestSupport.assertClose;
import static org.rnn4j.cpu.TestSupport.iota;
import static org.rnn4j.cpu.TestSupport.random;
import static org.rnn4j.cpu.TestSupport.tol;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/** Every primitive kernel of {@link CpuBackend} against values computed directly, in both dtypes. */
class CpuBackendOpsTest {
    private final CpuBackend be = new CpuBackend();
    private final Random rnd = new Random(42);

    // ---- creation, storage and layout ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void creationCopiesInputAndKeepsNativeStorage(DType dtype) {
        double[] d = {1.5, -2.25, 3};
        Tensor t = be.fromDoubles(d, dtype, 3);
        d[0] = 99;
        assertArrayEquals(new double[] {1.5, -2.25, 3}, t.toDoubleArray());
        Class<?> storage = dtype == DType.FLOAT32 ? float[].class : double[].class;
        assertSame(storage, ((CpuTensor) t).data().getClass());
        float[] f = {1.5f, 2f};
        Tensor u = be.fromFloats(f, dtype, 2, 1);
        f[0] = 7;
        assertArrayEquals(new float[] {1.5f, 2f}, u.toFloatArray());
        assertEquals(dtype, u.dtype());
        assertSame(be, u.backend());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fullZerosAndScalars(DType dtype) {
        assertClose(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, new int[] {2, 3}, be.full(0.5, dtype, 2, 3), 0);
        assertClose(new double[4], new int[] {4}, be.zeros(dtype, 4), 0);
        Tensor s = be.full(3, dtype);
        assertEquals(0, s.rank());
        assertEquals(1, s.size());
        assertEquals(3.0, s.item());
        assertEquals(0, be.zeros(dtype, 0, 3).size());
    }

    @Test
    void float64ValuesRoundWhenStoredAsFloat32() {
        Tensor t = be.fromDoubles(new double[] {0.1}, DType.FLOAT32, 1);
        assertEquals((double) 0.1f, t.toDoubleArray()[0]);
        assertEquals(0.1f, t.toFloatArray()[0]);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reshapeSharesDataAndClosingOneLeavesTheOther(DType dtype) {
        Tensor a = be.fromDoubles(iota(6), dtype, 2, 3);
        Tensor r = be.reshape(a, 3, 2);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertSame(((CpuTensor) a).data(), ((CpuTensor) r).data());
        r.close();
        r.close();
        assertTrue(r.isClosed());
        assertThrows(IllegalStateException.class, r::toDoubleArray, "close() marks the tensor closed (issue 9, defect 8)");
        assertArrayEquals(iota(6), a.toDoubleArray(), "the tensor it shares its array with is still open");
        assertArrayEquals(new int[0], be.reshape(be.full(2, dtype, 1, 1), new int[0]).shape());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void shapeIsACopy(DType dtype) {
        Tensor a = be.zeros(dtype, 2, 3);
        a.shape()[0] = 5;
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals(3, a.dim(-1));
        assertTrue(a.toString().contains("[2, 3]"), a.toString());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void transpose(DType dtype) {
        int rows = 37;
        int cols = 45; // more than one 32-wide tile each way
        double[] d = random(rnd, rows * cols);
        double[] expected = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                expected[j * rows + i] = d[i * cols + j];
            }
        }
        assertClose(asStored(expected, dtype), new int[] {cols, rows}, be.transpose(be.fromDoubles(d, dtype, rows, cols)), 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sliceEveryAxisOfARank3Tensor(DType dtype) {
        int[] shape = {3, 4, 5};
        Tensor a = be.fromDoubles(iota(60), dtype, shape);
        for (int axis = 0; axis < 3; axis++) {
            int start = 1;
            int end = shape[axis] - 1;
            int[] out = shape.clone();
            out[axis] = end - start;
            double[] expected = new double[Shapes.size(out)];
            int p = 0;
            for (int i = 0; i < out[0]; i++) {
                for (int j = 0; j < out[1]; j++) {
                    for (int k = 0; k < out[2]; k++) {
                        int[] src = {i, j, k};
                        src[axis] += start;
                        expected[p++] = (src[0] * 4 + src[1]) * 5 + src[2];
                    }
                }
            }
            assertClose(expected, out, be.slice(a, axis, start, end), 0);
            assertClose(expected, out, be.slice(a, axis - 3, start, end), 0);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void concatOfSlicesRestoresEveryAxis(DType dtype) {
        int[] shape = {3, 4, 5};
        double[] d = random(rnd, 60);
        Tensor a = be.fromDoubles(d, dtype, shape);
        for (int axis = 0; axis < 3; axis++) {
            int n = shape[axis];
            List<Tensor> parts = List.of(be.slice(a, axis, 0, 1), be.slice(a, axis, 1, n - 1), be.slice(a, axis, n - 1, n));
            assertClose(asStored(d, dtype), shape, be.concat(parts, axis), 0);
        }
        Tensor single = be.concat(List.of(a), 1);
        assertNotSame(a, single);
        assertClose(asStored(d, dtype), shape, single, 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void concatOfUnequalParts(DType dtype) {
        Tensor a = be.fromDoubles(new double[] {1, 2, 3, 4}, dtype, 2, 2);
        Tensor b = be.fromDoubles(new double[] {5, 6}, dtype, 2, 1);
        assertClose(new double[] {1, 2, 5, 3, 4, 6}, new int[] {2, 3}, be.concat(List.of(a, b), 1), 0);
        Tensor c = be.fromDoubles(new double[] {7, 8}, dtype, 1, 2);
        assertClose(new double[] {1, 2, 3, 4, 7, 8}, new int[] {3, 2}, be.concat(List.of(a, c), 0), 0);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void castConvertsAndAlwaysCopies(DType dtype) {
        double[] d = {0.1, -1e-3, 12345.678};
        Tensor a = be.fromDoubles(d, dtype, 3);
        for (DType to : DType.values()) {
            Tensor c = be.cast(a, to);
            assertEquals(to, c.dtype());
            assertNotSame(((CpuTensor) a).data(), ((CpuTensor) c).data());
            double[] expected = asStored(asStored(d, dtype), to);
            assertClose(expected, new int[] {3}, c, 0);
        }
    }

    // ---- elementwise ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void binaryOpsBroadcastEverySuffix(DType dtype) {
        int[] shape = {2, 3, 4};
        double[] ad = asStored(random(rnd, 24), dtype);
        Tensor a = be.fromDoubles(ad, dtype, shape);
        for (int[] bs : new int[][] {{}, {4}, {3, 4}, {2, 3, 4}}) {
            double[] bd = asStored(random(rnd, Shapes.size(bs)), dtype);
            for (int i = 0; i < bd.length; i++) {
                bd[i] += Math.copySign(0.5, bd[i]); // keep divisors away from 0
            }
            Tensor b = be.fromDoubles(bd, dtype, bs);
            checkBinary(ad, bd, shape, be.add(a, b), (x, y) -> x + y, dtype);
            checkBinary(ad, bd, shape, be.sub(a, b), (x, y) -> x - y, dtype);
            checkBinary(ad, bd, shape, be.mul(a, b), (x, y) -> x * y, dtype);
            checkBinary(ad, bd, shape, be.div(a, b), (x, y) -> x / y, dtype);
        }
    }

    private static void checkBinary(double[] a, double[] b, int[] shape, Tensor actual, DoubleBinaryOperator f, DType dtype) {
        double[] expected = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            expected[i] = f.applyAsDouble(a[i], b[i % b.length]);
        }
        assertClose(expected, shape, actual, tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void broadcastOverEmptyLeadingDims(DType dtype) {
        Tensor a = be.zeros(dtype, 0, 3);
        Tensor r = be.add(a, be.full(1, dtype, 3));
        assertArrayEquals(new int[] {0, 3}, r.shape());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maximumScaleAddScalarAddScaled(DType dtype) {
        Tensor a = be.fromDoubles(new double[] {1, -2, 3, Double.NaN}, dtype, 2, 2);
        Tensor b = be.fromDoubles(new double[] {0.5, -1, 4, 0}, dtype, 2, 2);
        assertClose(new double[] {1, -1, 4, Double.NaN}, new int[] {2, 2}, be.maximum(a, b), 0);
        assertClose(new double[] {2.5, -5, 7.5, Double.NaN}, new int[] {2, 2}, be.scale(a, 2.5), tol(dtype));
        assertClose(new double[] {1.25, -1.75, 3.25, Double.NaN}, new int[] {2, 2}, be.addScalar(a, 0.25), tol(dtype));
        assertClose(new double[] {0.5, -1, -1, Double.NaN}, new int[] {2, 2}, be.addScaled(a, b, -1), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void unaryOpsMatchJavaLangMath(DType dtype) {
        double[] d = asStored(new double[] {-20, -3.5, -1, -0.3, -1e-4, 0, 1e-6, 0.05, 0.7, 2, 9.5, 40}, dtype);
        double[] pos = asStored(new double[] {1e-8, 0.01, 0.5, 1, 2, 1e3, 3.3e7}, dtype);
        Tensor a = be.fromDoubles(d, dtype, d.length);
        Tensor p = be.fromDoubles(pos, dtype, pos.length);
        checkUnary(d, be.tanh(a), Math::tanh, dtype);
        checkUnary(d, be.sigmoid(a), x -> 1 / (1 + Math.exp(-x)), dtype);
        checkUnary(d, be.relu(a), x -> x > 0 ? x : 0, dtype);
        checkUnary(d, be.exp(a), Math::exp, dtype);
        checkUnary(d, be.abs(a), Math::abs, dtype);
        checkUnary(pos, be.log(p), Math::log, dtype);
        checkUnary(pos, be.sqrt(p), Math::sqrt, dtype);
    }

    private static void checkUnary(double[] in, Tensor actual, DoubleUnaryOperator f, DType dtype) {
        double[] expected = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            expected[i] = f.applyAsDouble(in[i]);
        }
        double[] got = actual.toDoubleArray();
        // relative accuracy, also for tiny and huge values
        for (int i = 0; i < in.length; i++) {
            double scale = Math.max(Math.abs(expected[i]), Double.MIN_NORMAL);
            assertTrue(Math.abs(got[i] - expected[i]) <= tol(dtype) * scale,
                    "f(" + in[i] + ") = " + got[i] + ", expected " + expected[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void activationBackwardFromOutputs(DType dtype) {
        double[] y = asStored(new double[] {-0.9, -0.2, 0, 0.3, 0.99, 2}, dtype);
        double[] g = asStored(new double[] {1, -2, 3, 0.5, -0.25, 4}, dtype);
        Tensor yt = be.fromDoubles(y, dtype, 2, 3);
        Tensor gt = be.fromDoubles(g, dtype, 2, 3);
        double[] tanh = new double[6];
        double[] sig = new double[6];
        double[] relu = new double[6];
        for (int i = 0; i < 6; i++) {
            tanh[i] = g[i] * (1 - y[i] * y[i]);
            sig[i] = g[i] * y[i] * (1 - y[i]);
            relu[i] = y[i] > 0 ? g[i] : 0;
        }
        assertClose(tanh, new int[] {2, 3}, be.tanhBackward(yt, gt), tol(dtype));
        assertClose(sig, new int[] {2, 3}, be.sigmoidBackward(yt, gt), tol(dtype));
        assertClose(relu, new int[] {2, 3}, be.reluBackward(yt, gt), 0);
    }

    @Test
    void float32TanhIsAccurateToFloatPrecision() {
        double worst = 0;
        for (int i = -400_000; i <= 400_000; i++) {
            double x = i * 5e-5;
            double exact = Math.tanh(x);
            if (exact != 0) {
                worst = Math.max(worst, Math.abs(CpuMath.tanhFloat(x) - exact) / Math.abs(exact));
            }
        }
        for (double x : new double[] {1e-30, -1e-12, 1e-7, 0.0624999, 0.0625, 30, -30, 1e4}) {
            worst = Math.max(worst, Math.abs(CpuMath.tanhFloat(x) - Math.tanh(x)) / Math.abs(Math.tanh(x)));
        }
        assertTrue(worst < 1e-10, "worst relative error " + worst);
        assertEquals(1.0, CpuMath.tanhFloat(1e300));
        assertEquals(-1.0, CpuMath.tanhFloat(-1e300));
    }

    // ---- reductions ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumAndMaxAbsAreScalars(DType dtype) {
        double[] d = asStored(random(rnd, 24), dtype);
        d[7] = -1.75;
        Tensor a = be.fromDoubles(d, dtype, 2, 3, 4);
        double s = 0;
        for (double v : d) {
            s += v;
        }
        Tensor sum = be.sum(a);
        assertArrayEquals(new int[0], sum.shape());
        assertEquals(s, sum.item(), tol(dtype));
        Tensor m = be.maxAbs(a);
        assertArrayEquals(new int[0], m.shape());
        assertEquals(1.75, m.item());
        assertEquals(0.0, be.sum(be.zeros(dtype, 0)).item());
        assertTrue(Double.isNaN(be.maxAbs(be.fromDoubles(new double[] {1, Double.NaN, 2}, dtype, 3)).item()));
    }

    @Test
    void float32SumAccumulatesInDouble() {
        // 2^24 + 1 + 1 + ... is lost by a float accumulator
        float[] f = new float[1001];
        f[0] = 1 << 24;
        Arrays.fill(f, 1, f.length, 1f);
        assertEquals((1 << 24) + 1000, be.sum(be.fromFloats(f, DType.FLOAT32, f.length)).item());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumToTrailingReversesBroadcast(DType dtype) {
        int[] shape = {2, 3, 4};
        double[] d = asStored(random(rnd, 24), dtype);
        Tensor a = be.fromDoubles(d, dtype, shape);
        for (int[] trailing : new int[][] {{}, {4}, {3, 4}, {2, 3, 4}}) {
            int m = Shapes.size(trailing);
            double[] expected = new double[m];
            for (int i = 0; i < d.length; i++) {
                expected[i % m] += d[i];
            }
            assertClose(expected, trailing, be.sumToTrailing(a, trailing), tol(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumLastAxis(DType dtype) {
        Tensor a = be.fromDoubles(iota(24), dtype, 2, 3, 4);
        assertClose(new double[] {6, 22, 38, 54, 70, 86}, new int[] {2, 3}, be.sumLastAxis(a), 0);
        assertClose(new double[] {10}, new int[0], be.sumLastAxis(be.fromDoubles(new double[] {1, 2, 3, 4}, dtype, 4)), 0);
        assertClose(new double[] {0, 0}, new int[] {2}, be.sumLastAxis(be.zeros(dtype, 2, 0)), 0);
    }

    // ---- softmax ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxRowsSumToOneAndMatchTheFormula(DType dtype) {
        int rows = 4;
        int cols = 7;
        double[] d = asStored(random(rnd, rows * cols), dtype);
        for (int i = 0; i < d.length; i++) {
            d[i] *= 5;
        }
        Tensor a = be.fromDoubles(d, dtype, rows, cols);
        double[] sm = be.softmax(a).toDoubleArray();
        double[] lsm = be.logSoftmax(a).toDoubleArray();
        for (int r = 0; r < rows; r++) {
            double z = 0;
            for (int j = 0; j < cols; j++) {
                z += Math.exp(d[r * cols + j]);
            }
            double rowSum = 0;
            for (int j = 0; j < cols; j++) {
                int p = r * cols + j;
                rowSum += sm[p];
                assertEquals(Math.exp(d[p]) / z, sm[p], tol(dtype));
                assertEquals(d[p] - Math.log(z), lsm[p], tol(dtype) * 10);
            }
            assertEquals(1.0, rowSum, tol(dtype) * cols);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxIsStableForLargeLogits(DType dtype) {
        Tensor a = be.fromDoubles(new double[] {1000, 1001, -1000, -1001}, dtype, 2, 2);
        double e = 1 / (1 + Math.E);
        assertClose(new double[] {e, 1 - e, 1 - e, e}, new int[] {2, 2}, be.softmax(a), tol(dtype));
        double l = Math.log(1 + Math.E);
        assertClose(new double[] {-l, 1 - l, 1 - l, -l}, new int[] {2, 2}, be.logSoftmax(a), tol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxBackwardMatchesTheFormula(DType dtype) {
        double[] x = asStored(random(rnd, 12), dtype);
        double[] g = asStored(random(rnd, 12), dtype);
        Tensor y = be.logSoftmax(be.fromDoubles(x, dtype, 3, 4));
        double[] yd = y.toDoubleArray();
        double[] expected = new double[12];
        for (int r = 0; r < 3; r++) {
            double s = g[4 * r] + g[4 * r + 1] + g[4 * r + 2] + g[4 * r + 3];
            for (int j = 0; j < 4; j++) {
                expected[4 * r + j] = g[4 * r + j] - Math.exp(yd[4 * r + j]) * s;
            }
        }
        assertClose(expected, new int[] {3, 4}, be.logSoftmaxBackward(y, be.fromDoubles(g, dtype, 3, 4)), tol(dtype));
    }

    @Test
    void logSoftmaxBackwardIsTheGradient() {
        // float64 central differences of L = sum(logSoftmax(x) * w)
        DType dtype = DType.FLOAT64;
        double[] x = random(rnd, 10);
        double[] w = random(rnd, 10);
        Function<double[], Double> loss = xs -> {
            double[] y = be.logSoftmax(be.fromDoubles(xs, dtype, 2, 5)).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += y[i] * w[i];
            }
            return s;
        };
        double[] analytic = be.logSoftmaxBackward(be.logSoftmax(be.fromDoubles(x, dtype, 2, 5)), be.fromDoubles(w, dtype, 2, 5))
                .toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            double[] p = x.clone();
            double[] m = x.clone();
            p[i] += 1e-6;
            m[i] -= 1e-6;
            assertEquals((loss.apply(p) - loss.apply(m)) / 2e-6, analytic[i], 1e-8);
        }
    }

    // ---- indexing ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherAndScatterColumns(DType dtype) {
        Tensor a = be.fromDoubles(iota(12), dtype, 3, 4);
        int[] index = {3, 0, 2};
        assertClose(new double[] {3, 4, 10}, new int[] {3}, be.gatherColumns(a, index), 0);
        Tensor g = be.fromDoubles(new double[] {1.5, -2, 3}, dtype, 3);
        assertClose(new double[] {0, 0, 0, 1.5, 0, -2, 0, 0, 0, 0, 0, 0, 3, 0, 0}, new int[] {3, 5},
                be.scatterColumns(g, index, 5), 0);
        assertThrows(IllegalArgumentException.class, () -> be.gatherColumns(a, new int[] {0, 4, 1}));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherAndScatterAddRows(DType dtype) {
        Tensor table = be.fromDoubles(iota(8), dtype, 4, 2);
        int[] index = {2, 0, 2, 3};
        assertClose(new double[] {4, 5, 0, 1, 4, 5, 6, 7}, new int[] {4, 2}, be.gatherRows(table, index), 0);
        Tensor g = be.fromDoubles(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, dtype, 4, 2);
        // row 2 receives g[0] + g[2]; row 1 nothing
        assertClose(new double[] {3, 4, 0, 0, 6, 8, 7, 8}, new int[] {4, 2}, be.scatterAddRows(g, index, 4), 0);
        assertClose(new double[0], new int[] {0, 2}, be.gatherRows(table, new int[0]), 0);
    }

    // ---- mixing and validation come from AbstractBackend ----

    @Test
    void mixedDTypesAreRejected() {
        Tensor a = be.zeros(DType.FLOAT32, 2);
        Tensor b = be.zeros(DType.FLOAT64, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.add(a, b));
        assertTrue(e.getMessage().contains("FLOAT32") && e.getMessage().contains("FLOAT64"), e.getMessage());
    }

    @Test
    void resultsKeepTheInputDType() {
        for (DType dtype : DType.values()) {
            Tensor a = be.fromDoubles(random(rnd, 15), dtype, 3, 5);
            Tensor v = be.fromDoubles(random(rnd, 5), dtype, 5);
            List<Tensor> outs = List.of(be.add(a, v), be.sub(a, v), be.mul(a, v), be.div(a, v), be.maximum(a, a),
                    be.tanh(a), be.sigmoid(a), be.relu(a), be.exp(a), be.abs(a), be.matmul(a, a, false, true),
                    be.sumToTrailing(a, 5), be.sumLastAxis(a), be.softmax(a), be.logSoftmax(a), be.transpose(a));
            for (Tensor t : outs) {
                assertEquals(dtype, t.dtype());
                assertTrue(t instanceof CpuTensor);
            }
        }
    }
}
