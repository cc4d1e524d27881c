package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Every primitive op of {@link ComputeBackend}, in every dtype the backend supports, against a small host
 * reference computed in {@code double[]} by this class (never by a backend), on seeded random data of
 * odd sizes (1, 3, 7, 17, 33) and ranks 0 to 4, numpy-style broadcasts of the binary ops, {@code where}
 * and {@code maskedFill} included. Also: ops leave their inputs unchanged, host arrays are
 * copied in and out, and bad arguments are rejected with an {@link IllegalArgumentException} whose
 * message names the offending values.
 *
 * <p>Tolerances (norm-wise relative error): float64 {@value #F64_TOL}; float32 {@value #F32_TOL}, and
 * {@value #F32_BIG_TOL} for matrix products and large reductions. Ops that are exact in any precision
 * (layout, casts, relu, abs, maximum, maxAbs, gathers and scatters without accumulation) must match
 * exactly.
 *
 * <p>For float32 the random inputs are rounded to float first, so the reference sees exactly the values
 * the backend holds.
 */
public abstract class TensorOpsContract extends BackendContract {
    /** float64 tolerance. */
    static final double F64_TOL = 1e-12;
    /** float32 tolerance for elementwise ops and small reductions. */
    static final double F32_TOL = 1e-5;
    /** float32 tolerance for matrix products and large reductions. */
    static final double F32_BIG_TOL = 1e-4;

    /** Shapes for elementwise ops: rank 0 to 3, odd extents. */
    private static final int[][] SHAPES = {{}, {1}, {3}, {33}, {7, 17}, {1, 7}, {3, 7, 5}, {17, 1, 3}};

    private static double tol(DType d) {
        return d == DType.FLOAT64 ? F64_TOL : F32_TOL;
    }

    private static double bigTol(DType d) {
        return d == DType.FLOAT64 ? F64_TOL : F32_BIG_TOL;
    }

    // =====================================================================================
    // host data and checks
    // =====================================================================================

    /** {@code n} values in U(lo, hi), rounded to float when {@code dtype} is FLOAT32. */
    private static double[] data(SplittableRandom rng, DType dtype, int n, double lo, double hi) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return round(dtype, x);
    }

    /** {@code n} values with magnitude in U(lo, hi) and a random sign (a divisor away from zero). */
    private static double[] signed(SplittableRandom rng, DType dtype, int n, double lo, double hi) {
        double[] x = data(rng, dtype, n, lo, hi);
        for (int i = 0; i < n; i++) {
            if (rng.nextBoolean()) {
                x[i] = -x[i];
            }
        }
        return x;
    }

    private static double[] round(DType dtype, double[] x) {
        double[] r = x.clone();
        if (dtype == DType.FLOAT32) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) r[i];
            }
        }
        return r;
    }

    private static int[] indices(SplittableRandom rng, int n, int bound) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rng.nextInt(bound);
        }
        return idx;
    }

    private static String s(int... shape) {
        return Shapes.str(shape);
    }

    /** Asserts dtype, shape and a norm-wise relative error within {@code tol}. */
    private static void close(String what, Tensor actual, DType dtype, int[] shape, double[] expected, double tol) {
        if (actual == null) {
            fail(what + ": the op returned null");
        }
        assertEquals(dtype, actual.dtype(), () -> what + ": dtype of the result");
        Expect.close(what, actual, shape, expected, tol);
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(expected[i]) && !Double.isFinite(a[i])) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + expected[i]);
            }
        }
    }

    /** Asserts dtype, shape and exact (numerical) equality of every element. */
    private static void exact(String what, Tensor actual, DType dtype, int[] shape, double[] expected) {
        if (actual == null) {
            fail(what + ": the op returned null");
        }
        assertEquals(dtype, actual.dtype(), () -> what + ": dtype of the result");
        assertArrayEquals(shape, actual.shape(), () -> what + ": shape " + s(actual.shape()) + ", expected " + s(shape));
        assertArrayEquals(expected, actual.toDoubleArray(), 0.0, () -> what + ": elements differ from the exact result");
    }

    // =====================================================================================
    // the host reference
    // =====================================================================================

    /** Straightforward double-precision reference implementations of every primitive. */
    private static final class Ref {
        private Ref() {
        }

        static int size(int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        static int prod(int[] shape, int from, int to) {
            int n = 1;
            for (int i = from; i < to; i++) {
                n *= shape[i];
            }
            return n;
        }

        /** Row-major transpose of an {@code [m, n]} matrix. */
        static double[] transpose(double[] a, int m, int n) {
            double[] t = new double[a.length];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    t[j * m + i] = a[i * n + j];
                }
            }
            return t;
        }

        static double[] slice(double[] a, int[] shape, int axis, int start, int end) {
            int outer = prod(shape, 0, axis);
            int n = shape[axis];
            int inner = prod(shape, axis + 1, shape.length);
            int len = end - start;
            double[] out = new double[outer * len * inner];
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < len; j++) {
                    for (int k = 0; k < inner; k++) {
                        out[(o * len + j) * inner + k] = a[(o * n + start + j) * inner + k];
                    }
                }
            }
            return out;
        }

        static double[] concat(List<double[]> parts, List<int[]> shapes, int axis) {
            int[] s0 = shapes.get(0);
            int outer = prod(s0, 0, axis);
            int inner = prod(s0, axis + 1, s0.length);
            int total = 0;
            for (int[] s : shapes) {
                total += s[axis];
            }
            double[] out = new double[outer * total * inner];
            int off = 0;
            for (int p = 0; p < parts.size(); p++) {
                int n = shapes.get(p)[axis];
                double[] a = parts.get(p);
                for (int o = 0; o < outer; o++) {
                    for (int j = 0; j < n; j++) {
                        for (int k = 0; k < inner; k++) {
                            out[(o * total + off + j) * inner + k] = a[(o * n + j) * inner + k];
                        }
                    }
                }
                off += n;
            }
            return out;
        }

        /** {@code op(a) · op(b)} for row-major {@code a} of shape {@code sa} and {@code b} of {@code sb}. */
        static double[] matmul(double[] a, int[] sa, double[] b, int[] sb, boolean ta, boolean tb) {
            int m = ta ? sa[1] : sa[0];
            int k = ta ? sa[0] : sa[1];
            int n = tb ? sb[0] : sb[1];
            double[] out = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double x = ta ? a[p * sa[1] + i] : a[i * sa[1] + p];
                        double y = tb ? b[j * sb[1] + p] : b[p * sb[1] + j];
                        acc += x * y;
                    }
                    out[i * n + j] = acc;
                }
            }
            return out;
        }

        /** Sums {@code a} into the trailing block of {@code n} elements. */
        static double[] sumToTrailing(double[] a, int n) {
            double[] out = new double[n];
            for (int i = 0; i < a.length; i++) {
                out[i % n] += a[i];
            }
            return out;
        }

        static double[] sumLastAxis(double[] a, int n) {
            double[] out = new double[a.length / n];
            for (int i = 0; i < a.length; i++) {
                out[i / n] += a[i];
            }
            return out;
        }

        static double[] logSoftmax(double[] a, int rows, int cols) {
            double[] out = new double[a.length];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, a[r * cols + c]);
                }
                double z = 0;
                for (int c = 0; c < cols; c++) {
                    z += Math.exp(a[r * cols + c] - max);
                }
                double lz = Math.log(z);
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = a[r * cols + c] - max - lz;
                }
            }
            return out;
        }

        static double[] softmax(double[] a, int rows, int cols) {
            double[] out = logSoftmax(a, rows, cols);
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.exp(out[i]);
            }
            return out;
        }

        /** The numpy broadcast of two shapes, or null. */
        static int[] broadcast(int[] a, int[] b) {
            int rank = Math.max(a.length, b.length);
            int[] out = new int[rank];
            for (int i = 0; i < rank; i++) {
                int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
                int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
                if (da != db && da != 1 && db != 1) {
                    return null;
                }
                out[i] = da == 1 ? db : da;
            }
            return out;
        }

        /** The flat index into a row-major tensor of shape {@code in} read by element {@code flat} of broadcast shape {@code out}. */
        static int source(int flat, int[] out, int[] in) {
            int[] idx = new int[out.length];
            for (int d = out.length - 1; d >= 0; d--) {
                idx[d] = flat % out[d];
                flat /= out[d];
            }
            int off = out.length - in.length;
            int at = 0;
            for (int e = 0; e < in.length; e++) {
                at = at * in[e] + (in[e] == 1 ? 0 : idx[off + e]);
            }
            return at;
        }

        /** {@code x} of shape {@code sx} broadcast to {@code out}, element by element. */
        static double[] expand(double[] x, int[] sx, int[] out) {
            double[] r = new double[size(out)];
            for (int i = 0; i < r.length; i++) {
                r[i] = x[source(i, out, sx)];
            }
            return r;
        }

        /** The batched product: one {@link #matmul} per leading index. */
        static double[] bmm(double[] a, int[] sa, double[] b, int[] sb, boolean ta, boolean tb) {
            int batch = sa[0];
            int[] ma = {sa[1], sa[2]};
            int[] mb = {sb[1], sb[2]};
            int m = ta ? sa[2] : sa[1];
            int n = tb ? sb[1] : sb[2];
            double[] out = new double[batch * m * n];
            for (int i = 0; i < batch; i++) {
                double[] ai = Arrays.copyOfRange(a, i * sa[1] * sa[2], (i + 1) * sa[1] * sa[2]);
                double[] bi = Arrays.copyOfRange(b, i * sb[1] * sb[2], (i + 1) * sb[1] * sb[2]);
                System.arraycopy(matmul(ai, ma, bi, mb, ta, tb), 0, out, i * m * n, m * n);
            }
            return out;
        }

        /** Sum ({@code mode} 0), mean (1), biased (2) or unbiased (3) variance along {@code axis}; two passes. */
        static double[] reduceAxis(double[] a, int[] shape, int axis, int mode) {
            int outer = prod(shape, 0, axis);
            int n = shape[axis];
            int inner = prod(shape, axis + 1, shape.length);
            double[] out = new double[outer * inner];
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < inner; k++) {
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        sum += a[(o * n + j) * inner + k];
                    }
                    double mean = sum / n;
                    double sq = 0;
                    for (int j = 0; j < n; j++) {
                        double d = a[(o * n + j) * inner + k] - mean;
                        sq += d * d;
                    }
                    out[o * inner + k] = mode == 0 ? sum : mode == 1 ? mean : sq / (mode == 2 ? n : n - 1);
                }
            }
            return out;
        }

        static double[] logSoftmaxBackward(double[] y, double[] gy, int rows, int cols) {
            double[] out = new double[y.length];
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += gy[r * cols + c];
                }
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = gy[r * cols + c] - Math.exp(y[r * cols + c]) * s;
                }
            }
            return out;
        }
    }

    // =====================================================================================
    // creation and host transfer
    // =====================================================================================

    @ParameterizedTest
    @EnumSource(DType.class)
    void fromDoublesAndFromFloatsRoundTrip(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(1);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) {
                raw[i] = (rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(9) - 4);
            }
            String w = dtype + " " + s(shape);
            Tensor t = b.fromDoubles(raw, dtype, shape);
            assertEquals(dtype, t.dtype(), w + ": dtype");
            assertArrayEquals(shape, t.shape(), w + ": shape");
            assertEquals(shape.length, t.rank(), w + ": rank");
            assertEquals(n, t.size(), w + ": size");
            assertTrue(t.backend() == b, w + ": backend() is not the creating backend");
            assertArrayEquals(round(dtype, raw), t.toDoubleArray(), 0.0, w + ": fromDoubles -> toDoubleArray");
            float[] asFloats = new float[n];
            for (int i = 0; i < n; i++) {
                asFloats[i] = (float) raw[i];
            }
            assertArrayEquals(asFloats, t.toFloatArray(), 0.0f, w + ": fromDoubles -> toFloatArray rounds to nearest float");

            Tensor f = b.fromFloats(asFloats, dtype, shape);
            assertEquals(dtype, f.dtype(), w + ": fromFloats dtype");
            assertArrayEquals(shape, f.shape(), w + ": fromFloats shape");
            double[] widened = new double[n];
            for (int i = 0; i < n; i++) {
                widened[i] = asFloats[i];
            }
            assertArrayEquals(widened, f.toDoubleArray(), 0.0, w + ": fromFloats -> toDoubleArray widens exactly");
            assertArrayEquals(asFloats, f.toFloatArray(), 0.0f, w + ": fromFloats -> toFloatArray");
            if (n == 1) {
                assertEquals(round(dtype, raw)[0], t.item(), 0.0, w + ": item()");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void hostArraysAreCopiedInAndOut(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        double[] d = {1, 2, 3, 4, 5, 6};
        int[] shape = {2, 3};
        Tensor t = b.fromDoubles(d, dtype, shape);
        d[0] = 99;
        shape[0] = 7;
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.toDoubleArray(), 0.0, "fromDoubles kept a reference to the caller's array");
        assertArrayEquals(new int[] {2, 3}, t.shape(), "fromDoubles kept a reference to the caller's shape array");
        float[] f = {1, 2, 3, 4, 5, 6};
        Tensor tf = b.fromFloats(f, dtype, 3, 2);
        f[5] = -1;
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, tf.toDoubleArray(), 0.0, "fromFloats kept a reference to the caller's array");
        t.toDoubleArray()[1] = 42;
        t.toFloatArray()[2] = 42;
        t.shape()[1] = 9;
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.toDoubleArray(), 0.0, "toDoubleArray/toFloatArray returned the tensor's own storage");
        assertArrayEquals(new int[] {2, 3}, t.shape(), "shape() returned the tensor's own array");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void zerosAndFull(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            exact(dtype + " zeros" + s(shape), b.zeros(dtype, shape), dtype, shape, new double[n]);
            for (double v : new double[] {-2.5, 0.1, 1e30, 7}) {
                double[] e = new double[n];
                Arrays.fill(e, dtype == DType.FLOAT32 ? (float) v : v);
                exact(dtype + " full(" + v + ")" + s(shape), b.full(v, dtype, shape), dtype, shape, e);
            }
        }
    }

    // =====================================================================================
    // layout
    // =====================================================================================

    @ParameterizedTest
    @EnumSource(DType.class)
    void reshape(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(2);
        double[] x = data(rng, dtype, 3 * 7 * 5, -1, 1);
        Tensor a = b.fromDoubles(x, dtype, 3, 7, 5);
        for (int[] to : new int[][] {{105}, {7, 15}, {1, 105, 1}, {5, 7, 3}, {3, 35}, {3, 7, 5}}) {
            Tensor r = b.reshape(a, to);
            exact("reshape [3, 7, 5] -> " + s(to), r, dtype, to, x);
            exact("reshape back " + s(to) + " -> [3, 7, 5]", b.reshape(r, 3, 7, 5), dtype, new int[] {3, 7, 5}, x);
        }
        double[] one = data(rng, dtype, 1, -1, 1);
        Tensor scalar = b.fromDoubles(one, dtype);
        exact("reshape [] -> [1, 1]", b.reshape(scalar, 1, 1), dtype, new int[] {1, 1}, one);
        exact("reshape [1] -> []", b.reshape(b.fromDoubles(one, dtype, 1)), dtype, new int[] {}, one);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void transpose(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(3);
        for (int[] shape : new int[][] {{1, 1}, {1, 7}, {3, 7}, {17, 33}, {33, 1}, {64, 3}}) {
            double[] x = data(rng, dtype, Ref.size(shape), -1, 1);
            Tensor t = b.transpose(b.fromDoubles(x, dtype, shape));
            exact("transpose " + s(shape), t, dtype, new int[] {shape[1], shape[0]}, Ref.transpose(x, shape[0], shape[1]));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sliceEveryAxisOfRank3(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(4);
        for (int[] shape : new int[][] {{3, 7, 5}, {1, 17, 3}, {7, 1, 33}}) {
            double[] x = data(rng, dtype, Ref.size(shape), -1, 1);
            Tensor a = b.fromDoubles(x, dtype, shape);
            for (int axis = 0; axis < 3; axis++) {
                int n = shape[axis];
                List<int[]> ranges = new ArrayList<>();
                ranges.add(new int[] {0, n});
                ranges.add(new int[] {0, 1});
                ranges.add(new int[] {n - 1, n});
                if (n > 2) {
                    ranges.add(new int[] {1, n - 1});
                    ranges.add(new int[] {n / 2, n / 2 + 1});
                }
                for (int[] r : ranges) {
                    int[] outShape = shape.clone();
                    outShape[axis] = r[1] - r[0];
                    double[] e = Ref.slice(x, shape, axis, r[0], r[1]);
                    exact("slice " + s(shape) + " axis " + axis + " [" + r[0] + ", " + r[1] + ")", b.slice(a, axis, r[0], r[1]), dtype,
                            outShape, e);
                    exact("slice " + s(shape) + " axis " + (axis - 3) + " (negative) [" + r[0] + ", " + r[1] + ")",
                            b.slice(a, axis - 3, r[0], r[1]), dtype, outShape, e);
                }
            }
        }
        double[] v = data(rng, dtype, 17, -1, 1);
        exact("slice [17] [3, 11)", b.slice(b.fromDoubles(v, dtype, 17), 0, 3, 11), dtype, new int[] {8},
                Arrays.copyOfRange(v, 3, 11));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void concatEveryAxisOfRank3(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(5);
        int[] base = {3, 7, 5};
        int[] extents = {1, 3, 2};
        for (int axis = 0; axis < 3; axis++) {
            List<Tensor> parts = new ArrayList<>();
            List<double[]> data = new ArrayList<>();
            List<int[]> shapes = new ArrayList<>();
            for (int e : extents) {
                int[] sh = base.clone();
                sh[axis] = e;
                double[] x = data(rng, dtype, Ref.size(sh), -1, 1);
                parts.add(b.fromDoubles(x, dtype, sh));
                data.add(x);
                shapes.add(sh);
            }
            int[] outShape = base.clone();
            outShape[axis] = 6;
            double[] e = Ref.concat(data, shapes, axis);
            exact("concat of " + s(shapes.get(0)) + ", " + s(shapes.get(1)) + ", " + s(shapes.get(2)) + " on axis " + axis,
                    b.concat(parts, axis), dtype, outShape, e);
            exact("concat on negative axis " + (axis - 3), b.concat(parts, axis - 3), dtype, outShape, e);
            exact("concat of two parts on axis " + axis, b.concat(parts.subList(0, 2), axis), dtype,
                    withAxis(base, axis, 4), Ref.concat(data.subList(0, 2), shapes.subList(0, 2), axis));
            exact("concat of one part on axis " + axis, b.concat(List.of(parts.get(1)), axis), dtype, shapes.get(1), data.get(1));
        }
        double[] x = data(rng, dtype, 17, -1, 1);
        double[] y = data(rng, dtype, 1, -1, 1);
        double[] xy = Arrays.copyOf(x, 18);
        xy[17] = y[0];
        exact("concat rank 1 [17] + [1]", b.concat(List.of(b.fromDoubles(x, dtype, 17), b.fromDoubles(y, dtype, 1)), 0), dtype,
                new int[] {18}, xy);
    }

    private static int[] withAxis(int[] shape, int axis, int extent) {
        int[] s = shape.clone();
        s[axis] = extent;
        return s;
    }

    @Test
    void castBothWays() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        backendFor(DType.FLOAT32);
        SplittableRandom rng = new SplittableRandom(6);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(7) - 3);
            }
            Tensor d = b.fromDoubles(x, DType.FLOAT64, shape);
            Tensor f = b.cast(d, DType.FLOAT32);
            exact("cast FLOAT64 -> FLOAT32 " + s(shape), f, DType.FLOAT32, shape, round(DType.FLOAT32, x));
            exact("cast FLOAT32 -> FLOAT64 " + s(shape), b.cast(f, DType.FLOAT64), DType.FLOAT64, shape, round(DType.FLOAT32, x));
            Tensor same = b.cast(d, DType.FLOAT64);
            assertNotSame(d, same, "cast to the same dtype must return a copy");
            exact("cast FLOAT64 -> FLOAT64 " + s(shape), same, DType.FLOAT64, shape, x);
            Tensor same32 = b.cast(f, DType.FLOAT32);
            assertNotSame(f, same32, "cast to the same dtype must return a copy");
            exact("cast FLOAT32 -> FLOAT32 " + s(shape), same32, DType.FLOAT32, shape, round(DType.FLOAT32, x));
        }
    }

    // =====================================================================================
    // elementwise
    // =====================================================================================

    private enum Bin {
        ADD, SUB, MUL, DIV;

        double apply(double x, double y) {
            switch (this) {
                case ADD:
                    return x + y;
                case SUB:
                    return x - y;
                case MUL:
                    return x * y;
                default:
                    return x / y;
            }
        }

        Tensor run(ComputeBackend b, Tensor x, Tensor y) {
            switch (this) {
                case ADD:
                    return b.add(x, y);
                case SUB:
                    return b.sub(x, y);
                case MUL:
                    return b.mul(x, y);
                default:
                    return b.div(x, y);
            }
        }
    }

    /**
     * (a shape, b shape): same shape, trailing suffix, rank-0 right-hand side, then numpy broadcasting:
     * size-1 dimensions on either side ({@code [N, H] - [N, 1]}, {@code [B, T, S] + [B, 1, S]}), a
     * left-hand side of lower rank, both sides broadcast ({@code [3, 1] + [1, 5]}).
     */
    private static final int[][][] BINARY_CASES = {
        {{}, {}}, {{1}, {1}}, {{33}, {33}}, {{7, 17}, {7, 17}}, {{3, 7, 5}, {3, 7, 5}},
        {{3, 7, 5}, {7, 5}}, {{3, 7, 5}, {5}}, {{17, 3}, {3}}, {{7, 1}, {1}}, {{1, 33}, {33}}, {{17, 1, 3}, {1, 3}},
        {{3, 7, 5}, {}}, {{33}, {}}, {{7, 17}, {}}, {{1}, {}},
        {{7, 17}, {7, 1}}, {{3, 7, 5}, {3, 1, 5}}, {{3, 7, 5}, {1, 7, 5}}, {{3, 7, 5}, {1, 1, 5}}, {{3, 7, 5}, {3, 7, 1}},
        {{3, 7, 5}, {7, 1}}, {{3, 1, 5}, {3, 7, 1}}, {{7, 1}, {1, 17}}, {{7, 1}, {7, 17}}, {{5}, {3, 7, 5}}, {{}, {3, 7}},
        {{1, 7, 1}, {3, 1, 5}}, {{17, 1, 3}, {17, 33, 3}}, {{2, 3, 1, 5}, {3, 4, 1}},
    };

    private void checkBinary(DType dtype, Bin op) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(10 + op.ordinal());
        for (int[][] c : BINARY_CASES) {
            int[] sa = c[0];
            int[] sb = c[1];
            int[] so = Ref.broadcast(sa, sb);
            double[] x = data(rng, dtype, Ref.size(sa), -2, 2);
            double[] y = op == Bin.DIV ? signed(rng, dtype, Ref.size(sb), 0.5, 2) : data(rng, dtype, Ref.size(sb), -2, 2);
            double[] e = new double[Ref.size(so)];
            for (int i = 0; i < e.length; i++) {
                e[i] = op.apply(x[Ref.source(i, so, sa)], y[Ref.source(i, so, sb)]);
            }
            Tensor out = op.run(b, b.fromDoubles(x, dtype, sa), b.fromDoubles(y, dtype, sb));
            close(dtype + " " + op.name().toLowerCase() + " " + s(sa) + " with " + s(sb), out, dtype, so, e, tol(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void add(DType dtype) {
        checkBinary(dtype, Bin.ADD);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sub(DType dtype) {
        checkBinary(dtype, Bin.SUB);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void mul(DType dtype) {
        checkBinary(dtype, Bin.MUL);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void div(DType dtype) {
        checkBinary(dtype, Bin.DIV);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maximum(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(15);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] x = data(rng, dtype, n, -1, 1);
            double[] y = data(rng, dtype, n, -1, 1);
            for (int i = 0; i < n; i += 3) {
                y[i] = x[i]; // ties
            }
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = Math.max(x[i], y[i]);
            }
            exact(dtype + " maximum " + s(shape), b.maximum(b.fromDoubles(x, dtype, shape), b.fromDoubles(y, dtype, shape)), dtype,
                    shape, e);
        }
        for (int[][] c : BINARY_CASES) {
            int[] so = Ref.broadcast(c[0], c[1]);
            double[] x = data(rng, dtype, Ref.size(c[0]), -1, 1);
            double[] y = data(rng, dtype, Ref.size(c[1]), -1, 1);
            double[] e = new double[Ref.size(so)];
            for (int i = 0; i < e.length; i++) {
                e[i] = Math.max(x[Ref.source(i, so, c[0])], y[Ref.source(i, so, c[1])]);
            }
            exact(dtype + " maximum " + s(c[0]) + " with " + s(c[1]), b.maximum(b.fromDoubles(x, dtype, c[0]), b.fromDoubles(y, dtype, c[1])),
                    dtype, so, e);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void scaleAddScalarAddScaledAndInPlace(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(16);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] x = data(rng, dtype, n, -2, 2);
            double[] y = data(rng, dtype, n, -2, 2);
            Tensor a = b.fromDoubles(x, dtype, shape);
            Tensor c = b.fromDoubles(y, dtype, shape);
            for (double k : new double[] {-1.5, 0, 3.25, 1e-3}) {
                double[] es = new double[n];
                double[] ea = new double[n];
                double[] ed = new double[n];
                for (int i = 0; i < n; i++) {
                    es[i] = x[i] * k;
                    ea[i] = x[i] + k;
                    ed[i] = x[i] + k * y[i];
                }
                close(dtype + " scale by " + k + " " + s(shape), b.scale(a, k), dtype, shape, es, tol(dtype));
                close(dtype + " addScalar " + k + " " + s(shape), b.addScalar(a, k), dtype, shape, ea, tol(dtype));
                close(dtype + " addScaled alpha " + k + " " + s(shape), b.addScaled(a, c, k), dtype, shape, ed, tol(dtype));
                // in place: beta * target + alpha * c, rounded exactly as scale then addScaled
                for (double beta : new double[] {1, 0.9, k}) {
                    String what = dtype + " addScaledInPlace beta " + beta + " alpha " + k + " " + s(shape);
                    Tensor target = b.fromDoubles(x, dtype, shape);
                    b.addScaledInPlace(target, beta, c, k);
                    double[] ei = new double[n];
                    for (int i = 0; i < n; i++) {
                        ei[i] = beta * x[i] + k * y[i];
                    }
                    close(what, target, dtype, shape, ei, tol(dtype));
                    exact(what + " equals addScaled(scale(target, beta), b, alpha)", target, dtype, shape,
                            b.addScaled(beta == 1 ? a : b.scale(a, beta), c, k).toDoubleArray());
                }
            }
            exact(dtype + " addScaledInPlace leaves b unchanged " + s(shape), c, dtype, shape, y);
            exact(dtype + " addScaledInPlace leaves another tensor of the same values unchanged " + s(shape), a, dtype, shape, x);
        }
    }

    /** NaN and infinite scalars propagate as IEEE arithmetic says (a NaN scale must not be dropped). */
    @ParameterizedTest
    @EnumSource(DType.class)
    void nonFiniteScalarsPropagate(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        Tensor a = b.fromDoubles(new double[] {-2, 0, 3}, dtype, 3);
        for (double k : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            double[] scaled = b.scale(a, k).toDoubleArray();
            double[] added = b.addScalar(a, k).toDoubleArray();
            double[] x = {-2, 0, 3};
            for (int i = 0; i < 3; i++) {
                assertEquals(Double.valueOf(x[i] * k), Double.valueOf(scaled[i]), dtype + " scale " + x[i] + " by " + k);
                assertEquals(Double.valueOf(x[i] + k), Double.valueOf(added[i]), dtype + " addScalar " + x[i] + " + " + k);
            }
        }
    }

    private interface UnaryRef {
        double apply(double x);
    }

    private void checkUnary(DType dtype, String name, double lo, double hi, boolean exactOp, UnaryRef ref,
            java.util.function.BiFunction<ComputeBackend, Tensor, Tensor> op) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(name.hashCode());
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] x = data(rng, dtype, n, lo, hi);
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = ref.apply(x[i]);
            }
            Tensor out = op.apply(b, b.fromDoubles(x, dtype, shape));
            String w = dtype + " " + name + " " + s(shape);
            if (exactOp) {
                exact(w, out, dtype, shape, e);
            } else {
                close(w, out, dtype, shape, e, tol(dtype));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void tanh(DType dtype) {
        checkUnary(dtype, "tanh", -4, 4, false, Math::tanh, ComputeBackend::tanh);
        checkUnary(dtype, "tanh (small inputs)", -1e-3, 1e-3, false, Math::tanh, ComputeBackend::tanh);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sigmoid(DType dtype) {
        checkUnary(dtype, "sigmoid", -8, 8, false, TensorOpsContract::sigmoid, ComputeBackend::sigmoid);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void tanhAndSigmoidStayFiniteForExtremeInputs(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        double[] x = {-1000, -100, -30, -0.5, 0, 0.5, 30, 100, 1000};
        double[] et = new double[x.length];
        double[] es = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            et[i] = Math.tanh(x[i]);
            es[i] = sigmoid(x[i]);
        }
        Tensor a = b.fromDoubles(x, dtype, x.length);
        close(dtype + " tanh of extreme inputs", b.tanh(a), dtype, new int[] {x.length}, et, tol(dtype));
        close(dtype + " sigmoid of extreme inputs", b.sigmoid(a), dtype, new int[] {x.length}, es, tol(dtype));
        double[] s = b.sigmoid(a).toDoubleArray();
        assertTrue(s[0] >= 0 && s[0] < 1e-30, dtype + ": sigmoid(-1000) = " + s[0] + ", expected ~0");
        assertEquals(1.0, s[x.length - 1], 0.0, dtype + ": sigmoid(1000)");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void relu(DType dtype) {
        checkUnary(dtype, "relu", -1, 1, true, x -> Math.max(x, 0), ComputeBackend::relu);
        ComputeBackend b = backendFor(dtype);
        exact(dtype + " relu of exact zeros and signs", b.relu(b.fromDoubles(new double[] {0, -0.5, 0.5, -3, 3}, dtype, 5)), dtype,
                new int[] {5}, new double[] {0, 0, 0.5, 0, 3});
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void exp(DType dtype) {
        checkUnary(dtype, "exp", -5, 5, false, Math::exp, ComputeBackend::exp);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void log(DType dtype) {
        checkUnary(dtype, "log", 0.05, 5, false, Math::log, ComputeBackend::log);
        checkUnary(dtype, "log (wide range)", 1e-6, 1e6, false, Math::log, ComputeBackend::log);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sqrt(DType dtype) {
        checkUnary(dtype, "sqrt", 0, 4, false, Math::sqrt, ComputeBackend::sqrt);
        ComputeBackend b = backendFor(dtype);
        exact(dtype + " sqrt of perfect squares", b.sqrt(b.fromDoubles(new double[] {0, 1, 4, 0.25, 9}, dtype, 5)), dtype,
                new int[] {5}, new double[] {0, 1, 2, 0.5, 3});
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void abs(DType dtype) {
        checkUnary(dtype, "abs", -3, 3, true, Math::abs, ComputeBackend::abs);
    }

    private interface BackwardRef {
        double apply(double y, double gy);
    }

    private void checkActivationBackward(DType dtype, String name, double[] yRange, BackwardRef ref,
            java.util.function.BiFunction<Tensor, Tensor, Tensor> op) {
        SplittableRandom rng = new SplittableRandom(name.hashCode());
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] y = data(rng, dtype, n, yRange[0], yRange[1]);
            double[] gy = data(rng, dtype, n, -2, 2);
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = ref.apply(y[i], gy[i]);
            }
            ComputeBackend b = backendFor(dtype);
            close(dtype + " " + name + " " + s(shape), op.apply(b.fromDoubles(y, dtype, shape), b.fromDoubles(gy, dtype, shape)), dtype,
                    shape, e, tol(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void tanhBackward(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        checkActivationBackward(dtype, "tanhBackward", new double[] {-1, 1}, (y, g) -> g * (1 - y * y), b::tanhBackward);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sigmoidBackward(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        checkActivationBackward(dtype, "sigmoidBackward", new double[] {0, 1}, (y, g) -> g * y * (1 - y), b::sigmoidBackward);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluBackward(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(17);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] y = data(rng, dtype, n, -1, 1);
            for (int i = 0; i < n; i++) {
                y[i] = Math.max(y[i], 0); // a relu output: exact zeros where the input was negative
            }
            double[] gy = data(rng, dtype, n, -2, 2);
            double[] e = new double[n];
            for (int i = 0; i < n; i++) {
                e[i] = y[i] > 0 ? gy[i] : 0;
            }
            exact(dtype + " reluBackward " + s(shape), b.reluBackward(b.fromDoubles(y, dtype, shape), b.fromDoubles(gy, dtype, shape)),
                    dtype, shape, e);
        }
    }

    // =====================================================================================
    // linear algebra and reductions
    // =====================================================================================

    private void checkMatmul(ComputeBackend b, DType dtype, SplittableRandom rng, int m, int k, int n, boolean ta, boolean tb, double tol) {
        int[] sa = ta ? new int[] {k, m} : new int[] {m, k};
        int[] sb = tb ? new int[] {n, k} : new int[] {k, n};
        double[] x = data(rng, dtype, m * k, -1, 1);
        double[] y = data(rng, dtype, k * n, -1, 1);
        Tensor out = b.matmul(b.fromDoubles(x, dtype, sa), b.fromDoubles(y, dtype, sb), ta, tb);
        close(dtype + " matmul " + (ta ? "a^T" : "a") + s(sa) + " · " + (tb ? "b^T" : "b") + s(sb), out, dtype, new int[] {m, n},
                Ref.matmul(x, sa, y, sb, ta, tb), tol);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulAllTransposeFlags(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(20);
        int[][] mkn = {{1, 1, 1}, {1, 7, 1}, {3, 7, 5}, {17, 1, 33}, {1, 33, 7}, {33, 17, 3}, {7, 3, 1}, {5, 5, 5}};
        for (int[] d : mkn) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    checkMatmul(b, dtype, rng, d[0], d[1], d[2], ta, tb, bigTol(dtype));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulLarge(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(21);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                checkMatmul(b, dtype, rng, 67, 129, 65, ta, tb, bigTol(dtype));
            }
        }
        // k and n past common block sizes (256, 512), an odd number of rows
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                checkMatmul(b, dtype, rng, 9, 301, 517, ta, tb, bigTol(dtype));
            }
        }
        checkMatmul(b, dtype, rng, 1, 257, 129, false, false, bigTol(dtype));
        checkMatmul(b, dtype, rng, 129, 3, 257, false, true, bigTol(dtype));
    }

    /** Whether the backend's {@link ComputeBackend#matmulAccumulate} with alpha = beta = 1 is exactly add(c, matmul(a, b)). */
    protected boolean exactAccumulation() {
        return false;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulAccumulate(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(22);
        int[][] mkn = {{1, 1, 1}, {3, 7, 5}, {17, 1, 33}, {33, 17, 3}, {67, 129, 65}};
        double[][] alphaBeta = {{1, 1}, {0.5, -2}, {0, 1}, {1, 0}, {-1.25, 0.75}};
        for (int[] d : mkn) {
            int m = d[0];
            int k = d[1];
            int n = d[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int[] sa = ta ? new int[] {k, m} : new int[] {m, k};
                    int[] sb = tb ? new int[] {n, k} : new int[] {k, n};
                    double[] x = data(rng, dtype, m * k, -1, 1);
                    double[] y = data(rng, dtype, k * n, -1, 1);
                    double[] z = data(rng, dtype, m * n, -1, 1);
                    Tensor a = b.fromDoubles(x, dtype, sa);
                    Tensor bt = b.fromDoubles(y, dtype, sb);
                    Tensor c = b.fromDoubles(z, dtype, m, n);
                    double[] product = Ref.matmul(x, sa, y, sb, ta, tb);
                    for (double[] ab : alphaBeta) {
                        double[] e = new double[m * n];
                        for (int i = 0; i < e.length; i++) {
                            e[i] = ab[0] * product[i] + ab[1] * z[i];
                        }
                        String what = dtype + " matmulAccumulate alpha " + ab[0] + " beta " + ab[1] + " " + (ta ? "a^T" : "a") + s(sa)
                                + " · " + (tb ? "b^T" : "b") + s(sb);
                        Tensor out = b.matmulAccumulate(c, a, bt, ta, tb, ab[0], ab[1]);
                        assertNotSame(c, out, what + ": a new tensor");
                        close(what, out, dtype, new int[] {m, n}, e, bigTol(dtype));
                        if (exactAccumulation() && ab[0] == 1 && ab[1] == 1) {
                            exact(what + " equals add(c, matmul(a, b))", out, dtype, new int[] {m, n},
                                    b.add(c, b.matmul(a, bt, ta, tb)).toDoubleArray());
                        }
                    }
                    exact(dtype + " matmulAccumulate leaves c unchanged", c, dtype, new int[] {m, n}, z);
                    exact(dtype + " matmulAccumulate leaves a unchanged", a, dtype, sa, x);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void addScaledInPlaceRefusesItsTargetAsTheAddend(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        Tensor self = b.fromDoubles(new double[] {1, 2}, dtype, 2);
        assertEquals("addScaledInPlace: b is the target tensor itself; expected another tensor (pass a copy)",
                rejects("addScaledInPlace(t, t)", () -> b.addScaledInPlace(self, 0.5, self, 2)).getMessage());
        exact(dtype + " a rejected addScaledInPlace changes nothing", self, dtype, new int[] {2}, new double[] {1, 2});
    }

    @Test
    void aClosedBackendRefusesWorkWithAClearMessage() {
        ComputeBackend shared = backend();
        DType dt = anyDType();
        // a private instance: the one Backends shares stays open for the other tests
        ComputeBackend b = ComputeBackend.of(Backends.providers().get(backendName())
                .create(BackendOptions.defaults()));
        assertNotSame(shared, b);
        Tensor t = b.fromDoubles(new double[] {1, -2, 3}, dt, 3);
        Tensor m = b.fromDoubles(new double[] {1, 2, 3, 4}, dt, 2, 2);
        b.close();
        b.close(); // idempotent
        String msg = "Backend '" + b.name() + "' was closed and runs no more work; get an open one with Backends.get(\"" + b.name() + "\")";
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("zeros", () -> b.zeros(dt, 2));
        calls.put("fromDoubles", () -> b.fromDoubles(new double[] {1}, dt, 1));
        calls.put("add", () -> b.add(t, t));
        calls.put("matmul", () -> b.matmul(m, m, false, false));
        calls.put("addScaledInPlace", () -> b.addScaledInPlace(t, 1, t, 1));
        for (Map.Entry<String, Executable> e : calls.entrySet()) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, e.getValue(), e.getKey() + " on a closed backend");
            assertEquals(msg, ex.getMessage(), e.getKey());
        }
        for (KernelKind k : b.fusedKinds()) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> {
                if (k.sequence()) {
                    b.sequenceKernel(k).orElseThrow().apply(new SequenceArgs(t, t, t, t, null, null, false, null));
                } else {
                    b.cellKernel(k).orElseThrow().apply(new CellArgs(t, t, t, t, null));
                }
            }, k.id() + " on a closed backend");
            assertEquals(msg, ex.getMessage(), k.id());
        }
        exact(dt + ": a tensor of a closed backend stays readable", t, dt, new int[] {3}, new double[] {1, -2, 3});
        exact(dt + ": the shared backend still works", shared.add(shared.full(1, dt, 2), shared.full(2, dt, 2)), dt, new int[] {2},
                new double[] {3, 3});
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sum(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(22);
        for (int[] shape : SHAPES) {
            double[] x = data(rng, dtype, Ref.size(shape), 0.5, 1.5); // one sign: no cancellation in the reference
            double e = 0;
            for (double v : x) {
                e += v;
            }
            close(dtype + " sum " + s(shape), b.sum(b.fromDoubles(x, dtype, shape)), dtype, new int[] {}, new double[] {e}, tol(dtype));
        }
        double[] big = data(rng, dtype, 129 * 67, 0.5, 1.5);
        double e = 0;
        for (double v : big) {
            e += v;
        }
        close(dtype + " sum [129, 67]", b.sum(b.fromDoubles(big, dtype, 129, 67)), dtype, new int[] {}, new double[] {e}, bigTol(dtype));
        // mixed signs: the error is measured against sum |x|, the scale a summation error is proportional to
        double[] mixed = data(rng, dtype, 3 * 7 * 17, -1, 1);
        double em = 0;
        double scale = 0;
        for (double v : mixed) {
            em += v;
            scale += Math.abs(v);
        }
        double got = b.sum(b.fromDoubles(mixed, dtype, 3, 7, 17)).item();
        double err = Math.abs(got - em) / scale;
        assertTrue(err <= tol(dtype), dtype + " sum of mixed signs [3, 7, 17]: " + got + ", expected " + em + " (error " + err
                + " relative to sum|x|)");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maxAbs(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(23);
        for (int[] shape : SHAPES) {
            int n = Ref.size(shape);
            double[] x = data(rng, dtype, n, -1, 1);
            x[rng.nextInt(n)] = dtype == DType.FLOAT32 ? (float) -1.75 : -1.75; // the largest magnitude is negative
            double e = 0;
            for (double v : x) {
                e = Math.max(e, Math.abs(v));
            }
            exact(dtype + " maxAbs " + s(shape), b.maxAbs(b.fromDoubles(x, dtype, shape)), dtype, new int[] {}, new double[] {e});
        }
        exact(dtype + " maxAbs of zeros", b.maxAbs(b.zeros(dtype, 3, 7)), dtype, new int[] {}, new double[] {0});
        double[] x = data(rng, dtype, 67 * 129, -1, 1);
        x[4321] = 3.5;
        exact(dtype + " maxAbs [67, 129]", b.maxAbs(b.fromDoubles(x, dtype, 67, 129)), dtype, new int[] {}, new double[] {3.5});
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumToTrailing(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(24);
        int[][][] cases = {
            {{3, 7, 5}, {7, 5}}, {{3, 7, 5}, {5}}, {{3, 7, 5}, {3, 7, 5}}, {{3, 7, 5}, {}}, {{17, 33}, {33}}, {{33, 1}, {1}},
            {{1, 17}, {17}}, {{7}, {7}}, {{7}, {}}, {{}, {}},
        };
        for (int[][] c : cases) {
            double[] x = data(rng, dtype, Ref.size(c[0]), 0.5, 1.5);
            close(dtype + " sumToTrailing " + s(c[0]) + " -> " + s(c[1]), b.sumToTrailing(b.fromDoubles(x, dtype, c[0]), c[1]), dtype,
                    c[1], Ref.sumToTrailing(x, Ref.size(c[1])), tol(dtype));
        }
        double[] x = data(rng, dtype, 257 * 65, -1, 1);
        close(dtype + " sumToTrailing [257, 65] -> [65]", b.sumToTrailing(b.fromDoubles(x, dtype, 257, 65), 65), dtype,
                new int[] {65}, Ref.sumToTrailing(x, 65), bigTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumLastAxis(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(25);
        for (int[] shape : new int[][] {{17}, {1}, {7, 33}, {1, 1}, {33, 1}, {3, 7, 5}, {1, 7, 17}}) {
            double[] x = data(rng, dtype, Ref.size(shape), 0.5, 1.5);
            int[] out = Arrays.copyOf(shape, shape.length - 1);
            close(dtype + " sumLastAxis " + s(shape), b.sumLastAxis(b.fromDoubles(x, dtype, shape)), dtype, out,
                    Ref.sumLastAxis(x, shape[shape.length - 1]), tol(dtype));
        }
        double[] x = data(rng, dtype, 65 * 257, -1, 1);
        close(dtype + " sumLastAxis [65, 257]", b.sumLastAxis(b.fromDoubles(x, dtype, 65, 257)), dtype, new int[] {65},
                Ref.sumLastAxis(x, 257), bigTol(dtype));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void bmmAllTransposeFlags(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(28);
        // (batch, m, k, n)
        int[][] cases = {{1, 1, 1, 1}, {1, 3, 7, 5}, {3, 1, 7, 1}, {5, 3, 7, 5}, {7, 17, 1, 33}, {2, 33, 17, 3}, {4, 1, 33, 7}};
        for (int[] c : cases) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    checkBmm(b, dtype, rng, c[0], c[1], c[2], c[3], ta, tb);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void bmmLarge(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(29);
        // many small products (a multi-threaded backend may run one batch entry per thread), then few large ones
        checkBmm(b, dtype, rng, 64, 32, 33, 31, false, false);
        checkBmm(b, dtype, rng, 64, 32, 33, 31, true, true);
        checkBmm(b, dtype, rng, 2, 129, 67, 131, false, true);
        checkBmm(b, dtype, rng, 2, 129, 67, 131, true, false);
    }

    private void checkBmm(ComputeBackend b, DType dtype, SplittableRandom rng, int batch, int m, int k, int n, boolean ta, boolean tb) {
        int[] sa = ta ? new int[] {batch, k, m} : new int[] {batch, m, k};
        int[] sb = tb ? new int[] {batch, n, k} : new int[] {batch, k, n};
        double[] x = data(rng, dtype, Ref.size(sa), -1, 1);
        double[] y = data(rng, dtype, Ref.size(sb), -1, 1);
        Tensor out = b.bmm(b.fromDoubles(x, dtype, sa), b.fromDoubles(y, dtype, sb), ta, tb);
        close(dtype + " bmm " + (ta ? "a^T" : "a") + s(sa) + " · " + (tb ? "b^T" : "b") + s(sb), out, dtype, new int[] {batch, m, n},
                Ref.bmm(x, sa, y, sb, ta, tb), bigTol(dtype));
    }

    private static int[] reduced(int[] shape, int axis, boolean keepDim) {
        if (keepDim) {
            return withAxis(shape, axis, 1);
        }
        int[] r = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                r[j++] = shape[i];
            }
        }
        return r;
    }

    private static final String[] REDUCTIONS = {"sum", "mean", "var (biased)", "var (unbiased)"};

    private static Tensor reduceAlong(ComputeBackend b, int mode, Tensor a, int axis, boolean keepDim) {
        switch (mode) {
            case 0:
                return b.sum(a, axis, keepDim);
            case 1:
                return b.mean(a, axis, keepDim);
            case 2:
                return b.var(a, axis, keepDim, false);
            default:
                return b.var(a, axis, keepDim, true);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sumMeanVarAlongEveryAxis(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(32);
        for (int[] shape : new int[][] {{7}, {2}, {7, 17}, {1, 7}, {3, 7, 5}, {17, 2, 3}, {2, 3, 1, 5}}) {
            // values offset from 0 so that the variance is not a cancellation test
            double[] x = data(rng, dtype, Ref.size(shape), 0.5, 2.5);
            Tensor a = b.fromDoubles(x, dtype, shape);
            for (int axis = 0; axis < shape.length; axis++) {
                for (int mode = 0; mode < REDUCTIONS.length; mode++) {
                    if (mode == 3 && shape[axis] < 2) {
                        continue;
                    }
                    double[] e = Ref.reduceAxis(x, shape, axis, mode);
                    for (boolean keep : new boolean[] {false, true}) {
                        String w = dtype + " " + REDUCTIONS[mode] + " " + s(shape) + " along axis " + axis + (keep ? ", keepDim" : "");
                        close(w, reduceAlong(b, mode, a, axis, keep), dtype, reduced(shape, axis, keep), e, tol(dtype));
                        close(w + " (as axis " + (axis - shape.length) + ")", reduceAlong(b, mode, a, axis - shape.length, keep), dtype,
                                reduced(shape, axis, keep), e, tol(dtype));
                    }
                }
            }
        }
        // long axes
        double[] x = data(rng, dtype, 9 * 513, -1, 1);
        for (int axis = 0; axis < 2; axis++) {
            for (int mode = 0; mode < REDUCTIONS.length; mode++) {
                close(dtype + " " + REDUCTIONS[mode] + " [9, 513] along axis " + axis, reduceAlong(b, mode, b.fromDoubles(x, dtype, 9, 513),
                        axis, false), dtype, reduced(new int[] {9, 513}, axis, false), Ref.reduceAxis(x, new int[] {9, 513}, axis, mode),
                        bigTol(dtype));
            }
        }
        // the variance of a constant row is exactly 0
        double[] c = new double[3 * 5];
        Arrays.fill(c, dtype == DType.FLOAT32 ? (float) 0.1 : 0.1);
        exact(dtype + " var of constant rows", b.var(b.fromDoubles(c, dtype, 3, 5), 1, false, false), dtype, new int[] {3}, new double[3]);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxAndSoftmaxOfAnyRank(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(33);
        for (int[] shape : new int[][] {{1}, {7}, {33}, {3, 7, 5}, {2, 1, 17}, {3, 5, 1}, {2, 3, 4, 5}}) {
            int cols = shape[shape.length - 1];
            int rows = Ref.size(shape) / cols;
            double[] x = data(rng, dtype, Ref.size(shape), -4, 4);
            Tensor a = b.fromDoubles(x, dtype, shape);
            close(dtype + " logSoftmax " + s(shape), b.logSoftmax(a), dtype, shape, Ref.logSoftmax(x, rows, cols), tol(dtype));
            close(dtype + " softmax " + s(shape), b.softmax(a), dtype, shape, Ref.softmax(x, rows, cols), tol(dtype));
            double[] y = round(dtype, Ref.logSoftmax(x, rows, cols));
            double[] gy = data(rng, dtype, y.length, -1, 1);
            close(dtype + " logSoftmaxBackward " + s(shape), b.logSoftmaxBackward(b.fromDoubles(y, dtype, shape),
                    b.fromDoubles(gy, dtype, shape)), dtype, shape, Ref.logSoftmaxBackward(y, gy, rows, cols), tol(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxOfMaskedScoresGivesZeroWeight(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(34);
        int[] shape = {2, 3, 5};
        double[] x = data(rng, dtype, 30, -3, 3);
        double[] m = new double[2 * 5];
        m[3] = m[4] = m[9] = 1; // batch 0 hides keys 3 and 4, batch 1 hides key 4
        Tensor scores = b.maskedFill(b.fromDoubles(x, dtype, shape), b.fromDoubles(m, dtype, 2, 1, 5), Double.NEGATIVE_INFINITY);
        double[] masked = x.clone();
        for (int i = 0; i < masked.length; i++) {
            if (m[(i / 15) * 5 + i % 5] != 0) {
                masked[i] = Double.NEGATIVE_INFINITY;
            }
        }
        double[] e = Ref.softmax(masked, 6, 5);
        Tensor p = b.softmax(scores);
        close(dtype + " softmax of scores with -inf at masked keys", p, dtype, shape, e, tol(dtype));
        double[] pv = p.toDoubleArray();
        for (int i = 0; i < pv.length; i++) {
            if (masked[i] == Double.NEGATIVE_INFINITY) {
                assertEquals(0.0, pv[i], 0.0, dtype + ": softmax weight of masked element " + i);
            }
        }
        double[] ls = b.logSoftmax(scores).toDoubleArray();
        for (int i = 0; i < ls.length; i++) {
            assertTrue(masked[i] == Double.NEGATIVE_INFINITY ? ls[i] == Double.NEGATIVE_INFINITY : Double.isFinite(ls[i]),
                    dtype + ": logSoftmax element " + i + " is " + ls[i]);
        }
    }

    /** (mask, a, b) shapes for where; the first shape of each triple is the mask. */
    private static final int[][][] WHERE_CASES = {
        {{}, {}, {}}, {{7}, {7}, {7}}, {{3, 7, 5}, {3, 7, 5}, {3, 7, 5}}, {{3, 1, 5}, {3, 7, 5}, {3, 7, 5}}, {{5}, {3, 7, 5}, {}},
        {{3, 7, 1}, {}, {3, 7, 5}}, {{7, 1}, {1, 17}, {7, 17}}, {{1, 5}, {3, 1}, {}}, {{2, 1, 1, 5}, {3, 1, 5}, {4, 1}},
    };

    @ParameterizedTest
    @EnumSource(DType.class)
    void whereBroadcastsAllThree(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(35);
        for (int[][] c : WHERE_CASES) {
            int[] so = Ref.broadcast(c[0], Ref.broadcast(c[1], c[2]));
            double[] m = new double[Ref.size(c[0])];
            for (int i = 0; i < m.length; i++) {
                m[i] = rng.nextBoolean() ? 1 : 0;
            }
            double[] x = data(rng, dtype, Ref.size(c[1]), -2, 2);
            double[] y = data(rng, dtype, Ref.size(c[2]), -2, 2);
            double[] e = new double[Ref.size(so)];
            for (int i = 0; i < e.length; i++) {
                e[i] = m[Ref.source(i, so, c[0])] != 0 ? x[Ref.source(i, so, c[1])] : y[Ref.source(i, so, c[2])];
            }
            exact(dtype + " where(mask " + s(c[0]) + ", a " + s(c[1]) + ", b " + s(c[2]) + ")",
                    b.where(b.fromDoubles(m, dtype, c[0]), b.fromDoubles(x, dtype, c[1]), b.fromDoubles(y, dtype, c[2])), dtype, so, e);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void maskedFillBroadcastsTheMask(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(36);
        // (a, mask)
        int[][][] cases = {{{}, {}}, {{7}, {7}}, {{7}, {}}, {{7, 17}, {7, 17}}, {{7, 17}, {7, 1}}, {{7, 17}, {17}}, {{3, 7, 5}, {3, 1, 5}},
            {{3, 7, 5}, {1, 7, 1}}, {{3, 7, 5}, {5}}, {{2, 3, 4, 5}, {2, 1, 1, 5}}};
        for (double value : new double[] {Double.NEGATIVE_INFINITY, 0.0, -1e9, 2.5}) {
            for (int[][] c : cases) {
                double[] x = data(rng, dtype, Ref.size(c[0]), -2, 2);
                double[] m = new double[Ref.size(c[1])];
                for (int i = 0; i < m.length; i++) {
                    m[i] = rng.nextInt(3) == 0 ? 1 : 0;
                }
                double fill = round(dtype, new double[] {value})[0];
                double[] e = new double[x.length];
                for (int i = 0; i < e.length; i++) {
                    e[i] = m[Ref.source(i, c[0], c[1])] != 0 ? fill : x[i];
                }
                exact(dtype + " maskedFill a " + s(c[0]) + " mask " + s(c[1]) + " with " + value,
                        b.maskedFill(b.fromDoubles(x, dtype, c[0]), b.fromDoubles(m, dtype, c[1]), value), dtype, c[0], e);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxAndSoftmax(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(26);
        for (int[] shape : new int[][] {{1, 1}, {1, 7}, {3, 7}, {17, 33}, {7, 1}, {2, 129}}) {
            double[] x = data(rng, dtype, Ref.size(shape), -4, 4);
            Tensor a = b.fromDoubles(x, dtype, shape);
            close(dtype + " logSoftmax " + s(shape), b.logSoftmax(a), dtype, shape, Ref.logSoftmax(x, shape[0], shape[1]), tol(dtype));
            close(dtype + " softmax " + s(shape), b.softmax(a), dtype, shape, Ref.softmax(x, shape[0], shape[1]), tol(dtype));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxAndSoftmaxAreStableForLargeValues(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        double[] x = {
            1000, 1001, 999.5, 1000,
            -1000, -999, -1001, -1000,
            0, 0, 0, 0,
            1000, -1000, 0, 500,
            88.5, 89, 90, 710,
        };
        int[] shape = {5, 4};
        double[] ls = Ref.logSoftmax(x, 5, 4);
        double[] sm = Ref.softmax(x, 5, 4);
        close(dtype + " logSoftmax of rows with values near +-1000", b.logSoftmax(b.fromDoubles(x, dtype, shape)), dtype, shape, ls,
                tol(dtype));
        Tensor s = b.softmax(b.fromDoubles(x, dtype, shape));
        close(dtype + " softmax of rows with values near +-1000", s, dtype, shape, sm, tol(dtype));
        double[] sv = s.toDoubleArray();
        for (int r = 0; r < 5; r++) {
            double rowSum = 0;
            for (int c = 0; c < 4; c++) {
                assertTrue(Double.isFinite(sv[r * 4 + c]) && sv[r * 4 + c] >= 0, dtype + ": softmax row " + r + " has " + sv[r * 4 + c]);
                rowSum += sv[r * 4 + c];
            }
            assertEquals(1.0, rowSum, 10 * tol(dtype), dtype + ": softmax row " + r + " sums to " + rowSum);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void logSoftmaxBackward(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(27);
        for (int[] shape : new int[][] {{1, 1}, {1, 7}, {3, 7}, {17, 33}, {7, 1}}) {
            double[] x = data(rng, dtype, Ref.size(shape), -3, 3);
            double[] y = round(dtype, Ref.logSoftmax(x, shape[0], shape[1]));
            double[] gy = data(rng, dtype, y.length, -1, 1);
            close(dtype + " logSoftmaxBackward " + s(shape), b.logSoftmaxBackward(b.fromDoubles(y, dtype, shape),
                    b.fromDoubles(gy, dtype, shape)), dtype, shape, Ref.logSoftmaxBackward(y, gy, shape[0], shape[1]), tol(dtype));
        }
    }

    // =====================================================================================
    // indexing
    // =====================================================================================

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherColumnsAndScatterColumns(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(30);
        for (int[] shape : new int[][] {{1, 1}, {7, 1}, {1, 33}, {7, 3}, {17, 33}}) {
            int rows = shape[0];
            int cols = shape[1];
            double[] x = data(rng, dtype, rows * cols, -1, 1);
            int[] idx = indices(rng, rows, cols);
            double[] eg = new double[rows];
            for (int r = 0; r < rows; r++) {
                eg[r] = x[r * cols + idx[r]];
            }
            exact(dtype + " gatherColumns " + s(shape) + " at " + Arrays.toString(idx), b.gatherColumns(b.fromDoubles(x, dtype, shape), idx),
                    dtype, new int[] {rows}, eg);
            double[] g = data(rng, dtype, rows, -1, 1);
            double[] es = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                es[r * cols + idx[r]] = g[r];
            }
            exact(dtype + " scatterColumns [" + rows + "] into " + cols + " columns at " + Arrays.toString(idx),
                    b.scatterColumns(b.fromDoubles(g, dtype, rows), idx, cols), dtype, shape, es);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherRowsAndScatterAddRowsWithRepeatedIndices(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(31);
        // (V, E, n)
        int[][] cases = {{1, 1, 1}, {1, 3, 5}, {7, 3, 17}, {17, 33, 7}, {33, 1, 33}, {5, 7, 1}};
        for (int[] c : cases) {
            int v = c[0];
            int e = c[1];
            int n = c[2];
            double[] table = data(rng, dtype, v * e, -1, 1);
            int[] idx = indices(rng, n, v);
            if (n >= 3) {
                idx[n - 1] = idx[0]; // a repeat, always
                idx[n - 2] = idx[0];
            }
            double[] eg = new double[n * e];
            for (int r = 0; r < n; r++) {
                System.arraycopy(table, idx[r] * e, eg, r * e, e);
            }
            exact(dtype + " gatherRows [" + v + ", " + e + "] at " + Arrays.toString(idx),
                    b.gatherRows(b.fromDoubles(table, dtype, v, e), idx), dtype, new int[] {n, e}, eg);

            double[] g = data(rng, dtype, n * e, -1, 1);
            double[] es = new double[v * e];
            boolean[] hit = new boolean[v];
            for (int r = 0; r < n; r++) {
                hit[idx[r]] = true;
                for (int j = 0; j < e; j++) {
                    es[idx[r] * e + j] += g[r * e + j];
                }
            }
            String w = dtype + " scatterAddRows [" + n + ", " + e + "] into " + v + " rows at " + Arrays.toString(idx);
            Tensor out = b.scatterAddRows(b.fromDoubles(g, dtype, n, e), idx, v);
            close(w, out, dtype, new int[] {v, e}, es, tol(dtype));
            double[] got = out.toDoubleArray();
            for (int r = 0; r < v; r++) {
                for (int j = 0; j < e && !hit[r]; j++) {
                    assertEquals(0.0, got[r * e + j], 0.0, w + ": row " + r + " is never indexed and must stay zero");
                }
            }
        }
        // a table row gathered into more rows than the table has, and scattered back with many repeats
        int[] idx = {2, 2, 2, 0, 2, 1, 2, 2};
        double[] g = data(rng, dtype, 8 * 3, -1, 1);
        double[] es = new double[4 * 3];
        for (int r = 0; r < idx.length; r++) {
            for (int j = 0; j < 3; j++) {
                es[idx[r] * 3 + j] += g[r * 3 + j];
            }
        }
        close(dtype + " scatterAddRows with six repeats of row 2", b.scatterAddRows(b.fromDoubles(g, dtype, 8, 3), idx, 4), dtype,
                new int[] {4, 3}, es, tol(dtype));
    }

    // =====================================================================================
    // purity: inputs are never modified
    // =====================================================================================

    @ParameterizedTest
    @EnumSource(DType.class)
    void opsDoNotModifyTheirInputs(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(40);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a[3,7]", b.fromDoubles(data(rng, dtype, 21, -1, 1), dtype, 3, 7));
        in.put("c[3,7]", b.fromDoubles(data(rng, dtype, 21, -1, 1), dtype, 3, 7));
        in.put("pos[3,7]", b.fromDoubles(data(rng, dtype, 21, 0.5, 2), dtype, 3, 7));
        in.put("row[7]", b.fromDoubles(data(rng, dtype, 7, 0.5, 2), dtype, 7));
        in.put("s[]", b.fromDoubles(data(rng, dtype, 1, 0.5, 2), dtype));
        in.put("w[7,3]", b.fromDoubles(data(rng, dtype, 21, -1, 1), dtype, 7, 3));
        in.put("g[3]", b.fromDoubles(data(rng, dtype, 3, -1, 1), dtype, 3));
        in.put("y[3,7]", b.fromDoubles(round(dtype, Ref.logSoftmax(data(rng, dtype, 21, -1, 1), 3, 7)), dtype, 3, 7));
        Map<String, double[]> snap = new LinkedHashMap<>();
        in.forEach((k, t) -> snap.put(k, t.toDoubleArray()));
        Tensor a = in.get("a[3,7]");
        Tensor c = in.get("c[3,7]");
        Tensor pos = in.get("pos[3,7]");
        Tensor row = in.get("row[7]");
        Tensor sc = in.get("s[]");
        Tensor w = in.get("w[7,3]");
        Tensor g = in.get("g[3]");
        Tensor y = in.get("y[3,7]");
        int[] idx3 = {6, 0, 6};
        DType other = dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;

        Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
        ops.put("reshape", () -> b.reshape(a, 7, 3));
        ops.put("reshape to rank 1", () -> b.reshape(a, 21));
        ops.put("transpose", () -> b.transpose(a));
        ops.put("slice axis 0", () -> b.slice(a, 0, 1, 3));
        ops.put("slice axis 1", () -> b.slice(a, 1, 2, 5));
        ops.put("slice full", () -> b.slice(a, 1, 0, 7));
        ops.put("concat axis 0", () -> b.concat(List.of(a, c), 0));
        ops.put("concat axis 1", () -> b.concat(List.of(a, c, pos), 1));
        ops.put("concat one part", () -> b.concat(List.of(a), 0));
        ops.put("cast same dtype", () -> b.cast(a, dtype));
        if (b.supports(other)) {
            ops.put("cast to " + other, () -> b.cast(a, other));
        }
        ops.put("add", () -> b.add(a, c));
        ops.put("add broadcast", () -> b.add(a, row));
        ops.put("add rank-0", () -> b.add(a, sc));
        ops.put("sub", () -> b.sub(a, row));
        ops.put("mul", () -> b.mul(a, c));
        ops.put("div", () -> b.div(a, pos));
        ops.put("div broadcast", () -> b.div(a, row));
        ops.put("maximum", () -> b.maximum(a, c));
        ops.put("scale", () -> b.scale(a, 2.5));
        ops.put("addScalar", () -> b.addScalar(a, 1.5));
        ops.put("addScaled", () -> b.addScaled(a, c, -0.5));
        ops.put("tanh", () -> b.tanh(a));
        ops.put("sigmoid", () -> b.sigmoid(a));
        ops.put("relu", () -> b.relu(a));
        ops.put("exp", () -> b.exp(a));
        ops.put("log", () -> b.log(pos));
        ops.put("sqrt", () -> b.sqrt(pos));
        ops.put("abs", () -> b.abs(a));
        ops.put("tanhBackward", () -> b.tanhBackward(a, c));
        ops.put("sigmoidBackward", () -> b.sigmoidBackward(a, c));
        ops.put("reluBackward", () -> b.reluBackward(a, c));
        ops.put("matmul", () -> b.matmul(a, w, false, false));
        ops.put("matmul a^T", () -> b.matmul(a, c, true, false));
        ops.put("matmul b^T", () -> b.matmul(a, c, false, true));
        ops.put("matmul a^T b^T", () -> b.matmul(a, w, true, true));
        ops.put("sum", () -> b.sum(a));
        ops.put("maxAbs", () -> b.maxAbs(a));
        ops.put("sumToTrailing", () -> b.sumToTrailing(a, 7));
        ops.put("sumLastAxis", () -> b.sumLastAxis(a));
        ops.put("logSoftmax", () -> b.logSoftmax(a));
        ops.put("softmax", () -> b.softmax(a));
        ops.put("logSoftmaxBackward", () -> b.logSoftmaxBackward(y, c));
        ops.put("sub broadcast [3,7] - [3,1]", () -> b.sub(a, b.slice(pos, 1, 0, 1)));
        ops.put("add broadcast [7] + [3,7]", () -> b.add(row, a));
        ops.put("maximum broadcast", () -> b.maximum(a, row));
        ops.put("bmm", () -> b.bmm(b.reshape(a, 1, 3, 7), b.reshape(w, 1, 7, 3), false, false));
        ops.put("bmm a^T b^T", () -> b.bmm(b.reshape(a, 1, 7, 3), b.reshape(c, 1, 3, 7), true, true));
        ops.put("sum along axis", () -> b.sum(a, 0, false));
        ops.put("mean along axis", () -> b.mean(a, -1, true));
        ops.put("var along axis", () -> b.var(a, 1, false, true));
        ops.put("logSoftmax rank 3", () -> b.logSoftmax(b.reshape(a, 3, 1, 7)));
        ops.put("where", () -> b.where(b.reshape(b.slice(g, 0, 0, 1), 1, 1), a, c));
        ops.put("maskedFill", () -> b.maskedFill(a, b.reshape(b.slice(g, 0, 0, 1), 1), Double.NEGATIVE_INFINITY));
        ops.put("gatherColumns", () -> b.gatherColumns(a, idx3));
        ops.put("scatterColumns", () -> b.scatterColumns(g, idx3, 7));
        ops.put("gatherRows", () -> b.gatherRows(a, new int[] {2, 2, 0, 1}));
        ops.put("scatterAddRows", () -> b.scatterAddRows(a, new int[] {4, 0, 4}, 5));

        int[] idxCopy = idx3.clone();
        for (Map.Entry<String, Supplier<Tensor>> op : ops.entrySet()) {
            Tensor out = op.getValue().get();
            assertTrue(out != null, op.getKey() + " returned null");
            out.toDoubleArray();
            for (Map.Entry<String, Tensor> e : in.entrySet()) {
                assertArrayEquals(snap.get(e.getKey()), e.getValue().toDoubleArray(), 0.0,
                        () -> dtype + ": " + op.getKey() + " modified its input " + e.getKey());
            }
        }
        assertArrayEquals(idxCopy, idx3, "an index array was modified");
        assertArrayEquals(new int[] {3, 7}, a.shape(), "an op changed the shape of its input");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void closingATensorLeavesTheOthersIntact(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        SplittableRandom rng = new SplittableRandom(41);
        double[] x = data(rng, dtype, 21, -1, 1);
        Map<String, java.util.function.Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
        ops.put("reshape", t -> b.reshape(t, 7, 3));
        ops.put("reshape to the same shape", t -> b.reshape(t, 3, 7));
        ops.put("slice of the full range", t -> b.slice(t, 0, 0, 3));
        ops.put("concat of one part", t -> b.concat(List.of(t), 1));
        ops.put("cast to the same dtype", t -> b.cast(t, dtype));
        ops.put("scale by 1", t -> b.scale(t, 1));
        ops.put("addScalar 0", t -> b.addScalar(t, 0));
        for (Map.Entry<String, java.util.function.Function<Tensor, Tensor>> op : ops.entrySet()) {
            // closing the result leaves the input usable
            Tensor in = b.fromDoubles(x, dtype, 3, 7);
            Tensor out = op.getValue().apply(in);
            out.close();
            out.close(); // idempotent
            exact(dtype + ": input after closing the result of " + op.getKey(), in, dtype, new int[] {3, 7}, x);
            exact(dtype + ": tanh of the input after closing the result of " + op.getKey(), b.abs(in), dtype, new int[] {3, 7},
                    Arrays.stream(x).map(Math::abs).toArray());
            // closing the input leaves the result usable
            Tensor in2 = b.fromDoubles(x, dtype, 3, 7);
            Tensor out2 = op.getValue().apply(in2);
            int[] shape = out2.shape();
            in2.close();
            exact(dtype + ": result of " + op.getKey() + " after closing its input", out2, dtype, shape, x);
            exact(dtype + ": abs of the result of " + op.getKey() + " after closing its input", b.abs(out2), dtype, shape,
                    Arrays.stream(x).map(Math::abs).toArray());
        }
    }

    /**
     * Issue 9, defect 8: a closed tensor fails the same clear way on every backend (it used to pass on
     * cpu, whose close() did nothing): each op given it and each host copy throws an
     * IllegalStateException saying it was closed; its shape and dtype stay readable; others are intact.
     */
    @ParameterizedTest
    @EnumSource(DType.class)
    void usingAClosedTensorThrowsOnEveryBackend(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        double[] x = data(new SplittableRandom(43), dtype, 6, -1, 1);
        Tensor t = b.fromDoubles(x, dtype, 2, 3);
        Tensor other = b.fromDoubles(x, dtype, 2, 3);
        Tensor before = b.tanh(t);
        assertFalse(t.isClosed());
        t.close();
        t.close(); // idempotent
        assertTrue(t.isClosed());
        assertFalse(other.isClosed() || before.isClosed());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(dtype, t.dtype());
        Map<String, Executable> uses = new LinkedHashMap<>();
        uses.put("add(closed, other)", () -> b.add(other, t));
        uses.put("tanh", () -> b.tanh(t));
        uses.put("matmul", () -> b.matmul(other, t, false, true));
        uses.put("reshape", () -> b.reshape(t, 3, 2));
        uses.put("concat", () -> b.concat(List.of(other, t), 0));
        uses.put("sum", () -> b.sum(t));
        uses.put("toDoubleArray", t::toDoubleArray);
        uses.put("toFloatArray", t::toFloatArray);
        for (Map.Entry<String, Executable> use : uses.entrySet()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use.getValue(), use.getKey());
            assertTrue(e.getMessage().contains("[2, 3] " + dtype + " of backend '" + b.name() + "' that was closed")
                    && e.getMessage().contains("cannot be used again"), use.getKey() + ": " + e.getMessage());
        }
        assertArrayEquals(b.tanh(other).toDoubleArray(), before.toDoubleArray(), dtype + ": a tensor computed before the close is intact");
    }

    // =====================================================================================
    // bad arguments
    // =====================================================================================

    /** The dtype the error tests run in: FLOAT32 unless the backend only has FLOAT64. */
    private DType anyDType() {
        DType dt = backend().supports(DType.FLOAT32) ? DType.FLOAT32 : DType.FLOAT64;
        backendFor(dt);
        return dt;
    }

    private static IllegalArgumentException rejects(String what, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call,
                () -> what + ": expected an IllegalArgumentException");
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": the exception has no message");
        return e;
    }

    /** Asserts that {@code msg} contains {@code n} as a whole number. */
    private static void mentions(String what, String msg, long... numbers) {
        for (long n : numbers) {
            Pattern p = Pattern.compile("(?<![0-9])" + Pattern.quote(Long.toString(n)) + "(?![0-9])");
            assertTrue(p.matcher(msg).find(), () -> what + ": message does not mention " + n + ": " + msg);
        }
    }

    /** Asserts that {@code msg} names {@code shape} as {@code [a, b]}, {@code (a, b)} or {@code axb}. */
    private static void mentionsShape(String what, String msg, int... shape) {
        String compact = msg.replaceAll("\\s", "");
        StringBuilder inner = new StringBuilder();
        StringBuilder x = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            inner.append(i > 0 ? "," : "").append(shape[i]);
            x.append(i > 0 ? "x" : "").append(shape[i]);
        }
        boolean found = compact.contains("[" + inner + "]") || compact.contains("(" + inner + ")")
                || (shape.length > 1 && Pattern.compile("(?<![0-9])" + x + "(?![0-9])").matcher(compact).find());
        assertTrue(found, () -> what + ": message does not name shape " + s(shape) + ": " + msg);
    }

    private static void mentionsText(String what, String msg, String... parts) {
        for (String p : parts) {
            assertTrue(msg.contains(p), () -> what + ": message does not mention '" + p + "': " + msg);
        }
    }

    @Test
    void mixingDTypesIsRejectedNamingBoth() {
        ComputeBackend b = backendFor(DType.FLOAT32);
        backendFor(DType.FLOAT64);
        Tensor f = b.zeros(DType.FLOAT32, 2, 3);
        Tensor d = b.zeros(DType.FLOAT64, 2, 3);
        Tensor dT = b.zeros(DType.FLOAT64, 3, 2);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("add(FLOAT32, FLOAT64)", () -> b.add(f, d));
        calls.put("sub(FLOAT64, FLOAT32)", () -> b.sub(d, f));
        calls.put("mul", () -> b.mul(f, d));
        calls.put("div", () -> b.div(d, f));
        calls.put("maximum", () -> b.maximum(f, d));
        calls.put("addScaled", () -> b.addScaled(f, d, 1));
        calls.put("addScaledInPlace(FLOAT32, FLOAT64)", () -> b.addScaledInPlace(f, 1, d, 1));
        calls.put("matmul", () -> b.matmul(f, dT, false, false));
        calls.put("bmm", () -> b.bmm(b.reshape(f, 1, 2, 3), b.reshape(dT, 1, 3, 2), false, false));
        calls.put("matmulAccumulate(c FLOAT64, a, b FLOAT32)", () -> b.matmulAccumulate(b.zeros(DType.FLOAT64, 2, 2), f,
                b.zeros(DType.FLOAT32, 3, 2), false, false, 1, 1));
        calls.put("concat", () -> b.concat(List.of(f, d), 0));
        calls.put("tanhBackward", () -> b.tanhBackward(f, d));
        calls.put("logSoftmaxBackward", () -> b.logSoftmaxBackward(d, f));
        for (Map.Entry<String, Executable> e : calls.entrySet()) {
            String msg = rejects(e.getKey(), e.getValue()).getMessage();
            mentionsText(e.getKey(), msg, "FLOAT32", "FLOAT64");
        }
    }

    @Test
    void tensorsOfAnotherBackendAreRejectedNamingBothBackends() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor own = b.zeros(dt, 2, 3);
        Tensor foreign = foreignTensor(dt, 2, 3);
        Tensor foreignSq = foreignTensor(dt, 3, 2);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("add(foreign, own)", () -> b.add(foreign, own));
        calls.put("add(own, foreign)", () -> b.add(own, foreign));
        calls.put("matmul(own, foreign)", () -> b.matmul(own, foreignSq, false, false));
        calls.put("bmm(foreign, own)", () -> b.bmm(foreignTensor(dt, 1, 2, 3), b.zeros(dt, 1, 3, 2), false, false));
        calls.put("sum(foreign, axis)", () -> b.sum(foreign, 0, false));
        calls.put("where(own, own, foreign)", () -> b.where(own, own, foreign));
        calls.put("maskedFill(own, foreign mask)", () -> b.maskedFill(own, foreign, 0));
        calls.put("matmulAccumulate(foreign c)", () -> b.matmulAccumulate(foreign, own, b.zeros(dt, 3, 3), false, false, 1, 1));
        calls.put("addScaledInPlace(own, foreign)", () -> b.addScaledInPlace(own, 1, foreign, 1));
        calls.put("addScaledInPlace(foreign, own)", () -> b.addScaledInPlace(foreign, 1, own, 1));
        calls.put("concat(own, foreign)", () -> b.concat(List.of(own, foreign), 0));
        calls.put("reshape(foreign)", () -> b.reshape(foreign, 3, 2));
        calls.put("tanh(foreign)", () -> b.tanh(foreign));
        calls.put("sum(foreign)", () -> b.sum(foreign));
        calls.put("cast(foreign)", () -> b.cast(foreign, dt));
        calls.put("gatherRows(foreign)", () -> b.gatherRows(foreign, new int[] {0}));
        calls.put("tanhBackward(own, foreign)", () -> b.tanhBackward(own, foreign));
        for (Map.Entry<String, Executable> e : calls.entrySet()) {
            String msg = rejects(e.getKey(), e.getValue()).getMessage();
            mentionsText(e.getKey(), msg, FOREIGN, "'" + b.name() + "'");
        }
    }

    static final String FOREIGN = "foreign-test-backend";

    /** A tensor owned by a stand-in backend named {@value #FOREIGN} whose ops all throw. */
    static Tensor foreignTensor(DType dtype, int... shape) {
        ComputeBackend fake = (ComputeBackend) Proxy.newProxyInstance(TensorOpsContract.class.getClassLoader(), new Class<?>[] {ComputeBackend.class},
                (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "name":
                            return FOREIGN;
                        case "version":
                            return "0";
                        case "toString":
                            return FOREIGN;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "supports":
                            return true;
                        default:
                            throw new UnsupportedOperationException(FOREIGN + " cannot run " + m.getName());
                    }
                });
        int[] sh = shape.clone();
        double[] data = new double[Ref.size(sh)];
        return new Tensor() {
            @Override
            public ComputeBackend backend() {
                return fake;
            }

            @Override
            public int[] shape() {
                return sh.clone();
            }

            @Override
            public DType dtype() {
                return dtype;
            }

            @Override
            public double[] toDoubleArray() {
                return data.clone();
            }

            @Override
            public float[] toFloatArray() {
                return new float[data.length];
            }

            @Override
            public void close() {
            }

            @Override
            public boolean isClosed() {
                return false;
            }
        };
    }

    @Test
    void mismatchedShapesAreRejectedNamingBothShapes() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a34 = b.zeros(dt, 3, 4);
        Tensor a43 = b.zeros(dt, 4, 3);
        Tensor a23 = b.zeros(dt, 2, 3);
        Tensor v2 = b.zeros(dt, 2);
        Tensor v3 = b.zeros(dt, 3);
        String msg = rejects("add [3, 4] + [4, 3]", () -> b.add(a34, a43)).getMessage();
        mentionsShape("add", msg, 3, 4);
        mentionsShape("add", msg, 4, 3);
        msg = rejects("add [2, 3] + [2]", () -> b.add(a23, v2)).getMessage();
        mentionsShape("add with a non-suffix right-hand side", msg, 2, 3);
        mentionsShape("add with a non-suffix right-hand side", msg, 2);
        msg = rejects("add [2] + [2, 3] (lhs of lower rank)", () -> b.add(v2, a23)).getMessage();
        mentionsShape("add with a right-hand side of higher rank", msg, 2, 3);
        mentionsShape("add with a right-hand side of higher rank", msg, 2);
        msg = rejects("add [2, 3, 4] + [3, 1, 4] (size-1 dims do not help a mismatch)", () -> b.add(b.zeros(dt, 2, 3, 4),
                b.zeros(dt, 3, 1, 4))).getMessage();
        mentionsShape("add with a mismatched leading dimension", msg, 2, 3, 4);
        mentionsShape("add with a mismatched leading dimension", msg, 3, 1, 4);
        msg = rejects("sub [3, 4] - [4, 3]", () -> b.sub(a34, a43)).getMessage();
        mentionsShape("sub", msg, 3, 4);
        mentionsShape("sub", msg, 4, 3);
        msg = rejects("mul", () -> b.mul(a43, a34)).getMessage();
        mentionsShape("mul", msg, 3, 4);
        msg = rejects("div", () -> b.div(a23, a34)).getMessage();
        mentionsShape("div", msg, 2, 3);
        mentionsShape("div", msg, 3, 4);
        msg = rejects("maximum [2, 3] with [2]", () -> b.maximum(a23, v2)).getMessage();
        mentionsShape("maximum", msg, 2, 3);
        mentionsShape("maximum", msg, 2);
        msg = rejects("addScaled", () -> b.addScaled(a34, a43, 1)).getMessage();
        mentionsShape("addScaled", msg, 3, 4);
        mentionsShape("addScaled", msg, 4, 3);
        msg = rejects("addScaledInPlace", () -> b.addScaledInPlace(a34, 1, a43, 1)).getMessage();
        mentionsShape("addScaledInPlace", msg, 3, 4);
        mentionsShape("addScaledInPlace", msg, 4, 3);
        msg = rejects("matmulAccumulate with c [3, 4] for a product [2, 4]", () -> b.matmulAccumulate(a34, a23, a34, false, false, 1, 1))
                .getMessage();
        mentionsShape("matmulAccumulate", msg, 3, 4);
        mentionsShape("matmulAccumulate", msg, 2, 4);
        msg = rejects("reluBackward", () -> b.reluBackward(a34, a43)).getMessage();
        mentionsShape("reluBackward", msg, 4, 3);
        msg = rejects("concat on axis 0 of [2, 3] and [3, 4]", () -> b.concat(List.of(a23, a34), 0)).getMessage();
        mentionsShape("concat", msg, 2, 3);
        mentionsShape("concat", msg, 3, 4);
        msg = rejects("sumToTrailing [3, 4] -> [3]", () -> b.sumToTrailing(a34, 3)).getMessage();
        mentionsShape("sumToTrailing", msg, 3, 4);
    }

    @Test
    void matmulInnerDimensionMismatchIsRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 4);
        Tensor c = b.zeros(dt, 5, 6);
        String msg = rejects("matmul [3, 4] · [5, 6]", () -> b.matmul(a, c, false, false)).getMessage();
        mentionsShape("matmul", msg, 3, 4);
        mentionsShape("matmul", msg, 5, 6);
        msg = rejects("matmul [3, 4]^T · [5, 6]", () -> b.matmul(a, c, true, false)).getMessage();
        mentions("matmul a^T", msg, 3, 5);
        msg = rejects("matmul [3, 4] · [5, 6]^T", () -> b.matmul(a, c, false, true)).getMessage();
        mentions("matmul b^T", msg, 4, 6);
        msg = rejects("matmul of a rank-3 tensor", () -> b.matmul(b.zeros(dt, 2, 3, 4), b.zeros(dt, 4, 2), false, false)).getMessage();
        mentionsShape("matmul rank", msg, 2, 3, 4);
        rejects("matmul of a rank-1 tensor", () -> b.matmul(b.zeros(dt, 4), b.zeros(dt, 4, 2), false, false));
    }

    @Test
    void bmmShapeErrorsAreRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 2, 3, 4);
        String msg = rejects("bmm [2, 3, 4] · [2, 5, 6]", () -> b.bmm(a, b.zeros(dt, 2, 5, 6), false, false)).getMessage();
        mentionsShape("bmm inner", msg, 2, 3, 4);
        mentionsShape("bmm inner", msg, 2, 5, 6);
        msg = rejects("bmm [2, 3, 4]^T · [2, 4, 6]", () -> b.bmm(a, b.zeros(dt, 2, 4, 6), true, false)).getMessage();
        mentions("bmm a^T", msg, 3, 4);
        msg = rejects("bmm [2, 3, 4] · [3, 4, 6] (batch)", () -> b.bmm(a, b.zeros(dt, 3, 4, 6), false, false)).getMessage();
        mentionsShape("bmm batch", msg, 2, 3, 4);
        mentionsShape("bmm batch", msg, 3, 4, 6);
        msg = rejects("bmm of a rank-2 tensor", () -> b.bmm(b.zeros(dt, 3, 4), b.zeros(dt, 2, 4, 6), false, false)).getMessage();
        mentionsShape("bmm rank", msg, 3, 4);
        rejects("bmm with a rank-4 b", () -> b.bmm(a, b.zeros(dt, 2, 1, 4, 6), false, false));
    }

    @Test
    void axisReductionErrorsAreRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 4);
        String msg = rejects("sum of [3, 4] along axis 2", () -> b.sum(a, 2, false)).getMessage();
        mentions("sum axis", msg, 2);
        mentionsShape("sum axis", msg, 3, 4);
        msg = rejects("mean of [3, 4] along axis -3", () -> b.mean(a, -3, true)).getMessage();
        mentions("mean axis", msg, -3);
        msg = rejects("var of [3, 4] along axis 5", () -> b.var(a, 5, false, false)).getMessage();
        mentions("var axis", msg, 5);
        rejects("sum of a scalar along axis 0", () -> b.sum(b.zeros(dt), 0, false));
        msg = rejects("unbiased var along an axis of 1 element", () -> b.var(b.zeros(dt, 3, 1), 1, false, true)).getMessage();
        mentionsShape("unbiased var of one element", msg, 3, 1);
        mentions("unbiased var of one element", msg, 1, 2);
        msg = rejects("mean along an empty axis", () -> b.mean(b.zeros(dt, 3, 0), 1, false)).getMessage();
        mentionsShape("mean of an empty axis", msg, 3, 0);
    }

    @Test
    void maskErrorsAreRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 4);
        String msg = rejects("maskedFill [3, 4] with mask [4, 3]", () -> b.maskedFill(a, b.zeros(dt, 4, 3), 0)).getMessage();
        mentionsShape("maskedFill", msg, 3, 4);
        mentionsShape("maskedFill", msg, 4, 3);
        msg = rejects("maskedFill [3, 4] with a mask [2, 3, 4] that would enlarge a", () -> b.maskedFill(a, b.zeros(dt, 2, 3, 4), 0))
                .getMessage();
        mentionsShape("maskedFill with a larger mask", msg, 2, 3, 4);
        msg = rejects("where with mask [2], a [3, 4], b [3, 4]", () -> b.where(b.zeros(dt, 2), a, a)).getMessage();
        mentionsShape("where mask", msg, 2);
        mentionsShape("where mask", msg, 3, 4);
        msg = rejects("where with a [3, 4], b [2, 4]", () -> b.where(b.zeros(dt, 4), a, b.zeros(dt, 2, 4))).getMessage();
        mentionsShape("where a/b", msg, 2, 4);
        if (b.supports(DType.FLOAT32) && b.supports(DType.FLOAT64)) {
            Tensor f = b.zeros(DType.FLOAT32, 3, 4);
            Tensor d = b.zeros(DType.FLOAT64, 3, 4);
            mentionsText("maskedFill dtypes", rejects("maskedFill FLOAT32 with a FLOAT64 mask", () -> b.maskedFill(f, d, 0)).getMessage(),
                    "FLOAT32", "FLOAT64");
            mentionsText("where dtypes", rejects("where with a FLOAT64 mask", () -> b.where(d, f, f)).getMessage(), "FLOAT32", "FLOAT64");
            mentionsText("where dtypes", rejects("where with a FLOAT32 a and FLOAT64 b", () -> b.where(f, f, d)).getMessage(), "FLOAT32",
                    "FLOAT64");
        }
        rejects("maskedFill with a null mask", () -> b.maskedFill(a, null, 0));
        rejects("where with a null mask", () -> b.where(null, a, a));
    }

    @Test
    void sliceOutOfRangeIsRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 7);
        String msg = rejects("slice [5, 9) of an extent of 7", () -> b.slice(a, 1, 5, 9)).getMessage();
        mentions("slice end past the extent", msg, 5, 9, 7);
        msg = rejects("slice [-1, 2)", () -> b.slice(a, 0, -1, 2)).getMessage();
        mentions("slice with a negative start", msg, -1);
        msg = rejects("slice [2, 2) (empty)", () -> b.slice(a, 0, 2, 2)).getMessage();
        mentions("empty slice", msg, 2);
        msg = rejects("slice [2, 1) (reversed)", () -> b.slice(a, 1, 2, 1)).getMessage();
        mentions("reversed slice", msg, 2, 1);
        msg = rejects("slice on axis 2 of a rank-2 tensor", () -> b.slice(a, 2, 0, 1)).getMessage();
        mentions("slice axis", msg, 2);
        rejects("slice on axis -3 of a rank-2 tensor", () -> b.slice(a, -3, 0, 1));
        rejects("concat on axis 2 of rank-2 tensors", () -> b.concat(List.of(a, a), 2));
    }

    @Test
    void reshapeSizeMismatchIsRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 7);
        String msg = rejects("reshape [3, 7] -> [4, 5]", () -> b.reshape(a, 4, 5)).getMessage();
        mentionsShape("reshape", msg, 3, 7);
        mentionsShape("reshape", msg, 4, 5);
        msg = rejects("reshape [3, 7] -> [22]", () -> b.reshape(a, 22)).getMessage();
        mentionsShape("reshape", msg, 22);
        msg = rejects("reshape [3, 7] -> [-3, -7]", () -> b.reshape(a, -3, -7)).getMessage();
        mentions("reshape with negative extents", msg, -3);
    }

    @Test
    void rankErrorsAreRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        String msg = rejects("transpose of [2, 3, 4]", () -> b.transpose(b.zeros(dt, 2, 3, 4))).getMessage();
        mentionsShape("transpose", msg, 2, 3, 4);
        msg = rejects("logSoftmax of a scalar", () -> b.logSoftmax(b.zeros(dt))).getMessage();
        mentionsShape("logSoftmax", msg);
        rejects("softmax of a scalar", () -> b.softmax(b.zeros(dt)));
        rejects("logSoftmaxBackward of scalars", () -> b.logSoftmaxBackward(b.zeros(dt), b.zeros(dt)));
        rejects("gatherColumns of [5]", () -> b.gatherColumns(b.zeros(dt, 5), new int[] {0, 0, 0, 0, 0}));
        rejects("gatherRows of [2, 3, 4]", () -> b.gatherRows(b.zeros(dt, 2, 3, 4), new int[] {0}));
        rejects("sumLastAxis of a scalar", () -> b.sumLastAxis(b.zeros(dt)));
    }

    @Test
    void indexOutOfRangeIsRejectedNamingIndexAndValue() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        Tensor a = b.zeros(dt, 3, 5);
        String msg = rejects("gatherColumns [3, 5] at {0, 7, 1}", () -> b.gatherColumns(a, new int[] {0, 7, 1})).getMessage();
        mentions("gatherColumns", msg, 1, 7, 5);
        msg = rejects("gatherColumns [3, 5] at {0, 1, -2}", () -> b.gatherColumns(a, new int[] {0, 1, -2})).getMessage();
        mentions("gatherColumns negative", msg, 2, -2);
        msg = rejects("gatherColumns [3, 5] with 2 indices", () -> b.gatherColumns(a, new int[] {0, 1})).getMessage();
        mentions("gatherColumns index count", msg, 2, 3);
        msg = rejects("scatterColumns into 5 columns at {0, 1, 6}", () -> b.scatterColumns(b.zeros(dt, 3), new int[] {0, 1, 6}, 5))
                .getMessage();
        mentions("scatterColumns", msg, 2, 6, 5);
        msg = rejects("gatherRows [3, 5] at {1, 3}", () -> b.gatherRows(a, new int[] {1, 3})).getMessage();
        mentions("gatherRows", msg, 1, 3);
        msg = rejects("gatherRows [3, 5] at {-1}", () -> b.gatherRows(a, new int[] {-1})).getMessage();
        mentions("gatherRows negative", msg, 0, -1);
        msg = rejects("scatterAddRows into 4 rows at {0, 9}", () -> b.scatterAddRows(b.zeros(dt, 2, 5), new int[] {0, 9}, 4))
                .getMessage();
        mentions("scatterAddRows", msg, 1, 9, 4);
        rejects("scatterAddRows with 3 indices for 2 rows of g", () -> b.scatterAddRows(b.zeros(dt, 2, 5), new int[] {0, 1, 2}, 4));
        rejects("gatherColumns with a null index", () -> b.gatherColumns(a, null));
    }

    @Test
    void wrongDataLengthIsRejected() {
        DType dt = anyDType();
        ComputeBackend b = backend();
        String msg = rejects("fromDoubles of 5 values as [2, 3]", () -> b.fromDoubles(new double[5], dt, 2, 3)).getMessage();
        mentions("fromDoubles", msg, 5);
        mentionsShape("fromDoubles", msg, 2, 3);
        msg = rejects("fromFloats of 7 values as [2, 3]", () -> b.fromFloats(new float[7], dt, 2, 3)).getMessage();
        mentions("fromFloats", msg, 7);
        mentionsShape("fromFloats", msg, 2, 3);
        msg = rejects("fromDoubles of 2 values as a scalar", () -> b.fromDoubles(new double[2], dt)).getMessage();
        mentions("fromDoubles scalar", msg, 2);
        msg = rejects("full with a negative extent", () -> b.full(1.0, dt, 2, -4)).getMessage();
        mentions("full", msg, -4);
        rejects("fromDoubles with null data", () -> b.fromDoubles(null, dt, 2));
        rejects("zeros with a null dtype", () -> b.zeros(null, 2));
    }
}
