package org.rnn4j.cpu;

import java.util.function.IntConsumer;

/**
 * Matrix product {@code C = addend + op(A) · op(B)} on row-major {@code float[]} or {@code double[]}
 * arrays, {@code op} transposing on request; {@code C} is {@code [m, n]} and the inner dimension is
 * {@code k}.
 *
 * <p>Layout: {@code op(B)} is packed into column panels of at most {@link #NC} columns, each stored as
 * {@code k} separate row arrays (which also absorbs a transposed B). The result is computed in tasks
 * of (up to {@code MC} rows) x (one panel): each task accumulates its rows into private arrays, two rows
 * at a time and four {@code k} at a time, {@link #KC} values of {@code k} per pass so that the B block
 * stays in cache, then copies them into C. Every vector loop indexes all its arrays with the same
 * index {@code j} from 0, the shape the HotSpot C2 compiler vectorises (it does not vectorise loops
 * whose arrays are offset by different amounts). Each element of C is summed in the same order
 * whatever the task split, so results do not depend on the thread count.
 *
 * <p>Products with fewer than {@value #SMALL_WORK} multiply-adds, or of at most two rows, skip the
 * packing and use a direct loop that accumulates in double.
 */
final class Gemm {
    /** Values of k per pass over a B block. */
    static final int KC = 256;
    /** Columns per packed panel. */
    static final int NC = 512;
    /** Most rows per task. */
    static final int MC = 32;
    /** Below this many multiply-adds ({@code m*n*k}) the direct loop is used. */
    static final long SMALL_WORK = 1L << 12;
    /** Above this many multiply-adds the work is split across threads. */
    static final long PARALLEL_WORK = 1L << 16;

    private Gemm() {
    }

    /**
     * Returns a new array {@code [m, n]}: {@code addend + op(a) · op(b)}, where {@code a} is
     * {@code [m, k]} ({@code [k, m]} when {@code ta}), {@code b} is {@code [k, n]} ({@code [n, k]} when
     * {@code tb}) and {@code addend}, of the same type, is {@code [m, n]} or null for zero. No argument
     * is modified.
     */
    static Object multiply(Object a, Object b, int m, int n, int k, boolean ta, boolean tb, Object addend, Parallel par) {
        if (a instanceof float[] fa) {
            return run(F32.INSTANCE, fa, (float[]) b, m, n, k, ta, tb, (float[]) addend, par);
        }
        return run(F64.INSTANCE, (double[]) a, (double[]) b, m, n, k, ta, tb, (double[]) addend, par);
    }

    private static <T> T run(Kernel<T> kn, T a, T b, int m, int n, int k, boolean ta, boolean tb, T addend, Parallel par) {
        long work = (long) m * n * k;
        if (work == 0 || work < SMALL_WORK || m <= 2) {
            return direct(kn, a, b, m, n, k, ta, tb, addend);
        }
        T c = kn.alloc(m * n);
        boolean parallel = par.threads() > 1 && work > PARALLEL_WORK;
        int panels = (n + NC - 1) / NC;

        // pack op(B) into panels of separate row arrays
        @SuppressWarnings("unchecked")
        T[][] packed = (T[][]) new Object[panels][];
        IntConsumer pack = p -> {
            int j0 = p * NC;
            int nj = Math.min(NC, n - j0);
            T[] rows = kn.newRows(k);
            for (int kk = 0; kk < k; kk++) {
                rows[kk] = tb ? kn.gather(b, j0 * k + kk, k, nj) : kn.copyOf(b, kk * n + j0, nj);
            }
            packed[p] = rows;
        };
        forEach(parallel ? par : null, panels, pack);

        // rows per task: as many as fit MC while still giving every thread about two tasks
        int mc = MC;
        if (parallel) {
            int wanted = Math.max(1, (2 * par.threads() + panels - 1) / panels);
            mc = Math.max(2, Math.min(MC, (m + wanted - 1) / wanted));
            mc += mc & 1;
        }
        int rowsPerTask = mc;
        int rowBlocks = (m + mc - 1) / mc;
        // element (i, kk) of op(A) is a[aRow(i) + kk * ks]
        int ks = ta ? m : 1;
        IntConsumer block = t -> {
            int p = t % panels;
            int i0 = (t / panels) * rowsPerTask;
            int i1 = Math.min(m, i0 + rowsPerTask);
            int j0 = p * NC;
            int nj = Math.min(NC, n - j0);
            T[] rows = packed[p];
            T[] acc = kn.newRows(i1 - i0);
            for (int i = i0; i < i1; i++) {
                acc[i - i0] = addend == null ? kn.alloc(nj) : kn.copyOf(addend, i * n + j0, nj);
            }
            for (int k0 = 0; k0 < k; k0 += KC) {
                int k1 = Math.min(k, k0 + KC);
                int i = i0;
                for (; i + 1 < i1; i += 2) {
                    int ai = ta ? i : i * k;
                    int aj = ta ? i + 1 : ai + k;
                    kn.block2(acc[i - i0], acc[i + 1 - i0], a, ai, aj, ks, rows, k0, k1, nj);
                }
                if (i < i1) {
                    kn.block1(acc[i - i0], a, ta ? i : i * k, ks, rows, k0, k1, nj);
                }
            }
            for (int i = i0; i < i1; i++) {
                System.arraycopy(acc[i - i0], 0, c, i * n + j0, nj);
            }
        };
        forEach(parallel ? par : null, rowBlocks * panels, block);
        return c;
    }

