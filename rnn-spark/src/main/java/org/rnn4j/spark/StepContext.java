package org.rnn4j.spark;

import java.util.SplittableRandom;

/**
 * Where a loss computation runs: the global batch number (optimizer step, counted from 0 over the whole
 * run, resumed runs included), the partition, and a random stream that is a pure function of the run's
 * seed, the batch number and the partition, so that a task retried by Spark, on any executor, draws
 * exactly what the failed attempt drew.
 *
 * @param batch     the global batch number, from 0
 * @param partition the partition index
 * @param seed      the run's seed
 */
public record StepContext(long batch, int partition, long seed) {

    /** A new random stream seeded by (seed, batch, partition); each call returns a stream starting afresh. */
    public SplittableRandom random() {
        return new SplittableRandom(streamSeed(seed, batch, partition));
    }

    /** The seed of the stream of (seed, batch, partition): a 64-bit mix of the three. */
    public static long streamSeed(long seed, long batch, int partition) {
        return mix(mix(seed ^ 0x9E3779B97F4A7C15L) + batch * 0xBF58476D1CE4E5B9L + partition);
    }

    /**
     * The draw counter that {@code Stochastic} modules (dropout) are set to before the loss of
     * (batch, partition) is computed: a block of 2^16 draws at a position hashed from the pair.
     */
    public long drawBase() {
        return (mix(streamSeed(seed, batch, partition) + 1) >>> 17) << 16;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
