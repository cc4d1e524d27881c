package org.rnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/** The built-in {@link BatchSampler}s. */
final class Samplers {
    private Samplers() {
    }

    /** Checks the common settings; returns the number of batches per epoch. */
    static int countBatches(int size, int batchSize, boolean dropLast) {
        if (size < 1) {
            throw new IllegalArgumentException("dataset size = " + size + ", expected >= 1: a loader needs at least one example");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + ", expected >= 1");
        }
        if (dropLast && size < batchSize) {
            throw new IllegalArgumentException("dropLast with batchSize = " + batchSize + " leaves no batch of a dataset of " + size
                    + " examples; use a batchSize <= " + size + " or dropLast = false");
        }
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    static void checkEpoch(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch = " + epoch + ", expected >= 0");
        }
    }

    /** Cuts {@code order[from, to)} into batches of {@code batchSize}, appending them to {@code out}. */
    static void cut(int[] order, int from, int to, int batchSize, List<int[]> out) {
        for (int i = from; i < to; i += batchSize) {
            out.add(Arrays.copyOfRange(order, i, Math.min(to, i + batchSize)));
        }
    }

    /** Sequential or shuffled order, cut into batches. */
    static final class Plain implements BatchSampler {
        private final int size;
        private final int batchSize;
        private final boolean dropLast;
        private final boolean shuffle;
        private final long seed;
        private final int count;

        Plain(int size, int batchSize, boolean dropLast, boolean shuffle, long seed) {
            this.count = countBatches(size, batchSize, dropLast);
            this.size = size;
            this.batchSize = batchSize;
            this.dropLast = dropLast;
            this.shuffle = shuffle;
            this.seed = seed;
        }

        @Override
        public int datasetSize() {
            return size;
        }

        @Override
        public int batchCount() {
            return count;
        }

        @Override
        public List<int[]> batches(long epoch) {
            checkEpoch(epoch);
            int[] order;
            if (shuffle) {
                order = Rng.of(seed, epoch).permutation(size);
            } else {
                order = new int[size];
                Arrays.setAll(order, i -> i);
            }
            List<int[]> out = new ArrayList<>(count + 1);
            cut(order, 0, size, batchSize, out);
            return out.subList(0, count);
        }

        @Override
        public OptionalLong seed() {
            return shuffle ? OptionalLong.of(seed) : OptionalLong.empty();
        }

        @Override
        public String toString() {
            return (shuffle ? "shuffled(seed " + seed + ", " : "sequential(") + size + " examples, batch " + batchSize
                    + (dropLast ? ", drop last)" : ")");
        }
    }

    /** Pools sorted by length, optionally shuffled. */
    static final class Bucketed implements BatchSampler {
        private final int[] lengths;
        private final int batchSize;
        private final int poolSize;
        private final boolean dropLast;
        private final boolean shuffle;
        private final long seed;
        private final int count;

        Bucketed(int[] lengths, int batchSize, int poolBatches, boolean dropLast, boolean shuffle, long seed) {
            Objects.requireNonNull(lengths, "lengths");
            this.count = countBatches(lengths.length, batchSize, dropLast);
            if (poolBatches < 1) {
                throw new IllegalArgumentException("poolBatches = " + poolBatches + ", expected >= 1 (batches per length-sorted pool)");
            }
            for (int i = 0; i < lengths.length; i++) {
                if (lengths[i] < 0) {
                    throw new IllegalArgumentException("lengths[" + i + "] = " + lengths[i] + ", expected >= 0");
                }
            }
            this.lengths = lengths.clone();
            this.batchSize = batchSize;
            this.poolSize = (int) Math.min(lengths.length, (long) poolBatches * batchSize);
            this.dropLast = dropLast;
            this.shuffle = shuffle;
            this.seed = seed;
        }

        @Override
        public int datasetSize() {
            return lengths.length;
        }

        @Override
        public int batchCount() {
            return count;
        }

        @Override
        public List<int[]> batches(long epoch) {
            checkEpoch(epoch);
            int n = lengths.length;
            Rng rng = shuffle ? Rng.of(seed, epoch) : null;
            int[] order;
            if (rng != null) {
                order = rng.permutation(n);
            } else {
                order = new int[n];
                Arrays.setAll(order, i -> i);
            }
            // sort each pool by (length, position in the pool): stable, on primitive keys
            long[] keys = new long[poolSize];
            for (int from = 0; from < n; from += poolSize) {
                int to = Math.min(n, from + poolSize);
                for (int i = from; i < to; i++) {
                    keys[i - from] = ((long) lengths[order[i]] << 32) | (i - from);
                }
                Arrays.sort(keys, 0, to - from);
                int[] pool = new int[to - from];
                for (int i = 0; i < pool.length; i++) {
                    pool[i] = order[from + (int) keys[i]];
                }
                System.arraycopy(pool, 0, order, from, pool.length);
            }
            List<int[]> out = new ArrayList<>(count + 1);
            for (int from = 0; from < n; from += poolSize) {
                cut(order, from, Math.min(n, from + poolSize), batchSize, out);
            }
            if (out.size() > count) {
                out.remove(out.size() - 1); // the one partial batch (end of the last pool)
            }
            if (rng != null) {
                rng.shuffle(out);
            }
            return out;
        }

        @Override
        public OptionalLong seed() {
            return shuffle ? OptionalLong.of(seed) : OptionalLong.empty();
        }

        @Override
        public String toString() {
            return (shuffle ? "bucketed(seed " + seed + ", pools of " + poolSize + ", " : "sortedByLength(") + lengths.length
                    + " examples, batch " + batchSize + (dropLast ? ", drop last)" : ")");
        }
    }
}
