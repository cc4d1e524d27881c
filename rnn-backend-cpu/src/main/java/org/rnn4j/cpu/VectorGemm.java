package org.rnn4j.cpu;

import java.util.function.IntConsumer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product on the JDK's vector API ({@code jdk.incubator.vector}), used by {@link Gemm}
 * when the JVM runs with that module ({@code --add-modules jdk.incubator.vector}); only {@link Gemm}
 * touches this class, so that without the module it is never loaded.
 *
 * <p>Layout, after GotoBLAS/BLIS: {@code op(B)} is packed into panels of {@code NR} (two vectors)
 * columns, each {@code k} rows of {@code NR} contiguous elements, zero-padded past {@code n}
 * ({@link #pack}; a recurrent weight is packed once per sequence; a product's own B goes to an array of the
 * backend's pool, {@link #packTransient}). Each task packs its rows of {@code op(A)}, one block of
 * {@link #KC} of the inner dimension at a time, into strips of {@link #MR} rows (the last rows in strips
 * of 4, 2 and 1) held column by column, in a buffer lent from {@link #A_BUFFERS} that stays in L2. A micro-kernel
 * keeps a {@code h x NR} block of C in {@code 2h} vector registers ({@code h = 8}: 16 of the 32
 * AVX-512 registers) and, per element of the inner dimension, loads two vectors of B, broadcasts
 * {@code h} elements of A and issues {@code 2h} fused multiply-adds. The loops around it go: blocks of
 * {@link #KC} of the inner dimension, then a panel of B (its {@code KC x NR} block stays in L1 while)
 * every strip of the task's rows passes over it. Work is split into tasks of (up to {@link #MC} rows)
 * x (a run of panels), so a product of few rows still keeps every thread busy.
 *
 * <p>Every element of C is the addend plus, per block of {@link #KC}, a chain of fused multiply-adds in
 * the order of the inner index, whatever the task split and strip height, so results do not depend on
 * the thread count. The float64 code mirrors the float32 code on purpose: HotSpot compiles a method
 * once for all callers, and each micro-kernel must see one element type.
 */
final class VectorGemm {
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int FL = FS.length();
    static final int DL = DS.length();
    /** Columns per packed panel of B, float32: two vectors. */
    static final int FNR = 2 * FL;
    /** Columns per packed panel of B, float64: two vectors. */
    static final int DNR = 2 * DL;
    /**
     * Rows of the main micro-kernel: 8 (16 accumulators) with 512-bit vectors, whose CPUs have 32
     * vector registers; 4 with narrower vectors (AVX2 has 16 registers).
     */
    static final int MR = FS.vectorBitSize() >= 512 ? 8 : 4;
    /** Block of the inner dimension: a {@code KC x NR} block of B is 32 KiB in float32 (512-bit vectors). */
    static final int KC = 256;
    /** Most rows per task. A multiple of {@link #MR}. */
    static final int MC = 128;
    /** Elements of C per chunk of a {@link #chunked} task: 256 KiB of float32, an eighth of L2. */
    static final int CHUNK_ELEMENTS = 1 << 16;
    /** Largest inner dimension a {@link #chunked} task packs whole ({@link #MC} rows: 512 KiB of float32). */
    static final int CHUNKED_MAX_K = 1024;
    /**
     * Buffers for packed blocks of A ({@link #MC} x {@link #KC}: 128 KiB in float32), and for the whole
     * packed A a product shares between its tasks, lent per task: a product takes one per running task
     * and gives it back, so a few stay warm in the caches. A lookup costs a few array reads (a
     * {@code ThreadLocal} here took 4.5% of an LSTM training step, its map probing past other entries).
     */
    private static final BufferPool A_BUFFERS = new BufferPool();

    private VectorGemm() {
    }

    /** What runs, for {@code version()} and {@code explain()}: e.g. {@code jdk.incubator.vector 512-bit, 8x32 float32 micro-kernel}. */
    static String describe() {
        return "jdk.incubator.vector " + FS.vectorBitSize() + "-bit, " + MR + "x" + FNR + " float32 and " + MR + "x" + DNR
                + " float64 micro-kernels";
    }

    /** {@code op(B)} packed into panels; immutable once built. */
    static final class Packed {
        /** {@code float[]} or {@code double[]}: panel {@code jp} at {@code jp * k * nr}, row {@code kk} of it at {@code + kk * nr}. */
        final Object data;
        final int n;
        final int k;
        final int nr;
        final int panels;

        Packed(Object data, int n, int k, int nr) {
            this.data = data;
            this.n = n;
            this.k = k;
            this.nr = nr;
            this.panels = (n + nr - 1) / nr;
        }
    }

    /** Panel width for the storage type of {@code like}. */
    static int panelWidth(Object like) {
        return like instanceof float[] ? FNR : DNR;
    }

    /**
     * Packs {@code op(b)}: {@code b} is {@code [k, n]}, or {@code [n, k]} when {@code tb}, of the type
     * of the result. Panels are packed in parallel on {@code par} when it is not null.
     */
    static Packed pack(Object b, int n, int k, boolean tb, Parallel par) {
        return pack(b, n, k, tb, par, ArrayPool.NONE);
    }

    /** {@link #pack(Object, int, int, boolean, Parallel)} into a zeroed array of {@code pool}. */
    static Packed pack(Object b, int n, int k, boolean tb, Parallel par, ArrayPool pool) {
        return packInto(b, n, k, tb, par, pool.zeroLike(b, packedSize(b, n, k)));
    }

    /**
     * {@link #pack} into an array of {@code pool}, not zeroed first (every element is written): for a
     * product's own B, given back to the pool ({@code pool.give(packed.data)}) once the product is done.
     */
    static Packed packTransient(Object b, int n, int k, boolean tb, Parallel par, ArrayPool pool) {
        return packInto(b, n, k, tb, par, pool.like(b, packedSize(b, n, k)));
    }

    private static int packedSize(Object b, int n, int k) {
        int nr = panelWidth(b);
        long size = (long) ((n + nr - 1) / nr) * nr * k;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix product: packed operand of " + size + " elements exceeds a Java array");
        }
        return (int) size;
    }

    private static Packed packInto(Object b, int n, int k, boolean tb, Parallel par, Object data) {
        int nr = panelWidth(b);
        int panels = (n + nr - 1) / nr;
        forEach(par, panels, jp -> {
            if (b instanceof float[] fb) {
                F32.packPanel(fb, n, k, tb, (float[]) data, jp);
            } else {
                F64.packPanel((double[]) b, n, k, tb, (double[]) data, jp);
            }
        });
        return new Packed(data, n, k, nr);
    }

    /**
     * Returns a new array {@code [m, n]}: {@code addend + op(A) · B}, with element {@code (i, kk)} of
     * {@code op(A)} at {@code a[off + i * rowStride + kk]} ({@code a[off + kk * rowStride + i]} when
     * {@code ta}) and {@code addend} {@code [m, n]} or null. {@code par} null runs on the calling thread.
     */
    static Object multiply(Object a, int off, int rowStride, int m, boolean ta, Packed b, Object addend, Parallel par) {
        return multiply(a, off, rowStride, m, ta, b, addend, par, ArrayPool.NONE);
    }

    /** {@link #multiply(Object, int, int, int, boolean, Packed, Object, Parallel)} with the result taken from {@code pool}. */
    static Object multiply(Object a, int off, int rowStride, int m, boolean ta, Packed b, Object addend, Parallel par, ArrayPool pool) {
        if (addend == null && b.k == 0) {
            return pool.zeroLike(b.data, m * b.n);
        }
        // without an addend the first block of the inner dimension writes C, so it need not be zeroed first
        Object c = addend == null ? pool.like(b.data, m * b.n) : pool.copy(addend);
        multiplyInto(a, off, rowStride, m, ta, b, c, 0, b.n, par, addend == null);
        return c;
    }

    /**
     * {@code C += op(A) · B} in place, where row {@code i} of C ({@code [m, n]}) starts at
     * {@code c[cOff + i * ldc]} and {@code op(A)} is read as in {@link #multiply}. Writes nothing else of
     * {@code c}. {@code par} null runs on the calling thread.
     */
    static void multiplyInto(Object a, int off, int rowStride, int m, boolean ta, Packed b, Object c, int cOff, int ldc, Parallel par) {
        multiplyInto(a, off, rowStride, m, ta, b, c, cOff, ldc, par, false);
    }

    /**
     * {@link #multiplyInto(Object, int, int, int, boolean, Packed, Object, int, int, Parallel)}, or with {@code overwrite}
     * {@code C = op(A) · B}: what C held is never read (the first block of the inner dimension stores its sums, the
     * others add to them), so C need not be zeroed. {@code overwrite} requires {@code k > 0}.
     */
    static void multiplyInto(Object a, int off, int rowStride, int m, boolean ta, Packed b, Object c, int cOff, int ldc, Parallel par,
                             boolean overwrite) {
        int n = b.n;
        int k = b.k;
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        Split split = Split.of(m, b.panels, par);
        if (par == null || split.tasks() == 1) {
            for (int i0 = 0; i0 < m; i0 += MC) {
                block(a, off, rowStride, ta, m, b, c, cOff, ldc, i0, Math.min(m, i0 + MC), 0, b.panels, 1, b.panels, null, overwrite);
            }
            return;
        }
        Object shared = split.sharesA() ? packShared(a, off, rowStride, ta, m, k) : null;
        try {
            par.forEach(split.tasks(), t -> block(a, off, rowStride, ta, m, b, c, cOff, ldc, split.i0(t), split.i1(t, m), split.u0(t),
                    split.u1(t), 1, b.panels, shared, overwrite));
        } finally {
            if (shared != null) {
                A_BUFFERS.give(shared);
            }
        }
    }

    /**
     * How a product's work is cut into tasks of (up to {@link #MC} rows) x (a run of {@code perChunk} of the {@code units}
     * column units: panels, or panels per group): enough tasks for every thread to take about two, so that a thread
     * slowed by another process is caught up. Task {@code t} takes row block {@code t / chunkCount} and run
     * {@code t % chunkCount}.
     */
    private record Split(int rowBlocks, int units, int perChunk, int chunkCount) {
        static Split of(int m, int units, Parallel par) {
            int rowBlocks = (m + MC - 1) / MC;
            int chunks = 1;
            if (par != null && par.threads() > 1) {
                int wanted = 2 * par.threads();
                if (rowBlocks < wanted) {
                    chunks = Math.min(units, (wanted + rowBlocks - 1) / rowBlocks);
                }
            }
            int perChunk = (units + chunks - 1) / chunks;
            return new Split(rowBlocks, units, perChunk, (units + perChunk - 1) / perChunk);
        }

        int tasks() {
            return rowBlocks * chunkCount;
        }

        /** Few rows in several tasks: the rows are packed once for all of them ({@link #packShared}). */
        boolean sharesA() {
            return rowBlocks == 1 && tasks() > 1;
        }

        int i0(int t) {
            return (t / chunkCount) * MC;
        }

        int i1(int t, int m) {
            return Math.min(m, i0(t) + MC);
        }

        int u0(int t) {
            return (t % chunkCount) * perChunk;
        }

        int u1(int t) {
            return Math.min(units, u0(t) + perChunk);
        }
    }

    /**
     * All {@code m} rows of {@code op(A)} packed for every block of {@link #KC} (block {@code pc} at {@code m * pc}) into
     * a buffer of {@link #A_BUFFERS}, which the caller gives back: the tasks of a few-row product read them there
     * instead of each packing the same rows again.
     */
    private static Object packShared(Object a, int off, int rowStride, boolean ta, int m, int k) {
        Object shared = A_BUFFERS.take(a, m * k);
        for (int pc = 0; pc < k; pc += KC) {
            packA(a, off, rowStride, ta, m, 0, m, pc, Math.min(KC, k - pc), shared, m * pc);
        }
        return shared;
    }

    /** Whether {@link #multiplyGrouped} takes a product of {@code n} columns in {@code groups} groups (each a whole number of panels). */
    static boolean groupable(Object like, int n, int groups) {
        return groups > 0 && n % groups == 0 && (n / groups) % panelWidth(like) == 0;
    }

    /**
     * {@code C = A · B} (A {@code [m, k]} row-major at {@code a[0]}, C {@code [m, n]} row-major, what it held never read), where the
     * {@code n} columns are {@code groups} groups of {@code width = n / groups} (the gates of a recurrent cell) and
     * each task computes one range {@code [j0, j1)} of columns in all groups, then calls
     * {@code epilogue.done(i0, i1, j0, j1)} for it on the same thread while that block of C is in its cache. The
     * elements of C get exactly the sums of {@link #multiply}. Requires {@link #groupable} and {@code k > 0}. {@code par} null
     * runs on the calling thread.
     */
    static void multiplyGrouped(float[] a, int m, Packed b, float[] c, int groups, Parallel par, Gemm.GroupEpilogue epilogue) {
        int n = b.n;
        int k = b.k;
        if (m == 0 || n == 0) {
            return;
        }
        int units = n / groups / b.nr; // panels per group
        Split split = Split.of(m, units, par);
        Object shared = par != null && split.sharesA() ? packShared(a, 0, k, false, m, k) : null;
        try {
            IntConsumer task = t -> {
                int i0 = split.i0(t);
                int i1 = split.i1(t, m);
                block(a, 0, k, false, m, b, c, 0, n, i0, i1, split.u0(t), split.u1(t), groups, units, shared, true);
                epilogue.done(i0, i1, split.u0(t) * b.nr, split.u1(t) * b.nr);
            };
            if (par == null || split.tasks() == 1) {
                for (int t = 0; t < split.tasks(); t++) {
                    task.accept(t);
                }
            } else {
                par.forEach(split.tasks(), task);
            }
        } finally {
            if (shared != null) {
                A_BUFFERS.give(shared);
            }
        }
    }

    /** Rows {@code [i0, i1)}, columns {@code [pc, pc + kc)} of {@code op(A)} packed at {@code dst[at]} (see F32.packA). */
    private static void packA(Object a, int off, int rowStride, boolean ta, int m, int i0, int i1, int pc, int kc, Object dst, int at) {
        if (a instanceof float[] fa) {
            F32.packA(fa, off, rowStride, ta, m, i0, i1, pc, kc, (float[]) dst, at);
        } else {
            F64.packA((double[]) a, off, rowStride, ta, m, i0, i1, pc, kc, (double[]) dst, at);
        }
    }

    /**
     * A few arrays lent out and given back ({@link #A_BUFFERS}): {@code take} returns a free one of at least
     * the size asked and the right type, or a new one; {@code give} keeps it for the next taker (up to
     * {@link #SLOTS} arrays, the rest go to the garbage collector).
     */
    static final class BufferPool {
        static final int SLOTS = 8;
        private final java.util.concurrent.atomic.AtomicReferenceArray<Object> slots = new java.util.concurrent.atomic.AtomicReferenceArray<>(SLOTS);

        Object take(Object like, int size) {
            boolean f = like instanceof float[];
            for (int i = 0; i < SLOTS; i++) {
                Object o = slots.get(i);
                if (o != null && (o instanceof float[]) == f && Storage.length(o) >= size && slots.compareAndSet(i, o, null)) {
                    return o;
                }
            }
            // at least the largest block a task packs ({@link #chunked}), so that every task buffer fits every task
            return Storage.allocLike(like, Math.max(size, MC * CHUNKED_MAX_K));
        }

        void give(Object buffer) {
            for (int i = 0; i < SLOTS; i++) {
                if (slots.get(i) == null && slots.compareAndSet(i, null, buffer)) {
                    return;
                }
            }
        }
    }

    /**
     * Height of the strip that starts at row {@code i} of {@code m}: {@link #MR} up to the last full
     * strip, then the largest of 4, 2, 1 that fits. Depends on {@code i} and {@code m} only, so that
     * packing and computing agree.
     */
    static int stripHeight(int i, int m) {
        int left = m - i;
        if (i < m - m % MR) {
            return MR;
        }
        return left >= 4 ? 4 : left >= 2 ? 2 : 1;
    }

    /**
     * Rows {@code [i0, i1)} (strip-aligned) times panels {@code [p0, p1)} of each of {@code groups} runs of {@code units}
     * panels (one run of all panels for a plain product) into C (row {@code i} at {@code cOff + i * ldc}), with A packed in
     * {@code sharedA} or else per task: per block of {@link #KC}, this task's rows of {@code op(A)} are packed into a lent
     * scratch (at most {@link #MC} x {@link #KC}, so it stays in L2 while every panel of B passes over it), then each
     * panel's {@code KC x NR} block meets every strip ({@link #chunked} for a large block of C).
     */
    private static void block(Object a, int off, int rowStride, boolean ta, int m, Packed b, Object c, int cOff, int ldc, int i0, int i1,
                              int p0, int p1, int groups, int units, Object sharedA, boolean overwrite) {
        // a task whose block of C outgrows L2 packs all its rows of A first, then goes over C in chunks of panels, all
        // blocks of the inner dimension per chunk, so that a chunk's C stays in cache between its blocks
        boolean chunked = groups == 1 && sharedA == null && b.k > KC && b.k <= CHUNKED_MAX_K
                && (long) (i1 - i0) * (p1 - p0) * b.nr > CHUNK_ELEMENTS;
        Object own = sharedA == null ? A_BUFFERS.take(a, MC * (chunked ? b.k : KC)) : null;
        try {
            if (chunked) {
                chunked(a, off, rowStride, ta, m, b, c, cOff, ldc, i0, i1, p0, p1, own, overwrite);
            } else {
                blockWith(a, off, rowStride, ta, m, b, c, cOff, ldc, i0, i1, p0, p1, groups, units, sharedA, own, overwrite);
            }
        } finally {
            if (own != null) {
                A_BUFFERS.give(own);
            }
        }
    }

    /**
     * {@link #block} with A packed in {@code sharedA} (all of it, block {@code pc} at {@code m * pc}) or, per block, into {@code own};
     * the panels are {@code [p0, p1)} of each of {@code groups} runs of {@code units} panels (one run of all of them for a plain product).
     */
    private static void blockWith(Object a, int off, int rowStride, boolean ta, int m, Packed b, Object c, int cOff, int ldc, int i0, int i1,
                                  int p0, int p1, int groups, int units, Object sharedA, Object own, boolean overwrite) {
        int k = b.k;
        Object pa = sharedA != null ? sharedA : own;
        Object[] tile = {null};
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int base = sharedA != null ? m * pc : 0;
            if (sharedA == null) {
                packA(a, off, rowStride, ta, m, i0, i1, pc, kc, own, 0);
            }
            for (int g = 0; g < groups; g++) {
                for (int jp = g * units + p0; jp < g * units + p1; jp++) {
                    panel(pa, base, m, b, jp, pc, kc, c, cOff, ldc, i0, i1, tile, overwrite && pc == 0);
                }
            }
        }
    }

    /**
     * {@link #blockWith} for a task with a large block of C: its rows of A packed for the whole inner dimension into
     * {@code own} (block {@code pc} at {@code (i1 - i0) * pc}), then per chunk of panels (about {@link #CHUNK_ELEMENTS}
     * elements of C) every block of the inner dimension. Each element of C gets the same sums in the same order.
     */
    private static void chunked(Object a, int off, int rowStride, boolean ta, int m, Packed b, Object c, int cOff, int ldc, int i0, int i1,
                                int p0, int p1, Object own, boolean overwrite) {
        int k = b.k;
        int rows = i1 - i0;
        for (int pc = 0; pc < k; pc += KC) {
            packA(a, off, rowStride, ta, m, i0, i1, pc, Math.min(KC, k - pc), own, rows * pc);
        }
        int chunk = Math.max(1, CHUNK_ELEMENTS / (rows * b.nr));
        Object[] tile = {null};
        for (int q0 = p0; q0 < p1; q0 += chunk) {
            int q1 = Math.min(p1, q0 + chunk);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int jp = q0; jp < q1; jp++) {
                    panel(own, rows * pc, m, b, jp, pc, kc, c, cOff, ldc, i0, i1, tile, overwrite && pc == 0);
                }
            }
        }
    }

    /**
     * Block {@code pc} of panel {@code jp} against every strip of rows {@code [i0, i1)} (packed at {@code pa[base]}), added to C
     * or, with {@code store}, written over it.
     */
    private static void panel(Object pa, int base, int m, Packed b, int jp, int pc, int kc, Object c, int cOff, int ldc, int i0, int i1,
                              Object[] tile, boolean store) {
        int nr = b.nr;
        int bo = jp * nr * b.k + pc * nr;
        int j0 = jp * nr;
        int nj = Math.min(nr, b.n - j0);
        for (int i = i0, h; i < i1; i += h) {
            h = stripHeight(i, m);
            int ao = base + (i - i0) * kc;
            if (nj == nr) {
                kernel(h, pa, ao, b.data, bo, kc, c, cOff + i * ldc + j0, ldc, !store);
            } else {
                // the last panel, narrower than NR: compute the whole strip into a tile, add (or copy) its valid part
                if (tile[0] == null) {
                    tile[0] = Storage.allocLike(c, MR * nr);
                }
                kernel(h, pa, ao, b.data, bo, kc, tile[0], 0, nr, false);
                for (int r = 0; r < h; r++) {
                    if (store) {
                        System.arraycopy(tile[0], r * nr, c, cOff + (i + r) * ldc + j0, nj);
                    } else {
                        addRow(tile[0], r * nr, c, cOff + (i + r) * ldc + j0, nj);
                    }
                }
            }
        }
    }

    private static void kernel(int h, Object pa, int ao, Object pb, int bo, int kc, Object c, int co, int ldc, boolean add) {
        if (pa instanceof float[] fa) {
            F32.kernel(h, fa, ao, (float[]) pb, bo, kc, (float[]) c, co, ldc, add);
        } else {
            F64.kernel(h, (double[]) pa, ao, (double[]) pb, bo, kc, (double[]) c, co, ldc, add);
        }
    }

    private static void addRow(Object src, int from, Object dst, int to, int len) {
        if (src instanceof float[] s) {
            float[] d = (float[]) dst;
            for (int j = 0; j < len; j++) {
                d[to + j] += s[from + j];
            }
        } else {
            double[] s = (double[]) src;
            double[] d = (double[]) dst;
            for (int j = 0; j < len; j++) {
                d[to + j] += s[from + j];
            }
        }
    }


    private static void forEach(Parallel par, int tasks, IntConsumer task) {
        if (par == null) {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
        } else {
            par.forEach(tasks, task);
        }
    }

    /** float32. */
    static final class F32 {
        private F32() {
        }

        /** Panel {@code jp} of {@code op(b)} into {@code dst}, zero where the panel passes {@code n}. */
        static void packPanel(float[] b, int n, int k, boolean tb, float[] dst, int jp) {
            int j0 = jp * FNR;
            int nj = Math.min(FNR, n - j0);
            int base = jp * FNR * k;
            if (nj < FNR) {
                // the last panel's columns past n are zero (dst may be a reused buffer)
                for (int kk = 0; kk < k; kk++) {
                    java.util.Arrays.fill(dst, base + kk * FNR + nj, base + (kk + 1) * FNR, 0);
                }
            }
            if (!tb) {
                for (int kk = 0; kk < k; kk++) {
                    System.arraycopy(b, kk * n + j0, dst, base + kk * FNR, nj);
                }
                return;
            }
            // b is [n, k]: read rows of b, write columns of the panel, 64 rows of the panel (8 KiB) at a time
            for (int k0 = 0; k0 < k; k0 += 64) {
                int k1 = Math.min(k, k0 + 64);
                for (int jj = 0; jj < nj; jj++) {
                    int src = (j0 + jj) * k;
                    for (int kk = k0, d = base + k0 * FNR + jj; kk < k1; kk++, d += FNR) {
                        dst[d] = b[src + kk];
                    }
                }
            }
        }

        /**
         * Rows {@code [i0, i1)} of {@code op(A)}, columns {@code [pc, pc + kc)}, into strips (see
         * {@link VectorGemm#stripHeight}): the strip at row {@code i} at {@code (i - i0) * kc}, element
         * {@code (r, kk)} of it at {@code + kk * h + r}.
         */
        static void packA(float[] a, int off, int rowStride, boolean ta, int m, int i0, int i1, int pc, int kc, float[] pa, int at) {
            for (int i = i0, h; i < i1; i += h) {
                h = stripHeight(i, m);
                int d = at + (i - i0) * kc;
                if (ta) {
                    for (int kk = 0; kk < kc; kk++, d += h) {
                        int src = off + (pc + kk) * rowStride + i;
                        for (int r = 0; r < h; r++) {
                            pa[d + r] = a[src + r];
                        }
                    }
                } else {
                    for (int r = 0; r < h; r++) {
                        int src = off + (i + r) * rowStride + pc;
                        for (int kk = 0, q = d + r; kk < kc; kk++, q += h) {
                            pa[q] = a[src + kk];
                        }
                    }
                }
            }
        }

        static void kernel(int h, float[] pa, int ao, float[] pb, int bo, int kc, float[] c, int co, int ldc, boolean add) {
            switch (h) {
                case 8 -> k8(pa, ao, pb, bo, kc, c, co, ldc, add);
                case 4 -> k4(pa, ao, pb, bo, kc, c, co, ldc, add);
                case 2 -> k2(pa, ao, pb, bo, kc, c, co, ldc, add);
                default -> k1(pa, ao, pb, bo, kc, c, co, ldc, add);
            }
        }

        /** {@code c[co + r*ldc + j] += Σ_kk pa[ao + kk*8 + r] * pb[bo + kk*NR + j]} ({@code =} when not {@code add}), 8 rows {@code r}, {@code j < NR}. */
        private static void k8(final float[] pa, final int ao, final float[] pb, final int bo, final int kc, final float[] c, final int co,
                               final int ldc, final boolean add) {
            FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS);
            FloatVector c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
            FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS);
            FloatVector c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
            FloatVector c40 = FloatVector.zero(FS), c41 = FloatVector.zero(FS);
            FloatVector c50 = FloatVector.zero(FS), c51 = FloatVector.zero(FS);
            FloatVector c60 = FloatVector.zero(FS), c61 = FloatVector.zero(FS);
            FloatVector c70 = FloatVector.zero(FS), c71 = FloatVector.zero(FS);
            for (int kk = 0, p = ao, q = bo; kk < kc; kk++, p += 8, q += FNR) {
                FloatVector b0 = FloatVector.fromArray(FS, pb, q);
                FloatVector b1 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector x = FloatVector.broadcast(FS, pa[p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(FS, pa[p + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(FS, pa[p + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(FS, pa[p + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(FS, pa[p + 4]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(FS, pa[p + 5]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = FloatVector.broadcast(FS, pa[p + 6]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = FloatVector.broadcast(FS, pa[p + 7]);
                c70 = x.fma(b0, c70);
                c71 = x.fma(b1, c71);
            }
            if (add) {
                c00.add(FloatVector.fromArray(FS, c, co)).intoArray(c, co);
                c01.add(FloatVector.fromArray(FS, c, co + FL)).intoArray(c, co + FL);
                c10.add(FloatVector.fromArray(FS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c11.add(FloatVector.fromArray(FS, c, co + 1 * ldc + FL)).intoArray(c, co + 1 * ldc + FL);
                c20.add(FloatVector.fromArray(FS, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
                c21.add(FloatVector.fromArray(FS, c, co + 2 * ldc + FL)).intoArray(c, co + 2 * ldc + FL);
                c30.add(FloatVector.fromArray(FS, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
                c31.add(FloatVector.fromArray(FS, c, co + 3 * ldc + FL)).intoArray(c, co + 3 * ldc + FL);
                c40.add(FloatVector.fromArray(FS, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
                c41.add(FloatVector.fromArray(FS, c, co + 4 * ldc + FL)).intoArray(c, co + 4 * ldc + FL);
                c50.add(FloatVector.fromArray(FS, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
                c51.add(FloatVector.fromArray(FS, c, co + 5 * ldc + FL)).intoArray(c, co + 5 * ldc + FL);
                c60.add(FloatVector.fromArray(FS, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
                c61.add(FloatVector.fromArray(FS, c, co + 6 * ldc + FL)).intoArray(c, co + 6 * ldc + FL);
                c70.add(FloatVector.fromArray(FS, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
                c71.add(FloatVector.fromArray(FS, c, co + 7 * ldc + FL)).intoArray(c, co + 7 * ldc + FL);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + FL);
                c10.intoArray(c, co + 1 * ldc);
                c11.intoArray(c, co + 1 * ldc + FL);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + FL);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + FL);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + FL);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + FL);
                c60.intoArray(c, co + 6 * ldc);
                c61.intoArray(c, co + 6 * ldc + FL);
                c70.intoArray(c, co + 7 * ldc);
                c71.intoArray(c, co + 7 * ldc + FL);
            }
        }

        /** {@code c[co + r*ldc + j] += Σ_kk pa[ao + kk*4 + r] * pb[bo + kk*NR + j]} ({@code =} when not {@code add}), 4 rows {@code r}, {@code j < NR}. */
        private static void k4(final float[] pa, final int ao, final float[] pb, final int bo, final int kc, final float[] c, final int co,
                               final int ldc, final boolean add) {
            FloatVector c00 = FloatVector.zero(FS), c01 = FloatVector.zero(FS);
            FloatVector c10 = FloatVector.zero(FS), c11 = FloatVector.zero(FS);
            FloatVector c20 = FloatVector.zero(FS), c21 = FloatVector.zero(FS);
            FloatVector c30 = FloatVector.zero(FS), c31 = FloatVector.zero(FS);
            for (int kk = 0, p = ao, q = bo; kk < kc; kk++, p += 4, q += FNR) {
                FloatVector b0 = FloatVector.fromArray(FS, pb, q);
                FloatVector b1 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector x = FloatVector.broadcast(FS, pa[p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(FS, pa[p + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(FS, pa[p + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(FS, pa[p + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
            }
            if (add) {
                c00.add(FloatVector.fromArray(FS, c, co)).intoArray(c, co);
                c01.add(FloatVector.fromArray(FS, c, co + FL)).intoArray(c, co + FL);
                c10.add(FloatVector.fromArray(FS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c11.add(FloatVector.fromArray(FS, c, co + 1 * ldc + FL)).intoArray(c, co + 1 * ldc + FL);
                c20.add(FloatVector.fromArray(FS, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
                c21.add(FloatVector.fromArray(FS, c, co + 2 * ldc + FL)).intoArray(c, co + 2 * ldc + FL);
                c30.add(FloatVector.fromArray(FS, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
                c31.add(FloatVector.fromArray(FS, c, co + 3 * ldc + FL)).intoArray(c, co + 3 * ldc + FL);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + FL);
                c10.intoArray(c, co + 1 * ldc);
                c11.intoArray(c, co + 1 * ldc + FL);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + FL);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + FL);
            }
        }

        /**
         * {@link #k8} for 2 rows, the inner index split into 2 interleaved chains (summed at the end) so that
         * enough fused multiply-adds are independent to hide their latency.
         */
        private static void k2(final float[] pa, final int ao, final float[] pb, final int bo, final int kc, final float[] c, final int co,
                               final int ldc, final boolean add) {
            FloatVector c000 = FloatVector.zero(FS), c010 = FloatVector.zero(FS);
            FloatVector c001 = FloatVector.zero(FS), c011 = FloatVector.zero(FS);
            FloatVector c100 = FloatVector.zero(FS), c110 = FloatVector.zero(FS);
            FloatVector c101 = FloatVector.zero(FS), c111 = FloatVector.zero(FS);
            int kk = 0;
            int p = ao;
            int q = bo;
            for (; kk + 1 < kc; kk += 2, p += 4, q += 2 * FNR) {
                FloatVector b00 = FloatVector.fromArray(FS, pb, q);
                FloatVector b10 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector b01 = FloatVector.fromArray(FS, pb, q + FNR);
                FloatVector b11 = FloatVector.fromArray(FS, pb, q + FNR + FL);
                FloatVector x00 = FloatVector.broadcast(FS, pa[p]);
                c000 = x00.fma(b00, c000);
                c010 = x00.fma(b10, c010);
                FloatVector x10 = FloatVector.broadcast(FS, pa[p + 1]);
                c100 = x10.fma(b00, c100);
                c110 = x10.fma(b10, c110);
                FloatVector x01 = FloatVector.broadcast(FS, pa[p + 2]);
                c001 = x01.fma(b01, c001);
                c011 = x01.fma(b11, c011);
                FloatVector x11 = FloatVector.broadcast(FS, pa[p + 3]);
                c101 = x11.fma(b01, c101);
                c111 = x11.fma(b11, c111);
            }
            for (; kk < kc; kk++, p += 2, q += FNR) {
                FloatVector b0 = FloatVector.fromArray(FS, pb, q);
                FloatVector b1 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector x0 = FloatVector.broadcast(FS, pa[p]);
                c000 = x0.fma(b0, c000);
                c010 = x0.fma(b1, c010);
                FloatVector x1 = FloatVector.broadcast(FS, pa[p + 1]);
                c100 = x1.fma(b0, c100);
                c110 = x1.fma(b1, c110);
            }
            if (add) {
                c000.add(c001).add(FloatVector.fromArray(FS, c, co)).intoArray(c, co);
                c010.add(c011).add(FloatVector.fromArray(FS, c, co + FL)).intoArray(c, co + FL);
                c100.add(c101).add(FloatVector.fromArray(FS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c110.add(c111).add(FloatVector.fromArray(FS, c, co + 1 * ldc + FL)).intoArray(c, co + 1 * ldc + FL);
            } else {
                c000.add(c001).intoArray(c, co);
                c010.add(c011).intoArray(c, co + FL);
                c100.add(c101).intoArray(c, co + 1 * ldc);
                c110.add(c111).intoArray(c, co + 1 * ldc + FL);
            }
        }

        /**
         * {@link #k8} for 1 row, the inner index split into 4 interleaved chains (summed at the end) so that
         * enough fused multiply-adds are independent to hide their latency.
         */
        private static void k1(final float[] pa, final int ao, final float[] pb, final int bo, final int kc, final float[] c, final int co,
                               final int ldc, final boolean add) {
            FloatVector c000 = FloatVector.zero(FS), c010 = FloatVector.zero(FS);
            FloatVector c001 = FloatVector.zero(FS), c011 = FloatVector.zero(FS);
            FloatVector c002 = FloatVector.zero(FS), c012 = FloatVector.zero(FS);
            FloatVector c003 = FloatVector.zero(FS), c013 = FloatVector.zero(FS);
            int kk = 0;
            int p = ao;
            int q = bo;
            for (; kk + 3 < kc; kk += 4, p += 4, q += 4 * FNR) {
                FloatVector b00 = FloatVector.fromArray(FS, pb, q);
                FloatVector b10 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector b01 = FloatVector.fromArray(FS, pb, q + FNR);
                FloatVector b11 = FloatVector.fromArray(FS, pb, q + FNR + FL);
                FloatVector b02 = FloatVector.fromArray(FS, pb, q + 2 * FNR);
                FloatVector b12 = FloatVector.fromArray(FS, pb, q + 2 * FNR + FL);
                FloatVector b03 = FloatVector.fromArray(FS, pb, q + 3 * FNR);
                FloatVector b13 = FloatVector.fromArray(FS, pb, q + 3 * FNR + FL);
                FloatVector x00 = FloatVector.broadcast(FS, pa[p]);
                c000 = x00.fma(b00, c000);
                c010 = x00.fma(b10, c010);
                FloatVector x01 = FloatVector.broadcast(FS, pa[p + 1]);
                c001 = x01.fma(b01, c001);
                c011 = x01.fma(b11, c011);
                FloatVector x02 = FloatVector.broadcast(FS, pa[p + 2]);
                c002 = x02.fma(b02, c002);
                c012 = x02.fma(b12, c012);
                FloatVector x03 = FloatVector.broadcast(FS, pa[p + 3]);
                c003 = x03.fma(b03, c003);
                c013 = x03.fma(b13, c013);
            }
            for (; kk < kc; kk++, p += 1, q += FNR) {
                FloatVector b0 = FloatVector.fromArray(FS, pb, q);
                FloatVector b1 = FloatVector.fromArray(FS, pb, q + FL);
                FloatVector x0 = FloatVector.broadcast(FS, pa[p]);
                c000 = x0.fma(b0, c000);
                c010 = x0.fma(b1, c010);
            }
            if (add) {
                c000.add(c001).add(c002.add(c003)).add(FloatVector.fromArray(FS, c, co)).intoArray(c, co);
                c010.add(c011).add(c012.add(c013)).add(FloatVector.fromArray(FS, c, co + FL)).intoArray(c, co + FL);
            } else {
                c000.add(c001).add(c002.add(c003)).intoArray(c, co);
                c010.add(c011).add(c012.add(c013)).intoArray(c, co + FL);
            }
        }
    }

    /** float64: {@link F32} with the element type changed. */
    static final class F64 {
        private F64() {
        }

        static void packPanel(double[] b, int n, int k, boolean tb, double[] dst, int jp) {
            int j0 = jp * DNR;
            int nj = Math.min(DNR, n - j0);
            int base = jp * DNR * k;
            if (nj < DNR) {
                // the last panel's columns past n are zero (dst may be a reused buffer)
                for (int kk = 0; kk < k; kk++) {
                    java.util.Arrays.fill(dst, base + kk * DNR + nj, base + (kk + 1) * DNR, 0);
                }
            }
            if (!tb) {
                for (int kk = 0; kk < k; kk++) {
                    System.arraycopy(b, kk * n + j0, dst, base + kk * DNR, nj);
                }
                return;
            }
            for (int k0 = 0; k0 < k; k0 += 64) {
                int k1 = Math.min(k, k0 + 64);
                for (int jj = 0; jj < nj; jj++) {
                    int src = (j0 + jj) * k;
                    for (int kk = k0, d = base + k0 * DNR + jj; kk < k1; kk++, d += DNR) {
                        dst[d] = b[src + kk];
                    }
                }
            }
        }

        /**
         * Rows {@code [i0, i1)} of {@code op(A)}, columns {@code [pc, pc + kc)}, into strips (see
         * {@link VectorGemm#stripHeight}): the strip at row {@code i} at {@code (i - i0) * kc}, element
         * {@code (r, kk)} of it at {@code + kk * h + r}.
         */
        static void packA(double[] a, int off, int rowStride, boolean ta, int m, int i0, int i1, int pc, int kc, double[] pa, int at) {
            for (int i = i0, h; i < i1; i += h) {
                h = stripHeight(i, m);
                int d = at + (i - i0) * kc;
                if (ta) {
                    for (int kk = 0; kk < kc; kk++, d += h) {
                        int src = off + (pc + kk) * rowStride + i;
                        for (int r = 0; r < h; r++) {
                            pa[d + r] = a[src + r];
                        }
                    }
                } else {
                    for (int r = 0; r < h; r++) {
                        int src = off + (i + r) * rowStride + pc;
                        for (int kk = 0, q = d + r; kk < kc; kk++, q += h) {
                            pa[q] = a[src + kk];
                        }
                    }
                }
            }
        }

        static void kernel(int h, double[] pa, int ao, double[] pb, int bo, int kc, double[] c, int co, int ldc, boolean add) {
            switch (h) {
                case 8 -> k8(pa, ao, pb, bo, kc, c, co, ldc, add);
                case 4 -> k4(pa, ao, pb, bo, kc, c, co, ldc, add);
                case 2 -> k2(pa, ao, pb, bo, kc, c, co, ldc, add);
                default -> k1(pa, ao, pb, bo, kc, c, co, ldc, add);
            }
        }

        /** {@code c[co + r*ldc + j] += Σ_kk pa[ao + kk*8 + r] * pb[bo + kk*NR + j]} ({@code =} when not {@code add}), 8 rows {@code r}, {@code j < NR}. */
        private static void k8(final double[] pa, final int ao, final double[] pb, final int bo, final int kc, final double[] c, final int co,
                               final int ldc, final boolean add) {
            DoubleVector c00 = DoubleVector.zero(DS), c01 = DoubleVector.zero(DS);
            DoubleVector c10 = DoubleVector.zero(DS), c11 = DoubleVector.zero(DS);
            DoubleVector c20 = DoubleVector.zero(DS), c21 = DoubleVector.zero(DS);
            DoubleVector c30 = DoubleVector.zero(DS), c31 = DoubleVector.zero(DS);
            DoubleVector c40 = DoubleVector.zero(DS), c41 = DoubleVector.zero(DS);
            DoubleVector c50 = DoubleVector.zero(DS), c51 = DoubleVector.zero(DS);
            DoubleVector c60 = DoubleVector.zero(DS), c61 = DoubleVector.zero(DS);
            DoubleVector c70 = DoubleVector.zero(DS), c71 = DoubleVector.zero(DS);
            for (int kk = 0, p = ao, q = bo; kk < kc; kk++, p += 8, q += DNR) {
                DoubleVector b0 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b1 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector x = DoubleVector.broadcast(DS, pa[p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = DoubleVector.broadcast(DS, pa[p + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = DoubleVector.broadcast(DS, pa[p + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = DoubleVector.broadcast(DS, pa[p + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = DoubleVector.broadcast(DS, pa[p + 4]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = DoubleVector.broadcast(DS, pa[p + 5]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = DoubleVector.broadcast(DS, pa[p + 6]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = DoubleVector.broadcast(DS, pa[p + 7]);
                c70 = x.fma(b0, c70);
                c71 = x.fma(b1, c71);
            }
            if (add) {
                c00.add(DoubleVector.fromArray(DS, c, co)).intoArray(c, co);
                c01.add(DoubleVector.fromArray(DS, c, co + DL)).intoArray(c, co + DL);
                c10.add(DoubleVector.fromArray(DS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c11.add(DoubleVector.fromArray(DS, c, co + 1 * ldc + DL)).intoArray(c, co + 1 * ldc + DL);
                c20.add(DoubleVector.fromArray(DS, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
                c21.add(DoubleVector.fromArray(DS, c, co + 2 * ldc + DL)).intoArray(c, co + 2 * ldc + DL);
                c30.add(DoubleVector.fromArray(DS, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
                c31.add(DoubleVector.fromArray(DS, c, co + 3 * ldc + DL)).intoArray(c, co + 3 * ldc + DL);
                c40.add(DoubleVector.fromArray(DS, c, co + 4 * ldc)).intoArray(c, co + 4 * ldc);
                c41.add(DoubleVector.fromArray(DS, c, co + 4 * ldc + DL)).intoArray(c, co + 4 * ldc + DL);
                c50.add(DoubleVector.fromArray(DS, c, co + 5 * ldc)).intoArray(c, co + 5 * ldc);
                c51.add(DoubleVector.fromArray(DS, c, co + 5 * ldc + DL)).intoArray(c, co + 5 * ldc + DL);
                c60.add(DoubleVector.fromArray(DS, c, co + 6 * ldc)).intoArray(c, co + 6 * ldc);
                c61.add(DoubleVector.fromArray(DS, c, co + 6 * ldc + DL)).intoArray(c, co + 6 * ldc + DL);
                c70.add(DoubleVector.fromArray(DS, c, co + 7 * ldc)).intoArray(c, co + 7 * ldc);
                c71.add(DoubleVector.fromArray(DS, c, co + 7 * ldc + DL)).intoArray(c, co + 7 * ldc + DL);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + DL);
                c10.intoArray(c, co + 1 * ldc);
                c11.intoArray(c, co + 1 * ldc + DL);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + DL);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + DL);
                c40.intoArray(c, co + 4 * ldc);
                c41.intoArray(c, co + 4 * ldc + DL);
                c50.intoArray(c, co + 5 * ldc);
                c51.intoArray(c, co + 5 * ldc + DL);
                c60.intoArray(c, co + 6 * ldc);
                c61.intoArray(c, co + 6 * ldc + DL);
                c70.intoArray(c, co + 7 * ldc);
                c71.intoArray(c, co + 7 * ldc + DL);
            }
        }

        /** {@code c[co + r*ldc + j] += Σ_kk pa[ao + kk*4 + r] * pb[bo + kk*NR + j]} ({@code =} when not {@code add}), 4 rows {@code r}, {@code j < NR}. */
        private static void k4(final double[] pa, final int ao, final double[] pb, final int bo, final int kc, final double[] c, final int co,
                               final int ldc, final boolean add) {
            DoubleVector c00 = DoubleVector.zero(DS), c01 = DoubleVector.zero(DS);
            DoubleVector c10 = DoubleVector.zero(DS), c11 = DoubleVector.zero(DS);
            DoubleVector c20 = DoubleVector.zero(DS), c21 = DoubleVector.zero(DS);
            DoubleVector c30 = DoubleVector.zero(DS), c31 = DoubleVector.zero(DS);
            for (int kk = 0, p = ao, q = bo; kk < kc; kk++, p += 4, q += DNR) {
                DoubleVector b0 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b1 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector x = DoubleVector.broadcast(DS, pa[p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = DoubleVector.broadcast(DS, pa[p + 1]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = DoubleVector.broadcast(DS, pa[p + 2]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = DoubleVector.broadcast(DS, pa[p + 3]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
            }
            if (add) {
                c00.add(DoubleVector.fromArray(DS, c, co)).intoArray(c, co);
                c01.add(DoubleVector.fromArray(DS, c, co + DL)).intoArray(c, co + DL);
                c10.add(DoubleVector.fromArray(DS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c11.add(DoubleVector.fromArray(DS, c, co + 1 * ldc + DL)).intoArray(c, co + 1 * ldc + DL);
                c20.add(DoubleVector.fromArray(DS, c, co + 2 * ldc)).intoArray(c, co + 2 * ldc);
                c21.add(DoubleVector.fromArray(DS, c, co + 2 * ldc + DL)).intoArray(c, co + 2 * ldc + DL);
                c30.add(DoubleVector.fromArray(DS, c, co + 3 * ldc)).intoArray(c, co + 3 * ldc);
                c31.add(DoubleVector.fromArray(DS, c, co + 3 * ldc + DL)).intoArray(c, co + 3 * ldc + DL);
            } else {
                c00.intoArray(c, co);
                c01.intoArray(c, co + DL);
                c10.intoArray(c, co + 1 * ldc);
                c11.intoArray(c, co + 1 * ldc + DL);
                c20.intoArray(c, co + 2 * ldc);
                c21.intoArray(c, co + 2 * ldc + DL);
                c30.intoArray(c, co + 3 * ldc);
                c31.intoArray(c, co + 3 * ldc + DL);
            }
        }

        /**
         * {@link #k8} for 2 rows, the inner index split into 2 interleaved chains (summed at the end) so that
         * enough fused multiply-adds are independent to hide their latency.
         */
        private static void k2(final double[] pa, final int ao, final double[] pb, final int bo, final int kc, final double[] c, final int co,
                               final int ldc, final boolean add) {
            DoubleVector c000 = DoubleVector.zero(DS), c010 = DoubleVector.zero(DS);
            DoubleVector c001 = DoubleVector.zero(DS), c011 = DoubleVector.zero(DS);
            DoubleVector c100 = DoubleVector.zero(DS), c110 = DoubleVector.zero(DS);
            DoubleVector c101 = DoubleVector.zero(DS), c111 = DoubleVector.zero(DS);
            int kk = 0;
            int p = ao;
            int q = bo;
            for (; kk + 1 < kc; kk += 2, p += 4, q += 2 * DNR) {
                DoubleVector b00 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b10 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector b01 = DoubleVector.fromArray(DS, pb, q + DNR);
                DoubleVector b11 = DoubleVector.fromArray(DS, pb, q + DNR + DL);
                DoubleVector x00 = DoubleVector.broadcast(DS, pa[p]);
                c000 = x00.fma(b00, c000);
                c010 = x00.fma(b10, c010);
                DoubleVector x10 = DoubleVector.broadcast(DS, pa[p + 1]);
                c100 = x10.fma(b00, c100);
                c110 = x10.fma(b10, c110);
                DoubleVector x01 = DoubleVector.broadcast(DS, pa[p + 2]);
                c001 = x01.fma(b01, c001);
                c011 = x01.fma(b11, c011);
                DoubleVector x11 = DoubleVector.broadcast(DS, pa[p + 3]);
                c101 = x11.fma(b01, c101);
                c111 = x11.fma(b11, c111);
            }
            for (; kk < kc; kk++, p += 2, q += DNR) {
                DoubleVector b0 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b1 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector x0 = DoubleVector.broadcast(DS, pa[p]);
                c000 = x0.fma(b0, c000);
                c010 = x0.fma(b1, c010);
                DoubleVector x1 = DoubleVector.broadcast(DS, pa[p + 1]);
                c100 = x1.fma(b0, c100);
                c110 = x1.fma(b1, c110);
            }
            if (add) {
                c000.add(c001).add(DoubleVector.fromArray(DS, c, co)).intoArray(c, co);
                c010.add(c011).add(DoubleVector.fromArray(DS, c, co + DL)).intoArray(c, co + DL);
                c100.add(c101).add(DoubleVector.fromArray(DS, c, co + 1 * ldc)).intoArray(c, co + 1 * ldc);
                c110.add(c111).add(DoubleVector.fromArray(DS, c, co + 1 * ldc + DL)).intoArray(c, co + 1 * ldc + DL);
            } else {
                c000.add(c001).intoArray(c, co);
                c010.add(c011).intoArray(c, co + DL);
                c100.add(c101).intoArray(c, co + 1 * ldc);
                c110.add(c111).intoArray(c, co + 1 * ldc + DL);
            }
        }

        /**
         * {@link #k8} for 1 row, the inner index split into 4 interleaved chains (summed at the end) so that
         * enough fused multiply-adds are independent to hide their latency.
         */
        private static void k1(final double[] pa, final int ao, final double[] pb, final int bo, final int kc, final double[] c, final int co,
                               final int ldc, final boolean add) {
            DoubleVector c000 = DoubleVector.zero(DS), c010 = DoubleVector.zero(DS);
            DoubleVector c001 = DoubleVector.zero(DS), c011 = DoubleVector.zero(DS);
            DoubleVector c002 = DoubleVector.zero(DS), c012 = DoubleVector.zero(DS);
            DoubleVector c003 = DoubleVector.zero(DS), c013 = DoubleVector.zero(DS);
            int kk = 0;
            int p = ao;
            int q = bo;
            for (; kk + 3 < kc; kk += 4, p += 4, q += 4 * DNR) {
                DoubleVector b00 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b10 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector b01 = DoubleVector.fromArray(DS, pb, q + DNR);
                DoubleVector b11 = DoubleVector.fromArray(DS, pb, q + DNR + DL);
                DoubleVector b02 = DoubleVector.fromArray(DS, pb, q + 2 * DNR);
                DoubleVector b12 = DoubleVector.fromArray(DS, pb, q + 2 * DNR + DL);
                DoubleVector b03 = DoubleVector.fromArray(DS, pb, q + 3 * DNR);
                DoubleVector b13 = DoubleVector.fromArray(DS, pb, q + 3 * DNR + DL);
                DoubleVector x00 = DoubleVector.broadcast(DS, pa[p]);
                c000 = x00.fma(b00, c000);
                c010 = x00.fma(b10, c010);
                DoubleVector x01 = DoubleVector.broadcast(DS, pa[p + 1]);
                c001 = x01.fma(b01, c001);
                c011 = x01.fma(b11, c011);
                DoubleVector x02 = DoubleVector.broadcast(DS, pa[p + 2]);
                c002 = x02.fma(b02, c002);
                c012 = x02.fma(b12, c012);
                DoubleVector x03 = DoubleVector.broadcast(DS, pa[p + 3]);
                c003 = x03.fma(b03, c003);
                c013 = x03.fma(b13, c013);
            }
            for (; kk < kc; kk++, p += 1, q += DNR) {
                DoubleVector b0 = DoubleVector.fromArray(DS, pb, q);
                DoubleVector b1 = DoubleVector.fromArray(DS, pb, q + DL);
                DoubleVector x0 = DoubleVector.broadcast(DS, pa[p]);
                c000 = x0.fma(b0, c000);
                c010 = x0.fma(b1, c010);
            }
            if (add) {
                c000.add(c001).add(c002.add(c003)).add(DoubleVector.fromArray(DS, c, co)).intoArray(c, co);
                c010.add(c011).add(c012.add(c013)).add(DoubleVector.fromArray(DS, c, co + DL)).intoArray(c, co + DL);
            } else {
                c000.add(c001).add(c002.add(c003)).intoArray(c, co);
                c010.add(c011).add(c012.add(c013)).intoArray(c, co + DL);
            }
        }
    }
}
