package org.rnn4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.rnn4j.loss.CrossEntropyOptions;

/**
 * Collation: lists of examples into padded batches, as PyTorch's {@code pad_sequence} and a
 * {@code collate_fn}. The static methods pad one list; the methods returning a {@link Function} are
 * collate functions for {@link DataLoader#builder(Dataset, Function)}. Nothing here modifies its
 * arguments; every result is newly allocated.
 */
public final class Collate {
    private Collate() {
    }

    /**
     * A batch of labelled sequences (a classifier's input): padded ids and one class per sequence.
     *
     * @param inputs the padded sequences, {@code [B][T]}
     * @param labels {@code [B]}, the class of each sequence
     */
    public record Labeled(PaddedSequences inputs, int[] labels) {
        /** Checks that there is one label per sequence. */
        public Labeled {
            Objects.requireNonNull(inputs, "inputs");
            Objects.requireNonNull(labels, "labels");
            if (labels.length != inputs.batchSize()) {
                throw new IllegalArgumentException("labels has " + labels.length + " entries, expected one per sequence (" + inputs.batchSize() + ")");
            }
        }

        /** B, the number of sequences. */
        public int batchSize() {
            return labels.length;
        }
    }

    /**
     * Pads {@code sequences} to the longest one's length {@code T}: a {@code [B][T]} batch with
     * {@code padValue} after each sequence's end, and the lengths. Empty sequences are allowed (length 0)
     * though recurrent layers need lengths {@code >= 1}.
     *
     * @throws IllegalArgumentException when {@code sequences} is empty or holds a null
     */
    public static PaddedSequences pad(List<int[]> sequences, int padValue) {
        return pad(sequences, padValue, -1);
    }

