package org.rnn4j.spark;

import java.io.Serializable;

/**
 * What the driver broadcasts for a round of local steps (barrier and parameter-averaging modes): the
 * weights and optimizer state to start from, and for each step its global batch, learning rate and
 * momentum (NaN when the optimizer has none).
 */
final class RoundPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    final Flat weights;
    final ParamLayout stateLayout;
    final Flat state;
    final String[] counterKeys;
    final long[] counters;
    final int[][] batches;
    final long firstBatch;
    final double[] lrs;
    final double[] momenta;

    RoundPlan(Flat weights, ParamLayout stateLayout, Flat state, String[] counterKeys, long[] counters, int[][] batches, long firstBatch,
            double[] lrs, double[] momenta) {
        this.weights = weights;
        this.stateLayout = stateLayout;
        this.state = state;
        this.counterKeys = counterKeys;
        this.counters = counters;
        this.batches = batches;
        this.firstBatch = firstBatch;
        this.lrs = lrs;
        this.momenta = momenta;
    }
}
