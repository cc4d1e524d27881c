package org.rnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches of a {@link Dataset}, epoch after epoch, in the spirit of PyTorch's {@code DataLoader} and
 * DL4J's {@code DataSetIterator}: a {@link BatchSampler} chooses each batch's indices (sequential,
 * seeded shuffle, length buckets), the examples are read with {@link Dataset#get} and a collate function
 * turns the list of examples into a batch {@code B} (padded arrays, tensors, anything).
 *
 * <pre>{@code
 * try (DataLoader<Example, Batch> loader = DataLoader.builder(train, Batch::collate)
 *         .batchSize(32).shuffle(seed).prefetch(4).build()) {
 *     for (int e = 0; e < epochs; e++) {
 *         for (Batch b : loader) {     // the rest of the current epoch
 *             trainer.step(...);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Position.</b> The loader has a cursor: the epoch and the position within it of the next batch
 * to hand out. {@link #iterator()} yields the batches from the cursor to the end of the cursor's epoch,
 * advancing the cursor as each batch is handed out (after the last one, the cursor is at position 0 of
 * the next epoch), so one {@code for} loop is one epoch, and a loop broken off early is continued by
 * the next one. Because a sampler's epoch depends only on its settings and the epoch number,
 * {@link #state()} (a few numbers) is all a checkpoint needs: a loader built the same way and given
 * that state with {@link #loadState} hands out exactly the batches the first would have handed out.
 *
 * <p><b>Background loading.</b> With {@link Builder#prefetch(int) prefetch(n)}, {@code n > 0}, one
 * daemon thread (named {@value #THREAD_NAME_PREFIX}{@code N}) reads and collates batches ahead of the
 * consumer into a queue of at most {@code n} batches, continuing into the next epochs, so the training
 * thread does not wait on the data. The batches and their order are those of the foreground loader.
 * The collate function then runs on that thread: have it build host data (arrays) and create backend
 * tensors on the consumer's thread unless the backend allows otherwise. An exception in the dataset
 * or the collate function reaches the consumer, at the batch where it happened, as a
 * {@link DataLoaderException} with the original as its cause; the thread then ends. The thread is
 * stopped and joined by {@link #close()}, by closing an {@link EpochIterator} before its epoch ends (an
 * early exit), and by {@link #loadState}; use the loader in try-with-resources.
 *
 * <p>A loader is for one consumer thread: its methods are not safe to call concurrently.
 *
 * @param <T> the type of one example
 * @param <B> the type of one batch (what the collate function returns)
 */
public final class DataLoader<T, B> implements Iterable<B>, AutoCloseable {
    /** Names of background loader threads start with this, followed by a number. */
    public static final String THREAD_NAME_PREFIX = "rnn4j-data-loader-";
    /** {@link #state()} key: the epoch of the next batch, {@code >= 0}. */
    public static final String EPOCH = "epoch";
    /** {@link #state()} key: the position of the next batch within its epoch, in {@code [0, batchesPerEpoch)}. */
    public static final String POSITION = "position";
    /** {@link #state()} key: the dataset's size, checked by {@link #loadState}. */
    public static final String DATASET_SIZE = "dataset_size";
    /** {@link #state()} key: batches per epoch, checked by {@link #loadState}. */
    public static final String BATCHES_PER_EPOCH = "batches_per_epoch";
    /** {@link #state()} key: the sampler's seed (only for seeded samplers), checked by {@link #loadState}. */
    public static final String SEED = "seed";

    private static final Set<String> STATE_KEYS = Set.of(EPOCH, POSITION, DATASET_SIZE, BATCHES_PER_EPOCH, SEED);
    private static final AtomicLong THREAD_IDS = new AtomicLong();
    private static final long STOP_WAIT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);

    private final Dataset<T> dataset;
    private final Function<? super List<T>, ? extends B> collate;
    private final BatchSampler sampler;
    private final int prefetch;
    private final int batchesPerEpoch;

    private long epoch;
    private int position;
    /** Bumped by every new iterator and every {@link #loadState}; older iterators then refuse to run. */
    private long generation;
    private boolean closed;
    private long cachedEpoch = -1;
    private List<int[]> cachedBatches;
    private Producer producer;

    private DataLoader(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate, BatchSampler sampler, int prefetch) {
        this.dataset = dataset;
        this.collate = collate;
        this.sampler = sampler;
        this.prefetch = prefetch;
        this.batchesPerEpoch = sampler.batchCount();
    }

    /**
     * A builder for a loader of {@code dataset} whose batches are {@code collate.apply(examples)}, the
     * examples of one batch in the sampler's order. {@code collate} gets a new list per batch and must
     * not return null.
     */
    public static <T, B> Builder<T, B> builder(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate) {
        return new Builder<>(dataset, collate);
    }

    /** A builder for a loader whose batches are the lists of examples themselves. */
    public static <T> Builder<T, List<T>> builder(Dataset<T> dataset) {
        return new Builder<>(dataset, list -> list);
    }

    /** The dataset the batches are drawn from. */
    public Dataset<T> dataset() {
        return dataset;
    }

    /** The sampler that chooses each batch's indices. */
    public BatchSampler sampler() {
        return sampler;
    }

    /** Batches in every epoch, {@code >= 1}. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Batches loaded ahead on the background thread; 0 when batches are loaded on the caller's thread. */
    public int prefetch() {
        return prefetch;
    }

    /** The epoch of the next batch to be handed out (0-based). */
    public long epoch() {
        return epoch;
    }

    /** The position within {@link #epoch()} of the next batch to be handed out, in {@code [0, batchesPerEpoch)}. */
    public int position() {
        return position;
    }

    /**
     * An iterator over the rest of the current epoch: from the cursor ({@link #epoch()},
     * {@link #position()}) to the epoch's last batch. Each {@code next()} advances the cursor. A new
     * iterator (or {@link #loadState}) makes older ones unusable. In background mode this starts the
     * loader thread if it is not running.
     *
     * @throws IllegalStateException when the loader is closed
     */
    @Override
    public EpochIterator iterator() {
        checkOpen();
        generation++;
        if (prefetch > 0 && producer == null) {
            producer = new Producer(epoch, position);
        }
        return new EpochIterator(generation, epoch);
    }

    /**
     * The cursor as a small map, for checkpoints: {@value #EPOCH}, {@value #POSITION},
     * {@value #DATASET_SIZE}, {@value #BATCHES_PER_EPOCH} and, for a seeded sampler, {@value #SEED}.
     * Batches handed out count; batches only prefetched do not. Returns a new modifiable map.
     */
    public Map<String, Long> state() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put(EPOCH, epoch);
        s.put(POSITION, (long) position);
        s.put(DATASET_SIZE, (long) dataset.size());
        s.put(BATCHES_PER_EPOCH, (long) batchesPerEpoch);
        OptionalLong seed = sampler.seed();
        if (seed.isPresent()) {
            s.put(SEED, seed.getAsLong());
        }
        return s;
    }

    /**
     * Moves the cursor to {@code state} (from {@link #state()}, possibly of another loader built the same
     * way in another run): the next batch handed out is batch {@value #POSITION} of epoch
     * {@value #EPOCH}. Everything is validated before anything changes; then a running background
     * thread is stopped (it was loading from the old position) and existing iterators become unusable.
     *
     * @param state {@value #EPOCH} and {@value #POSITION} are required; {@value #DATASET_SIZE},
     *     {@value #BATCHES_PER_EPOCH} and {@value #SEED}, when present, must equal this loader's
     * @throws IllegalArgumentException naming the key, the value given and the value expected, for a
     *     missing, unknown, out-of-range or mismatched entry
     * @throws IllegalStateException when the loader is closed
     */
    public void loadState(Map<String, Long> state) {
        Objects.requireNonNull(state, "state");
        checkOpen();
        for (Map.Entry<String, Long> e : state.entrySet()) {
            if (!STATE_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("loader state has unknown key '" + e.getKey() + "'; expected keys " + EPOCH + ", "
                        + POSITION + ", " + DATASET_SIZE + ", " + BATCHES_PER_EPOCH + ", " + SEED);
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("loader state '" + e.getKey() + "' is null; expected a number");
            }
        }
        Long newEpoch = state.get(EPOCH);
        Long newPosition = state.get(POSITION);
        if (newEpoch == null || newPosition == null) {
            throw new IllegalArgumentException("loader state lacks '" + (newEpoch == null ? EPOCH : POSITION) + "'; it holds "
                    + state.keySet() + ", expected at least " + EPOCH + " and " + POSITION);
        }
        expectEqual(state, DATASET_SIZE, dataset.size(), "the dataset has a different size");
        expectEqual(state, BATCHES_PER_EPOCH, batchesPerEpoch, "the batch size or drop-last setting differs");
        OptionalLong seed = sampler.seed();
        Long givenSeed = state.get(SEED);
        if (givenSeed != null && (seed.isEmpty() || seed.getAsLong() != givenSeed)) {
            throw new IllegalArgumentException("loader state has " + SEED + " = " + givenSeed + " but this loader's sampler "
                    + (seed.isEmpty() ? "does not shuffle" : "has seed " + seed.getAsLong()) + "; build the loader with the seed of the saved run");
        }
        if (newEpoch < 0) {
            throw new IllegalArgumentException("loader state has " + EPOCH + " = " + newEpoch + ", expected >= 0");
        }
        if (newPosition < 0 || newPosition >= batchesPerEpoch) {
            throw new IllegalArgumentException("loader state has " + POSITION + " = " + newPosition + ", expected a value in [0, "
                    + batchesPerEpoch + ")");
        }
        stopProducer();
        generation++;
        epoch = newEpoch;
        position = (int) (long) newPosition;
    }

    private static void expectEqual(Map<String, Long> state, String key, long expected, String meaning) {
        Long v = state.get(key);
        if (v != null && v != expected) {
            throw new IllegalArgumentException("loader state has " + key + " = " + v + " but this loader has " + expected + " (" + meaning
                    + "); build the loader as in the saved run");
        }
    }

    /** Stops and joins the background thread, if any; the loader can no longer be iterated. Idempotent. */
    @Override
    public void close() {
        closed = true;
        stopProducer();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this DataLoader is closed");
        }
    }

    private void advance() {
        position++;
        if (position == batchesPerEpoch) {
            epoch++;
            position = 0;
        }
    }

    /** The batches of {@code e}, checked against what a sampler promises. */
    private List<int[]> checkedBatches(long e) {
        List<int[]> batches = sampler.batches(e);
        if (batches == null || batches.size() != batchesPerEpoch) {
            throw new IllegalStateException("sampler " + sampler + " gave " + (batches == null ? "null" : batches.size() + " batches")
                    + " for epoch " + e + " but its batchCount() is " + batchesPerEpoch);
        }
        int n = dataset.size();
        for (int b = 0; b < batches.size(); b++) {
            int[] idx = batches.get(b);
            if (idx == null || idx.length == 0) {
                throw new IllegalStateException("sampler " + sampler + " gave an empty batch " + b + " in epoch " + e);
            }
            for (int i : idx) {
                if (i < 0 || i >= n) {
                    throw new IllegalStateException("sampler " + sampler + " gave index " + i + " in batch " + b + " of epoch " + e
                            + ", outside the dataset's range [0, " + n + ")");
                }
            }
        }
        return batches;
    }

    private B load(int[] idx) {
        List<T> items = new ArrayList<>(idx.length);
        for (int i : idx) {
            items.add(dataset.get(i));
        }
        B b = collate.apply(items);
        if (b == null) {
            throw new NullPointerException("the collate function returned null; it must return a batch");
        }
        return b;
    }

    private String failure(long e, int p, int[] idx, Throwable cause) {
        if (idx == null) {
            return "computing the batches of epoch " + e + " (at batch " + p + ") with sampler " + sampler + " failed: " + cause;
        }
        int shown = Math.min(idx.length, 8);
        String indices = Arrays.toString(Arrays.copyOf(idx, shown)).replace("]", idx.length > shown ? ", ...]" : "]");
        return "loading batch " + p + " of " + batchesPerEpoch + " in epoch " + e + " (dataset indices " + indices + ") failed: " + cause;
    }

    private B nextForeground() {
        long e = epoch;
        int p = position;
        int[] idx = null;
        B b;
        try {
            if (cachedEpoch != e) {
                cachedBatches = checkedBatches(e);
                cachedEpoch = e;
            }
            idx = cachedBatches.get(p);
            b = load(idx);
        } catch (RuntimeException ex) {
            throw new DataLoaderException(failure(e, p, idx, ex), e, p, ex);
        }
        advance();
        return b;
    }

    private B nextBackground() {
        Producer pr = producer;
        if (pr == null) {
            // an earlier failure stopped the thread; start again at the cursor (retrying the failed batch)
            pr = producer = new Producer(epoch, position);
        }
        Item<B> item;
        try {
            item = pr.queue.poll(100, TimeUnit.MILLISECONDS);
            while (item == null) {
                if (!pr.thread.isAlive()) {
                    item = pr.queue.poll();
                    if (item == null) {
                        stopProducer();
                        throw new IllegalStateException("the background loader thread ended without delivering batch " + position
                                + " of epoch " + epoch);
                    }
                    break;
                }
                item = pr.queue.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new DataLoaderException("interrupted while waiting for batch " + position + " of epoch " + epoch
                    + " from the background loader", epoch, position, ie);
        }
        if (item.error() != null) {
            stopProducer();
            throw new DataLoaderException(item.message(), item.epoch(), item.position(), item.error());
        }
        if (item.epoch() != epoch || item.position() != position) {
            throw new AssertionError("background loader delivered batch " + item.position() + " of epoch " + item.epoch()
                    + " but the cursor is at batch " + position + " of epoch " + epoch);
        }
        advance();
        return item.batch();
    }

    private void stopProducer() {
        Producer p = producer;
        if (p == null) {
            return;
        }
        producer = null;
        p.stop = true;
        p.thread.interrupt();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
        while (p.thread.isAlive()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                LOG.warn("background loader thread {} did not stop within {} ms (a dataset or collate call that ignores interrupts?); "
                        + "leaving it to finish on its own (it is a daemon thread)", p.thread.getName(), STOP_WAIT_MS);
                break;
            }
            try {
                p.thread.join(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        p.queue.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One slot of the prefetch queue: a batch, or the failure that happened instead of it. */
    private record Item<B>(long epoch, int position, B batch, String message, Throwable error) {
    }

    /** The background thread and its queue; loads from a start position on, epoch after epoch. */
    private final class Producer implements Runnable {
        final BlockingQueue<Item<B>> queue = new ArrayBlockingQueue<>(prefetch);
        final Thread thread;
        final long startEpoch;
        final int startPosition;
        volatile boolean stop;

        Producer(long startEpoch, int startPosition) {
            this.startEpoch = startEpoch;
            this.startPosition = startPosition;
            this.thread = new Thread(this, THREAD_NAME_PREFIX + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            long e = startEpoch;
            int p = startPosition;
            int[] idx = null;
            try {
                while (!stop) {
                    idx = null;
                    List<int[]> batches = checkedBatches(e);
                    for (; p < batches.size(); p++) {
                        if (stop) {
                            return;
                        }
                        idx = batches.get(p);
                        B b = load(idx);
                        queue.put(new Item<>(e, p, b, null, null));
                    }
                    e++;
                    p = 0;
                }
            } catch (InterruptedException ie) {
                // stopped by the consumer
            } catch (Throwable t) {
                if (stop) {
                    return;
                }
                try {
                    queue.put(new Item<>(e, p, null, failure(e, p, idx, t), t));
                } catch (InterruptedException ie) {
                    // stopped by the consumer while delivering the failure
                }
            }
        }
    }

    /**
     * The batches from the loader's cursor to the end of the cursor's epoch (see {@link DataLoader}).
     * Closing it before the epoch ends stops the background thread (an early exit); closing it after the
     * epoch ended leaves that thread preparing the next epoch. Closing does not move the cursor.
     */
    public final class EpochIterator implements Iterator<B>, AutoCloseable {
        private final long myGeneration;
        private final long myEpoch;
        private boolean done;

        private EpochIterator(long generation, long epoch) {
            this.myGeneration = generation;
            this.myEpoch = epoch;
        }

        /** The epoch this iterator runs over. */
        public long epoch() {
            return myEpoch;
        }

        /**
         * True while this iterator's epoch has batches left.
         *
         * @throws IllegalStateException when the loader is closed
         * @throws ConcurrentModificationException when a newer iterator or {@link #loadState} took over
         */
        @Override
        public boolean hasNext() {
            checkCurrent();
            return !done && epoch == myEpoch;
        }

        /**
         * The next batch; advances the loader's cursor.
         *
         * @throws DataLoaderException when reading or collating the batch failed (the cursor stays on it)
         * @throws NoSuchElementException when the epoch has no batches left
         */
        @Override
        public B next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + myEpoch + " has no batches left" + (done ? " (this iterator is closed)" : ""));
            }
            return prefetch > 0 ? nextBackground() : nextForeground();
        }

        /** Ends this iterator; before the end of its epoch this stops the background thread. Idempotent. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            if (!closed && myGeneration == generation && epoch == myEpoch) {
                stopProducer();
            }
        }

        private void checkCurrent() {
            checkOpen();
            if (myGeneration != generation) {
                throw new ConcurrentModificationException("this iterator of epoch " + myEpoch
                        + " was superseded by a newer iterator or a loadState of its DataLoader");
            }
        }
    }

    /**
     * Settings of a {@link DataLoader}. Defaults: batch size 1, sequential order, last partial batch kept,
     * loading on the caller's thread. Each setter validates its argument at once.
     */
    public static final class Builder<T, B> {
        private final Dataset<T> dataset;
        private final Function<? super List<T>, ? extends B> collate;
        private int batchSize = 1;
        private boolean batchSizeSet;
        private Long seed;
        private boolean dropLast;
        private ToIntFunction<? super T> length;
        private int poolBatches;
        private BatchSampler sampler;
        private int prefetch;

        private Builder(Dataset<T> dataset, Function<? super List<T>, ? extends B> collate) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            this.collate = Objects.requireNonNull(collate, "collate");
        }

        /** Examples per batch, {@code >= 1}. */
        public Builder<T, B> batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize = " + batchSize + ", expected >= 1");
            }
            this.batchSize = batchSize;
            this.batchSizeSet = true;
            return this;
        }

        /** A new random order every epoch, determined by {@code seed} and the epoch number. */
        public Builder<T, B> shuffle(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to leave out the last batch of an epoch when it is smaller than the batch size. */
        public Builder<T, B> dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches of similar length: with {@link #shuffle} as {@link BatchSampler#bucketed} (pools of
         * {@code poolBatches} batches sorted by length), without it as {@link BatchSampler#sortedByLength}
         * ({@code poolBatches} unused). {@code length} is evaluated once per example by {@link #build()}.
         */
        public Builder<T, B> bucketByLength(ToIntFunction<? super T> length, int poolBatches) {
            Objects.requireNonNull(length, "length");
            if (poolBatches < 1) {
                throw new IllegalArgumentException("poolBatches = " + poolBatches + ", expected >= 1 (batches per length-sorted pool)");
            }
            this.length = length;
            this.poolBatches = poolBatches;
            return this;
        }

        /** A sampler of one's own, instead of batch size, shuffle, drop-last and bucketing. */
        public Builder<T, B> sampler(BatchSampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        /**
         * Load up to {@code batches} batches ahead on a background thread; 0 (the default) loads each batch
         * on the consumer's thread when it is asked for.
         */
        public Builder<T, B> prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("prefetch = " + batches + ", expected >= 0 (0 loads on the caller's thread)");
            }
            this.prefetch = batches;
            return this;
        }

        /**
         * The loader, its cursor at batch 0 of epoch 0. Starts no thread (the first iterator does).
         *
         * @throws IllegalArgumentException when the dataset is empty, no batch remains after drop-last, a
         *     sampler is combined with batch size / shuffle / drop-last / bucketing, a sampler's dataset
         *     size differs from the dataset's, or a length is negative
         */
        public DataLoader<T, B> build() {
            BatchSampler s = sampler;
            int n = dataset.size();
            if (s != null) {
                if (batchSizeSet || seed != null || dropLast || length != null) {
                    throw new IllegalArgumentException("a sampler was given together with batchSize, shuffle, dropLast or bucketByLength; "
                            + "the sampler decides those, so set one or the other");
                }
                if (s.datasetSize() != n) {
                    throw new IllegalArgumentException("sampler " + s + " is for " + s.datasetSize() + " examples but the dataset has " + n);
                }
                if (s.batchCount() < 1) {
                    throw new IllegalArgumentException("sampler " + s + " has batchCount() = " + s.batchCount() + ", expected >= 1");
                }
            } else if (length != null) {
                int[] lengths = new int[n];
                for (int i = 0; i < n; i++) {
                    lengths[i] = length.applyAsInt(dataset.get(i));
                }
                s = seed != null ? BatchSampler.bucketed(lengths, batchSize, poolBatches, dropLast, seed)
                        : BatchSampler.sortedByLength(lengths, batchSize, dropLast);
            } else {
                s = seed != null ? BatchSampler.shuffled(n, batchSize, dropLast, seed) : BatchSampler.sequential(n, batchSize, dropLast);
            }
            return new DataLoader<>(dataset, collate, s, prefetch);
        }
    }
}
