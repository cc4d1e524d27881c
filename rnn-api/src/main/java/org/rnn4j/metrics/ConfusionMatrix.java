package org.rnn4j.metrics;

import java.util.OptionalInt;
import org.rnn4j.tensor.Tensor;

/**
 * Counts of (target class, predicted class) pairs over batches, and the classification metrics derived
 * from them with scikit-learn's definitions: per class {@code c}, precision = TP / (TP + FP), recall =
 * TP / (TP + FN), F1 = 2 P R / (P + R), each 0 where its denominator is 0 (sklearn's
 * {@code zero_division=0}); macro averages are plain means over all classes, weighted averages weigh each
 * class by its support (its number of targets). Rows are targets and columns predictions, as sklearn's
 * {@code confusion_matrix}.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final OptionalInt ignoreIndex;
    private final long[][] counts;

    /**
     * @param numClasses the number of classes C, {@code >= 1}
     */
    public ConfusionMatrix(int numClasses) {
        this(numClasses, OptionalInt.empty());
    }

    private ConfusionMatrix(int numClasses, OptionalInt ignoreIndex) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("ConfusionMatrix: numClasses = " + numClasses + ", expected >= 1");
        }
        this.classes = numClasses;
        this.ignoreIndex = ignoreIndex;
        this.counts = new long[numClasses][numClasses];
    }

    /** A matrix that skips pairs whose target is {@code ignoreIndex} (e.g. -100 for padding). */
    public static ConfusionMatrix ignoring(int numClasses, int ignoreIndex) {
        return new ConfusionMatrix(numClasses, OptionalInt.of(ignoreIndex));
    }

    private boolean ignored(int t) {
        return ignoreIndex.isPresent() && t == ignoreIndex.getAsInt();
    }

    /**
     * Adds predicted classes; every index is checked before any is counted.
     *
     * @param predicted N class indices in {@code [0, C)}
     * @param target N class indices in {@code [0, C)} (or the ignore index); neither array is modified
     */
    public void update(int[] predicted, int[] target) {
        if (predicted == null) {
            throw new IllegalArgumentException("ConfusionMatrix.update: predicted is null");
        }
        Scores.checkTarget("ConfusionMatrix.update", target, predicted.length);
        for (int i = 0; i < predicted.length; i++) {
            if (ignored(target[i])) {
                continue;
            }
            Scores.checkClass("ConfusionMatrix.update", target, i, classes, false);
            if (predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("ConfusionMatrix.update: predicted[" + i + "] = " + predicted[i]
                        + " is outside [0, " + classes + ")");
            }
        }
        for (int i = 0; i < predicted.length; i++) {
            if (!ignored(target[i])) {
                counts[target[i]][predicted[i]]++;
            }
        }
    }

    /**
     * Adds predictions given as class scores: the predicted class of a row is its largest score (the first
     * on ties).
     *
     * @param scores {@code [N, C]} with C the matrix's classes, no NaN; copied to the host, not modified
     * @param target N class indices (or the ignore index)
     */
    public void update(Tensor scores, int[] target) {
        double[] a = Scores.rows("ConfusionMatrix.update", scores, target);
        int c = scores.shape()[1];
        if (c != classes) {
            throw new IllegalArgumentException("ConfusionMatrix.update: scores has " + c + " columns but the matrix has "
                    + classes + " classes");
        }
        int[] predicted = new int[target.length];
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = Scores.argmax(a, i, c);
        }
        update(predicted, target);
    }

    /** The number of classes. */
    public int numClasses() {
        return classes;
    }

    /** How often target {@code target} was predicted as {@code predicted}. */
    public long count(int target, int predicted) {
        return counts[target][predicted];
    }

    /** A copy of the counts, {@code [target][predicted]}. */
    public long[][] counts() {
        long[][] out = new long[classes][];
        for (int i = 0; i < classes; i++) {
            out[i] = counts[i].clone();
        }
        return out;
    }

    /** All pairs counted. */
    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /** Targets of class {@code c} (its support). */
    public long support(int c) {
        long n = 0;
        for (long v : counts[c]) {
            n += v;
        }
        return n;
    }

    /** Predictions of class {@code c}. */
    public long predicted(int c) {
        long n = 0;
        for (long[] row : counts) {
            n += row[c];
        }
        return n;
    }

    private void nonEmpty(String what) {
        if (total() == 0) {
            throw new IllegalStateException("ConfusionMatrix." + what + ": nothing accumulated yet");
        }
    }

    /** The fraction of correct predictions (micro-averaged precision, recall and F1 all equal it). */
    public double accuracy() {
        nonEmpty("accuracy");
        long diag = 0;
        for (int c = 0; c < classes; c++) {
            diag += counts[c][c];
        }
        return (double) diag / total();
    }

    /** TP / (TP + FP) of class {@code c}; 0 when the class was never predicted. */
    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c][c] / p;
    }

    /** TP / (TP + FN) of class {@code c}; 0 when the class never occurs as a target. */
    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c][c] / s;
    }

    /** The harmonic mean 2 P R / (P + R) of class {@code c}; 0 when P + R = 0. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    private interface PerClass {
        double of(int c);
    }

    private double macro(String what, PerClass f) {
        nonEmpty(what);
        double s = 0;
        for (int c = 0; c < classes; c++) {
            s += f.of(c);
        }
        return s / classes;
    }

    private double weighted(String what, PerClass f) {
        nonEmpty(what);
        double s = 0;
        for (int c = 0; c < classes; c++) {
            s += support(c) * f.of(c);
        }
        return s / total();
    }

    /** Mean of the per-class precisions. */
    public double macroPrecision() {
        return macro("macroPrecision", this::precision);
    }

    /** Mean of the per-class recalls. */
    public double macroRecall() {
        return macro("macroRecall", this::recall);
    }

    /** Mean of the per-class F1 scores (not the F1 of the macro precision and recall, as sklearn). */
    public double macroF1() {
        return macro("macroF1", this::f1);
    }

    /** Support-weighted mean of the per-class precisions. */
    public double weightedPrecision() {
        return weighted("weightedPrecision", this::precision);
    }

    /** Support-weighted mean of the per-class recalls (equals {@link #accuracy()}). */
    public double weightedRecall() {
        return weighted("weightedRecall", this::recall);
    }

    /** Support-weighted mean of the per-class F1 scores. */
    public double weightedF1() {
        return weighted("weightedF1", this::f1);
    }

    /** Forgets every count. */
    public void reset() {
        for (long[] row : counts) {
            java.util.Arrays.fill(row, 0);
        }
    }

    /** The matrix as text: one row per target class. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ConfusionMatrix(" + classes + " classes, rows = targets, columns = predictions)");
        for (long[] row : counts) {
            sb.append('\n').append(java.util.Arrays.toString(row));
        }
        return sb.toString();
    }
}
