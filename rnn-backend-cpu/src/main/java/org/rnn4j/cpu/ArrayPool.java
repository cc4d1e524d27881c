package org.rnn4j.cpu;

import java.util.Arrays;
import org.rnn4j.tensor.DType;

/**
 * Reusable {@code float[]} and {@code double[]} arrays of one {@link CpuBackend}, keyed by type and exact
 * length, so that a training loop that closes its tensors (or whose graph is released, see
 * {@code Var.releaseGraph}) reuses the same arrays every step instead of allocating new ones.
 *
 * <p>An array enters the pool only through {@link #give}, which the backend calls when the last tensor on
 * the array was closed ({@link CpuTensor#close()}) or a kernel is done with a workspace; arrays are never
 * taken from a live tensor. The pool holds at most {@link #capacityBytes()} bytes: when an array given
 * would pass that, the pooled arrays of the length taken longest ago go to the garbage collector first
 * (the lengths of an earlier model or phase), and an array larger than the cap is never kept. Handing out is exact-length only (a tensor's array length is its
 * size). {@link #give} throws when an array is given while already in the pool (a double release, which
 * would hand one array to two owners), so such a bug fails loudly instead of corrupting values.
 *
 * <p>Thread-safe: {@link #give} and the takes synchronize on the pool for the bookkeeping only; zeroing runs
 * outside the lock. The bookkeeping allocates nothing once the buckets have grown to the steady state.
 */
final class ArrayPool {
    /** System property: the pool's byte cap ({@code 0} disables pooling); default an eighth of the max heap. */
    static final String CAP_PROPERTY = "rnn4j.cpu.pool.bytes";

    /** A pool that keeps nothing: every take allocates, every give drops (for callers without a backend). */
    static final ArrayPool NONE = new ArrayPool(0);

    private final long capBytes;
    private final Buckets floats = new Buckets();
    private final Buckets doubles = new Buckets();
    private long heldBytes;
    /** Counts takes: each length remembers the tick of its last take, for eviction. */
    private long tick;
    private long hits;
    private long misses;

    /** A pool holding at most {@code capBytes} bytes of arrays ({@code 0}: every take allocates, every give drops). */
    ArrayPool(long capBytes) {
        if (capBytes < 0) {
            throw new IllegalArgumentException("array pool capacity: got " + capBytes + " bytes, expected >= 0");
        }
        this.capBytes = capBytes;
    }

    /** The cap from {@value #CAP_PROPERTY}, or an eighth of the maximum heap when unset. */
    static long defaultCapacity() {
        String p = System.getProperty(CAP_PROPERTY);
        if (p == null || p.isBlank()) {
            return Runtime.getRuntime().maxMemory() / 8;
        }
        try {
            long v = Long.parseLong(p.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + CAP_PROPERTY + ": got '" + p + "', expected a byte count >= 0 (0 disables the pool)");
        }
    }

    /** The most bytes of arrays the pool holds. */
    long capacityBytes() {
        return capBytes;
    }

    /** Bytes of arrays the pool holds now. */
    synchronized long heldBytes() {
        return heldBytes;
    }

    /** Takes served from the pool so far. */
    synchronized long hits() {
        return hits;
    }

    /** Takes that allocated a new array so far. */
    synchronized long misses() {
        return misses;
    }

    /** A {@code float[n]} with unspecified contents (the caller overwrites every element). */
    float[] floats(int n) {
        float[] a = (float[]) take(floats, n);
        return a != null ? a : new float[n];
    }

    /** A {@code double[n]} with unspecified contents (the caller overwrites every element). */
    double[] doubles(int n) {
        double[] a = (double[]) take(doubles, n);
        return a != null ? a : new double[n];
    }

    /** A {@code float[n]} of zeros. */
    float[] zeroFloats(int n) {
        float[] a = (float[]) take(floats, n);
        if (a == null) {
            return new float[n];
        }
        Arrays.fill(a, 0f);
        return a;
    }

    /** A {@code double[n]} of zeros. */
    double[] zeroDoubles(int n) {
        double[] a = (double[]) take(doubles, n);
        if (a == null) {
            return new double[n];
        }
        Arrays.fill(a, 0.0);
        return a;
    }

    /** An array of {@code like}'s type and length {@code n}, contents unspecified. */
    Object like(Object like, int n) {
        return like instanceof float[] ? floats(n) : doubles(n);
    }

    /** A zero array of {@code like}'s type and length {@code n}. */
    Object zeroLike(Object like, int n) {
        return like instanceof float[] ? zeroFloats(n) : zeroDoubles(n);
    }

    /** An array for {@code dtype} of length {@code n}, contents unspecified. */
    Object of(DType dtype, int n) {
        return dtype == DType.FLOAT32 ? floats(n) : doubles(n);
    }

    /** A copy of {@code a} ({@code float[]} or {@code double[]}) in a pooled array. */
    Object copy(Object a) {
        if (a instanceof float[] f) {
            float[] r = floats(f.length);
            System.arraycopy(f, 0, r, 0, f.length);
            return r;
        }
        double[] d = (double[]) a;
        double[] r = doubles(d.length);
        System.arraycopy(d, 0, r, 0, d.length);
        return r;
    }

