package org.rnn4j.cpu;

import java.util.function.IntConsumer;

/**
 * Matrix product {@code C = addend + op(A) · op(B)} on row-major {@code float[]} or {@code double[]}
 * arrays, {@code op} transposing on request; {@code C} is {@code [m, n]} and the inner dimension is
 * {@code k}.
 *
 * <p>Layout: {@code op(B)} is packed into column panels of at most {@link #NC} columns, each stored as
 * {@code k} separate row arrays (which also absorbs a transposed B). The result is computed in tasks
 * of (up to {@link #MC} rows) x (one panel): each task accumulates its rows into private arrays, four
 * {@code k} at a time, each group of four B rows applied to all the task's rows before the next, then
 * copies them into C. The vector loop indexes all its arrays with the same index {@code j} from 0,
 * the only shape the JDK 17 C2 compiler vectorises (it leaves scalar any loop whose arrays are offset
 * by different amounts, which is why neither C nor B is addressed in place). A transposed A is read
 * with a stride, one scalar per four columns of work. Each element of C is summed in the same order
 * whatever the task split, so results do not depend on the thread count.
 *
 * <p>Products with fewer than {@value #SMALL_WORK} multiply-adds, or of at most two rows (a batch of
 * one), skip the packing, whose cost would dominate, and use {@link Kernel#direct}; a recurrent weight
 * used at every step is packed once ({@link #pack}) and multiplied with {@link #multiplyPacked}, for any
 * number of rows. Narrow products are computed transposed (see {@link #NARROW}).
 *
 * <p>When the JVM runs with {@code jdk.incubator.vector} ({@code --add-modules jdk.incubator.vector}),
 * every product that would use the packed kernel runs on {@link VectorGemm}'s register-blocked
 * micro-kernels instead (about 3-6x faster); {@link #engine()} says which runs. Without the module,
 * or with {@code -Drnn4j.cpu.vector=false}, the loops below run.
 */
final class Gemm {
    /** Whether {@link VectorGemm} can run in this JVM, and why not. */
    private static final String VECTOR_UNAVAILABLE;
    /** What {@link VectorGemm} runs on, when it can. */
    private static final String VECTOR_DESCRIPTION;
    /** Whether products use {@link VectorGemm}: available, and not switched off by {@link #useVector}. */
    private static volatile boolean vectorOn;

