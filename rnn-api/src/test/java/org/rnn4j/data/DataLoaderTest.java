package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataLoaderTest {
    private static final int N = 53;
    private static final Dataset<Integer> DATA = Dataset.generate(N, i -> i);

    private static DataLoader<Integer, List<Integer>> loader(long seed, int batch, boolean dropLast, int prefetch) {
        return DataLoader.builder(DATA).batchSize(batch).shuffle(seed).dropLast(dropLast).prefetch(prefetch).build();
    }

    /** The next {@code count} batches, across epochs, breaking off for-each loops mid-epoch as a user would. */
    static <B> List<B> take(DataLoader<?, B> loader, int count) {
        List<B> out = new ArrayList<>();
        while (out.size() < count) {
            for (B b : loader) {
                out.add(b);
                if (out.size() == count) {
                    break;
                }
            }
        }
        return out;
    }

    /** Loader threads alive now. */
    static Set<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(DataLoader.THREAD_NAME_PREFIX))
                .collect(Collectors.toSet());
    }

    static Set<Thread> newThreads(Set<Thread> before) {
        Set<Thread> now = loaderThreads();
        now.removeAll(before);
        return now;
    }

    @Test
    void sameSeedSameOrderOtherEpochsAndSeedsOtherOrders() {
        try (var a = loader(7, 5, false, 0); var b = loader(7, 5, false, 0); var c = loader(8, 5, false, 0)) {
            int perEpoch = a.batchesPerEpoch();
            assertEquals(11, perEpoch);
            List<List<Integer>> ea = take(a, 3 * perEpoch);
            assertEquals(ea, take(b, 3 * perEpoch));
            List<List<Integer>> ec = take(c, perEpoch);
            List<List<Integer>> e0 = ea.subList(0, perEpoch);
            List<List<Integer>> e1 = ea.subList(perEpoch, 2 * perEpoch);
            assertNotEquals(e0, e1, "epochs 0 and 1 have the same order");
            assertNotEquals(e0, ec, "seeds 7 and 8 give the same order");
            // an epoch's order depends only on seed and epoch: the sampler recomputes epoch 1 on its own
            List<int[]> again = a.sampler().batches(1);
            for (int k = 0; k < perEpoch; k++) {
                assertEquals(IntStream.of(again.get(k)).boxed().toList(), e1.get(k));
            }
        }
    }

    @Test
    void everyElementOncePerEpochAndBatchSizes() {
        try (var l = loader(3, 5, false, 0)) {
            for (int e = 0; e < 3; e++) {
                List<Integer> seen = new ArrayList<>();
                List<List<Integer>> batches = take(l, l.batchesPerEpoch());
                for (int k = 0; k < batches.size(); k++) {
                    assertEquals(k < batches.size() - 1 ? 5 : N % 5, batches.get(k).size(), "batch " + k);
                    seen.addAll(batches.get(k));
                }
                assertEquals(IntStream.range(0, N).boxed().toList(), seen.stream().sorted().toList(), "epoch " + e);
                assertNotEquals(IntStream.range(0, N).boxed().toList(), seen, "epoch " + e + " was not shuffled");
            }
        }
    }

    @Test
    void sequentialIsInOrderAndDropLastDropsThePartialBatch() {
        try (var seq = DataLoader.builder(DATA).batchSize(10).build()) {
            List<List<Integer>> b = take(seq, seq.batchesPerEpoch());
            assertEquals(6, b.size());
            assertEquals(IntStream.range(0, N).boxed().toList(), b.stream().flatMap(List::stream).toList());
            assertEquals(List.of(50, 51, 52), b.get(5));
        }
        try (var l = loader(11, 10, true, 0)) {
            assertEquals(5, l.batchesPerEpoch());
            for (int e = 0; e < 3; e++) {
                List<List<Integer>> b = take(l, 5);
                Set<Integer> distinct = new TreeSet<>();
                b.forEach(x -> {
                    assertEquals(10, x.size());
                    distinct.addAll(x);
                });
                assertEquals(50, distinct.size());
            }
        }
    }

    @Test
    void forEachIsOneEpochAndABrokenLoopContinues() {
        try (var l = loader(1, 4, false, 0)) {
            List<List<Integer>> reference;
            try (var r = loader(1, 4, false, 0)) {
                reference = take(r, 2 * r.batchesPerEpoch());
            }
            List<List<Integer>> got = new ArrayList<>();
            for (List<Integer> b : l) {
                got.add(b);
                if (got.size() == 5) {
                    break;
                }
            }
            assertEquals(0, l.epoch());
            assertEquals(5, l.position());
            for (List<Integer> b : l) {
                got.add(b);
            }
            assertEquals(l.batchesPerEpoch(), got.size(), "the second loop finishes epoch 0 only");
            assertEquals(1, l.epoch());
            assertEquals(0, l.position());
            for (List<Integer> b : l) {
                got.add(b);
            }
            assertEquals(reference, got);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void restoringTheStateReproducesTheRemainingBatches(int prefetch) {
        try (var a = loader(42, 6, false, prefetch)) {
            int per = a.batchesPerEpoch();
            take(a, per + 3);
            Map<String, Long> mid = a.state();
            assertEquals(Map.of("epoch", 1L, "position", 3L, "dataset_size", (long) N, "batches_per_epoch", (long) per, "seed", 42L), mid);
            List<List<Integer>> rest = take(a, 2 * per);
            Map<String, Long> boundary = a.state(); // epoch 3, position 3
            List<List<Integer>> after = take(a, per);
            try (var b = loader(42, 6, false, prefetch)) {
                b.loadState(new HashMap<>(mid));
                assertEquals(1, b.epoch());
                assertEquals(3, b.position());
                assertEquals(rest, take(b, 2 * per));
                assertEquals(boundary, b.state());
            }
            try (var c = loader(42, 6, false, prefetch)) {
                take(c, 2); // a running loader (and its thread) jumps too
                c.loadState(boundary);
                assertEquals(after, take(c, per));
            }
        }
    }

    @Test
    void restoringAtAnEpochBoundary() {
        try (var a = loader(5, 7, true, 0); var b = loader(5, 7, true, 0)) {
            take(a, a.batchesPerEpoch());
            assertEquals(1L, a.state().get(DataLoader.EPOCH));
            assertEquals(0L, a.state().get(DataLoader.POSITION));
            b.loadState(Map.of(DataLoader.EPOCH, 1L, DataLoader.POSITION, 0L));
            assertEquals(take(a, 2 * a.batchesPerEpoch()), take(b, 2 * b.batchesPerEpoch()));
        }
    }

    @Test
    void badStatesAreRefusedBeforeAnythingChanges() {
        try (var l = loader(9, 5, false, 0)) {
            take(l, 3);
            Map<String, Long> before = l.state();
            fails(l, Map.of("epoch", 0L), "lacks 'position'");
            fails(l, Map.of("epoch", 0L, "position", 0L, "step", 1L), "unknown key 'step'");
            fails(l, Map.of("epoch", -1L, "position", 0L), "epoch = -1");
            fails(l, Map.of("epoch", 0L, "position", 11L), "position = 11, expected a value in [0, 11)");
            fails(l, Map.of("epoch", 0L, "position", 0L, "dataset_size", 52L), "dataset_size = 52 but this loader has 53");
            fails(l, Map.of("epoch", 0L, "position", 0L, "batches_per_epoch", 10L), "batches_per_epoch = 10 but this loader has 11");
            fails(l, Map.of("epoch", 0L, "position", 0L, "seed", 10L), "seed = 10 but this loader's sampler has seed 9");
            assertEquals(before, l.state());
        }
        try (var seq = DataLoader.builder(DATA).batchSize(5).build()) {
            fails(seq, Map.of("epoch", 0L, "position", 0L, "seed", 9L), "does not shuffle");
        }
    }

    private static void fails(DataLoader<?, ?> l, Map<String, Long> state, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.loadState(state));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void iteratorsAndLoaderLifecycle() {
        var l = loader(2, 5, false, 0);
        var first = l.iterator();
        first.next();
        var second = l.iterator();
        assertThrows(ConcurrentModificationException.class, first::hasNext);
        assertThrows(ConcurrentModificationException.class, first::next);
        int left = 0;
        while (second.hasNext()) {
            second.next();
            left++;
        }
        assertEquals(l.batchesPerEpoch() - 1, left);
        assertThrows(NoSuchElementException.class, second::next);
        l.close();
        l.close();
        assertThrows(IllegalStateException.class, l::iterator);
        assertThrows(IllegalStateException.class, second::hasNext);
        assertThrows(IllegalStateException.class, () -> l.loadState(Map.of("epoch", 0L, "position", 0L)));
    }

    @Test
    void builderValidatesItsSettings() {
        var b = DataLoader.builder(DATA);
        assertMessage(() -> b.batchSize(0), "batchSize = 0, expected >= 1");
        assertMessage(() -> b.prefetch(-1), "prefetch = -1");
        assertMessage(() -> b.bucketByLength(x -> 1, 0), "poolBatches = 0");
        assertMessage(() -> DataLoader.builder(Dataset.of(List.<Integer>of())).build(), "dataset size = 0");
        assertMessage(() -> DataLoader.builder(DATA).batchSize(54).dropLast(true).build(), "leaves no batch of a dataset of 53");
        assertMessage(() -> DataLoader.builder(DATA).batchSize(4).sampler(BatchSampler.sequential(N, 4, false)).build(),
                "a sampler was given together with");
        assertMessage(() -> DataLoader.builder(DATA).sampler(BatchSampler.sequential(50, 4, false)).build(),
                "is for 50 examples but the dataset has 53");
        assertMessage(() -> DataLoader.builder(DATA).bucketByLength(x -> x - 5, 2).build(), "lengths[0] = -5, expected >= 0");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aBrokenSamplerIsReported() {
        BatchSampler broken = new BatchSampler() {
            @Override
            public int datasetSize() {
                return N;
            }

            @Override
            public int batchCount() {
                return 2;
            }

            @Override
            public List<int[]> batches(long epoch) {
                return List.of(new int[] {0, 1}, new int[] {N});
            }
        };
        for (int prefetch : new int[] {0, 1}) {
            try (var l = DataLoader.builder(DATA).sampler(broken).prefetch(prefetch).build()) {
                // the whole epoch is checked before its first batch is loaded
                DataLoaderException e = assertThrows(DataLoaderException.class, () -> l.iterator().next());
                assertTrue(e.getMessage().startsWith("computing the batches of epoch 0 (at batch 0)")
                        && e.getCause().getMessage().contains("gave index 53 in batch 1 of epoch 0"), e.getMessage());
                assertEquals(0, l.position());
            }
        }
    }

    // ================================================================ background loading

    @Test
    void backgroundLoaderEqualsForegroundLoaderAndRunsOnItsThread() {
        Set<String> threadsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Dataset<Integer> recording = Dataset.generate(N, i -> {
            threadsSeen.add(Thread.currentThread().getName());
            return i;
        });
        Set<Thread> before = loaderThreads();
        List<List<Integer>> fg;
        try (var f = DataLoader.builder(DATA).batchSize(4).shuffle(77).bucketByLength(x -> x % 9, 3).build()) {
            fg = take(f, 3 * f.batchesPerEpoch() + 2);
        }
        try (var b = DataLoader.builder(recording).batchSize(4).shuffle(77).bucketByLength(x -> x % 9, 3).prefetch(2).build()) {
            threadsSeen.clear(); // build() read the lengths on this thread
            assertEquals(fg, take(b, fg.size()));
            assertEquals(1, threadsSeen.size(), threadsSeen.toString());
            assertTrue(threadsSeen.iterator().next().startsWith(DataLoader.THREAD_NAME_PREFIX), threadsSeen.toString());
            assertEquals(1, newThreads(before).size(), "one loader thread while the loader is open");
        }
        assertEquals(Set.of(), newThreads(before), "no loader thread after close");
    }

    @Test
    void prefetchIsBounded() throws InterruptedException {
        AtomicInteger loaded = new AtomicInteger();
        try (var l = DataLoader.builder(Dataset.generate(N, i -> i), list -> {
            loaded.incrementAndGet();
            return list;
        }).batchSize(2).prefetch(3).build()) {
            var it = l.iterator();
            it.next();
            Thread.sleep(300);
            // one handed out, three queued, at most one more collated and waiting to be queued
            assertTrue(loaded.get() <= 1 + 3 + 1, "loaded " + loaded.get() + " batches");
            assertTrue(loaded.get() >= 4, "loaded " + loaded.get() + " batches");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void errorsReachTheConsumerWithTheirCauseAndTheBatchIsRetried(int prefetch) {
        RuntimeException boom = new IllegalStateException("record 17 is corrupt");
        AtomicInteger failuresLeft = new AtomicInteger(1);
        Dataset<Integer> flaky = Dataset.generate(N, i -> {
            if (i == 17 && failuresLeft.getAndDecrement() > 0) {
                throw boom;
            }
            return i;
        });
        Set<Thread> before = loaderThreads();
        List<List<Integer>> reference;
        try (var r = DataLoader.builder(DATA).batchSize(5).build()) {
            reference = take(r, r.batchesPerEpoch());
        }
        try (var l = DataLoader.builder(flaky).batchSize(5).prefetch(prefetch).build()) {
            List<List<Integer>> got = new ArrayList<>();
            DataLoaderException e = assertThrows(DataLoaderException.class, () -> {
                for (List<Integer> b : l) {
                    got.add(b);
                }
            });
            assertSame(boom, e.getCause());
            assertEquals(0, e.epoch());
            assertEquals(3, e.batch());
            assertTrue(e.getMessage().contains("batch 3 of 11 in epoch 0 (dataset indices [15, 16, 17, 18, 19])")
                    && e.getMessage().contains("record 17 is corrupt"), e.getMessage());
            assertEquals(3, got.size());
            assertEquals(3, l.position(), "the cursor stays on the failed batch");
            assertEquals(Set.of(), newThreads(before), "the loader thread ends after a failure");
            for (List<Integer> b : l) { // retried: the failure was transient
                got.add(b);
            }
            assertEquals(reference, got);
        }
        assertEquals(Set.of(), newThreads(before));
    }

    @Test
    void aCollateThatReturnsNullIsAnError() {
        try (var l = DataLoader.builder(DATA, list -> (Object) null).prefetch(1).build()) {
            DataLoaderException e = assertThrows(DataLoaderException.class, () -> l.iterator().next());
            assertTrue(e.getCause() instanceof NullPointerException && e.getMessage().contains("collate function returned null"),
                    e.getMessage());
        }
    }

    @Test
    void earlyExitAndCloseStopTheThread() {
        Set<Thread> before = loaderThreads();
        var l = loader(4, 3, false, 2);
        try (var it = l.iterator()) {
            it.next();
            it.next();
            assertEquals(1, newThreads(before).size());
        } // early exit: closing the iterator mid-epoch stops the thread
        assertEquals(Set.of(), newThreads(before));
        assertEquals(2, l.position());
        take(l, l.batchesPerEpoch()); // finishes epoch 0 and runs into epoch 1; the thread keeps prefetching
        assertEquals(1, newThreads(before).size());
        l.loadState(Map.of("epoch", 0L, "position", 0L));
        assertEquals(Set.of(), newThreads(before), "loadState stops the thread");
        take(l, 1);
        assertEquals(1, newThreads(before).size());
        l.close();
        assertEquals(Set.of(), newThreads(before), "close stops the thread");
        assertFalse(l.state().isEmpty());
    }
    @Test
    void anInterruptedWaitIsReportedAndTheFlagKept() {
        Set<Thread> before = loaderThreads();
        Dataset<Integer> slow = Dataset.generate(N, i -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e); // the loader stops its thread by interrupting it
            }
            return i;
        });
        try (var l = DataLoader.builder(slow).batchSize(2).prefetch(1).build()) {
            var it = l.iterator();
            Thread.currentThread().interrupt();
            DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
            assertTrue(e.getCause() instanceof InterruptedException, String.valueOf(e.getCause()));
            assertTrue(e.getMessage().contains("interrupted while waiting for batch 0 of epoch 0"), e.getMessage());
            assertTrue(Thread.interrupted(), "the interrupt flag is restored (and cleared here)");
            assertEquals(0, l.position());
        }
        assertEquals(Set.of(), newThreads(before), "close interrupts a thread blocked in the dataset and joins it");
    }
}