    /**
     * Returns {@code a} ({@code float[]}, {@code double[]} or null, which is ignored) to the pool; the caller
     * must hold no other reference that is still used. When the pool would pass its cap, the lengths taken
     * longest ago are dropped first; an array larger than the cap is dropped (left to the GC).
     *
     * @throws IllegalStateException when {@code a} is already in the pool (released twice)
     */
    void give(Object a) {
        if (a == null || capBytes == 0) {
            return;
        }
        int n;
        long bytes;
        Buckets b;
        if (a instanceof float[] f) {
            n = f.length;
            bytes = 4L * n;
            b = floats;
        } else {
            n = ((double[]) a).length;
            bytes = 8L * n;
            b = doubles;
        }
        if (n == 0) {
            return;
        }
        synchronized (this) {
            if (bytes > capBytes) {
                return;
            }
            while (heldBytes + bytes > capBytes) {
                // full: make room by dropping the lengths taken longest ago (arrays of an earlier model or
                // phase), so the lengths in use now stay pooled instead of being refused
                long freed = floats.stalest() <= doubles.stalest() ? floats.evictStalest(4) : doubles.evictStalest(8);
                if (freed == 0) {
                    return;
                }
                heldBytes -= freed;
            }
            b.push(n, a);
            heldBytes += bytes;
        }
    }

    /** Drops every pooled array (for {@link CpuBackend#close()}). */
    synchronized void clear() {
        floats.clear();
        doubles.clear();
        heldBytes = 0;
    }

    private Object take(Buckets b, int n) {
        if (n == 0 || capBytes == 0) {
            return null;
        }
        synchronized (this) {
            Object a = b.pop(n, ++tick);
            if (a == null) {
                misses++;
                return null;
            }
            hits++;
            heldBytes -= (a instanceof float[] ? 4L : 8L) * n;
            return a;
        }
    }

    /** Stacks of arrays by length: an open-addressing int map to stacks, so that lookups allocate nothing. */
    private static final class Buckets {
        private int[] keys = new int[64];
        private Object[][] stacks = new Object[64][];
        private int[] sizes = new int[64];
        private long[] lastTake = new long[64];
        private int used;

        private int slot(int n) {
            int mask = keys.length - 1;
            int i = (n * 0x9E3779B9) >>> 7 & mask;
            while (keys[i] != 0 && keys[i] != n) {
                i = (i + 1) & mask;
            }
            return i;
        }

        Object pop(int n, long now) {
            int i = slot(n);
            if (keys[i] != 0) {
                lastTake[i] = now;
            }
            if (keys[i] == 0 || sizes[i] == 0) {
                return null;
            }
            Object a = stacks[i][--sizes[i]];
            stacks[i][sizes[i]] = null;
            return a;
        }

        void push(int n, Object a) {
            int i = slot(n);
            if (keys[i] == 0) {
                if (2 * (used + 1) > keys.length) {
                    grow();
                    i = slot(n);
                }
                keys[i] = n;
                stacks[i] = new Object[4];
                used++;
            }
            Object[] s = stacks[i];
            for (int j = 0; j < sizes[i]; j++) {
                if (s[j] == a) {
                    throw new IllegalStateException("cpu backend: an array of " + n + " elements was returned to the pool twice"
                            + " (a tensor's storage released while already free)");
                }
            }
            if (sizes[i] == s.length) {
                s = Arrays.copyOf(s, 2 * s.length);
                stacks[i] = s;
            }
            s[sizes[i]++] = a;
        }

        /** The slot of the pooled length taken longest ago (never taken counts as oldest), -1 when none is pooled. */
        private int stalestSlot() {
            int best = -1;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != 0 && sizes[i] > 0 && (best < 0 || lastTake[i] < lastTake[best])) {
                    best = i;
                }
            }
            return best;
        }

        /** The last-take tick of {@link #stalestSlot()}, {@code Long.MAX_VALUE} when nothing is pooled. */
        long stalest() {
            int i = stalestSlot();
            return i < 0 ? Long.MAX_VALUE : lastTake[i];
        }

        /** Drops every pooled array of the stalest length; returns the bytes freed ({@code elementBytes} per element), 0 when empty. */
        long evictStalest(int elementBytes) {
            int best = stalestSlot();
            if (best < 0) {
                return 0;
            }
            long freed = (long) elementBytes * keys[best] * sizes[best];
            Arrays.fill(stacks[best], 0, sizes[best], null);
            sizes[best] = 0;
            return freed;
        }

        private void grow() {
            int[] oldKeys = keys;
            Object[][] oldStacks = stacks;
            int[] oldSizes = sizes;
            long[] oldLast = lastTake;
            keys = new int[2 * oldKeys.length];
            stacks = new Object[keys.length][];
            sizes = new int[keys.length];
            lastTake = new long[keys.length];
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != 0) {
                    int i = slot(oldKeys[j]);
                    keys[i] = oldKeys[j];
                    stacks[i] = oldStacks[j];
                    sizes[i] = oldSizes[j];
                    lastTake[i] = oldLast[j];
                }
            }
        }

        void clear() {
            Arrays.fill(keys, 0);
            Arrays.fill(stacks, null);
            Arrays.fill(sizes, 0);
            Arrays.fill(lastTake, 0);
            used = 0;
        }
    }
}
