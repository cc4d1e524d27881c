package org.rnn4j.loss;

/**
 * How a loss combines its per-element (or per-row) values, as PyTorch's {@code reduction} argument.
 */
public enum Reduction {
    /** The (weighted) average: a rank-0 result. See each loss for the exact divisor. */
    MEAN,
    /** The sum: a rank-0 result. */
    SUM,
    /** No reduction: one value per row (cross-entropy, nll) or per element (mse). */
    NONE
}
