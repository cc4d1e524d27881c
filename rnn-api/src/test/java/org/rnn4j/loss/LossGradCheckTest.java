package org.rnn4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;

/** Central-difference gradient checks in float64 and independent host references of the loss formulas. */
class LossGradCheckTest {
    private static final RefBackend B = RefBackend.INSTANCE;
    private static final DType D = DType.FLOAT64;

    private static Tensor random(Random r, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return B.fromDoubles(a, D, shape);
    }

    /** Reduces any result to a scalar with fixed random upstream weights (so NONE is checked too). */
    private static Var scalar(Var out, long seed) {
        if (out.value().size() == 1 && out.shape().length == 0) {
            return out;
        }
        return F.sum(F.mul(out, Var.constant(random(new Random(seed), out.shape()))));
    }

    /** Checks d f(x) / dx from backward against central differences. */
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
        assertTrue(e < 1e-6, what + ": gradient relative error " + e);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void crossEntropyWithWeightIgnoreAndSmoothing(Reduction reduction) {
        Random r = new Random(1);
        Tensor x = random(r, 6, 5);
        Tensor w = B.fromDoubles(new double[] {0.5, 1.5, 1.0, 2.0, 0.7}, D, 5);
        int[] target = {3, -1, 0, 4, -1, 2};
        for (double eps : new double[] {0.0, 0.2, 1.0}) {
            for (Tensor weight : new Tensor[] {null, w}) {
                CrossEntropyOptions o = CrossEntropyOptions.defaults().withWeight(weight).withIgnoreIndex(-1)
                        .withLabelSmoothing(eps).withReduction(reduction);
                gradCheck("ce eps=" + eps + " weight=" + (weight != null) + " " + reduction,
                        v -> Losses.crossEntropy(v, target, o), x);
                double[] expected = referenceCrossEntropy(x.toDoubleArray(), 6, 5, target, weight == null ? null
                        : weight.toDoubleArray(), -1, eps, reduction);
                double[] actual = Losses.crossEntropy(Var.constant(x), target, o).value().toDoubleArray();
                assertTrue(Tensors.relativeError(actual, expected) < 1e-12, "ce value eps=" + eps + " " + reduction);
            }
        }
    }

    @Test
    void crossEntropyDefaultsAndIgnoreIndexThatIsAClass() {
        Random r = new Random(2);
        Tensor x = random(r, 4, 3);
        gradCheck("ce defaults", v -> Losses.crossEntropy(v, new int[] {0, 2, 1, 1}), x);
        // ignoring a real class index (1) works as in PyTorch
        CrossEntropyOptions o = CrossEntropyOptions.defaults().withIgnoreIndex(1).withLabelSmoothing(0.1);
        gradCheck("ce ignore=1", v -> Losses.crossEntropy(v, new int[] {0, 2, 1, 1}, o), x);
        double[] expected = referenceCrossEntropy(x.toDoubleArray(), 4, 3, new int[] {0, 2, 1, 1}, null, 1, 0.1, Reduction.MEAN);
        assertEquals(expected[0], Losses.crossEntropy(Var.constant(x), new int[] {0, 2, 1, 1}, o).value().item(), 1e-12);
    }

