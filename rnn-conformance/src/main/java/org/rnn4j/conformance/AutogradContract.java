package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The autograd graph on a backend: every op of {@link F} is checked against central differences in
 * float64 ({@link GradCheck#check}) on shapes drawn from a seeded {@link SplittableRandom}, each loss a
 * {@link GradCheck#weightedSum} so that every element of every output counts. Also the graph mechanics:
 * accumulation when a Var is used twice, {@link Grad#disabled()}, {@link Var#detach()}, the non-scalar
 * backward error, multi-output nodes and a deep chain.
 */
public abstract class AutogradContract extends BackendContract {
    /** Random shapes per op. */
    private static final int TRIALS = 3;

    private ComputeBackend b() {
        return backendFor(DType.FLOAT64);
    }

    /** An extent in [1, 5]. */
    private static int d(SplittableRandom rng) {
        return 1 + rng.nextInt(5);
    }

    /** A float64 leaf requiring a gradient, values in U(-1, 1). */
    private static Var param(ComputeBackend b, SplittableRandom rng, int... shape) {
        return GradCheck.randomLeaf(b, rng, true, shape);
    }

    /** A float64 leaf with magnitudes in U(lo, hi), a random sign when {@code signed}. */
    private static Var param(ComputeBackend b, SplittableRandom rng, double lo, double hi, boolean signed, int... shape) {
        double[] x = new double[Shapes.size(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = lo + (hi - lo) * rng.nextDouble();
            if (signed && rng.nextBoolean()) {
                x[i] = -x[i];
            }
        }
        return Var.parameter(b.fromDoubles(x, DType.FLOAT64, shape));
    }

    private static Map<String, Var> leaves(Object... nameThenVar) {
        Map<String, Var> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenVar.length; i += 2) {
            m.put((String) nameThenVar[i], (Var) nameThenVar[i + 1]);
        }
        return m;
    }

    /**
     * Gradient-checks {@code op} (re-evaluated on each call): its output, whatever its shape, is reduced
     * with a fixed random weight per element.
     */
    private static void check(String what, ComputeBackend b, SplittableRandom rng, Map<String, Var> leaves, Supplier<Var> op) {
        int[] outShape = op.get().shape();
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, outShape);
        GradCheck.check(what + " -> " + Shapes.str(outShape), leaves, () -> GradCheck.weightedSum(op.get(), r));
    }

    private static String s(int... shape) {
        return Shapes.str(shape);
    }

    // =====================================================================================
    // arithmetic
    // =====================================================================================

    private interface BinaryOp {
        Var apply(Var a, Var b);
    }

    /** Same-shape, trailing-suffix and rank-0 right-hand sides. */
    private void checkBinary(String name, BinaryOp op, boolean divisor, long seed) {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int t = 0; t < TRIALS; t++) {
            int[] full = {d(rng), d(rng), d(rng)};
            int[][] rhs = {full, {full[1], full[2]}, {full[2]}, {}};
            for (int[] sb : rhs) {
                Var a = param(b, rng, full);
                Var c = divisor ? param(b, rng, 0.5, 1.5, true, sb) : param(b, rng, sb);
                check(name + " " + s(full) + " with " + s(sb), b, rng, leaves("a", a, "b", c), () -> op.apply(a, c));
            }
            // numpy broadcasting: size-1 dims on either side, a lower-rank left-hand side, both sides broadcast
            int[][][] broadcast = {
                {full, {full[0], 1, full[2]}}, {full, {full[0], full[1], 1}}, {full, {1, full[1], 1}},
                {{full[0], 1, full[2]}, full}, {{full[2]}, full}, {{full[0], 1}, {1, full[1]}}, {{full[0], 1, full[2]}, {full[1], 1}},
            };
            for (int[][] c : broadcast) {
                Var a = param(b, rng, c[0]);
                Var p = divisor ? param(b, rng, 0.5, 1.5, true, c[1]) : param(b, rng, c[1]);
                check(name + " " + s(c[0]) + " with " + s(c[1]) + " (broadcast)", b, rng, leaves("a", a, "b", p), () -> op.apply(a, p));
            }
            // only the left-hand side requires a gradient; the constant gets none
            int[] sh = {d(rng), d(rng)};
            Var a = param(b, rng, sh);
            Var c = Var.constant((divisor ? param(b, rng, 0.5, 1.5, true, sh[1]) : param(b, rng, sh[1])).value());
            check(name + " " + s(sh) + " with a constant " + s(sh[1]), b, rng, leaves("a", a), () -> op.apply(a, c));
            assertNull(c.grad(), name + ": a constant received a gradient");
            // only the right-hand side requires a gradient
            Var ca = Var.constant(param(b, rng, sh).value());
            Var p = divisor ? param(b, rng, 0.5, 1.5, true, sh) : param(b, rng, sh);
            check(name + " constant " + s(sh) + " with " + s(sh), b, rng, leaves("b", p), () -> op.apply(ca, p));
        }
    }

    @Test
    void add() {
        checkBinary("add", F::add, false, 1);
    }

    @Test
    void sub() {
        checkBinary("sub", F::sub, false, 2);
    }

    @Test
    void mul() {
        checkBinary("mul", F::mul, false, 3);
    }

    @Test
    void div() {
        checkBinary("div", F::div, true, 4);
    }

    @Test
    void scaleAddScalarNegOneMinus() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = t == 0 ? new int[] {} : new int[] {d(rng), d(rng)};
            Var a = param(b, rng, sh);
            check("scale " + s(sh), b, rng, leaves("a", a), () -> F.scale(a, -2.5));
            check("addScalar " + s(sh), b, rng, leaves("a", a), () -> F.addScalar(a, 0.7));
            check("neg " + s(sh), b, rng, leaves("a", a), () -> F.neg(a));
            check("oneMinus " + s(sh), b, rng, leaves("a", a), () -> F.oneMinus(a));
            check("scale(tanh) " + s(sh), b, rng, leaves("a", a), () -> F.scale(F.tanh(a), 3));
        }
    }

    // =====================================================================================
    // activations
    // =====================================================================================

    private interface UnaryOp {
        Var apply(Var a);
    }

    private void checkUnary(String name, UnaryOp op, double lo, double hi, boolean signed, long seed) {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = t == 0 ? new int[] {d(rng)} : new int[] {d(rng), d(rng), d(rng)};
            Var a = param(b, rng, lo, hi, signed, sh);
            check(name + " " + s(sh), b, rng, leaves("a", a), () -> op.apply(a));
            // composed with a product so the incoming gradient is not just the weights
            Var c = param(b, rng, sh);
            check(name + "(a) * c " + s(sh), b, rng, leaves("a", a, "c", c), () -> F.mul(op.apply(a), c));
        }
    }

    @Test
    void tanh() {
        checkUnary("tanh", F::tanh, 0, 2, true, 6);
    }

    @Test
    void sigmoid() {
        checkUnary("sigmoid", F::sigmoid, 0, 3, true, 7);
    }

    @Test
    void relu() {
        checkUnary("relu", F::relu, 0.1, 1, true, 8); // no input within 0.1 of the kink
    }

    @Test
    void exp() {
        checkUnary("exp", F::exp, 0, 2, true, 9);
    }

    @Test
    void log() {
        checkUnary("log", F::log, 0.3, 2, false, 10);
    }

    @Test
    void sqrt() {
        checkUnary("sqrt", F::sqrt, 0.3, 2, false, 39);
    }

    // =====================================================================================
    // linear algebra
    // =====================================================================================

    @Test
    void matmulAllTransposeFlags() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(11);
        for (int t = 0; t < TRIALS; t++) {
            int m = d(rng);
            int k = d(rng);
            int n = d(rng);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Var a = param(b, rng, ta ? new int[] {k, m} : new int[] {m, k});
                    Var c = param(b, rng, tb ? new int[] {n, k} : new int[] {k, n});
                    check("matmul " + (ta ? "a^T" : "a") + s(a.shape()) + " · " + (tb ? "b^T" : "b") + s(c.shape()), b, rng,
                            leaves("a", a, "b", c), () -> F.matmul(a, c, ta, tb));
                }
            }
            Var a = param(b, rng, m, k);
            Var c = param(b, rng, k, n);
            check("matmul(a, b) " + s(m, k) + " · " + s(k, n), b, rng, leaves("a", a, "b", c), () -> F.matmul(a, c));
            Var constA = Var.constant(a.value());
            check("matmul(constant, b)", b, rng, leaves("b", c), () -> F.matmul(constA, c, false, false));
        }
        // odd, non-square sizes
        Var a = param(b, rng, 7, 3);
        Var c = param(b, rng, 5, 7);
        check("matmul a^T[7, 3] · b^T[5, 7]", b, rng, leaves("a", a, "b", c), () -> F.matmul(a, c, true, true));
    }

    @Test
    void bmmAllTransposeFlags() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(36);
        for (int t = 0; t < TRIALS; t++) {
            int batch = d(rng);
            int m = d(rng);
            int k = d(rng);
            int n = d(rng);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Var a = param(b, rng, ta ? new int[] {batch, k, m} : new int[] {batch, m, k});
                    Var c = param(b, rng, tb ? new int[] {batch, n, k} : new int[] {batch, k, n});
                    check("bmm " + (ta ? "a^T" : "a") + s(a.shape()) + " · " + (tb ? "b^T" : "b") + s(c.shape()), b, rng,
                            leaves("a", a, "b", c), () -> F.bmm(a, c, ta, tb));
                }
            }
            Var a = param(b, rng, batch, m, k);
            Var c = param(b, rng, batch, k, n);
            check("bmm(a, b)", b, rng, leaves("a", a, "b", c), () -> F.bmm(a, c));
            Var constA = Var.constant(a.value());
            check("bmm(constant, b)", b, rng, leaves("b", c), () -> F.tanh(F.bmm(constA, c)));
            // attention-shaped: softmax(q k^T) v
            Var v = param(b, rng, batch, k, n);
            Var q = param(b, rng, batch, m, n);
            check("bmm(softmax(bmm(q, v^T)), v)", b, rng, leaves("q", q, "v", v),
                    () -> F.bmm(F.softmax(F.bmm(q, v, false, true)), v));
        }
    }

    @Test
    void linearWithAndWithoutBias() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(12);
        for (int t = 0; t < TRIALS; t++) {
            int n = d(rng);
            int in = d(rng);
            int out = d(rng);
            Var x = param(b, rng, n, in);
            Var w = param(b, rng, out, in);
            Var bias = param(b, rng, out);
            check("linear with bias x" + s(n, in) + " w" + s(out, in), b, rng, leaves("x", x, "weight", w, "bias", bias),
                    () -> F.linear(x, w, bias));
            check("linear without bias x" + s(n, in) + " w" + s(out, in), b, rng, leaves("x", x, "weight", w),
                    () -> F.linear(x, w, null));
            // over leading dimensions: [B, T, in] and [in]
            Var x3 = param(b, rng, d(rng), n, in);
            check("linear x" + s(x3.shape()) + " w" + s(out, in), b, rng, leaves("x", x3, "weight", w, "bias", bias),
                    () -> F.linear(x3, w, bias));
            Var x1 = param(b, rng, in);
            check("linear x" + s(in) + " w" + s(out, in), b, rng, leaves("x", x1, "weight", w, "bias", bias), () -> F.linear(x1, w, bias));
        }
    }

    // =====================================================================================
    // reductions and layout
    // =====================================================================================

    @Test
    void sumMeanSumLastAxis() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(13);
        for (int t = 0; t < TRIALS; t++) {
            int[][] shapes = {{d(rng)}, {d(rng), d(rng)}, {d(rng), d(rng), d(rng)}};
            for (int[] sh : shapes) {
                Var a = param(b, rng, sh);
                check("sum " + s(sh), b, rng, leaves("a", a), () -> F.sum(a));
                check("mean " + s(sh), b, rng, leaves("a", a), () -> F.mean(a));
                check("sumLastAxis " + s(sh), b, rng, leaves("a", a), () -> F.sumLastAxis(a));
                check("sum(tanh) " + s(sh), b, rng, leaves("a", a), () -> F.sum(F.tanh(a)));
            }
        }
    }

    @Test
    void sumMeanVarAlongAnAxis() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(37);
        for (int t = 0; t < TRIALS; t++) {
            int[][] shapes = {{1 + d(rng)}, {1 + d(rng), 1 + d(rng)}, {d(rng), 1 + d(rng), 1 + d(rng)}};
            for (int[] sh : shapes) {
                Var a = param(b, rng, sh);
                for (int axis = 0; axis < sh.length; axis++) {
                    // every axis, alternately as a negative one; keepDim alternating too
                    int ax = (axis + t) % 2 == 0 ? axis : axis - sh.length;
                    boolean keep = (axis + t) % 3 == 0;
                    {
                        String w = s(sh) + " axis " + ax + (keep ? " keepDim" : "");
                        check("sum " + w, b, rng, leaves("a", a), () -> F.sum(a, ax, keep));
                        check("mean " + w, b, rng, leaves("a", a), () -> F.mean(a, ax, keep));
                        check("var biased " + w, b, rng, leaves("a", a), () -> F.var(a, ax, keep, false));
                        if (sh[axis] > 1) {
                            check("var unbiased " + w, b, rng, leaves("a", a), () -> F.var(a, ax, keep, true));
                        }
                    }
                }
                // normalisation: (a - mean) / sqrt(var + eps) along the last axis, the core of a layer norm
                check("(a - mean) * (var + 1e-5)^-1 along the last axis " + s(sh), b, rng, leaves("a", a),
                        () -> F.div(F.sub(a, F.mean(a, -1, true)), F.addScalar(F.var(a, -1, true, false), 1e-5)));
            }
        }
    }

    @Test
    void reshapeAndTranspose() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(14);
        for (int t = 0; t < TRIALS; t++) {
            int p = d(rng);
            int q = d(rng);
            int r = d(rng);
            Var a = param(b, rng, p, q, r);
            check("reshape " + s(p, q, r) + " -> " + s(p * q, r), b, rng, leaves("a", a), () -> F.reshape(a, p * q, r));
            check("reshape " + s(p, q, r) + " -> " + s(r, q * p), b, rng, leaves("a", a), () -> F.tanh(F.reshape(a, r, q * p)));
            Var m = param(b, rng, p, q);
            check("transpose " + s(p, q), b, rng, leaves("a", m), () -> F.transpose(m));
            Var c = param(b, rng, q, r);
            check("transpose(a)^T · c", b, rng, leaves("a", m, "c", c), () -> F.matmul(F.transpose(F.transpose(m)), c));
        }
    }

    @Test
    void sliceEveryAxis() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(15);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = {1 + d(rng), 1 + d(rng), 1 + d(rng)};
            Var a = param(b, rng, sh);
            for (int axis = 0; axis < 3; axis++) {
                int n = sh[axis];
                int start = rng.nextInt(n);
                int end = start + 1 + rng.nextInt(n - start);
                int ax = axis;
                check("slice " + s(sh) + " axis " + axis + " [" + start + ", " + end + ")", b, rng, leaves("a", a),
                        () -> F.slice(a, ax, start, end));
                check("slice " + s(sh) + " axis " + (axis - 3) + " [0, 1)", b, rng, leaves("a", a), () -> F.slice(a, ax - 3, 0, 1));
                check("slice " + s(sh) + " axis " + axis + " last", b, rng, leaves("a", a), () -> F.slice(a, ax, n - 1, n));
            }
        }
    }

    @Test
    void concatEveryAxis() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(16);
        for (int t = 0; t < TRIALS; t++) {
            int[] base = {d(rng), d(rng), d(rng)};
            for (int axis = 0; axis < 3; axis++) {
                List<Var> parts = new ArrayList<>();
                Map<String, Var> leaves = new LinkedHashMap<>();
                for (int i = 0; i < 3; i++) {
                    int[] sh = base.clone();
                    sh[axis] = d(rng);
                    Var p = param(b, rng, sh);
                    if (i == 1) {
                        parts.add(Var.constant(p.value())); // a constant in the middle
                    } else {
                        parts.add(p);
                        leaves.put("part" + i, p);
                    }
                }
                int ax = axis;
                check("concat on axis " + axis, b, rng, leaves, () -> F.concat(parts, ax));
                check("concat on axis " + (axis - 3) + " (varargs)", b, rng, leaves,
                        () -> F.concat(ax - 3, parts.get(0), parts.get(1), parts.get(2)));
            }
        }
    }

    @Test
    void unbindWithSomeOutputsUnused() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(17);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = {d(rng), 2 + d(rng), d(rng)};
            Var a = param(b, rng, sh);
            for (int axis = 0; axis < 3; axis++) {
                int ax = axis;
                int n = sh[axis];
                int[] pieceShape = new int[2];
                for (int i = 0, j = 0; i < 3; i++) {
                    if (i != axis) {
                        pieceShape[j++] = sh[i];
                    }
                }
                Tensor r0 = GradCheck.random(b, rng, DType.FLOAT64, pieceShape);
                Tensor rl = GradCheck.random(b, rng, DType.FLOAT64, pieceShape);
                // the first and the last piece only (the middle ones get no gradient: null in the node's backward)
                GradCheck.check("unbind " + s(sh) + " axis " + axis + ", pieces 0 and " + (n - 1), leaves("a", a), () -> {
                    Var[] pieces = F.unbind(a, ax);
                    assertEquals(n, pieces.length, "unbind piece count");
                    Var loss = GradCheck.weightedSum(pieces[0], r0);
                    return n > 1 ? F.add(loss, GradCheck.weightedSum(F.tanh(pieces[n - 1]), rl)) : loss;
                });
                // one piece only, through a negative axis
                GradCheck.check("unbind " + s(sh) + " axis " + (axis - 3) + ", piece " + (n / 2), leaves("a", a),
                        () -> GradCheck.weightedSum(F.unbind(a, ax - 3)[n / 2], r0));
            }
        }
    }

    @Test
    void stackEveryAxis() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(18);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = {d(rng), d(rng)};
            int count = 1 + d(rng);
            List<Var> parts = new ArrayList<>();
            Map<String, Var> leaves = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                Var p = param(b, rng, sh);
                parts.add(p);
                leaves.put("part" + i, p);
            }
            for (int axis = -3; axis < 3; axis++) {
                int ax = axis;
                check("stack of " + count + " x " + s(sh) + " on axis " + axis, b, rng, leaves, () -> F.stack(parts, ax));
            }
            Var a = param(b, rng, count, sh[0], sh[1]);
            check("stack(unbind(a, 0), 1)", b, rng, leaves("a", a), () -> F.stack(Arrays.asList(F.unbind(a, 0)), 1));
        }
    }

    // =====================================================================================
    // softmax and indexing
    // =====================================================================================

    @Test
    void logSoftmaxAndSoftmax() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(19);
        for (int t = 0; t < TRIALS; t++) {
            int[] sh = {d(rng), 1 + d(rng)};
            Var a = param(b, rng, 0, 3, true, sh);
            check("logSoftmax " + s(sh), b, rng, leaves("a", a), () -> F.logSoftmax(a));
            check("softmax " + s(sh), b, rng, leaves("a", a), () -> F.softmax(a));
        }
        Var one = param(b, rng, 3, 1);
        check("softmax of one column times the input", b, rng, leaves("a", one), () -> F.mul(F.softmax(one), one));
        for (int t = 0; t < TRIALS; t++) {
            int[][] shapes = {{1 + d(rng)}, {d(rng), d(rng), 1 + d(rng)}, {2, d(rng), d(rng), 1 + d(rng)}};
            for (int[] sh : shapes) {
                Var a = param(b, rng, 0, 3, true, sh);
                check("logSoftmax " + s(sh), b, rng, leaves("a", a), () -> F.logSoftmax(a));
                check("softmax " + s(sh), b, rng, leaves("a", a), () -> F.softmax(a));
            }
        }
    }

    /** A 0/1 mask of {@code shape} with about a third set, as a float64 tensor. */
    private static Tensor mask(ComputeBackend b, SplittableRandom rng, int... shape) {
        double[] m = new double[Shapes.size(shape)];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextInt(3) == 0 ? 1 : 0;
        }
        return b.fromDoubles(m, DType.FLOAT64, shape);
    }

    @Test
    void maskedFillAndWhere() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(38);
        for (int t = 0; t < TRIALS; t++) {
            int[] full = {d(rng), d(rng), 1 + d(rng)};
            for (int[] ms : new int[][] {full, {full[0], 1, full[2]}, {full[2]}, {}}) {
                Tensor m = mask(b, rng, ms);
                Var a = param(b, rng, full);
                check("maskedFill " + s(full) + " mask " + s(ms), b, rng, leaves("a", a), () -> F.maskedFill(a, m, 0.75));
                check("maskedFill(a, mask, 0) * a " + s(full), b, rng, leaves("a", a), () -> F.mul(F.maskedFill(a, m, 0), a));
                Var c = param(b, rng, full);
                Var small = param(b, rng, full[1], 1);
                check("where(mask " + s(ms) + ", a, c) " + s(full), b, rng, leaves("a", a, "c", c), () -> F.where(m, a, c));
                check("where(mask " + s(ms) + ", a, small " + s(small.shape()) + ")", b, rng, leaves("a", a, "small", small),
                        () -> F.where(m, a, small));
                check("where(mask " + s(ms) + ", small, a) (var mask)", b, rng, leaves("a", a, "small", small),
                        () -> F.where(Var.constant(m), small, a));
            }
            // attention-style: -inf at masked keys, then softmax; every row keeps at least one key
            int rows = d(rng);
            int keys = 2 + d(rng);
            double[] mk = new double[rows * keys];
            for (int r = 0; r < rows; r++) {
                for (int k = 1; k < keys; k++) {
                    mk[r * keys + k] = rng.nextBoolean() ? 1 : 0;
                }
            }
            Tensor m = b.fromDoubles(mk, DType.FLOAT64, rows, 1, keys);
            Var scores = param(b, rng, rows, 3, keys);
            check("softmax(maskedFill(scores, mask, -inf))", b, rng, leaves("scores", scores),
                    () -> F.softmax(F.maskedFill(scores, m, Double.NEGATIVE_INFINITY)));
        }
    }

    @Test
    void gatherColumns() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(20);
        for (int t = 0; t < TRIALS; t++) {
            int n = d(rng);
            int c = 1 + d(rng);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = rng.nextInt(c);
            }
            Var a = param(b, rng, n, c);
            check("gatherColumns " + s(n, c) + " at " + Arrays.toString(idx), b, rng, leaves("a", a), () -> F.gatherColumns(a, idx));
            check("gatherColumns(logSoftmax) " + s(n, c), b, rng, leaves("a", a), () -> F.gatherColumns(F.logSoftmax(a), idx));
        }
    }

    @Test
    void gatherRowsWithRepeatedIndices() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(21);
        for (int t = 0; t < TRIALS; t++) {
            int v = 2 + d(rng);
            int e = d(rng);
            int n = 3 + d(rng);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = rng.nextInt(v);
            }
            idx[n - 1] = idx[0];
            idx[n - 2] = idx[0];
            Var table = param(b, rng, v, e);
            check("gatherRows " + s(v, e) + " at " + Arrays.toString(idx), b, rng, leaves("table", table), () -> F.gatherRows(table, idx));
        }
        Var table = param(b, rng, 5, 3);
        int[] idx = {1, 4, 1, 1, 0, 4};
        check("gatherRows at {1, 4, 1, 1, 0, 4}", b, rng, leaves("table", table), () -> F.tanh(F.gatherRows(table, idx)));
    }

    // =====================================================================================
    // graph mechanics
    // =====================================================================================

    @Test
    void gradientAccumulatesWhenAVarIsUsedTwice() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(30);
        Var x = param(b, rng, 3, 4);
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 3, 4);
        double[] xv = x.value().toDoubleArray();
        double[] rv = r.toDoubleArray();
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            expected[i] = 2 * xv[i] * rv[i];
        }
        x.zeroGrad();
        GradCheck.weightedSum(F.mul(x, x), r).backward();
        Expect.close("d/dx sum(r * x * x) = 2 r x", x.grad(), new int[] {3, 4}, expected, Expect.F64);
        // a second backward pass without zeroGrad adds to the gradient
        GradCheck.weightedSum(F.mul(x, x), r).backward();
        double[] twice = expected.clone();
        for (int i = 0; i < twice.length; i++) {
            twice[i] *= 2;
        }
        Expect.close("gradient after two backward passes", x.grad(), new int[] {3, 4}, twice, Expect.F64);
        GradCheck.check("x * x", leaves("x", x), () -> GradCheck.weightedSum(F.mul(x, x), r));
        GradCheck.check("tanh(x) + x * x + x", leaves("x", x),
                () -> GradCheck.weightedSum(F.add(F.add(F.tanh(x), F.mul(x, x)), x), r));
        Var bias = param(b, rng, 4);
        GradCheck.check("bias broadcast twice", leaves("x", x, "bias", bias),
                () -> GradCheck.weightedSum(F.mul(F.add(x, bias), F.sub(x, bias)), r));
    }

    /**
     * Issue 9, defect 8: a second backward through the same graph throws (as PyTorch's "Trying to backward
     * through the graph a second time") and adds nothing, unless the earlier passes retained the graph;
     * retained passes each add their gradient.
     */
    @Test
    void secondBackwardThroughTheSameGraphThrowsUnlessRetained() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(31);
        Var x = param(b, rng, 3, 4);
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 3, 4);
        double[] xv = x.value().toDoubleArray();
        double[] rv = r.toDoubleArray();
        double[] once = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            once[i] = 2 * xv[i] * rv[i];
        }
        x.zeroGrad();
        Var y = GradCheck.weightedSum(F.mul(x, x), r);
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("backward through the graph a second time") && e.getMessage().contains("backward(true)"),
                e.getMessage());
        Expect.close("gradient after a refused second pass", x.grad(), new int[] {3, 4}, once, Expect.F64);

        // a value computed from a freed graph cannot backpropagate through it either
        Var h = F.tanh(x);
        Var a = F.sum(h);
        Var c = F.sum(F.mul(h, h));
        a.backward();
        assertThrows(IllegalStateException.class, c::backward);

        // retained passes add up: 2 r x per pass
        x.zeroGrad();
        Var z = GradCheck.weightedSum(F.mul(x, x), r);
        z.backward(true);
        z.backward(true);
        z.backward();
        double[] thrice = once.clone();
        for (int i = 0; i < thrice.length; i++) {
            thrice[i] *= 3;
        }
        Expect.close("gradient after three passes through a retained graph", x.grad(), new int[] {3, 4}, thrice, Expect.F64);
        assertThrows(IllegalStateException.class, () -> z.backward(b.full(1.0, DType.FLOAT64, z.shape())));
        Expect.close("unchanged by the refused fourth pass", x.grad(), new int[] {3, 4}, thrice, Expect.F64);
    }

    @Test
    void gradDisabledRecordsNothing() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(31);
        Var x = param(b, rng, 2, 3);
        assertTrue(Grad.enabled(), "recording is on by default");
        try (var off = Grad.disabled()) {
            assertFalse(Grad.enabled(), "inside Grad.disabled()");
            Var y = F.tanh(F.mul(x, x));
            assertFalse(y.requiresGrad(), "a result computed under Grad.disabled() requires a gradient");
            assertTrue(y.isLeaf(), "a result computed under Grad.disabled() has a creator node");
            for (Var piece : F.unbind(x, 0)) {
                assertFalse(piece.requiresGrad(), "unbind under Grad.disabled() recorded a node");
            }
            try (var nested = Grad.disabled()) {
                assertFalse(F.add(x, x).requiresGrad(), "nested Grad.disabled()");
            }
            assertFalse(Grad.enabled(), "closing a nested scope re-enabled recording");
            assertFalse(F.sum(x).requiresGrad(), "after a nested scope closed");
            assertThrows(RuntimeException.class, () -> F.sum(y).backward(),
                    "backward on a value computed under Grad.disabled() must throw");
            // the values are still computed
            double[] xv = x.value().toDoubleArray();
            double[] yv = y.value().toDoubleArray();
            for (int i = 0; i < xv.length; i++) {
                assertEquals(Math.tanh(xv[i] * xv[i]), yv[i], 1e-12, "value computed under Grad.disabled()");
            }
        }
        assertTrue(Grad.enabled(), "recording resumes when the scope closes");
        Var z = F.mul(x, x);
        assertTrue(z.requiresGrad(), "recording resumes when the scope closes");
        assertFalse(z.isLeaf(), "a recorded result has a creator node");
        assertFalse(F.mul(Var.constant(x.value()), Var.constant(x.value())).requiresGrad(), "an op on constants only records nothing");
    }

    @Test
    void detachStopsGradients() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(32);
        Var x = param(b, rng, 3, 4);
        Var det = x.detach();
        assertFalse(det.requiresGrad(), "detach() requires a gradient");
        assertTrue(det.isLeaf(), "detach() is a leaf");
        assertTrue(Arrays.equals(x.value().toDoubleArray(), det.value().toDoubleArray()), "detach() changed the value");

        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 3, 4);
        double[] xv = x.value().toDoubleArray();
        double[] rv = r.toDoubleArray();
        // d/dx sum(r * detach(x) * x) = r * x (one path only, not 2 r x)
        x.zeroGrad();
        GradCheck.weightedSum(F.mul(x.detach(), x), r).backward();
        double[] e1 = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            e1[i] = rv[i] * xv[i];
        }
        Expect.close("d/dx sum(r * detach(x) * x)", x.grad(), new int[] {3, 4}, e1, Expect.F64);

        // through a computed value: z = detach(tanh(x)) * x + tanh(x)
        x.zeroGrad();
        Var h = F.tanh(x);
        GradCheck.weightedSum(F.add(F.mul(h.detach(), x), h), r).backward();
        double[] e2 = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            double th = Math.tanh(xv[i]);
            e2[i] = rv[i] * th + rv[i] * (1 - th * th);
        }
        Expect.close("d/dx sum(r * (detach(tanh x) * x + tanh x))", x.grad(), new int[] {3, 4}, e2, Expect.F64);

        // nothing reaches x through a detached value alone
        x.zeroGrad();
        Var other = param(b, rng, 3, 4);
        GradCheck.weightedSum(F.mul(F.tanh(x).detach(), other), r).backward();
        assertNull(x.grad(), "a gradient reached x through detach()");
    }

    @Test
    void backwardOnANonScalarWithoutASeedThrowsNamingTheShape() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(33);
        Var x = param(b, rng, 2, 3);
        Var y = F.mul(x, x);
        RuntimeException e = assertThrows(RuntimeException.class, y::backward);
        String msg = String.valueOf(e.getMessage());
        assertTrue(msg.replaceAll("\\s", "").contains("[2,3]"), "the message does not name the shape [2, 3]: " + msg);
        assertNull(x.grad(), "a failed backward() left a gradient");

        // with an explicit seed of the right shape it works: d/dx sum(seed * x * x) = 2 seed x
        Tensor seed = GradCheck.random(b, rng, DType.FLOAT64, 2, 3);
        y.backward(seed);
        double[] xv = x.value().toDoubleArray();
        double[] sv = seed.toDoubleArray();
        double[] expected = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            expected[i] = 2 * xv[i] * sv[i];
        }
        Expect.close("backward(seed) of x * x", x.grad(), new int[] {2, 3}, expected, Expect.F64);

        Var z = F.mul(x, x);
        RuntimeException wrongSeed = assertThrows(RuntimeException.class, () -> z.backward(b.zeros(DType.FLOAT64, 3, 2)));
        String m2 = String.valueOf(wrongSeed.getMessage()).replaceAll("\\s", "");
        assertTrue(m2.contains("[3,2]") && m2.contains("[2,3]"), "a seed of the wrong shape: message should name both shapes: " + m2);

        // a size-1 non-scalar is a scalar for backward()
        Var w = param(b, rng, 1, 1);
        F.mul(w, w).backward();
        Expect.close("backward() of a [1, 1] value", w.grad(), new int[] {1, 1}, new double[] {2 * w.value().item()}, Expect.F64);
    }

    @Test
    void multiOutputNodeGetsCorrectGradients() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(34);
        int[] sh = {3, 4, 2};
        Var x = param(b, rng, sh);
        Tensor r0 = GradCheck.random(b, rng, DType.FLOAT64, 3, 2);
        Tensor r0b = GradCheck.random(b, rng, DType.FLOAT64, 3, 2);
        Tensor r3 = GradCheck.random(b, rng, DType.FLOAT64, 3, 2);
        Var[] pieces = F.unbind(x, 1);
        assertEquals(4, pieces.length, "unbind of [3, 4, 2] on axis 1");
        for (Var p : pieces) {
            assertTrue(p.requiresGrad(), "an unbind output does not require a gradient");
            assertTrue(Arrays.equals(new int[] {3, 2}, p.shape()), "unbind piece shape " + s(p.shape()));
        }
        // output 0 is used twice, output 3 once, outputs 1 and 2 never
        Var loss = F.add(F.add(GradCheck.weightedSum(pieces[0], r0), GradCheck.weightedSum(pieces[3], r3)),
                GradCheck.weightedSum(pieces[0], r0b));
        x.zeroGrad();
        loss.backward();
        double[] a0 = r0.toDoubleArray();
        double[] a0b = r0b.toDoubleArray();
        double[] a3 = r3.toDoubleArray();
        double[] expected = new double[24];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 2; k++) {
                expected[(i * 4) * 2 + k] = a0[i * 2 + k] + a0b[i * 2 + k];
                expected[(i * 4 + 3) * 2 + k] = a3[i * 2 + k];
            }
        }
        Expect.close("gradient through unbind outputs 0 (twice) and 3", x.grad(), sh, expected, Expect.F64);
        double[] g = x.grad().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            for (int j = 1; j <= 2; j++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals(0.0, g[(i * 4 + j) * 2 + k], 0.0, "unused unbind output " + j + " contributed a gradient");
                }
            }
        }
        // the values of the pieces are the slices
        double[] xv = x.value().toDoubleArray();
        for (int j = 0; j < 4; j++) {
            double[] pv = pieces[j].value().toDoubleArray();
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 2; k++) {
                    assertEquals(xv[(i * 4 + j) * 2 + k], pv[i * 2 + k], 0.0, "unbind piece " + j + " value");
                }
            }
        }
    }

    @Test
    void deepChainDoesNotOverflowTheStack() throws InterruptedException {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(35);
        int depth = 20_000;
        Var x = param(b, rng, 3);
        Var c = param(b, rng, 3);
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // a small stack, so that a recursive traversal of the graph fails here even where the default stack is large
        Thread worker = new Thread(null, () -> {
            try {
                Var y = x;
                for (int i = 0; i < depth; i++) {
                    y = F.add(y, c);
                }
                GradCheck.weightedSum(y, r).backward();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "rnn4j-deep-chain", 512 * 1024);
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw new AssertionError("backward through a chain of " + depth + " adds failed: " + failure.get(), failure.get());
        }
        double[] rv = r.toDoubleArray();
        double[] dc = new double[3];
        for (int i = 0; i < 3; i++) {
            dc[i] = depth * rv[i];
        }
        Expect.close("gradient of x through " + depth + " chained adds", x.grad(), new int[] {3}, rv, Expect.F64);
        Expect.close("gradient of c added " + depth + " times", c.grad(), new int[] {3}, dc, Expect.F64);
    }

    // ---- ownership of gradients and values: what backward, zeroGrad and releaseGraph close ----

    /** {@code a + b} of two leaves hands both the same gradient tensor: clearing one must leave the other's readable. */
    @Test
    void aGradientSharedByTwoLeavesSurvivesZeroGradOfOne() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(41);
        Var x = param(b, rng, 4);
        Var y = param(b, rng, 4);
        F.sum(F.add(x, y)).backward();
        x.zeroGrad();
        assertNull(x.grad());
        Expect.close("gradient of y after x.zeroGrad()", y.grad(), new int[] {4}, new double[] {1, 1, 1, 1}, Expect.F64);
    }

    /** zeroGrad closes a gradient a backward pass made, but never one given to setGrad, nor the caller's seed. */
    @Test
    void zeroGradClosesOnlyGradientsTheGraphMade() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(42);
        Var x = param(b, rng, 3);
        F.sum(F.mul(x, x)).backward();
        Tensor made = x.grad();
        x.zeroGrad();
        assertTrue(made.isClosed(), "a gradient made by backward is closed by zeroGrad");
        Tensor given = b.fromDoubles(new double[] {1, 2, 3}, DType.FLOAT64, 3);
        x.setGrad(given);
        x.zeroGrad();
        assertFalse(given.isClosed(), "a gradient given to setGrad stays the caller's");
        Tensor seed = b.fromDoubles(new double[] {0.5, 1, 2}, DType.FLOAT64, 3);
        x.backward(seed); // a leaf: the seed itself becomes its gradient
        x.zeroGrad();
        assertFalse(seed.isClosed(), "the caller's seed is never closed");
        Var y = F.scale(x, 3);
        y.backward(seed);
        assertFalse(seed.isClosed(), "the caller's seed is never closed");
        Expect.close("gradient through scale", x.grad(), new int[] {3}, new double[] {1.5, 3, 6}, Expect.F64);
    }

    /** Two passes add up; the first pass's gradient (owned by the leaf) is replaced by the sum and closed. */
    @Test
    void gradientsAccumulatedOverPassesAreRight() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(43);
        Var x = param(b, rng, 2, 3);
        Var w = param(b, rng, 3, 2);
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 2, 2);
        GradCheck.weightedSum(F.tanh(F.matmul(x, w)), r).backward();
        double[] once = w.grad().toDoubleArray();
        Tensor first = w.grad();
        GradCheck.weightedSum(F.tanh(F.matmul(x, w)), r).backward();
        assertTrue(first.isClosed(), "the replaced gradient is closed");
        double[] twice = new double[once.length];
        for (int i = 0; i < once.length; i++) {
            twice[i] = 2 * once[i];
        }
        Expect.close("gradient of w after two passes", w.grad(), new int[] {3, 2}, twice, Expect.F64);
    }

    /**
     * releaseGraph closes every value computed by an op of the graph (also those computed from it that the
     * loss does not use) and keeps leaves, gradients and detached values; a later backward through it throws.
     */
    @Test
    void releaseGraphClosesComputedValuesAndKeepsLeavesGradientsAndDetachedValues() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(44);
        Var x = Var.constant(GradCheck.random(b, rng, DType.FLOAT64, 2, 3));
        Var w = param(b, rng, 3, 4);
        Var h = F.tanh(F.matmul(x, w));
        Var s = F.sigmoid(h);
        Var carried = s.detach();
        Var loss = F.sum(F.mul(s, h));
        Var unused = F.scale(h, 2); // computed from the graph, not part of the loss
        loss.backward();
        double[] grad = w.grad().toDoubleArray();
        loss.releaseGraph();
        assertTrue(h.value().isClosed(), "an intermediate value is closed");
        assertTrue(loss.value().isClosed(), "the loss itself is closed");
        assertTrue(unused.value().isClosed(), "a value computed from the graph is closed too");
        assertThrows(IllegalStateException.class, () -> h.value().toDoubleArray());
        assertFalse(s.value().isClosed(), "a detached value stays open");
        assertEquals(8, carried.value().toDoubleArray().length);
        assertFalse(x.value().isClosed(), "leaves stay open");
        assertFalse(w.value().isClosed(), "parameters stay open");
        Expect.close("the gradient stays readable", w.grad(), new int[] {3, 4}, grad, Expect.F64);
        assertThrows(IllegalStateException.class, loss::backward);
        loss.releaseGraph(); // idempotent
        w.releaseGraph(); // a leaf: nothing to release
        assertFalse(w.value().isClosed());
    }

    /** Releasing a graph that was never backpropagated frees it too: a backward afterwards throws, naming the reason. */
    @Test
    void aReleasedGraphCannotBeBackpropagated() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(45);
        Var w = param(b, rng, 3);
        Var loss = F.sum(F.exp(w));
        loss.releaseGraph();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertNull(w.grad(), "nothing accumulated");
        assertFalse(w.value().isClosed());
        assertTrue(e.getMessage().contains("closed") || e.getMessage().contains("second time"), e.getMessage());
    }
}