    static {
        String why = null;
        String description = null;
        String prop = System.getProperty("rnn4j.cpu.vector", "auto").trim();
        if (prop.equalsIgnoreCase("false")) {
            why = "switched off with -Drnn4j.cpu.vector=false";
        } else if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            why = "the JVM runs without jdk.incubator.vector; start it with --add-modules jdk.incubator.vector (rnn4j.jar and rnn-bench.jar do)";
        } else {
            try {
                description = VectorGemm.describe();
            } catch (Throwable t) {
                why = "jdk.incubator.vector failed to start: " + t;
            }
        }
        VECTOR_UNAVAILABLE = why;
        VECTOR_DESCRIPTION = description;
        vectorOn = why == null;
    }

    /**
     * Which matrix-product kernel runs, e.g. {@code "matrix products on jdk.incubator.vector 512-bit, 8x32
     * float32 and 8x16 float64 micro-kernels"} or {@code "matrix products in scalar loops (...why...)"}.
     */
    static String engine() {
        if (vectorOn) {
            return "matrix products on " + VECTOR_DESCRIPTION;
        }
        return "matrix products in plain loops (" + (VECTOR_UNAVAILABLE != null ? VECTOR_UNAVAILABLE : "vector kernels switched off") + ")";
    }

    /** Whether the vector kernels can run in this JVM. */
    static boolean vectorAvailable() {
        return VECTOR_UNAVAILABLE == null;
    }

    /**
     * Switches the vector kernels on or off for the whole JVM (where available); for tests and timings
     * that compare the two. Returns the previous setting.
     */
    static boolean useVector(boolean on) {
        boolean was = vectorOn;
        vectorOn = on && vectorAvailable();
        return was;
    }

    /** Columns per packed panel. */
    static final int NC = 1024;
    /** Most rows per task. */
    static final int MC = 32;
    /** Below this many multiply-adds ({@code m*n*k}) the direct loop is used. */
    static final long SMALL_WORK = 1L << 12;
    /**
     * Products with fewer columns than this and at least twice as many rows are computed transposed, by the
     * plain-Java kernels only: the vector kernels run a narrow product at full speed (a {@code [2048, 128]
     * x [128, 256]} input projection: 122 GFLOP/s direct, 34 transposed and transposed back).
     */
    static final int NARROW = 384;
    /**
     * Above this many multiply-adds (about 80 us of work) the work is split across threads: below it,
     * handing tasks to the helper threads costs more than it saves (one step of a batch-1 LSTM, 2^18,
     * ran slower on two threads than on one).
     */
    static final long PARALLEL_WORK = 1L << 20;
    /**
     * The same threshold for the vector kernels, which run about twice as fast: a {@code [32, 256] x
     * [256, 256]} product (2^21, one step of a small Elman layer, ~15 us) ran at 134 GFLOP/s on one thread
     * and 119 on two, a {@code [32, 256] x [256, 512]} at 159 and 189.
     */
    static final long VECTOR_PARALLEL_WORK = 3L << 20;

    private Gemm() {
    }

    /**
     * Returns a new array {@code [m, n]}: {@code addend + op(a) · op(b)}, where {@code a} is
     * {@code [m, k]} ({@code [k, m]} when {@code ta}), {@code b} is {@code [k, n]} ({@code [n, k]} when
     * {@code tb}) and {@code addend}, of the same type, is {@code [m, n]} or null for zero. No argument
     * is modified.
     */
    static Object multiply(Object a, Object b, int m, int n, int k, boolean ta, boolean tb, Object addend, Parallel par) {
        return multiply(a, b, m, n, k, ta, tb, addend, par, ArrayPool.NONE);
    }

    /**
     * {@link #multiply(Object, Object, int, int, int, boolean, boolean, Object, Parallel)} with the result
     * (and the products' temporaries, returned to it before this returns) taken from {@code pool}.
     */
    static Object multiply(Object a, Object b, int m, int n, int k, boolean ta, boolean tb, Object addend, Parallel par, ArrayPool pool) {
        if (a instanceof float[] fa) {
            return run(F32.INSTANCE, fa, (float[]) b, m, n, k, ta, tb, (float[]) addend, par, pool);
        }
        return run(F64.INSTANCE, (double[]) a, (double[]) b, m, n, k, ta, tb, (double[]) addend, par, pool);
    }

    private static <T> T run(Kernel<T> kn, T a, T b, int m, int n, int k, boolean ta, boolean tb, T addend, Parallel par, ArrayPool pool) {
        long work = (long) m * n * k;
        if (work == 0 || work < SMALL_WORK || m <= 2) {
            return kn.direct(a, b, m, n, k, ta, tb, addend, pool);
        }
        if (!vectorOn && addend == null && n < NARROW && m >= 2 * n && k >= 32) {
            // a narrow product (a weight gradient [G*H, I]) runs its vector loop over few columns; the
            // transposed product op(b)^T op(a)^T is wide: compute that and transpose it back
            T ct = run(kn, b, a, n, m, k, !tb, !ta, null, par, pool);
            T c = kn.cast(Storage.transpose(pool, ct, n, m));
            pool.give(ct);
            return c;
        }
        boolean parallel = par.threads() > 1 && work > (vectorOn ? VECTOR_PARALLEL_WORK : PARALLEL_WORK);
        if (vectorOn) {
            VectorGemm.Packed packed = VectorGemm.packTransient(b, n, k, tb, parallel ? par : null, pool);
            T c = kn.cast(VectorGemm.multiply(a, 0, ta ? m : k, m, ta, packed, addend, parallel ? par : null, pool));
            pool.give(packed.data);
            return c;
        }
        Packed<T> packed = packWith(kn, b, n, k, tb, parallel ? par : null, pool);
        T c = multiplyWith(kn, a, 0, ta ? m : k, m, ta, packed, addend, par, pool);
        release(packed, pool);
        return c;
    }

    /**
     * {@code op(b)} ({@code [k, n]}) packed once for many products with {@link #multiplyPacked}, e.g. a
     * recurrent weight used at every step of a sequence. Immutable once built.
     */
    static final class Packed<T> {
        /** The loops' layout, or null when {@link #vector} holds the operand. */
        final T[][] panels;
        final int n;
        final int k;
        /** A {@code VectorGemm.Packed} (typed Object so that this class does not need the vector module), or null. */
        final Object vector;

        Packed(T[][] panels, int n, int k) {
            this.panels = panels;
            this.n = n;
            this.k = k;
            this.vector = null;
        }

        Packed(Object vector, int n, int k) {
            this.panels = null;
            this.n = n;
            this.k = k;
            this.vector = vector;
        }
    }

    /** Packs {@code op(b)}: {@code b} is {@code [k, n]}, or {@code [n, k]} when {@code tb}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Packed<?> pack(Object b, int n, int k, boolean tb, Parallel par) {
        return pack(b, n, k, tb, par, ArrayPool.NONE);
    }

    /**
     * {@link #pack(Object, int, int, boolean, Parallel)} into an array of {@code pool} (vector layout);
     * give it back with {@link #release} once no product uses it any more.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Packed<?> pack(Object b, int n, int k, boolean tb, Parallel par, ArrayPool pool) {
        Parallel p = par != null && par.threads() > 1 && (long) n * k > PARALLEL_WORK ? par : null;
        if (vectorOn) {
            return new Packed<>(VectorGemm.pack(b, n, k, tb, p, pool), n, k);
        }
        if (b instanceof float[] fb) {
            return packWith(F32.INSTANCE, fb, n, k, tb, p, pool);
        }
        return packWith(F64.INSTANCE, (double[]) b, n, k, tb, p, pool);
    }

    /**
     * Returns a new array {@code [m, n]}: {@code addend + op(a) · B} with {@code B} packed by
     * {@link #pack}; {@code a} is {@code [m, k]} ({@code [k, m]} when {@code ta}). Uses the packed
     * kernel for any {@code m}, one row included.
     */
    static Object multiplyPacked(Object a, int m, boolean ta, Packed<?> b, Object addend, Parallel par) {
        return multiplyPacked(a, 0, ta ? m : b.k, m, ta, b, addend, par, ArrayPool.NONE);
    }

    /** {@link #multiplyPacked(Object, int, boolean, Packed, Object, Parallel)} with the result taken from {@code pool}. */
    static Object multiplyPacked(Object a, int m, boolean ta, Packed<?> b, Object addend, Parallel par, ArrayPool pool) {
        return multiplyPacked(a, 0, ta ? m : b.k, m, ta, b, addend, par, pool);
    }

    /** Returns the packed array of {@code b} (from {@link #pack(Object, int, int, boolean, Parallel, ArrayPool)}) to {@code pool}. */
    static void release(Packed<?> b, ArrayPool pool) {
        if (b.vector != null) {
            pool.give(((VectorGemm.Packed) b.vector).data);
        } else {
            for (Object[] rows : b.panels) {
                for (Object r : rows) {
                    pool.give(r);
                }
            }
        }
    }

    /**
     * {@link #multiplyPacked(Object, int, boolean, Packed, Object, Parallel)} reading {@code A} at an
     * offset and with a row stride: element {@code (i, kk)} of {@code op(a)} is
     * {@code a[off + i * rowStride + kk]}, or {@code a[off + kk * rowStride + i]} when {@code ta}
     * (a row block of a larger matrix, e.g. one time step of a {@code [B, T, N]} tensor).
     */
    @SuppressWarnings("unchecked")
    static Object multiplyPacked(Object a, int off, int rowStride, int m, boolean ta, Packed<?> b, Object addend, Parallel par) {
        return multiplyPacked(a, off, rowStride, m, ta, b, addend, par, ArrayPool.NONE);
    }

    /** {@link #multiplyPacked(Object, int, int, int, boolean, Packed, Object, Parallel)} with the result taken from {@code pool}. */
    @SuppressWarnings("unchecked")
    static Object multiplyPacked(Object a, int off, int rowStride, int m, boolean ta, Packed<?> b, Object addend, Parallel par,
                                 ArrayPool pool) {
        if (b.vector != null) {
            return VectorGemm.multiply(a, off, rowStride, m, ta, (VectorGemm.Packed) b.vector, addend, vectorThreads(par, m, b), pool);
        }
        if (a instanceof float[] fa) {
            return multiplyWith(F32.INSTANCE, fa, off, rowStride, m, ta, (Packed<float[]>) b, (float[]) addend, par, pool);
        }
        return multiplyWith(F64.INSTANCE, (double[]) a, off, rowStride, m, ta, (Packed<double[]>) b, (double[]) addend, par, pool);
    }

    /** Work handed to the task that has just finished a block of a grouped product ({@link #multiplyGrouped}). */
    @FunctionalInterface
    interface GroupEpilogue {
        /**
         * Rows {@code [i0, i1)} of C are final in columns {@code g * width + [j0, j1)} of every group {@code g}; the
         * task may read and rewrite them (and nothing else of C: other tasks still write theirs).
         */
        void done(int i0, int i1, int j0, int j1);
    }

    /**
     * Whether {@link #multiplyGrouped} can run products with {@code b} split into {@code groups} column groups: the
     * vector kernels are on and every group is a whole number of their panels (a hidden size that is a multiple of 32
     * with 512-bit vectors, for the gates of a recurrent cell).
     */
    static boolean groupable(Packed<?> b, int groups) {
        return b.vector != null && VectorGemm.groupable(((VectorGemm.Packed) b.vector).data, b.n, groups);
    }

    /**
     * {@code c = a · B} ({@code a} {@code [m, k]} float32, {@code k > 0}; {@code c} {@code [m, n]}, what it held is never
     * read), the {@code n} columns being
     * {@code groups} equal groups (a recurrent cell's gates): each task computes one range of columns in every group,
     * then runs {@code epilogue} on it at once, on its own thread, while that block of {@code c} is in its cache.
     * Sums equal {@link #multiplyPacked}'s bit for bit. Requires {@link #groupable}; small products run on the
     * calling thread only, as in {@link #multiplyPacked}.
     */
    static void multiplyGrouped(float[] a, int m, Packed<?> b, float[] c, int groups, Parallel par, GroupEpilogue epilogue) {
        VectorGemm.multiplyGrouped(a, m, (VectorGemm.Packed) b.vector, c, groups, vectorThreads(par, m, b), epilogue);
    }

    /** {@code par} for a vector product of {@code m} rows by packed {@code b} worth splitting, else null (the calling thread). */
    private static Parallel vectorThreads(Parallel par, int m, Packed<?> b) {
        return par != null && par.threads() > 1 && (long) m * b.n * b.k > VECTOR_PARALLEL_WORK ? par : null;
    }

    private static <T> Packed<T> packWith(Kernel<T> kn, T b, int n, int k, boolean tb, Parallel par, ArrayPool pool) {
        int panels = (n + NC - 1) / NC;
        @SuppressWarnings("unchecked")
        T[][] packed = (T[][]) new Object[panels][];
        IntConsumer pack = p -> {
            int j0 = p * NC;
            int nj = Math.min(NC, n - j0);
            T[] rows = kn.newRows(k);
            for (int kk = 0; kk < k; kk++) {
                rows[kk] = tb ? kn.gather(pool, b, j0 * k + kk, k, nj) : kn.copyOf(pool, b, kk * n + j0, nj);
            }
            packed[p] = rows;
        };
        forEach(par, panels, pack);
        return new Packed<>(packed, n, k);
    }

    private static <T> T multiplyWith(Kernel<T> kn, T a, int off, int rowStride, int m, boolean ta, Packed<T> pb, T addend,
                                      Parallel par, ArrayPool pool) {
        int n = pb.n;
        int k = pb.k;
        T c = kn.cast(pool.zeroLike(a, m * n));
        if (m == 0 || n == 0) {
            return c;
        }
        if (k == 0) {
            if (addend != null) {
                System.arraycopy(addend, 0, c, 0, m * n);
            }
            return c;
        }
        long work = (long) m * n * k;
        boolean parallel = par != null && par.threads() > 1 && work > PARALLEL_WORK;
        int panels = pb.panels.length;
        T[][] packed = pb.panels;

        // rows per task: up to MC, fewer when that gives every thread about two tasks
        int mc = MC;
        if (parallel) {
            int wanted = Math.max(1, (2 * par.threads() + panels - 1) / panels);
            mc = Math.max(1, Math.min(MC, (m + wanted - 1) / wanted));
        }
        int rowsPerTask = mc;
        int rowBlocks = (m + mc - 1) / mc;
        // element (i, kk) of op(A) is a[off + i * ars + kk * ks]
        int ars = ta ? 1 : rowStride;
        int ks = ta ? rowStride : 1;
        IntConsumer block = t -> {
            int p = t % panels;
            int i0 = (t / panels) * rowsPerTask;
            int i1 = Math.min(m, i0 + rowsPerTask);
            int j0 = p * NC;
            int nj = Math.min(NC, n - j0);
            T[] acc = kn.newRows(i1 - i0);
            for (int i = i0; i < i1; i++) {
                acc[i - i0] = addend == null ? kn.alloc(pool, nj) : kn.copyOf(pool, addend, i * n + j0, nj);
            }
            T zero = kn.alloc(pool, nj);
            kn.multiplyBlock(a, off, i0, ars, ks, packed[p], acc, zero, k, nj);
            pool.give(zero);
            for (int i = i0; i < i1; i++) {
                System.arraycopy(acc[i - i0], 0, c, i * n + j0, nj);
                pool.give(acc[i - i0]);
            }
        };
        forEach(parallel ? par : null, rowBlocks * panels, block);
        return c;
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

    /**
     * The parts of the product that depend on the storage type {@code T} ({@code float[]} or
     * {@code double[]}).
     *
     * <p>{@link #multiplyBlock} is written out once per type on purpose: it holds the hot loop, and
     * HotSpot compiles a method once for all its callers, so a loop shared between the two types would
     * see both in its profile and be deoptimised into scalar code once both dtypes are used.
     */
    abstract static class Kernel<T> {
        /** A zero array of length {@code n} from {@code pool}. */
        abstract T alloc(ArrayPool pool, int n);

        /** {@code o}, an array of this kernel's type, as {@code T}. */
        @SuppressWarnings("unchecked")
        T cast(Object o) {
            return (T) o;
        }

        abstract T[] newRows(int n);

        /** {@code src[from .. from + n)} in an array of {@code pool}. */
        abstract T copyOf(ArrayPool pool, T src, int from, int n);

        /** {@code out[j] = src[from + j * stride]} for {@code j < n}, {@code out} from {@code pool}. */
        abstract T gather(ArrayPool pool, T src, int from, int stride, int n);

        /**
         * {@code acc[r][j] += Σ_kk opA(i0 + r, kk) * b[kk][j]} for every row {@code r} of {@code acc},
         * {@code kk < k} and {@code j < n}, where {@code opA(i, kk) = a[off + i * ars + kk * ks]}.
         *
         * <p>{@code kk} goes four at a time and, for each group of four rows of B, every row of the
         * task in turn, through the single vector loop {@code madd} (measured 1.6x faster than finishing
         * one row of C before the next: the four B rows stay in L1 while the task's rows of C cycle);
         * the last {@code kk} use coefficient 0 with the all-zero row {@code zero} (length
         * {@code >= n}; never a real row, whose inf or NaN would turn {@code 0 * x} into NaN). Variants
         * measured slower on JDK 17: two rows per pass (two store streams) and eight {@code kk} per
         * pass both compile to scalar code.
         */
        abstract void multiplyBlock(T a, int off, int i0, int ars, int ks, T[] b, T[] acc, T zero, int k, int n);

        /**
         * The whole product without packing, for few rows: with {@code tb} each element is a dot
         * product of two rows (four partial sums, so the additions pipeline); otherwise each row of C
         * accumulates rows of B scaled by one element of A.
         */
        abstract T direct(T a, T b, int m, int n, int k, boolean ta, boolean tb, T addend, ArrayPool pool);
    }

    /** float32. */
    static final class F32 extends Kernel<float[]> {
        static final F32 INSTANCE = new F32();

        @Override
        float[] alloc(ArrayPool pool, int n) {
            return pool.zeroFloats(n);
        }

        @Override
        float[][] newRows(int n) {
            return new float[n][];
        }

        @Override
        float[] copyOf(ArrayPool pool, float[] src, int from, int n) {
            float[] r = pool.floats(n);
            System.arraycopy(src, from, r, 0, n);
            return r;
        }

        @Override
        float[] gather(ArrayPool pool, float[] src, int from, int stride, int n) {
            float[] r = pool.floats(n);
            for (int j = 0, s = from; j < n; j++, s += stride) {
                r[j] = src[s];
            }
            return r;
        }

        @Override
        void multiplyBlock(float[] a, int off, int i0, int ars, int ks, float[][] b, float[][] acc, float[] zero, int k, int n) {
            int rows = acc.length;
            for (int kk = 0; kk < k; kk += 4) {
                int left = k - kk;
                float[] b0 = b[kk];
                float[] b1 = left > 1 ? b[kk + 1] : zero;
                float[] b2 = left > 2 ? b[kk + 2] : zero;
                float[] b3 = left > 3 ? b[kk + 3] : zero;
                for (int r = 0; r < rows; r++) {
                    int p = off + (i0 + r) * ars + kk * ks;
                    madd(acc[r], a[p], left > 1 ? a[p + ks] : 0f, left > 2 ? a[p + 2 * ks] : 0f, left > 3 ? a[p + 3 * ks] : 0f,
                            b0, b1, b2, b3, n);
                }
            }
        }

        @Override
        float[] direct(float[] a, float[] b, int m, int n, int k, boolean ta, boolean tb, float[] addend, ArrayPool pool) {
            float[] c = addend == null ? pool.zeroFloats(m * n) : (float[]) pool.copy(addend);
            int ars = ta ? 1 : k;
            int aks = ta ? m : 1;
            for (int i = 0; i < m; i++) {
                int ai = i * ars;
                int ci = i * n;
                if (tb) {
                    for (int j = 0; j < n; j++) {
                        int bj = j * k;
                        float s0 = 0f;
                        float s1 = 0f;
                        float s2 = 0f;
                        float s3 = 0f;
                        int kk = 0;
                        for (; kk + 3 < k; kk += 4) {
                            s0 += a[ai + kk * aks] * b[bj + kk];
                            s1 += a[ai + (kk + 1) * aks] * b[bj + kk + 1];
                            s2 += a[ai + (kk + 2) * aks] * b[bj + kk + 2];
                            s3 += a[ai + (kk + 3) * aks] * b[bj + kk + 3];
                        }
                        for (; kk < k; kk++) {
                            s0 += a[ai + kk * aks] * b[bj + kk];
                        }
                        c[ci + j] += (s0 + s1) + (s2 + s3);
                    }
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        float x = a[ai + kk * aks];
                        int bk = kk * n;
                        for (int j = 0; j < n; j++) {
                            c[ci + j] += x * b[bk + j];
                        }
                    }
                }
            }
            return c;
        }

        /**
         * {@code c[j] += a0 b0[j] + a1 b1[j] + a2 b2[j] + a3 b3[j]}: the vector loop, as a chain of fused
         * multiply-adds (vector FMA instructions under C2; without hardware FMA, float {@link Math#fma}
         * is computed exactly in double, still fast).
         */
        private static void madd(float[] c, float a0, float a1, float a2, float a3, float[] b0, float[] b1, float[] b2, float[] b3,
                                 int n) {
            for (int j = 0; j < n; j++) {
                c[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c[j]))));
            }
        }
    }

    /** float64: {@link F32} with the element type changed. */
    static final class F64 extends Kernel<double[]> {
        static final F64 INSTANCE = new F64();

        @Override
        double[] alloc(ArrayPool pool, int n) {
            return pool.zeroDoubles(n);
        }

        @Override
        double[][] newRows(int n) {
            return new double[n][];
        }

        @Override
        double[] copyOf(ArrayPool pool, double[] src, int from, int n) {
            double[] r = pool.doubles(n);
            System.arraycopy(src, from, r, 0, n);
            return r;
        }

        @Override
        double[] gather(ArrayPool pool, double[] src, int from, int stride, int n) {
            double[] r = pool.doubles(n);
            for (int j = 0, s = from; j < n; j++, s += stride) {
                r[j] = src[s];
            }
            return r;
        }

        @Override
        void multiplyBlock(double[] a, int off, int i0, int ars, int ks, double[][] b, double[][] acc, double[] zero, int k, int n) {
            int rows = acc.length;
            for (int kk = 0; kk < k; kk += 4) {
                int left = k - kk;
                double[] b0 = b[kk];
                double[] b1 = left > 1 ? b[kk + 1] : zero;
                double[] b2 = left > 2 ? b[kk + 2] : zero;
                double[] b3 = left > 3 ? b[kk + 3] : zero;
                for (int r = 0; r < rows; r++) {
                    int p = off + (i0 + r) * ars + kk * ks;
                    madd(acc[r], a[p], left > 1 ? a[p + ks] : 0.0, left > 2 ? a[p + 2 * ks] : 0.0, left > 3 ? a[p + 3 * ks] : 0.0,
                            b0, b1, b2, b3, n);
                }
            }
        }

        @Override
        double[] direct(double[] a, double[] b, int m, int n, int k, boolean ta, boolean tb, double[] addend, ArrayPool pool) {
            double[] c = addend == null ? pool.zeroDoubles(m * n) : (double[]) pool.copy(addend);
            int ars = ta ? 1 : k;
            int aks = ta ? m : 1;
            for (int i = 0; i < m; i++) {
                int ai = i * ars;
                int ci = i * n;
                if (tb) {
                    for (int j = 0; j < n; j++) {
                        int bj = j * k;
                        double s0 = 0.0;
                        double s1 = 0.0;
                        double s2 = 0.0;
                        double s3 = 0.0;
                        int kk = 0;
                        for (; kk + 3 < k; kk += 4) {
                            s0 += a[ai + kk * aks] * b[bj + kk];
                            s1 += a[ai + (kk + 1) * aks] * b[bj + kk + 1];
                            s2 += a[ai + (kk + 2) * aks] * b[bj + kk + 2];
                            s3 += a[ai + (kk + 3) * aks] * b[bj + kk + 3];
                        }
                        for (; kk < k; kk++) {
                            s0 += a[ai + kk * aks] * b[bj + kk];
                        }
                        c[ci + j] += (s0 + s1) + (s2 + s3);
                    }
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        double x = a[ai + kk * aks];
                        int bk = kk * n;
                        for (int j = 0; j < n; j++) {
                            c[ci + j] += x * b[bk + j];
                        }
                    }
                }
            }
            return c;
        }

        /** {@code c[j] += a0 b0[j] + a1 b1[j] + a2 b2[j] + a3 b3[j]}: the vector loop. */
        private static void madd(double[] c, double a0, double a1, double a2, double a3, double[] b0, double[] b1, double[] b2,
                                 double[] b3, int n) {
            for (int j = 0; j < n; j++) {
                c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
        }
    }
}