    /** Plain loops for small products: each element is one dot product accumulated in double. */
    private static <T> T direct(Kernel<T> kn, T a, T b, int m, int n, int k, boolean ta, boolean tb, T addend) {
        T c = kn.alloc(m * n);
        Arr av = Arr.of(a);
        Arr bv = Arr.of(b);
        Arr cv = Arr.of(c);
        Arr add = addend == null ? null : Arr.of(addend);
        int ars = ta ? 1 : k;
        int aks = ta ? m : 1;
        int bks = tb ? 1 : n;
        int bcs = tb ? k : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = add == null ? 0 : add.get(i * n + j);
                int ap = i * ars;
                int bp = j * bcs;
                for (int kk = 0; kk < k; kk++) {
                    s += av.get(ap + kk * aks) * bv.get(bp + kk * bks);
                }
                cv.set(i * n + j, s);
            }
        }
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

    /** The inner loops for one storage type {@code T} ({@code float[]} or {@code double[]}). */
    abstract static class Kernel<T> {
        abstract T alloc(int n);

        abstract T[] newRows(int n);

        /** {@code src[from .. from + n)} as a new array. */
        abstract T copyOf(T src, int from, int n);

        /** {@code out[j] = src[from + j * stride]} for {@code j < n}. */
        abstract T gather(T src, int from, int stride, int n);

        /**
         * {@code c0[j] += Σ_kk a[ai + kk*ks] * rows[kk][j]} and the same for {@code c1} with {@code aj},
         * over {@code kk} in {@code [k0, k1)} and {@code j < n}.
         */
        abstract void block2(T c0, T c1, T a, int ai, int aj, int ks, T[] rows, int k0, int k1, int n);

        /** {@link #block2} for one row. */
        abstract void block1(T c0, T a, int ai, int ks, T[] rows, int k0, int k1, int n);
    }

    /** float32 loops. */
    static final class F32 extends Kernel<float[]> {
        static final F32 INSTANCE = new F32();

        @Override
        float[] alloc(int n) {
            return new float[n];
        }

        @Override
        float[][] newRows(int n) {
            return new float[n][];
        }

        @Override
        float[] copyOf(float[] src, int from, int n) {
            float[] r = new float[n];
            System.arraycopy(src, from, r, 0, n);
            return r;
        }

        @Override
        float[] gather(float[] src, int from, int stride, int n) {
            float[] r = new float[n];
            for (int j = 0, s = from; j < n; j++, s += stride) {
                r[j] = src[s];
            }
            return r;
        }

        @Override
        void block2(float[] c0, float[] c1, float[] a, int ai, int aj, int ks, float[][] rows, int k0, int k1, int n) {
            int kk = k0;
            for (; kk + 3 < k1; kk += 4) {
                int p = ai + kk * ks;
                int q = aj + kk * ks;
                madd2x4(c0, c1, a[p], a[p + ks], a[p + 2 * ks], a[p + 3 * ks], a[q], a[q + ks], a[q + 2 * ks], a[q + 3 * ks],
                        rows[kk], rows[kk + 1], rows[kk + 2], rows[kk + 3], n);
            }
            for (; kk < k1; kk++) {
                madd2x1(c0, c1, a[ai + kk * ks], a[aj + kk * ks], rows[kk], n);
            }
        }

        @Override
        void block1(float[] c0, float[] a, int ai, int ks, float[][] rows, int k0, int k1, int n) {
            int kk = k0;
            for (; kk + 3 < k1; kk += 4) {
                int p = ai + kk * ks;
                madd1x4(c0, a[p], a[p + ks], a[p + 2 * ks], a[p + 3 * ks], rows[kk], rows[kk + 1], rows[kk + 2], rows[kk + 3], n);
            }
            for (; kk < k1; kk++) {
                madd1x1(c0, a[ai + kk * ks], rows[kk], n);
            }
        }

        private static void madd2x4(float[] c0, float[] c1, float a0, float a1, float a2, float a3, float e0, float e1, float e2,
                                    float e3, float[] b0, float[] b1, float[] b2, float[] b3, int n) {
            for (int j = 0; j < n; j++) {
                float x0 = b0[j];
                float x1 = b1[j];
                float x2 = b2[j];
                float x3 = b3[j];
                c0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
                c1[j] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
            }
        }

        private static void madd2x1(float[] c0, float[] c1, float a0, float e0, float[] b0, int n) {
            for (int j = 0; j < n; j++) {
                float x0 = b0[j];
                c0[j] += a0 * x0;
                c1[j] += e0 * x0;
            }
        }

        private static void madd1x4(float[] c0, float a0, float a1, float a2, float a3, float[] b0, float[] b1, float[] b2,
                                    float[] b3, int n) {
            for (int j = 0; j < n; j++) {
                c0[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
        }

        private static void madd1x1(float[] c0, float a0, float[] b0, int n) {
            for (int j = 0; j < n; j++) {
                c0[j] += a0 * b0[j];
            }
        }
    }

    /** float64 loops: the float32 ones with the element type changed. */
    static final class F64 extends Kernel<double[]> {
        static final F64 INSTANCE = new F64();

        @Override
        double[] alloc(int n) {
            return new double[n];
        }

        @Override
        double[][] newRows(int n) {
            return new double[n][];
        }

        @Override
        double[] copyOf(double[] src, int from, int n) {
            double[] r = new double[n];
            System.arraycopy(src, from, r, 0, n);
            return r;
        }

        @Override
        double[] gather(double[] src, int from, int stride, int n) {
            double[] r = new double[n];
            for (int j = 0, s = from; j < n; j++, s += stride) {
                r[j] = src[s];
            }
            return r;
        }

        @Override
        void block2(double[] c0, double[] c1, double[] a, int ai, int aj, int ks, double[][] rows, int k0, int k1, int n) {
            int kk = k0;
            for (; kk + 3 < k1; kk += 4) {
                int p = ai + kk * ks;
                int q = aj + kk * ks;
                madd2x4(c0, c1, a[p], a[p + ks], a[p + 2 * ks], a[p + 3 * ks], a[q], a[q + ks], a[q + 2 * ks], a[q + 3 * ks],
                        rows[kk], rows[kk + 1], rows[kk + 2], rows[kk + 3], n);
            }
            for (; kk < k1; kk++) {
                madd2x1(c0, c1, a[ai + kk * ks], a[aj + kk * ks], rows[kk], n);
            }
        }

        @Override
        void block1(double[] c0, double[] a, int ai, int ks, double[][] rows, int k0, int k1, int n) {
            int kk = k0;
            for (; kk + 3 < k1; kk += 4) {
                int p = ai + kk * ks;
                madd1x4(c0, a[p], a[p + ks], a[p + 2 * ks], a[p + 3 * ks], rows[kk], rows[kk + 1], rows[kk + 2], rows[kk + 3], n);
            }
            for (; kk < k1; kk++) {
                madd1x1(c0, a[ai + kk * ks], rows[kk], n);
            }
        }

        private static void madd2x4(double[] c0, double[] c1, double a0, double a1, double a2, double a3, double e0, double e1,
                                    double e2, double e3, double[] b0, double[] b1, double[] b2, double[] b3, int n) {
            for (int j = 0; j < n; j++) {
                double x0 = b0[j];
                double x1 = b1[j];
                double x2 = b2[j];
                double x3 = b3[j];
                c0[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
                c1[j] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
            }
        }

        private static void madd2x1(double[] c0, double[] c1, double a0, double e0, double[] b0, int n) {
            for (int j = 0; j < n; j++) {
                double x0 = b0[j];
                c0[j] += a0 * x0;
                c1[j] += e0 * x0;
            }
        }

        private static void madd1x4(double[] c0, double a0, double a1, double a2, double a3, double[] b0, double[] b1,
                                    double[] b2, double[] b3, int n) {
            for (int j = 0; j < n; j++) {
                c0[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
        }

        private static void madd1x1(double[] c0, double a0, double[] b0, int n) {
            for (int j = 0; j < n; j++) {
                c0[j] += a0 * b0[j];
            }
        }
    }
}
