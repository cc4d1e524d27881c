package org.rnn4j.cpu;

/**
 * Element access to a {@code float[]} or {@code double[]} as doubles, so that kernels with involved
 * arithmetic (reductions, softmax, the fused cells) are written once for both dtypes. Reads widen and
 * writes round; a call site sees at most two receiver classes, which the JIT inlines.
 */
abstract sealed class Arr permits Arr.F32, Arr.F64 {

    /** A view of {@code data}, a {@code float[]} or {@code double[]}. */
    static Arr of(Object data) {
        return data instanceof float[] f ? new F32(f) : new F64((double[]) data);
    }

    /** A view of a new zero array of the same type as {@code like}. */
    static Arr allocLike(Object like, int n) {
        return of(Storage.allocLike(like, n));
    }

    /** A view of a zero array of {@code pool} of the same type as {@code like}. */
    static Arr zeroLike(ArrayPool pool, Object like, int n) {
        return of(pool.zeroLike(like, n));
    }

    /** A view of an array of {@code pool} of the same type as {@code like}, contents unspecified (the caller writes every element). */
    static Arr dirtyLike(ArrayPool pool, Object like, int n) {
        return of(pool.like(like, n));
    }

    abstract double get(int i);

    abstract void set(int i, double v);

    abstract void add(int i, double v);

    abstract int length();

    /** The array viewed. */
    abstract Object raw();

    static final class F32 extends Arr {
        private final float[] a;

        F32(float[] a) {
            this.a = a;
        }

        @Override
        double get(int i) {
            return a[i];
        }

        @Override
        void set(int i, double v) {
            a[i] = (float) v;
        }

        @Override
        void add(int i, double v) {
            a[i] += (float) v;
        }

        @Override
        int length() {
            return a.length;
        }

        @Override
        Object raw() {
            return a;
        }
    }

    static final class F64 extends Arr {
        private final double[] a;

        F64(double[] a) {
            this.a = a;
        }

        @Override
        double get(int i) {
            return a[i];
        }

        @Override
        void set(int i, double v) {
            a[i] = v;
        }

        @Override
        void add(int i, double v) {
            a[i] += v;
        }

        @Override
        int length() {
            return a.length;
        }

        @Override
        Object raw() {
            return a;
        }
    }
}
