package org.rnn4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;
import org.rnn4j.testing.RefBackend.Golden;

/**
 * CTC loss: the ctc_* golden cases, a brute-force sum over every frame-level path, float64
 * central-difference gradients and argument validation.
 */
class CtcTest {
    private static final RefBackend B = RefBackend.INSTANCE;
    private static final DType D = DType.FLOAT64;

    /** {@code log_softmax} over the last axis of {@code [B, T, C]}. */
    static Var logSoftmax3(Var logits) {
        int[] s = logits.shape();
        return F.reshape(F.logSoftmax(F.reshape(logits, s[0] * s[1], s[2])), s);
    }

    static int[][] rows(int[] flat, int[] shape) {
        int[][] r = new int[shape[0]][shape[1]];
        for (int b = 0; b < shape[0]; b++) {
            System.arraycopy(flat, b * shape[1], r[b], 0, shape[1]);
        }
        return r;
    }

    static Stream<Arguments> goldenCases() {
        return Stream.of("ctc_mean", "ctc_sum_repeats", "ctc_none_zero_infinity")
                .flatMap(n -> Stream.of(Arguments.of(n, DType.FLOAT64), Arguments.of(n, DType.FLOAT32)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("goldenCases")
    void matchesPyTorch(String name, DType dtype) {
        Golden g = Golden.load(name);
        Var logits = Var.parameter(g.tensor("logits", B, dtype));
        Reduction reduction = Reduction.valueOf(g.meta("reduction").toUpperCase());
        Var loss = Losses.ctc(logSoftmax3(logits), rows(g.ints("targets"), g.shape("targets")), g.ints("input_lengths"),
                g.ints("target_lengths"), Integer.parseInt(g.meta("blank")), reduction, Boolean.parseBoolean(g.meta("zero_infinity")));
        assertArrayEquals(g.shape("loss"), loss.shape(), "loss shape");
        double e = Tensors.relativeError(loss.value().toDoubleArray(), g.doubles("loss"));
        assertTrue(e < (dtype == D ? 1e-10 : 1e-4), name + " " + dtype + ": loss relative error " + e);
        loss.backward(g.tensor("grad_loss", B, dtype));
        double eg = Tensors.relativeError(logits.grad().toDoubleArray(), g.doubles("grad.logits"));
        assertTrue(eg < (dtype == D ? 1e-10 : 1e-3), name + " " + dtype + ": grad.logits relative error " + eg);
    }

    // ---- brute force ----

    private static List<Integer> collapse(int[] path, int blank) {
        List<Integer> out = new ArrayList<>();
        int prev = -1;
        for (int s : path) {
            if (s != prev && s != blank) {
                out.add(s);
            }
            prev = s;
        }
        return out;
    }

    /** {@code -log} of the summed probability of every path of length {@code t} over {@code c} symbols that collapses to the labels. */
    static double bruteForceNll(double[] lp, int offset, int t, int c, int[] labels, int blank) {
        List<Integer> want = new ArrayList<>();
        for (int l : labels) {
            want.add(l);
        }
        int[] path = new int[t];
        double total = 0;
        int count = (int) Math.pow(c, t);
        for (int code = 0; code < count; code++) {
            int rest = code;
            double logP = 0;
            for (int i = 0; i < t; i++) {
                path[i] = rest % c;
                rest /= c;
                logP += lp[offset + i * c + path[i]];
            }
            if (collapse(path, blank).equals(want)) {
                total += Math.exp(logP);
            }
        }
        return -Math.log(total);
    }

    private static double[] randomLogProbs(Random r, int b, int t, int c) {
        Var logits = Var.constant(B.fromDoubles(r.doubles((long) b * t * c).map(v -> 3 * v - 1.5).toArray(), D, b, t, c));
        return logSoftmax3(logits).value().toDoubleArray();
    }

    @Test
    void equalsBruteForceOverAllPaths() {
        Random r = new Random(11);
        int batch = 5;
        int t = 6;
        int c = 4;
        double[] lp = randomLogProbs(r, batch, t, c);
        int[][] targets = {{1, 2, 3}, {2, 2, 0}, {3, 1, 3}, {0, 0, 0}, {1, 1, 1}};
        int[] inputLengths = {6, 5, 4, 3, 6};
        int[] targetLengths = {3, 2, 3, 0, 3};
        for (int blank : new int[] {0, 3}) {
            int[][] tg = new int[batch][];
            for (int b = 0; b < batch; b++) {
                tg[b] = targets[b].clone();
                for (int i = 0; i < tg[b].length; i++) {
                    if (blank == 3 && tg[b][i] == 3) {
                        tg[b][i] = 0; // labels must not be the blank
                    }
                }
            }
            double[] losses = Losses.ctc(Var.constant(B.fromDoubles(lp, D, batch, t, c)), tg, inputLengths, targetLengths, blank,
                    Reduction.NONE, false).value().toDoubleArray();
            for (int b = 0; b < batch; b++) {
                int[] labels = java.util.Arrays.copyOf(tg[b], targetLengths[b]);
                double expected = bruteForceNll(lp, b * t * c, inputLengths[b], c, labels, blank);
                assertEquals(expected, losses[b], 1e-12 * Math.abs(expected), "blank " + blank + " sequence " + b);
            }
        }
    }

    // ---- gradients ----

    private static Var scalar(Var out, long seed) {
        if (out.shape().length == 0) {
            return out;
        }
        Random r = new Random(seed);
        double[] w = r.doubles(out.value().size()).map(v -> v + 0.5).toArray();
        return F.sum(F.mul(out, Var.constant(B.fromDoubles(w, D, out.shape()))));
    }

    private static void gradCheck(String what, Function<Var, Var> f, Tensor x0) {
        Var x = Var.parameter(x0);
        scalar(f.apply(x), 99).backward();
        double[] analytic = x.grad().toDoubleArray();
        double[] base = x0.toDoubleArray();
        double[] numeric = new double[base.length];
        double h = 1e-6;
        for (int i = 0; i < base.length; i++) {
            double[] plus = base.clone();
            plus[i] += h;
            double[] minus = base.clone();
            minus[i] -= h;
            double fp = scalar(f.apply(Var.constant(B.fromDoubles(plus, D, x0.shape()))), 99).value().item();
            double fm = scalar(f.apply(Var.constant(B.fromDoubles(minus, D, x0.shape()))), 99).value().item();
            numeric[i] = (fp - fm) / (2 * h);
        }
        double e = Tensors.relativeError(analytic, numeric);
        assertTrue(e < 1e-7, what + ": gradient relative error " + e);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void gradientMatchesCentralDifferences(Reduction reduction) {
        Random r = new Random(21);
        int batch = 4;
        int t = 7;
        int c = 5;
        int[][] targets = {{1, 1, 2, 0}, {4, 3, 2, 1}, {2, 0, 0, 0}, {3, 3, 3, 9}};
        int[] inputLengths = {7, 6, 3, 7};
        int[] targetLengths = {3, 4, 1, 3};
        Tensor logits = B.fromDoubles(r.doubles((long) batch * t * c).map(v -> 2 * v - 1).toArray(), D, batch, t, c);
        // exact derivative w.r.t. the log-probabilities themselves (unnormalised input)
        gradCheck("log-probs " + reduction, v -> Losses.ctc(v, targets, inputLengths, targetLengths, 0, reduction, false), logits);
        // through log_softmax from logits, with a blank that is not 0
        int[][] shifted = {{2, 2, 3, 0}, {0, 3, 2, 1}, {2, 0, 0, 0}, {3, 3, 3, 9}};
        gradCheck("logits blank=4 " + reduction,
                v -> Losses.ctc(logSoftmax3(v), shifted, inputLengths, targetLengths, 4, reduction, false), logits);
    }

    @Test
    void zeroInfinityZeroesImpossibleSequencesAndTheirGradient() {
        Random r = new Random(4);
        Tensor x = B.fromDoubles(r.doubles(2 * 4 * 3).toArray(), D, 2, 4, 3);
        int[][] targets = {{1, 1, 1}, {1, 2, 1}};
        Var v = Var.parameter(x);
        Var loss = Losses.ctc(logSoftmax3(v), targets, new int[] {4, 4}, new int[] {3, 3}, 0, Reduction.NONE, true);
        double[] values = loss.value().toDoubleArray();
        assertEquals(0.0, values[0], "1,1,1 needs 5 frames; 4 given");
        assertTrue(values[1] > 0 && Double.isFinite(values[1]));
        F.sum(loss).backward();
        double[] g = v.grad().toDoubleArray();
        for (int i = 0; i < 12; i++) {
            assertEquals(0.0, g[i], "sequence 0 gets no gradient");
        }
        gradCheck("zero_infinity", w -> Losses.ctc(logSoftmax3(w), targets, new int[] {4, 4}, new int[] {3, 3}, 0, Reduction.MEAN, true), x);
        // padding frames past the input length get no gradient
        Var p = Var.parameter(x);
        Losses.ctc(p, new int[][] {{1}, {2}}, new int[] {2, 4}, new int[] {1, 1}, 0, Reduction.SUM, false).backward();
        double[] gp = p.grad().toDoubleArray();
        for (int i = 2 * 3; i < 4 * 3; i++) {
            assertEquals(0.0, gp[i]);
        }
    }

    @Test
    void meanDividesByTargetLengthThenAverages() {
        Random r = new Random(9);
        Tensor lp = logSoftmax3(Var.constant(B.fromDoubles(r.doubles(3 * 5 * 4).toArray(), D, 3, 5, 4))).value();
        int[][] targets = {{1, 2}, {3, 0}, {0, 0}};
        int[] il = {5, 4, 5};
        int[] tl = {2, 1, 0};
        double[] none = Losses.ctc(Var.constant(lp), targets, il, tl, 0, Reduction.NONE, false).value().toDoubleArray();
        double sum = Losses.ctc(Var.constant(lp), targets, il, tl, 0, Reduction.SUM, false).value().item();
        double mean = Losses.ctc(Var.constant(lp), targets, il, tl, 0, Reduction.MEAN, false).value().item();
        assertEquals(none[0] + none[1] + none[2], sum, 1e-12);
        assertEquals((none[0] / 2 + none[1] / 1 + none[2] / 1) / 3, mean, 1e-12); // empty target: divided by 1
        try (var off = Grad.disabled()) {
            assertTrue(Losses.ctc(Var.parameter(lp), targets, il, tl, 0, Reduction.MEAN, false).isLeaf(), "no node recorded");
        }
    }

    @Test
    void rejectsBadArgumentsWithClearMessages() {
        Var lp = Var.constant(B.zeros(D, 2, 4, 3));
        int[][] t = {{1, 2}, {2, 0}};
        int[] il = {4, 3};
        int[] tl = {2, 1};
        assertMessage(() -> Losses.ctc(Var.constant(B.zeros(D, 4, 3)), t, il, tl, 0, Reduction.MEAN, false), "[B, T, C]");
        assertMessage(() -> Losses.ctc(lp, t, il, tl, 3, Reduction.MEAN, false), "blank = 3");
        assertMessage(() -> Losses.ctc(lp, t, new int[] {5, 3}, tl, 0, Reduction.MEAN, false), "inputLengths[0] = 5");
        assertMessage(() -> Losses.ctc(lp, t, il, new int[] {3, 1}, 0, Reduction.MEAN, false), "targetLengths[0] = 3");
        assertMessage(() -> Losses.ctc(lp, new int[][] {{1, 3}, {2, 0}}, il, tl, 0, Reduction.MEAN, false), "targets[0][1] = 3");
        assertMessage(() -> Losses.ctc(lp, new int[][] {{1, 0}, {2, 0}}, il, new int[] {2, 1}, 0, Reduction.MEAN, false),
                "the blank index 0");
        assertMessage(() -> Losses.ctc(lp, t, new int[] {4}, tl, 0, Reduction.MEAN, false), "inputLengths has 1 entries");
        assertMessage(() -> Losses.ctc(lp, new int[][] {{1, 1, 1}, {2}}, new int[] {4, 1}, new int[] {3, 1}, 0, Reduction.MEAN, false),
                "need at least 5 frames");
        assertMessage(() -> Losses.ctc(lp, t, il, tl, 0, null, false), "reduction is null");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith("ctc: ") && e.getMessage().contains(part), e.getMessage());
    }
}
