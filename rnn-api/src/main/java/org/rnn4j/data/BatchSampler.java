package org.rnn4j.data;

import java.util.List;
import java.util.OptionalLong;

/**
 * Decides which examples form each batch of an epoch, as PyTorch's {@code BatchSampler}: epoch
 * {@code e}'s batches are a pure function of {@code e} and the sampler's settings (its seed among
 * them), so that any epoch can be recomputed, in another JVM too, and a {@link DataLoader} restored from
 * its {@link DataLoader#state() state} continues with exactly the batches it would have produced.
 *
 * <p>The built-in samplers cover sequential order, seeded shuffling and length bucketing; they draw
 * from their own SplitMix64 stream, not {@link java.util.Random}, so orders do not change with the JDK.
 * Implementations must be immutable and safe to call from several threads.
 */
public interface BatchSampler {

    /** Number of examples of the dataset the indices refer to. */
    int datasetSize();

    /** Number of batches in every epoch, {@code >= 1}. */
    int batchCount();

    /**
     * The batches of epoch {@code epoch} ({@code >= 0}): {@link #batchCount()} non-empty arrays of
     * indices in {@code [0, datasetSize())}. Returns new arrays on each call; the result depends only
     * on {@code epoch} and this sampler's settings.
     */
    List<int[]> batches(long epoch);

    /** The seed the order is drawn with, or empty for a sampler that does not shuffle. */
    default OptionalLong seed() {
        return OptionalLong.empty();
    }

    /**
     * Indices {@code 0..size-1} in order, cut into batches of {@code batchSize}; the last batch is
     * smaller when {@code batchSize} does not divide {@code size}, or dropped with {@code dropLast}.
     *
     * @throws IllegalArgumentException when {@code size < 1}, {@code batchSize < 1}, or no batch remains
     *     ({@code dropLast} with {@code size < batchSize})
     */
    static BatchSampler sequential(int size, int batchSize, boolean dropLast) {
        return new Samplers.Plain(size, batchSize, dropLast, false, 0);
    }

    /**
     * A random permutation of {@code 0..size-1} per epoch, drawn from {@code seed} and the epoch number
     * only, cut into batches of {@code batchSize}; with {@code dropLast} the examples that fall in the
     * final partial batch (different ones each epoch) are left out of that epoch.
     *
     * @throws IllegalArgumentException as {@link #sequential}
     */
    static BatchSampler shuffled(int size, int batchSize, boolean dropLast, long seed) {
        return new Samplers.Plain(size, batchSize, dropLast, true, seed);
    }

    /**
     * Length bucketing with a random order, as torchtext's {@code BucketIterator}: per epoch the indices
     * are shuffled (from {@code seed} and the epoch), cut into pools of {@code poolBatches * batchSize}
     * consecutive indices, each pool is sorted by length (stably) and cut into batches, and the list of
     * all batches is shuffled. Batches thus hold examples of similar length (little padding) while the
     * epochs stay random. Only the last pool can give a partial batch; {@code dropLast} drops it.
     *
     * @param lengths the length of every example ({@code lengths.length} is the dataset size); copied
     * @throws IllegalArgumentException for a negative length, {@code poolBatches < 1} or as
     *     {@link #sequential}
     */
    static BatchSampler bucketed(int[] lengths, int batchSize, int poolBatches, boolean dropLast, long seed) {
        return new Samplers.Bucketed(lengths, batchSize, poolBatches, dropLast, true, seed);
    }

    /**
     * Every example sorted by length (ties in index order), cut into batches of {@code batchSize}, the
     * same order every epoch: the least padding, for evaluation where order does not matter.
     *
     * @param lengths the length of every example; copied
     * @throws IllegalArgumentException as {@link #bucketed}
     */
    static BatchSampler sortedByLength(int[] lengths, int batchSize, boolean dropLast) {
        return new Samplers.Bucketed(lengths, batchSize, Integer.MAX_VALUE, dropLast, false, 0);
    }
}
