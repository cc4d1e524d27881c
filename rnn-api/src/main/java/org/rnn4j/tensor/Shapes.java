package org.rnn4j.tensor;

import java.util.Arrays;

/** Shape arithmetic and the validation messages shared by every backend. */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the extents; 1 for {@code []}. */
    public static int size(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Tensor of shape " + str(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Ranks above this are abbreviated by {@link #str}, so a message never quotes a huge shape whole. */
    static final int MAX_LISTED_EXTENTS = 16;

    /**
     * {@code [2, 3]} style text. A shape of more than 16 extents is abbreviated to its first 8 and last
     * 2 extents and its rank ({@code [1, 1, 1, 1, 1, 1, 1, 1, ..., 1, 1] (rank 100000)}), so messages
     * stay short whatever a file or caller declares.
     */
    public static String str(int... shape) {
        if (shape == null) {
            return "null";
        }
        if (shape.length <= MAX_LISTED_EXTENTS) {
            return Arrays.toString(shape);
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            sb.append(shape[i]).append(", ");
        }
        sb.append("..., ").append(shape[shape.length - 2]).append(", ").append(shape[shape.length - 1]);
        return sb.append("] (rank ").append(shape.length).append(')').toString();
    }

    /** Normalises a possibly negative axis for a tensor of rank {@code rank}. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + rank);
        }
        return a;
    }

    /** Validates that every extent is positive; {@code what} names the argument in the message. */
    public static int[] checkPositive(String what, int... shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(what + ": shape " + str(shape) + " has a zero or negative extent; every extent must be >= 1");
            }
        }
        return shape.clone();
    }

    /** Throws unless {@code t} has exactly {@code expected} shape. */
    public static void checkShape(String what, Tensor t, int... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + str(expected) + ", got " + str(t.shape()));
        }
    }

    /** Throws unless {@code t} has rank {@code rank}. */
    public static void checkRank(String what, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(what + ": expected a tensor of rank " + rank + ", got shape " + str(t.shape()));
        }
    }

    /** Product of the leading {@code n} extents. */
    public static int prefixSize(int[] shape, int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= shape[i];
        }
        return p;
    }

    /** True when {@code suffix} equals the trailing dims of {@code shape}. */
    public static boolean isSuffix(int[] shape, int[] suffix) {
        if (suffix.length > shape.length) {
            return false;
        }
        int off = shape.length - suffix.length;
        for (int i = 0; i < suffix.length; i++) {
            if (shape[off + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Concatenation of the two shapes. */
    public static int[] concat(int[] a, int... b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * The numpy-style broadcast of {@code a} and {@code b}: shapes are aligned at their last dimension,
     * a missing leading dimension counts as 1, and two extents are compatible when they are equal or
     * one of them is 1 (which is then repeated). Returns null when the shapes are not compatible.
     */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                return null;
            }
        }
        return out;
    }

    /** True when {@code shape} broadcasts to {@code target} (numpy rules) without changing {@code target}. */
    public static boolean broadcastsTo(int[] shape, int[] target) {
        int[] out = broadcast(target, shape);
        return out != null && Arrays.equals(out, target);
    }

    /**
     * The shape of a reduction of {@code shape} along {@code axis} (already normalised to {@code [0, rank)}):
     * that extent set to 1 when {@code keepDim}, else removed. Returns a new array.
     */
    public static int[] reduced(int[] shape, int axis, boolean keepDim) {
        if (keepDim) {
            int[] r = shape.clone();
            r[axis] = 1;
            return r;
        }
        int[] r = new int[shape.length - 1];
        System.arraycopy(shape, 0, r, 0, axis);
        System.arraycopy(shape, axis + 1, r, axis, shape.length - axis - 1);
        return r;
    }
}
