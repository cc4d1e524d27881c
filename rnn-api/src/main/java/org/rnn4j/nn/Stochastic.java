package org.rnn4j.nn;

/**
 * A module that draws random numbers while training (dropout). Its draws are a pure function of a
 * stream seed and a draw counter, so saving and restoring both ({@code Fit}'s checkpoints do) makes a
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

    /** The seed of the stream the masks are drawn from. */
    long streamSeed();

    /** Sets the stream seed (to resume a run whose module was seeded differently). */
    void setStreamSeed(long seed);
}