    @Test
    void crossEntropyNoneGivesZeroForIgnoredRowsAndNoGradient() {
        Tensor x = random(new Random(3), 3, 4);
        Var v = Var.parameter(x);
        Var out = Losses.crossEntropy(v, new int[] {1, -100, 3}, CrossEntropyOptions.defaults().withLabelSmoothing(0.3)
                .withReduction(Reduction.NONE));
        assertArrayEquals(new int[] {3}, out.shape());
        assertTrue(out.value().toDoubleArray()[1] == 0);
        F.sum(out).backward();
        double[] g = v.grad().toDoubleArray();
        for (int c = 0; c < 4; c++) {
            assertTrue(g[4 + c] == 0, "gradient of ignored row, column " + c);
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void nllWithWeightAndIgnore(Reduction reduction) {
        Random r = new Random(4);
        Tensor x = random(r, 5, 3);
        Tensor w = B.fromDoubles(new double[] {0.3, 2.0, 1.1}, D, 3);
        int[] target = {2, 0, -100, 1, 2};
        gradCheck("nll " + reduction, v -> Losses.nll(v, target, w, -100, reduction), x);
        gradCheck("nll(logSoftmax) " + reduction, v -> Losses.nll(F.logSoftmax(v), target, null, -100, reduction), x);
        // nll of log_softmax equals cross-entropy
        double[] ce = Losses.crossEntropy(Var.constant(x), target, CrossEntropyOptions.defaults().withWeight(w)
                .withReduction(reduction)).value().toDoubleArray();
        double[] nll = Losses.nll(F.logSoftmax(Var.constant(x)), target, w, -100, reduction).value().toDoubleArray();
        assertTrue(Tensors.relativeError(nll, ce) < 1e-14);
        double[] lp = x.toDoubleArray();
        double num = 0;
        double den = 0;
        for (int n = 0; n < 5; n++) {
            if (target[n] != -100) {
                num -= w.toDoubleArray()[target[n]] * lp[n * 3 + target[n]];
                den += w.toDoubleArray()[target[n]];
            }
        }
        if (reduction != Reduction.NONE) {
            double expected = reduction == Reduction.SUM ? num : num / den;
            assertEquals(expected, Losses.nll(Var.constant(x), target, w, -100, reduction).value().item(), 1e-12);
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void mseGradientsForInputAndTarget(Reduction reduction) {
        Random r = new Random(5);
        Tensor x = random(r, 3, 4);
        Tensor y = random(r, 3, 4);
        gradCheck("mse input " + reduction, v -> Losses.mse(v, Var.constant(y), reduction), x);
        gradCheck("mse target " + reduction, v -> Losses.mse(Var.constant(x), v, reduction), y);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void maskedMse(Reduction reduction) {
        Random r = new Random(6);
        Tensor x = random(r, 2, 3, 2);
        Tensor y = random(r, 2, 3, 2);
        double[] m = {1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
        Tensor mask = B.fromDoubles(m, D, 2, 3, 2);
        gradCheck("masked mse " + reduction, v -> Losses.mse(v, Var.constant(y), mask, reduction), x);
        double[] xs = x.toDoubleArray();
        double[] ys = y.toDoubleArray();
        double sum = 0;
        int valid = 0;
        for (int i = 0; i < xs.length; i++) {
            if (m[i] == 1) {
                sum += (xs[i] - ys[i]) * (xs[i] - ys[i]);
                valid++;
            }
        }
        Var v = Var.parameter(x);
        Var loss = Losses.mse(v, Var.constant(y), mask, reduction);
        if (reduction == Reduction.NONE) {
            assertArrayEquals(new int[] {2, 3, 2}, loss.shape());
            F.sum(loss).backward();
        } else {
            assertEquals(reduction == Reduction.SUM ? sum : sum / valid, loss.value().item(), 1e-12);
            loss.backward();
        }
        double[] g = v.grad().toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            if (m[i] == 0) {
                assertTrue(g[i] == 0, "gradient at padded element " + i + " is " + g[i]);
            }
        }
    }

    @Test
    void maskedMsePaddedValuesDoNotMatter() {
        Tensor x = B.fromDoubles(new double[] {1, 2, 1e6, -3e7}, D, 2, 2);
        Tensor y = B.fromDoubles(new double[] {0, 0, 5, 9}, D, 2, 2);
        Tensor mask = B.fromDoubles(new double[] {1, 1, 0, 0}, D, 2, 2);
        assertEquals(2.5, Losses.mse(Var.constant(x), Var.constant(y), mask, Reduction.MEAN).value().item(), 1e-15);
        // with an all-ones mask it equals the unmasked loss
        Tensor ones = B.full(1, D, 2, 2);
        double plain = Losses.mse(Var.constant(x), Var.constant(y)).value().item();
        assertEquals(plain, Losses.mse(Var.constant(x), Var.constant(y), ones, Reduction.MEAN).value().item(), 1e-14 * plain);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void bceWithLogitsGradientsAndValues(Reduction reduction) {
        Random r = new Random(7);
        Tensor x = random(r, 4, 3);
        double[] yv = new double[12];
        for (int i = 0; i < yv.length; i++) {
            yv[i] = i % 5 == 0 ? (i % 2) : r.nextDouble(); // some hard 0/1 targets
        }
        Tensor y = B.fromDoubles(yv, D, 4, 3);
        // central differences need room on both sides of each target: no hard 0/1 for the target's gradient
        Tensor yInside = B.fromDoubles(Arrays.stream(yv).map(t -> 0.1 + 0.8 * t).toArray(), D, 4, 3);
        Tensor pw = B.fromDoubles(new double[] {0.5, 2.0, 1.3}, D, 3);
        Tensor w = random(r, 4, 3);
        Tensor wRow = B.fromDoubles(new double[] {0.2, 1.0, 3.0}, D, 3);
        Tensor[][] variants = {{null, null}, {pw, null}, {null, w}, {pw, wRow}};
        for (Tensor[] v : variants) {
            String what = "bce pos_weight=" + (v[0] != null) + " weight=" + (v[1] == null ? "none" : Arrays.toString(v[1].shape()))
                    + " " + reduction;
            gradCheck(what + " d/input", in -> Losses.binaryCrossEntropyWithLogits(in, Var.constant(y), v[1], v[0], reduction), x);
            gradCheck(what + " d/target", t -> Losses.binaryCrossEntropyWithLogits(Var.constant(x), t, v[1], v[0], reduction),
                    yInside);
            // the textbook form -(p y log s + (1 - y) log(1 - s)), s = sigmoid(x), fine for these moderate logits
            double[] xs = x.toDoubleArray();
            double[] rows = new double[12];
            double sum = 0;
            for (int i = 0; i < 12; i++) {
                double sg = 1 / (1 + Math.exp(-xs[i]));
                double p = v[0] == null ? 1 : v[0].toDoubleArray()[i % 3];
                double wt = v[1] == null ? 1 : v[1].toDoubleArray()[v[1].size() == 3 ? i % 3 : i];
                rows[i] = -wt * (p * yv[i] * Math.log(sg) + (1 - yv[i]) * Math.log(1 - sg));
                sum += rows[i];
            }
            double[] expected = reduction == Reduction.NONE ? rows : new double[] {reduction == Reduction.SUM ? sum : sum / 12};
            double[] actual = Losses.binaryCrossEntropyWithLogits(Var.constant(x), Var.constant(y), v[1], v[0], reduction)
                    .value().toDoubleArray();
            assertTrue(Tensors.relativeError(actual, expected) < 1e-12, what + " value");
        }
    }

    @Test
    void bceWithLogitsIsStableForHugeLogits() {
        Tensor x = B.fromDoubles(new double[] {-1000, -40, 0, 40, 1000}, D, 5);
        Tensor y = B.fromDoubles(new double[] {1, 0.25, 0.5, 0.75, 0}, D, 5);
        Var in = Var.parameter(x);
        Var loss = Losses.binaryCrossEntropyWithLogits(in, Var.constant(y), null, null, Reduction.SUM);
        // per element: softplus(x) - x y; softplus(-1000) = 0 and softplus(1000) = 1000 in doubles
        double expected = (0 + 1000) + (Math.log1p(Math.exp(-40)) + 40 * 0.25) + Math.log(2) + (40 + Math.log1p(Math.exp(-40))
                - 40 * 0.75) + 1000;
        assertEquals(expected, loss.value().item(), 1e-12 * expected);
        loss.backward();
        // d/dx = sigmoid(x) - y, exactly representable at the extremes
        double[] g = in.grad().toDoubleArray();
        double[] want = {-1, 1 / (1 + Math.exp(40)) - 0.25, 0, 1 / (1 + Math.exp(-40)) - 0.75, 1};
        for (int i = 0; i < 5; i++) {
            assertEquals(want[i], g[i], 1e-15, "gradient " + i);
        }
    }

    @Test
    void logSigmoidGradientAtZero() {
        Var a = Var.parameter(B.fromDoubles(new double[] {0, -3, 2}, D, 3));
        F.sum(F.logSigmoid(a)).backward();
        double[] g = a.grad().toDoubleArray();
        assertEquals(0.5, g[0], 1e-16);
        assertEquals(1 / (1 + Math.exp(-3)), g[1], 1e-16);
        assertEquals(1 / (1 + Math.exp(2)), g[2], 1e-16);
        gradCheck("logSigmoid", F::logSigmoid, random(new Random(8), 3, 4));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void huberGradientsAndValues(Reduction reduction) {
        Random r = new Random(9);
        Tensor x = random(r, 5, 4);
        Tensor y = B.fromDoubles(Arrays.stream(random(r, 5, 4).toDoubleArray()).map(v -> 2 * v).toArray(), D, 5, 4);
        for (double delta : new double[] {0.3, 1.0, 2.5}) {
            gradCheck("huber delta=" + delta + " d/input " + reduction, in -> Losses.huber(in, Var.constant(y), delta, reduction), x);
            gradCheck("huber delta=" + delta + " d/target " + reduction, t -> Losses.huber(Var.constant(x), t, delta, reduction), y);
            double[] xs = x.toDoubleArray();
            double[] ys = y.toDoubleArray();
            double[] rows = new double[xs.length];
            double sum = 0;
            for (int i = 0; i < xs.length; i++) {
                double d = Math.abs(xs[i] - ys[i]);
                rows[i] = d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
                sum += rows[i];
            }
            double[] expected = reduction == Reduction.NONE ? rows
                    : new double[] {reduction == Reduction.SUM ? sum : sum / xs.length};
            double[] actual = Losses.huber(Var.constant(x), Var.constant(y), delta, reduction).value().toDoubleArray();
            assertTrue(Tensors.relativeError(actual, expected) < 1e-12, "huber value delta=" + delta + " " + reduction);
        }
        // defaults: delta 1, mean; gradient +-delta beyond it, d inside
        Var in = Var.parameter(B.fromDoubles(new double[] {3, -0.5, 0}, D, 3));
        Losses.huber(in, Var.constant(B.zeros(D, 3))).backward();
        assertArrayEquals(new double[] {1.0 / 3, -0.5 / 3, 0}, in.grad().toDoubleArray(), 1e-16);
    }

    /** PyTorch 1.13's cross_entropy with label smoothing, written directly from its definition. */
    static double[] referenceCrossEntropy(double[] x, int n, int c, int[] t, double[] w, int ignore, double eps, Reduction red) {
        double[] rows = new double[n];
        double nllSum = 0;
        double smoothSum = 0;
        double wSum = 0;
        double[] nll = new double[n];
        double[] smooth = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, x[i * c + j]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                s += Math.exp(x[i * c + j] - max);
            }
            double lse = max + Math.log(s);
            if (t[i] == ignore) {
                continue;
            }
            double wt = w == null ? 1 : w[t[i]];
            nll[i] = -wt * (x[i * c + t[i]] - lse);
            double sm = 0;
            for (int j = 0; j < c; j++) {
                sm -= (w == null ? 1 : w[j]) * (x[i * c + j] - lse);
            }
            smooth[i] = sm;
            nllSum += nll[i];
            smoothSum += sm;
            wSum += wt;
        }
        switch (red) {
            case NONE:
                for (int i = 0; i < n; i++) {
                    rows[i] = (1 - eps) * nll[i] + eps / c * smooth[i];
                }
                return rows;
            case SUM:
                return new double[] {(1 - eps) * nllSum + eps / c * smoothSum};
            default:
                return new double[] {(1 - eps) * nllSum / wSum + eps / c * smoothSum / wSum};
        }
    }
}
