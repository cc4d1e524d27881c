package org.rnn4j.metrics;

import org.rnn4j.tensor.Tensor;

/**
 * The fraction of rows whose target class is among the {@code k} highest scores. Ties are broken by class
 * index (lower first), so top-1 accuracy equals {@link Accuracy} with argmax predictions: a target counts
 * when fewer than {@code k} classes score higher than it or equal with a lower index.
 */
public final class TopKAccuracy implements Metric {
    private final int k;
    private long hits;
    private long count;

    /**
     * @param k how many of the best classes count as a hit, {@code >= 1}
     */
    public TopKAccuracy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("TopKAccuracy: k = " + k + ", expected >= 1");
        }
        this.k = k;
    }

    /**
     * Adds a batch.
     *
     * @param scores class scores {@code [N, C]}, no NaN; copied to the host, not modified
     * @param target N class indices in {@code [0, C)}
     */
    public void update(Tensor scores, int[] target) {
        double[] a = Scores.rows("TopKAccuracy.update", scores, target);
        int c = scores.shape()[1];
        for (int i = 0; i < target.length; i++) {
            Scores.checkClass("TopKAccuracy.update", target, i, c, false);
        }
        for (int i = 0; i < target.length; i++) {
            count++;
            hits += Scores.rank(a, i, c, target[i]) < k ? 1 : 0;
        }
    }

    /** {@code k}. */
    public int k() {
        return k;
    }

    @Override
    public String name() {
        return "top" + k + "_accuracy";
    }

    @Override
    public double compute() {
        if (count == 0) {
            throw new IllegalStateException("TopKAccuracy: no rows accumulated");
        }
        return (double) hits / count;
    }

    @Override
    public void reset() {
        hits = 0;
        count = 0;
    }
}
