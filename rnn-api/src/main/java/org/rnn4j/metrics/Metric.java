package org.rnn4j.metrics;

/**
 * A streaming metric with one value: updated batch by batch with type-specific {@code update} methods,
 * read with {@link #compute()}, cleared with {@link #reset()}.
 */
public interface Metric {

    /** A short lower-case name for logs and CSV columns, e.g. {@code accuracy} or {@code top5_accuracy}. */
    String name();

    /**
     * The metric over everything accumulated since creation or the last {@link #reset()}.
     *
     * @throws IllegalStateException when nothing has been accumulated (the value would be 0/0)
     */
    double compute();

    /** Forgets everything accumulated. */
    void reset();
}
