package org.rnn4j.spi;

import java.util.Arrays;

/**
 * The valid lengths of a padded batch of {@code B} sequences of {@code T} steps: sequence {@code b} has
 * real steps {@code 0 .. get(b) - 1} and padding after. Checked once when made (one length per sequence,
 * each in {@code [1, T]}) and immutable, so the layer, the masks and the kernels that receive it need not
 * check it again.
 *
 * <p>Made by {@code org.rnn4j.nn.Recurrent} and {@code org.rnn4j.nn.Masks} from the {@code int[]} users
 * pass, and handed to {@link SequenceKernel}s inside {@link SequenceArgs}.
 */
public final class Lengths {
    private final int[] lengths;
    private final int steps;
    private final int max;
    private final int min;

    private Lengths(int[] lengths, int steps) {
        this.lengths = lengths;
        this.steps = steps;
        int lo = steps;
        int hi = 1;
        for (int len : lengths) {
            lo = Math.min(lo, len);
            hi = Math.max(hi, len);
        }
        this.min = lo;
        this.max = hi;
    }

    /**
     * The lengths of a batch of {@code batch} sequences of {@code steps} steps ({@code lengths} is copied).
     *
     * @throws IllegalArgumentException naming the count or the first length outside {@code [1, steps]}
     */
    public static Lengths of(int[] lengths, int batch, int steps) {
        if (lengths == null) {
            throw new IllegalArgumentException("lengths is null; expected " + batch + " lengths in [1, " + steps + "]");
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries but the batch has " + batch + " sequences");
        }
        return of(lengths, steps);
    }

    /**
     * The lengths of a batch of {@code lengths.length} sequences of {@code steps} steps ({@code lengths} is copied).
     *
     * @throws IllegalArgumentException when {@code lengths} is empty, {@code steps < 1} or a length is outside {@code [1, steps]}
     */
    public static Lengths of(int[] lengths, int steps) {
        if (lengths == null || lengths.length == 0) {
            throw new IllegalArgumentException("lengths must name at least one sequence");
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("steps = " + steps + ", expected >= 1");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is outside [1, " + steps + "] (T = "
                        + steps + " steps)");
            }
        }
        return new Lengths(lengths.clone(), steps);
    }

    /** Every one of {@code batch} sequences runs all {@code steps} steps. */
    public static Lengths full(int batch, int steps) {
        if (batch <= 0 || steps <= 0) {
            throw new IllegalArgumentException("batch = " + batch + ", steps = " + steps + "; both must be >= 1");
        }
        int[] all = new int[batch];
        Arrays.fill(all, steps);
        return new Lengths(all, steps);
    }

    /**
     * These lengths for a batch of {@code batch} sequences of {@code steps} steps: this when they match,
     * else the same lengths checked against the new extents.
     *
     * @param what prefix of the error message, e.g. the kernel's name
     */
    Lengths forShape(String what, int batch, int steps) {
        if (batch == batch() && steps == this.steps) {
            return this;
        }
        try {
            return of(lengths, batch, steps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** Number of sequences {@code B}. */
    public int batch() {
        return lengths.length;
    }

    /** Number of steps {@code T} of the padded batch. */
    public int steps() {
        return steps;
    }

    /** The length of sequence {@code b}. */
    public int get(int b) {
        return lengths[b];
    }

    /** A copy of the lengths. */
    public int[] toArray() {
        return lengths.clone();
    }

    /** Whether every sequence runs all {@code T} steps (no padding at all). */
    public boolean isFull() {
        return min == steps;
    }

    /** The longest length. */
    public int maxLength() {
        return max;
    }

    /** Whether sequence {@code b} has a real step at time {@code t}. */
    public boolean active(int b, int t) {
        return t < lengths[b];
    }

    /** How many sequences have a real step at time {@code t} ({@code B}: none is padded; 0: all are). */
    public int activeCount(int t) {
        if (t < min) {
            return lengths.length;
        }
        int n = 0;
        for (int len : lengths) {
            n += t < len ? 1 : 0;
        }
        return n;
    }

    /** The active mask of step {@code t} as a row-major {@code [B, width]} array: 1 for sequences running at {@code t}, else 0. */
    public double[] stepMask(int t, int width) {
        double[] m = new double[lengths.length * width];
        for (int b = 0; b < lengths.length; b++) {
            if (t < lengths[b]) {
                Arrays.fill(m, b * width, (b + 1) * width, 1.0);
            }
        }
        return m;
    }

    /** The active masks of all steps as a row-major {@code [B, T, width]} array: 1 at real steps, 0 at padding. */
    public double[] mask(int width) {
        double[] m = new double[lengths.length * steps * width];
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(m, b * steps * width, (b * steps + lengths[b]) * width, 1.0);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lengths l && l.steps == steps && Arrays.equals(l.lengths, lengths);
    }

    @Override
    public int hashCode() {
        return 31 * steps + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "Lengths" + Arrays.toString(lengths) + " of T = " + steps;
    }
}
