package org.rnn4j.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one partition (or, once summed, a group of partitions) sends back: for one step, the sum of the
 * weighted gradients (null when it had no example), the weighted loss sum, the total weight (examples,
 * or whatever the loss's mean runs over), and the longest compute and weight-fetch times among the
 * partitions it covers; for a round of several steps (barrier and parameter-averaging modes), the
 * weighted model and optimizer state, the per-step loss sums and weights, and the optimizer's layout
 * and step counters.
 */
public final class Contribution implements Serializable {
    private static final long serialVersionUID = 1L;
    Flat sum;
    double lossSum;
    double weight;
    long computeNanos;
    long fetchNanos;
    /** Rounds: the partition that produced this result. */
    int partition = -1;
    /** Rounds: per step, the loss sum and the weight (summed over partitions); null for one step. */
    double[] stepLoss;
    double[] stepWeight;
    /** Rounds: the optimizer state's layout and step counters (the largest of the replicas'). */
    ParamLayout stateLayout;
    String[] counterKeys;
    long[] counters;

    Contribution(Flat sum, double lossSum, double weight, long computeNanos, long fetchNanos) {
        this.sum = sum;
        this.lossSum = lossSum;
        this.weight = weight;
        this.computeNanos = computeNanos;
        this.fetchNanos = fetchNanos;
    }

    /** A partition that had nothing to contribute. */
    static Contribution empty(long fetchNanos) {
        return new Contribution(null, 0, 0, 0, fetchNanos);
    }

    /** The gradient sum (null when no example contributed). */
    public Flat sum() {
        return sum;
    }

    /** The sum of the partitions' loss times weight. */
    public double lossSum() {
        return lossSum;
    }

    /** The total weight. */
    public double weight() {
        return weight;
    }

    /** The longest time a partition spent computing (forward and backward, and updates in rounds), in nanoseconds. */
    public long computeNanos() {
        return computeNanos;
    }

    /** The longest time a partition spent getting the weights (broadcast fetch and load), in nanoseconds. */
    public long fetchNanos() {
        return fetchNanos;
    }

    /** {@code this + right}, computed into this (consumed); {@code right} is left as it was. */
    Contribution plus(Contribution right) {
        if (sum == null) {
            sum = right.sum == null ? null : right.sum.copy();
        } else if (right.sum != null) {
            sum.addInPlace(right.sum);
        }
        lossSum += right.lossSum;
        weight += right.weight;
        computeNanos = Math.max(computeNanos, right.computeNanos);
        fetchNanos = Math.max(fetchNanos, right.fetchNanos);
        stepLoss = addArrays(stepLoss, right.stepLoss);
        stepWeight = addArrays(stepWeight, right.stepWeight);
        if (stateLayout == null) {
            stateLayout = right.stateLayout;
        } else if (right.stateLayout != null && !stateLayout.names().equals(right.stateLayout.names())) {
            throw new IllegalStateException("rnn-spark: replicas hold optimizer state under different names: " + stateLayout.names()
                    + " and " + right.stateLayout.names());
        }
        if (counters == null) {
            counters = right.counters == null ? null : right.counters.clone();
            counterKeys = right.counterKeys;
        } else if (right.counters != null) {
            if (!Arrays.equals(counterKeys, right.counterKeys)) {
                throw new IllegalStateException("rnn-spark: replicas count optimizer steps under different names: "
                        + Arrays.toString(counterKeys) + " and " + Arrays.toString(right.counterKeys));
            }
            for (int i = 0; i < counters.length; i++) {
                counters[i] = Math.max(counters[i], right.counters[i]);
            }
        }
        return this;
    }

    private static double[] addArrays(double[] a, double[] b) {
        if (a == null) {
            return b == null ? null : b.clone();
        }
        if (b != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
        return a;
    }
}
