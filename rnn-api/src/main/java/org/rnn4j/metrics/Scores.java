package org.rnn4j.metrics;

import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/** Checks and host copies of class scores and targets shared by the classification metrics. */
final class Scores {
    private Scores() {
    }

    /** The rows of {@code scores [N, C]} as one row-major array, after checking it against {@code target}. */
    static double[] rows(String op, Tensor scores, int[] target) {
        if (scores == null) {
            throw new IllegalArgumentException(op + ": scores is null; expected a tensor [N, C] of class scores");
        }
        int[] s = scores.shape();
        if (s.length != 2 || s[1] < 1) {
            throw new IllegalArgumentException(op + ": scores has shape " + Shapes.str(s)
                    + ", expected [N, C] with C >= 1 (reshape [B, T, C] to [B*T, C] and flatten the targets)");
        }
        checkTarget(op, target, s[0]);
        double[] a = scores.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i])) {
                throw new IllegalArgumentException(op + ": scores[" + (i / s[1]) + ", " + (i % s[1]) + "] is NaN");
            }
        }
        return a;
    }

    static void checkTarget(String op, int[] target, int n) {
        if (target == null) {
            throw new IllegalArgumentException(op + ": target is null; expected " + n + " class indices");
        }
        if (target.length != n) {
            throw new IllegalArgumentException(op + ": target has " + target.length + " entries but there are " + n
                    + " predictions; expected one class index per prediction");
        }
    }

    /** Index of the largest score of row {@code r} (the first on ties, as argmax). */
    static int argmax(double[] a, int r, int c) {
        int best = 0;
        for (int j = 1; j < c; j++) {
            if (a[r * c + j] > a[r * c + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Rank of class {@code t} in row {@code r} (0 = best): higher scores, and equal scores of lower index, come first. */
    static int rank(double[] a, int r, int c, int t) {
        double st = a[r * c + t];
        int rank = 0;
        for (int j = 0; j < c; j++) {
            double sj = a[r * c + j];
            if (sj > st || (sj == st && j < t)) {
                rank++;
            }
        }
        return rank;
    }

    static void checkClass(String op, int[] target, int i, int c, boolean ignored) {
        if (!ignored && (target[i] < 0 || target[i] >= c)) {
            throw new IllegalArgumentException(op + ": target[" + i + "] = " + target[i] + " is outside [0, " + c + ") for C = "
                    + c + " classes");
        }
    }
}
