package org.rnn4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

/** Accuracy, top-k, the confusion matrix and perplexity against direct computations from their definitions. */
class ClassificationMetricsTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    private static void fails(Class<? extends Throwable> type, Executable e, String... fragments) {
        Throwable ex = assertThrows(type, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    /** Integer-valued scores (many ties) of shape [n, c]. */
    private static double[] scores(Random r, int n, int c) {
        double[] a = new double[n * c];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(4);
        }
        return a;
    }

    @Test
    void accuracyOverBatchesWithIgnoreIndexAndArgmaxTies() {
        Accuracy acc = Accuracy.ignoring(-100);
        acc.update(new int[] {1, 2, 3, 0}, new int[] {1, 0, 3, -100});
        // scores: row 0 ties between classes 0 and 2 -> argmax 0 (first); row 1 -> 2
        Tensor s = B.fromDoubles(new double[] {5, 1, 5, 0, 1, 9}, DType.FLOAT32, 2, 3);
        acc.update(s, new int[] {0, 1});
        assertEquals(3, acc.correct());
        assertEquals(5, acc.count());
        assertEquals(0.6, acc.compute(), 1e-15);
        acc.reset();
        fails(IllegalStateException.class, acc::compute, "no predictions");
        fails(IllegalArgumentException.class, () -> acc.update(new int[] {1}, new int[] {1, 2}), "target has 2 entries");
        fails(IllegalArgumentException.class, () -> acc.update(s, new int[] {0, 3}), "target[1] = 3", "[0, 3)");
        fails(IllegalArgumentException.class, () -> acc.update(B.zeros(DType.FLOAT32, 2, 3, 1), new int[] {0, 1}), "[N, C]");
        fails(IllegalArgumentException.class, () -> acc.update(B.fromDoubles(new double[] {0, Double.NaN}, DType.FLOAT64, 1, 2),
                new int[] {0}), "scores[0, 1] is NaN");
    }

    @Test
    void topKMatchesASortedRanking() {
        Random r = new Random(11);
        int n = 40;
        int c = 6;
        double[] a = scores(r, n, c);
        int[] target = r.ints(n, 0, c).toArray();
        Tensor s = B.fromDoubles(a, DType.FLOAT64, n, c);
        for (int k = 1; k <= c; k++) {
            TopKAccuracy top = new TopKAccuracy(k);
            top.update(B.fromDoubles(Arrays.copyOfRange(a, 0, 10 * c), DType.FLOAT64, 10, c), Arrays.copyOfRange(target, 0, 10));
            top.update(B.fromDoubles(Arrays.copyOfRange(a, 10 * c, n * c), DType.FLOAT64, n - 10, c), Arrays.copyOfRange(target, 10, n));
            int hits = 0;
            for (int i = 0; i < n; i++) {
                int row = i;
                // the k best classes: by score descending, then by index ascending
                Integer[] order = IntStream.range(0, c).boxed().sorted(Comparator.comparingDouble((Integer j) -> -a[row * c + j])
                        .thenComparingInt(j -> j)).toArray(Integer[]::new);
                for (int j = 0; j < k; j++) {
                    hits += order[j] == target[i] ? 1 : 0;
                }
            }
            assertEquals((double) hits / n, top.compute(), 1e-15, "top-" + k);
            assertEquals("top" + k + "_accuracy", top.name());
        }
        TopKAccuracy top1 = new TopKAccuracy(1);
        top1.update(s, target);
        Accuracy acc = new Accuracy();
        acc.update(s, target);
        assertEquals(acc.compute(), top1.compute(), 0);
        TopKAccuracy all = new TopKAccuracy(c);
        all.update(s, target);
        assertEquals(1.0, all.compute(), 0);
        fails(IllegalArgumentException.class, () -> new TopKAccuracy(0), "k = 0");
    }

