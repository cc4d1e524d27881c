package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    /** Lengths 1..40 in a scrambled order, some repeated. */
    private static int[] lengths(int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = 1 + (int) ((i * 7919L + 13) % 40);
        }
        return l;
    }

    private static List<Integer> flat(List<int[]> batches) {
        List<Integer> out = new ArrayList<>();
        batches.forEach(b -> IntStream.of(b).forEach(out::add));
        return out;
    }

    @Test
    void splitMix64MatchesTheReferenceImplementation() {
        // the first outputs of Vigna's splitmix64.c seeded with 0
        Rng r = new Rng(0);
        assertEquals(0xE220A8397B1DCDAFL, r.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, r.nextLong());
        assertEquals(0x06C45D188009454FL, r.nextLong());
    }

    @Test
    void boundedDrawsAreUniform() {
        // chi-square over 7 cells (a bound that is not a power of two) and 8 cells (one that is)
        for (int bound : new int[] {7, 8}) {
            Rng r = Rng.of(123, bound);
            int draws = 70_000;
            long[] counts = new long[bound];
            for (int i = 0; i < draws; i++) {
                counts[r.nextInt(bound)]++;
            }
            double expected = draws / (double) bound;
            double chi2 = 0;
            for (long c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
            }
            // 99.9th percentile of chi-square with 6 and 7 degrees of freedom: 22.5 and 24.3
            assertTrue(chi2 < 24.3, "bound " + bound + ": chi2 = " + chi2 + " counts " + Arrays.toString(counts));
        }
    }

    @Test
    void shuffledPermutationsPutEveryElementEverywhereEvenly() {
        int n = 5;
        int epochs = 20_000;
        long[][] counts = new long[n][n];
        BatchSampler s = BatchSampler.shuffled(n, n, false, 99);
        for (int e = 0; e < epochs; e++) {
            int[] p = s.batches(e).get(0);
            for (int pos = 0; pos < n; pos++) {
                counts[p[pos]][pos]++;
            }
        }
        double expected = epochs / (double) n;
        for (int i = 0; i < n; i++) {
            for (int pos = 0; pos < n; pos++) {
                // 5 standard deviations of a binomial(20000, 0.2) count
                assertEquals(expected, counts[i][pos], 5 * Math.sqrt(epochs * 0.2 * 0.8), "element " + i + " at position " + pos);
            }
        }
    }

    @Test
    void bucketingGroupsByLengthAndKeepsEpochsRandom() {
        int n = 300;
        int batch = 8;
        int pool = 4;
        int[] len = lengths(n);
        BatchSampler s = BatchSampler.bucketed(len, batch, pool, false, 5);
        assertEquals(38, s.batchCount());
        List<int[]> e0 = s.batches(0);
        assertEquals(s.batchCount(), e0.size());
        // every example once
        assertEquals(IntStream.range(0, n).boxed().toList(), flat(e0).stream().sorted().toList());
        // reconstruct the pools: the epoch's permutation is the sampler's own stream, cut into pools of 32
        int[] perm = Rng.of(5, 0).permutation(n);
        int poolSize = batch * pool;
        int[] poolOf = new int[n];
        for (int i = 0; i < n; i++) {
            poolOf[perm[i]] = i / poolSize;
        }
        // within a pool, batches are consecutive runs of the length-sorted pool: their length ranges do not overlap
        for (int a = 0; a < e0.size(); a++) {
            int[] ba = e0.get(a);
            int p = poolOf[ba[0]];
            for (int i : ba) {
                assertEquals(p, poolOf[i], "batch " + a + " mixes pools");
            }
            for (int b = 0; b < e0.size(); b++) {
                int[] bb = e0.get(b);
                if (a != b && poolOf[bb[0]] == p) {
                    int maxA = IntStream.of(ba).map(i -> len[i]).max().getAsInt();
                    int minA = IntStream.of(ba).map(i -> len[i]).min().getAsInt();
                    int maxB = IntStream.of(bb).map(i -> len[i]).max().getAsInt();
                    int minB = IntStream.of(bb).map(i -> len[i]).min().getAsInt();
                    assertTrue(maxA <= minB || maxB <= minA, "batches " + a + " and " + b + " of one pool overlap in length");
                }
            }
        }
        // the padding is far below that of plain shuffled batches
        assertTrue(padding(e0, len) * 3 < padding(BatchSampler.shuffled(n, batch, false, 5).batches(0), len),
                "bucketed padding " + padding(e0, len));
        // seeded: the same epoch again is identical, the next epoch and another seed differ
        List<int[]> again = s.batches(0);
        for (int k = 0; k < e0.size(); k++) {
            assertArrayEquals(e0.get(k), again.get(k));
        }
        assertNotEquals(flat(e0), flat(s.batches(1)));
        assertNotEquals(flat(e0), flat(BatchSampler.bucketed(len, batch, pool, false, 6).batches(0)));
    }

    private static long padding(List<int[]> batches, int[] len) {
        long pad = 0;
        for (int[] b : batches) {
            int max = IntStream.of(b).map(i -> len[i]).max().getAsInt();
            for (int i : b) {
                pad += max - len[i];
            }
        }
        return pad;
    }

    @Test
    void bucketingDropLastDropsOnlyThePartialBatch() {
        int[] len = lengths(101);
        BatchSampler s = BatchSampler.bucketed(len, 10, 3, true, 1);
        assertEquals(10, s.batchCount());
        for (long e = 0; e < 3; e++) {
            List<int[]> b = s.batches(e);
            assertEquals(10, b.size());
            b.forEach(x -> assertEquals(10, x.length));
            assertEquals(100, flat(b).stream().distinct().count());
        }
    }

    @Test
    void sortedByLengthIsSortedAndFixed() {
        int[] len = lengths(57);
        BatchSampler s = BatchSampler.sortedByLength(len, 6, false);
        List<Integer> order = flat(s.batches(0));
        for (int k = 1; k < order.size(); k++) {
            int a = order.get(k - 1);
            int b = order.get(k);
            assertTrue(len[a] < len[b] || (len[a] == len[b] && a < b), "positions " + (k - 1) + ", " + k);
        }
        assertEquals(order, flat(s.batches(5)));
        assertTrue(s.seed().isEmpty());
    }

    @Test
    void samplersValidate() {
        assertThrows(IllegalArgumentException.class, () -> BatchSampler.sequential(0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> BatchSampler.shuffled(5, 0, false, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchSampler.shuffled(5, 2, false, 1).batches(-1));
        assertTrue(e.getMessage().contains("epoch = -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchSampler.bucketed(new int[] {1, -2}, 1, 1, false, 0));
        assertTrue(e.getMessage().contains("lengths[1] = -2"), e.getMessage());
    }
}
