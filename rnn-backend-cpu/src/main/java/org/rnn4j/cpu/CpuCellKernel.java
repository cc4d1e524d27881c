package org.rnn4j.cpu;

import org.rnn4j.spi.CellKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Shared part of the CPU backend's fused cell kernels: small helpers on the raw arrays. The arguments
 * and output gradients arrive checked by {@link CellKernel}. Kernels are stateless, so one instance
 * serves every thread and batch size.
 */
abstract class CpuCellKernel extends CellKernel {
    final CpuBackend backend;

    CpuCellKernel(CpuBackend backend, KernelKind kind) {
        super(backend, kind);
        this.backend = backend;
    }

    static boolean float32(Dims d) {
        return d.dtype() == DType.FLOAT32;
    }

    static Object data(Tensor t) {
        return t == null ? null : CpuBackend.data(t);
    }

    /** The array view of an output gradient, null for a zero (null) gradient. */
    static Arr arr(Tensor g) {
        return g == null ? null : Arr.of(CpuBackend.data(g));
    }

    static double get(Arr a, int i) {
        return a == null ? 0.0 : a.get(i);
    }

    /** Column sums of a row-major {@code [rows, cols]} array, accumulated in double, as the array's type. */
    static Object columnSums(Object m, int rows, int cols) {
        return columnSums(m, rows, cols, ArrayPool.NONE);
    }

    /** {@link #columnSums(Object, int, int)} in an array of {@code pool} (its work array returned to it). */
    static Object columnSums(Object m, int rows, int cols, ArrayPool pool) {
        return columnSums(m, rows, cols, pool, null);
    }

    /** {@code acc[j] += f[r * cols + j]} for every row {@code r}, columns {@code [j0, j1)}. */
    private static void addRows(float[] f, int rows, int cols, double[] acc, int j0, int j1) {
        for (int r = 0; r < rows; r++) {
            for (int j = j0, o = r * cols; j < j1; j++) {
                acc[j] += f[o + j];
            }
        }
    }

    /**
     * {@link #columnSums(Object, int, int, ArrayPool)}, float32 columns split into ranges on {@code par}'s threads when
     * the matrix is large (each column still summed over the rows in order, so the result does not depend on the split).
     */
    static Object columnSums(Object m, int rows, int cols, ArrayPool pool, Parallel par) {
        if (m instanceof float[] f) {
            double[] acc = pool.zeroDoubles(cols);
            int ranges = par == null || par.threads() < 2 || (long) rows * cols < Gemm.PARALLEL_WORK ? 1 : Math.min(2 * par.threads(), cols / 64);
            if (ranges <= 1) {
                addRows(f, rows, cols, acc, 0, cols);
            } else {
                int per = (cols + ranges - 1) / ranges;
                par.forEach(ranges, t -> addRows(f, rows, cols, acc, t * per, Math.min(cols, (t + 1) * per)));
            }
            return Storage.fromAccumulator(pool, acc, DType.FLOAT32);
        }
        Arr v = Arr.of(m);
        double[] acc = pool.zeroDoubles(cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * cols; j < cols; j++) {
                acc[j] += v.get(o + j);
            }
        }
        return Storage.fromAccumulator(pool, acc, Storage.dtypeOf(m));
    }

    /**
     * The gradients of the recurrent matmul {@code pre = ... + h · W^T + b} given {@code dPre [B, G]}:
     * {@code dW = dPre^T · h}, {@code db = colsum(dPre)} (null when the bias was null).
     */
    final Tensor[] weightGradients(Object dPre, Object h, boolean hasBias, Dims d) {
        int g = kind().gates() * d.hidden();
        Tensor dW = backend.wrap(new int[] {g, d.hidden()}, backend.gemm(dPre, h, g, d.hidden(), d.batch(), true, false, null));
        Tensor db = hasBias ? backend.wrap(new int[] {g}, columnSums(dPre, d.batch(), g)) : null;
        return new Tensor[] {dW, db};
    }
}
