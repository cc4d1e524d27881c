package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.data.CollateTest.fails;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static final double[] F = {0.8, 0.1, 0.1};

    /** Every index of {@code 0..n-1} exactly once over the parts, each part sorted. */
    private static void assertPartition(int n, List<int[]> parts) {
        int[] all = parts.stream().flatMapToInt(IntStream::of).sorted().toArray();
        assertArrayEquals(IntStream.range(0, n).toArray(), all);
        for (int[] p : parts) {
            for (int i = 1; i < p.length; i++) {
                assertTrue(p[i - 1] < p[i]);
            }
        }
    }

    @Test
    void sizesAreWithinOneOfTheExactShareAndSumToN() {
        SplittableRandom r = new SplittableRandom(8);
        for (int trial = 0; trial < 300; trial++) {
            int n = r.nextInt(0, 200);
            int k = r.nextInt(1, 6);
            double[] f = r.doubles(k, 0, 1).toArray();
            double sum = Arrays.stream(f).sum();
            for (int i = 0; i < k; i++) {
                f[i] /= sum;
            }
            int[] sizes = Splits.sizes(n, f);
            assertEquals(n, IntStream.of(sizes).sum());
            for (int i = 0; i < k; i++) {
                assertTrue(Math.abs(sizes[i] - n * f[i]) < 1, "n " + n + " fractions " + Arrays.toString(f) + " sizes " + Arrays.toString(sizes));
            }
        }
        assertArrayEquals(new int[] {4, 1, 0}, Splits.sizes(5, F)); // remainders .0, .5, .5: the tie goes to the earlier part
        assertArrayEquals(new int[] {80, 10, 10}, Splits.sizes(100, F));
    }

    @Test
    void randomSplitsArePartitionsDeterminedByTheSeed() {
        List<int[]> a = Splits.random(1000, 3, F);
        assertPartition(1000, a);
        assertEquals(800, a.get(0).length);
        assertEquals(100, a.get(1).length);
        assertEquals(100, a.get(2).length);
        List<int[]> b = Splits.random(1000, 3, F);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.get(i), b.get(i));
        }
        assertNotEquals(Arrays.toString(a.get(1)), Arrays.toString(Splits.random(1000, 4, F).get(1)));
        // random: the validation part is spread over the whole range, not a block
        int[] v = a.get(1);
        assertTrue(v[0] < 100 && v[v.length - 1] > 900, Arrays.toString(v));
        List<Dataset<Integer>> ds = Splits.random(Dataset.generate(1000, i -> i), 3, F);
        assertEquals(IntStream.of(a.get(2)).boxed().toList(), ds.get(2).toList());
    }

    @Test
    void stratifiedSplitsKeepEveryClassInProportion() {
        SplittableRandom r = new SplittableRandom(9);
        int classes = 7;
        int[] labels = new int[2000];
        for (int i = 0; i < labels.length; i++) {
            // unequal classes: class c about (c+1) times as frequent as class 0, class 6 tiny
            labels[i] = i < 5 ? 6 : r.nextInt(0, 21) % 6;
        }
        List<int[]> parts = Splits.stratified(labels, classes, 11, F);
        assertPartition(labels.length, parts);
        for (int c = 0; c < classes; c++) {
            int cc = c;
            long n = IntStream.of(labels).filter(l -> l == cc).count();
            for (int p = 0; p < 3; p++) {
                long inPart = IntStream.of(parts.get(p)).filter(i -> labels[i] == cc).count();
                assertTrue(Math.abs(inPart - n * F[p]) < 1, "class " + c + " (" + n + " examples) has " + inPart + " in part " + p);
            }
        }
        // deterministic, and another seed picks other examples
        List<int[]> again = Splits.stratified(labels, classes, 11, F);
        for (int p = 0; p < 3; p++) {
            assertArrayEquals(parts.get(p), again.get(p));
        }
        assertNotEquals(Arrays.toString(parts.get(2)), Arrays.toString(Splits.stratified(labels, classes, 12, F).get(2)));
    }

    @Test
    void aClassSplitDoesNotDependOnTheOtherClasses() {
        int[] labels = new int[300];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        List<int[]> three = Splits.stratified(labels, 5, F);
        int[] onlyTwoClasses = Arrays.stream(labels).map(l -> l == 2 ? 1 : l).toArray(); // class 2 merged into 1
        List<int[]> two = Splits.stratified(onlyTwoClasses, 5, F);
        for (int p = 0; p < 3; p++) {
            int[] class0 = IntStream.of(three.get(p)).filter(i -> labels[i] == 0).toArray();
            int[] class0b = IntStream.of(two.get(p)).filter(i -> labels[i] == 0).toArray();
            assertArrayEquals(class0, class0b, "part " + p);
        }
    }

    record Example(String text, int label) {
    }

    @Test
    void stratifiedDatasets() {
        List<Example> ex = IntStream.range(0, 90).mapToObj(i -> new Example("x" + i, i % 3 == 0 ? 5 : -1)).toList();
        List<Dataset<Example>> parts = Splits.stratified(Dataset.of(ex), Example::label, 1, 0.5, 0.5);
        assertEquals(45, parts.get(0).size());
        assertEquals(15, parts.get(0).toList().stream().filter(e -> e.label() == 5).count());
        assertEquals(15, parts.get(1).toList().stream().filter(e -> e.label() == 5).count());
    }

    @Test
    void badFractionsAndClassesAreRefused() {
        fails(() -> Splits.random(10, 1, 0.8, 0.1), "fractions [0.8, 0.1] sum to 0.9");
        fails(() -> Splits.random(10, 1, 0.8, 0.3, -0.1), "fractions[2] = -0.1");
        fails(() -> Splits.random(10, 1, Double.NaN, 1), "fractions[0] = NaN");
        fails(() -> Splits.random(10, 1), "no fractions given");
        fails(() -> Splits.random(-1, 1, 1), "size = -1");
        fails(() -> Splits.stratified(new int[] {0, 1, 3}, 4, 1, F), "class [2] of 4 has no example");
        fails(() -> Splits.stratified(new int[] {0, 1}, 4, 1, F), "classes [2, 3] of 4 have no example");
        fails(() -> Splits.stratified(new int[] {0, 4}, 4, 1, F), "labels[1] = 4, expected a class in [0, 4)");
        fails(() -> Splits.stratified(new int[] {0}, 1, 1, 0.5, 0.6), "sum to 1.1");
        fails(() -> Splits.sizes(-2, 1), "n = -2");
        assertArrayEquals(new int[] {0, 0}, Splits.sizes(0, 0.5, 0.5));
    }
}
