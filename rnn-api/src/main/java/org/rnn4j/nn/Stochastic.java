package org.rnn4j.nn;

/**
 * A module that draws random numbers while training (dropout). Its draws are a pure function of its
 * seed and a draw counter, so saving and restoring the counter ({@code fit}'s checkpoints do) makes a
 * resumed run draw exactly what an uninterrupted one would.
 */
public interface Stochastic {
    /** How many random masks this module has drawn so far. */
    long drawCount();

    /**
     * Sets the draw counter (to resume).
     *
     * @throws IllegalArgumentException when {@code count < 0}
     */
    void setDrawCount(long count);
}
