package org.rnn4j.cpu;

import java.util.Arrays;
import org.rnn4j.tensor.DType;

/**
 * Allocation, conversion and layout helpers over the two storage types, {@code float[]} (FLOAT32) and
 * {@code double[]} (FLOAT64).
 */
final class Storage {
    private Storage() {
    }

    static DType dtypeOf(Object data) {
        if (data instanceof float[]) {
            return DType.FLOAT32;
        }
        if (data instanceof double[]) {
            return DType.FLOAT64;
        }
        throw new IllegalArgumentException("CPU tensor storage must be float[] or double[], got "
                + (data == null ? "null" : data.getClass().getSimpleName()));
    }

    static int length(Object data) {
        return data instanceof float[] f ? f.length : ((double[]) data).length;
    }

    static Object alloc(DType dtype, int n) {
        return dtype == DType.FLOAT32 ? new float[n] : new double[n];
    }

    /** A new array of the same type as {@code like}. */
    static Object allocLike(Object like, int n) {
        return like instanceof float[] ? new float[n] : new double[n];
    }

    /** A copy of {@code data} as {@code dtype} in an array of {@code pool} (every element written). */
    static Object convert(ArrayPool pool, Object data, DType dtype) {
        if (data instanceof float[] f) {
            if (dtype == DType.FLOAT32) {
                return pool.copy(f);
            }
            double[] out = pool.doubles(f.length);
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        double[] d = (double[]) data;
        if (dtype == DType.FLOAT64) {
            return pool.copy(d);
        }
        float[] out = pool.floats(d.length);
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /**
     * {@code acc} (a work array of {@code pool}) as {@code dtype}: {@code acc} itself for FLOAT64, else a
     * rounded copy in a pooled array, {@code acc} going back to the pool.
     */
    static Object fromAccumulator(ArrayPool pool, double[] acc, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return acc;
        }
        Object out = convert(pool, acc, dtype);
        pool.give(acc);
        return out;
    }

    /** An array of {@code pool} of length {@code n} filled with {@code value}. */
    static Object full(ArrayPool pool, DType dtype, int n, double value) {
        if (dtype == DType.FLOAT32) {
            float[] f = pool.floats(n);
            Arrays.fill(f, (float) value);
            return f;
        }
        double[] d = pool.doubles(n);
        Arrays.fill(d, value);
        return d;
    }

    /** {@code data[from, to)} in an array of {@code pool}. */
    static Object copyRange(ArrayPool pool, Object data, int from, int to) {
        Object out = pool.like(data, to - from);
        System.arraycopy(data, from, out, 0, to - from);
        return out;
    }

    /** A copy of {@code data} as {@code dtype} (always a new array, never pooled: for host copies handed to callers). */
    static Object convert(Object data, DType dtype) {
        if (data instanceof float[] f) {
            if (dtype == DType.FLOAT32) {
                return f.clone();
            }
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        double[] d = (double[]) data;
        if (dtype == DType.FLOAT64) {
            return d.clone();
        }
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    static Object copyRange(Object data, int from, int to) {
        return data instanceof float[] f ? Arrays.copyOfRange(f, from, to) : Arrays.copyOfRange((double[]) data, from, to);
    }

    static Object full(DType dtype, int n, double value) {
        if (dtype == DType.FLOAT32) {
            float[] f = new float[n];
            Arrays.fill(f, (float) value);
            return f;
        }
        double[] d = new double[n];
        Arrays.fill(d, value);
        return d;
    }

    /** Transpose of a row-major {@code [rows, cols]} array, in cache-sized tiles, into an array of {@code pool}. */
    static Object transpose(ArrayPool pool, Object a, int rows, int cols) {
        final int tile = 32;
        Object out = pool.like(a, rows * cols);
        for (int i0 = 0; i0 < rows; i0 += tile) {
            int i1 = Math.min(rows, i0 + tile);
            for (int j0 = 0; j0 < cols; j0 += tile) {
                int j1 = Math.min(cols, j0 + tile);
                if (a instanceof float[] x) {
                    float[] y = (float[]) out;
                    for (int i = i0; i < i1; i++) {
                        for (int j = j0; j < j1; j++) {
                            y[j * rows + i] = x[i * cols + j];
                        }
                    }
                } else {
                    double[] x = (double[]) a;
                    double[] y = (double[]) out;
                    for (int i = i0; i < i1; i++) {
                        for (int j = j0; j < j1; j++) {
                            y[j * rows + i] = x[i * cols + j];
                        }
                    }
                }
            }
        }
        return out;
    }
}
