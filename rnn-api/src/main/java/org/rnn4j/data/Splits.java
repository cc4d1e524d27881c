package org.rnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Seeded train / validation / test splits, random (PyTorch's {@code random_split}) or stratified by a
 * class label (scikit-learn's {@code stratify=}): the same seed gives the same split in every run and
 * JVM. Parts are given as fractions that sum to 1 (e.g. {@code 0.8, 0.1, 0.1}); part sizes are
 * {@code n * fraction} rounded by the largest-remainder method, so each part is within one element of
 * its exact share and the parts add up to {@code n}. Results are index arrays into the data, one per
 * fraction in the order given, each sorted ascending, together covering every index exactly once.
 * Nothing modifies its arguments.
 */
public final class Splits {
    /** How far the fractions' sum may stray from 1 (rounding in the caller's arithmetic). */
    static final double SUM_TOLERANCE = 1e-6;

    private Splits() {
    }

    /**
     * A random split of {@code 0..size-1}: one seeded permutation, cut into consecutive parts of the
     * sizes {@link #sizes} gives.
     *
     * @throws IllegalArgumentException when {@code size < 0} or the fractions are invalid (see
     *     {@link #sizes})
     */
    public static List<int[]> random(int size, long seed, double... fractions) {
        if (size < 0) {
            throw new IllegalArgumentException("size = " + size + ", expected >= 0");
        }
        int[] sizes = sizes(size, fractions);
        int[] perm = Rng.of(seed, 0x5EED_5B11L).permutation(size);
        return cut(perm, sizes);
    }

    /**
     * A stratified split: the examples of each class (each distinct value of {@code labels}) are shuffled
     * with a stream drawn from {@code seed} and the class, and cut by {@link #sizes} on the class's own
     * count, so every part holds each class in proportion, within one example. A class's split does
     * not depend on the other classes.
     *
     * @param labels the class of every example (any int values)
     * @throws IllegalArgumentException when the fractions are invalid
     */
    public static List<int[]> stratified(int[] labels, long seed, double... fractions) {
        Objects.requireNonNull(labels, "labels");
        checkFractions(fractions);
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        return stratify(byClass, seed, fractions);
    }

    /**
     * {@link #stratified(int[], long, double...)} for labels that must be classes {@code 0..numClasses-1},
     * each present at least once (as a classifier's data set should be).
     *
     * @throws IllegalArgumentException naming the example whose label is outside {@code [0, numClasses)},
     *     or the classes with no example, or invalid fractions
     */
    public static List<int[]> stratified(int[] labels, int numClasses, long seed, double... fractions) {
        Objects.requireNonNull(labels, "labels");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses = " + numClasses + ", expected >= 1");
        }
        int[] counts = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + ", expected a class in [0, " + numClasses + ")");
            }
            counts[labels[i]]++;
        }
        List<Integer> empty = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            if (counts[c] == 0) {
                empty.add(c);
            }
        }
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException("class" + (empty.size() > 1 ? "es " : " ") + empty + " of " + numClasses
                    + " ha" + (empty.size() > 1 ? "ve" : "s") + " no example; a stratified split needs every class present "
                    + "(drop the class or pass the right numClasses)");
        }
        return stratified(labels, seed, fractions);
    }

    /** {@link #random(int, long, double...)} of a dataset, as {@link Dataset#subset} views. */
    public static <T> List<Dataset<T>> random(Dataset<T> dataset, long seed, double... fractions) {
        Objects.requireNonNull(dataset, "dataset");
        return subsets(dataset, random(dataset.size(), seed, fractions));
    }

    /**
     * {@link #stratified(int[], long, double...)} of a dataset by {@code label.applyAsInt(example)} (read
     * once per example), as {@link Dataset#subset} views.
     */
    public static <T> List<Dataset<T>> stratified(Dataset<T> dataset, ToIntFunction<? super T> label, long seed, double... fractions) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(label, "label");
        checkFractions(fractions);
        int[] labels = new int[dataset.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label.applyAsInt(dataset.get(i));
        }
        return subsets(dataset, stratified(labels, seed, fractions));
    }

    /**
     * Part sizes for {@code n} elements: {@code floor(n * f_i)} each, then the remaining elements one each
     * to the parts with the largest fractional remainders (ties to the earlier part). Each size is within
     * one of {@code n * f_i}; they sum to {@code n}.
     *
     * @throws IllegalArgumentException when {@code n < 0}, there are no fractions, one is negative or not
     *     finite, or they do not sum to 1 (within {@value #SUM_TOLERANCE})
     */
    public static int[] sizes(int n, double... fractions) {
        if (n < 0) {
            throw new IllegalArgumentException("n = " + n + ", expected >= 0");
        }
        checkFractions(fractions);
        int k = fractions.length;
        int[] sizes = new int[k];
        double[] remainder = new double[k];
        int assigned = 0;
        for (int i = 0; i < k; i++) {
            double exact = n * fractions[i];
            sizes[i] = (int) Math.floor(exact);
            remainder[i] = exact - sizes[i];
            assigned += sizes[i];
        }
        // the fractions may sum to slightly more than 1: never hand out more than n
        for (int i = k - 1; assigned > n; i--) {
            if (sizes[i] > 0) {
                sizes[i]--;
                assigned--;
            }
        }
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Double.compare(remainder[b], remainder[a]) : Integer.compare(a, b));
        for (int j = 0; assigned < n; j = (j + 1) % k) {
            sizes[order[j]]++;
            assigned++;
        }
        return sizes;
    }

    private static void checkFractions(double[] fractions) {
        Objects.requireNonNull(fractions, "fractions");
        if (fractions.length == 0) {
            throw new IllegalArgumentException("no fractions given; pass one per part, e.g. 0.8, 0.1, 0.1");
        }
        double sum = 0;
        for (int i = 0; i < fractions.length; i++) {
            if (!(fractions[i] >= 0) || Double.isInfinite(fractions[i])) {
                throw new IllegalArgumentException("fractions[" + i + "] = " + fractions[i] + ", expected a finite value >= 0 (all fractions: "
                        + Arrays.toString(fractions) + ")");
            }
            sum += fractions[i];
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("fractions " + Arrays.toString(fractions) + " sum to " + sum + ", expected 1");
        }
    }

    private static List<int[]> stratify(Map<Integer, List<Integer>> byClass, long seed, double[] fractions) {
        int k = fractions.length;
        List<List<Integer>> parts = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            parts.add(new ArrayList<>());
        }
        for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
            List<Integer> members = e.getValue();
            int[] perm = Rng.of(seed, 0x57A7_1F1EL, e.getKey()).permutation(members.size());
            int[] sizes = sizes(members.size(), fractions);
            int at = 0;
            for (int j = 0; j < k; j++) {
                for (int m = 0; m < sizes[j]; m++) {
                    parts.get(j).add(members.get(perm[at++]));
                }
            }
        }
        List<int[]> out = new ArrayList<>(k);
        for (List<Integer> p : parts) {
            int[] a = p.stream().mapToInt(Integer::intValue).toArray();
            Arrays.sort(a);
            out.add(a);
        }
        return out;
    }

    private static List<int[]> cut(int[] perm, int[] sizes) {
        List<int[]> out = new ArrayList<>(sizes.length);
        int at = 0;
        for (int s : sizes) {
            int[] part = Arrays.copyOfRange(perm, at, at + s);
            Arrays.sort(part);
            out.add(part);
            at += s;
        }
        return out;
    }

    private static <T> List<Dataset<T>> subsets(Dataset<T> dataset, List<int[]> parts) {
        List<Dataset<T>> out = new ArrayList<>(parts.size());
        for (int[] p : parts) {
            out.add(dataset.subset(p));
        }
        return out;
    }
}