    @Test
    void confusionMatrixMetricsFromTheirDefinitions() {
        Random r = new Random(12);
        int c = 4;
        int n = 200;
        int[] target = r.ints(n, 0, c).toArray();
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            pred[i] = r.nextDouble() < 0.6 ? target[i] : r.nextInt(c - 1); // class 3 is never predicted wrongly
        }
        ConfusionMatrix cm = new ConfusionMatrix(c);
        cm.update(Arrays.copyOfRange(pred, 0, 77), Arrays.copyOfRange(target, 0, 77));
        cm.update(Arrays.copyOfRange(pred, 77, n), Arrays.copyOfRange(target, 77, n));
        double[] p = new double[c];
        double[] rec = new double[c];
        double[] f = new double[c];
        int[] support = new int[c];
        double correct = 0;
        for (int k = 0; k < c; k++) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < n; i++) {
                tp += pred[i] == k && target[i] == k ? 1 : 0;
                fp += pred[i] == k && target[i] != k ? 1 : 0;
                fn += pred[i] != k && target[i] == k ? 1 : 0;
                support[k] += target[i] == k ? 1 : 0;
            }
            correct += tp;
            p[k] = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
            rec[k] = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
            f[k] = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
            assertEquals(p[k], cm.precision(k), 1e-15, "precision " + k);
            assertEquals(rec[k], cm.recall(k), 1e-15, "recall " + k);
            assertEquals(f[k], cm.f1(k), 1e-15, "f1 " + k);
            assertEquals(support[k], cm.support(k));
        }
        assertEquals(correct / n, cm.accuracy(), 1e-15);
        assertEquals(Arrays.stream(p).sum() / c, cm.macroPrecision(), 1e-15);
        assertEquals(Arrays.stream(rec).sum() / c, cm.macroRecall(), 1e-15);
        assertEquals(Arrays.stream(f).sum() / c, cm.macroF1(), 1e-15);
        double wp = 0;
        double wf = 0;
        for (int k = 0; k < c; k++) {
            wp += support[k] * p[k] / n;
            wf += support[k] * f[k] / n;
        }
        assertEquals(wp, cm.weightedPrecision(), 1e-15);
        assertEquals(wf, cm.weightedF1(), 1e-15);
        assertEquals(cm.accuracy(), cm.weightedRecall(), 1e-15);
        assertEquals(n, cm.total());
    }

    @Test
    void confusionMatrixSmallCaseByHand() {
        // targets 0 1 2 0 1 2, predictions 0 2 1 0 0 1: class 0 has TP 2, FP 1, FN 0; classes 1 and 2 have TP 0
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(new int[] {0, 2, 1, 0, 0, 1}, new int[] {0, 1, 2, 0, 1, 2});
        assertArrayEquals(new long[] {2, 0, 0}, cm.counts()[0]);
        assertArrayEquals(new long[] {1, 0, 1}, cm.counts()[1]);
        assertArrayEquals(new long[] {0, 2, 0}, cm.counts()[2]);
        assertEquals(2.0 / 9, cm.macroPrecision(), 1e-15);
        assertEquals(1.0 / 3, cm.macroRecall(), 1e-15);
        assertEquals(0.8 / 3, cm.macroF1(), 1e-15);
        assertEquals(0.8 / 3, cm.weightedF1(), 1e-15);
        // ignored targets and scores input
        ConfusionMatrix ig = ConfusionMatrix.ignoring(2, -1);
        ig.update(B.fromDoubles(new double[] {0.1, 0.9, 0.8, 0.2, 0.5, 0.5}, DType.FLOAT64, 3, 2), new int[] {1, -1, 1});
        assertEquals(2, ig.total());
        assertEquals(1, ig.count(1, 1));
        assertEquals(1, ig.count(1, 0));
        fails(IllegalArgumentException.class, () -> cm.update(new int[] {3}, new int[] {0}), "predicted[0] = 3", "[0, 3)");
        fails(IllegalArgumentException.class, () -> cm.update(new int[] {0, 0}, new int[] {0, 5}), "target[1] = 5");
        assertEquals(6, cm.total()); // the bad batches changed nothing
        fails(IllegalStateException.class, () -> new ConfusionMatrix(2).accuracy(), "nothing accumulated");
        fails(IllegalArgumentException.class, () -> new ConfusionMatrix(0), "numClasses = 0");
    }

    @Test
    void perplexityOfUniformPredictionsIsTheVocabularySize() {
        int v = 7;
        Var logits = Var.constant(B.zeros(DType.FLOAT64, 5, v));
        double meanNll = Losses.crossEntropy(logits, new int[] {0, 3, 6, 2, 1}).value().item();
        assertEquals(v, Perplexity.of(meanNll), 1e-12);
        // batches combine by their token counts: exp((2 * 1.0 + 6 * 2.0) / 8)
        Perplexity p = new Perplexity();
        p.update(1.0, 2);
        p.update(2.0, 6);
        assertEquals(Math.exp(14.0 / 8), p.compute(), 1e-12);
        assertEquals(8, p.tokens());
        fails(IllegalArgumentException.class, () -> p.update(-0.1, 3), "meanNll = -0.1");
        fails(IllegalArgumentException.class, () -> p.update(1, 0), "tokens = 0");
        p.reset();
        fails(IllegalStateException.class, p::compute, "no tokens");
    }

    @Test
    void regressionMetrics() {
        RegressionMetrics m = new RegressionMetrics();
        m.update(new double[] {1, 2}, new double[] {2, 2});
        m.update(B.fromDoubles(new double[] {0, 9}, DType.FLOAT64, 2, 1), B.fromDoubles(new double[] {-2, 10}, DType.FLOAT64, 2, 1));
        // errors 1, 0, 2, 1
        assertEquals(Math.sqrt(6.0 / 4), m.rmse(), 1e-15);
        assertEquals(1.0, m.mae(), 1e-15);
        assertEquals((0.5 + 0 + 1 + 0.1) / 4, m.mape(), 1e-15);
        RegressionMetrics zero = new RegressionMetrics();
        zero.update(new double[] {1e-10}, new double[] {0});
        assertEquals(1e-10 / Math.ulp(1.0), zero.mape(), 1e-3);
        fails(IllegalArgumentException.class, () -> m.update(new double[] {1}, new double[] {1, 2}), "predicted has 1 values");
        fails(IllegalArgumentException.class, () -> m.update(new double[] {1}, new double[] {Double.NaN}), "pair 0");
        assertEquals(4, m.count());
    }
}