    /**
     * Pads {@code sequences} to exactly {@code steps} steps (a fixed length, e.g. to match a model's
     * input), as {@link #pad(List, int)}.
     *
     * @throws IllegalArgumentException when a sequence is longer than {@code steps} (naming it), or as
     *     {@link #pad(List, int)}
     */
    public static PaddedSequences pad(List<int[]> sequences, int padValue, int steps) {
        Objects.requireNonNull(sequences, "sequences");
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("sequences is empty; a batch needs at least one sequence");
        }
        int b = sequences.size();
        int[] lengths = new int[b];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            if (s == null) {
                throw new IllegalArgumentException("sequences[" + i + "] is null");
            }
            lengths[i] = s.length;
            longest = Math.max(longest, s.length);
        }
        int t = longest;
        if (steps >= 0) {
            if (longest > steps) {
                int i = 0;
                while (lengths[i] <= steps) {
                    i++;
                }
                throw new IllegalArgumentException("sequences[" + i + "] has " + lengths[i] + " steps, more than steps = " + steps
                        + "; truncate it or pad to a larger length");
            }
            t = steps;
        }
        int[][] values = new int[b][t];
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            System.arraycopy(s, 0, values[i], 0, s.length);
            Arrays.fill(values[i], s.length, t, padValue);
        }
        return new PaddedSequences(values, lengths, padValue);
    }

    /**
     * Pads class targets (one per step) with PyTorch's ignore index
     * ({@value CrossEntropyOptions#DEFAULT_IGNORE_INDEX}), so that padded steps add nothing to
     * {@link org.rnn4j.loss.Losses#crossEntropy} or its gradient; as {@link #pad(List, int)}.
     */
    public static PaddedSequences padTargets(List<int[]> targets) {
        return pad(targets, CrossEntropyOptions.DEFAULT_IGNORE_INDEX);
    }

    /** A collate function: the sequence {@code ids.apply(example)} of each example, padded with {@code padValue}. */
    public static <T> Function<List<T>, PaddedSequences> padding(Function<? super T, int[]> ids, int padValue) {
        Objects.requireNonNull(ids, "ids");
        return examples -> pad(examples.stream().<int[]>map(ids).toList(), padValue);
    }

    /**
     * A collate function for classification: each example's ids padded with {@code padValue}, and its
     * label. (Bucket by the same length in the loader to keep padding small.)
     */
    public static <T> Function<List<T>, Labeled> labeled(Function<? super T, int[]> ids, ToIntFunction<? super T> label, int padValue) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(label, "label");
        return examples -> {
            int[] labels = new int[examples.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = label.applyAsInt(examples.get(i));
            }
            return new Labeled(pad(examples.stream().<int[]>map(ids).toList(), padValue), labels);
        };
    }

    /**
     * Pads feature sequences {@code [T_b][F]} (e.g. MFCC frames) to the longest length: a
     * {@code [B, T, F]} batch with {@code padValue} in every feature of the padded steps.
     *
     * @throws IllegalArgumentException when the list is empty, a sequence or frame is null, the frames do
     *     not all have the same number {@code F >= 1} of features (naming the sequence and the step), or
     *     a value is not finite
     */
    public static PaddedFeatures padFeatures(List<float[][]> sequences, float padValue) {
        Objects.requireNonNull(sequences, "sequences");
        return padFeatures(sequences.size(), i -> sequences.get(i), (s, t) -> ((float[][]) s)[t].length,
                (s, t, f) -> ((float[][]) s)[t][f], padValue);
    }

    /** {@link #padFeatures(List, float)} for {@code double} frames; values are kept in full precision. */
    public static PaddedFeatures padDoubleFeatures(List<double[][]> sequences, double padValue) {
        Objects.requireNonNull(sequences, "sequences");
        return padFeatures(sequences.size(), i -> sequences.get(i), (s, t) -> ((double[][]) s)[t].length,
                (s, t, f) -> ((double[][]) s)[t][f], padValue);
    }

    private interface FrameWidth {
        int width(Object seq, int t);
    }

    private interface FrameValue {
        double value(Object seq, int t, int f);
    }

    private static PaddedFeatures padFeatures(int b, IntFunction<Object[]> seq, FrameWidth width, FrameValue value,
            double padValue) {
        if (b == 0) {
            throw new IllegalArgumentException("sequences is empty; a batch needs at least one sequence");
        }
        int[] lengths = new int[b];
        int features = -1;
        int longest = 0;
        for (int i = 0; i < b; i++) {
            Object[] s = seq.apply(i);
            if (s == null) {
                throw new IllegalArgumentException("sequences[" + i + "] is null");
            }
            for (int t = 0; t < s.length; t++) {
                if (s[t] == null) {
                    throw new IllegalArgumentException("sequences[" + i + "][" + t + "] (a frame) is null");
                }
                int w = width.width(s, t);
                if (features < 0) {
                    if (w < 1) {
                        throw new IllegalArgumentException("sequences[" + i + "][" + t + "] has 0 features, expected >= 1");
                    }
                    features = w;
                } else if (w != features) {
                    throw new IllegalArgumentException("sequences[" + i + "][" + t + "] has " + w + " features but earlier frames have "
                            + features + "; every frame needs the same number");
                }
            }
            lengths[i] = s.length;
            longest = Math.max(longest, s.length);
        }
        if (features < 0) {
            throw new IllegalArgumentException("every sequence is empty, so the number of features is unknown; give at least one frame");
        }
        long total = (long) b * longest * features;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + b + " x " + longest + " steps x " + features + " features has " + total
                    + " values, more than a Java array holds; use smaller batches");
        }
        double[] data = new double[(int) total];
        for (int i = 0; i < b; i++) {
            Object[] s = seq.apply(i);
            int base = i * longest * features;
            for (int t = 0; t < s.length; t++) {
                for (int f = 0; f < features; f++) {
                    double v = value.value(s, t, f);
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException("sequences[" + i + "][" + t + "][" + f + "] = " + v + ", expected a finite value");
                    }
                    data[base + t * features + f] = v;
                }
            }
            Arrays.fill(data, base + s.length * features, base + longest * features, padValue);
        }
        return new PaddedFeatures(data, b, longest, features, lengths);
    }
}
