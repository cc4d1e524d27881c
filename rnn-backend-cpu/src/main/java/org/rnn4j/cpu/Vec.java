package org.rnn4j.cpu;

/**
 * float32 loops over whole arrays for the sequence kernels, each indexing all its arrays with one index
 * from 0 and touching few arrays, the shape that the JDK 17 C2 compiler vectorises (a loop with
 * arrays at different offsets, or with many arrays and a long body, stays scalar: measured 9 ns against
 * under 1 ns per element for {@link #tanh}). Callers gather the rows they need into contiguous arrays
 * first ({@link System#arraycopy} is cheap next to the arithmetic).
 */
final class Vec {
    private Vec() {
    }

    private static final float CLAMP = 7.90531110763549805f;

    /** {@link CpuMath#tanhFast} in float arithmetic: absolute error below 3e-7. */
    static float tanh(float x) {
        float v = Math.max(-CLAMP, Math.min(CLAMP, x));
        float x2 = v * v;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 + -8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return v * p / q;
    }

    /** {@code out[j] = sigmoid(a[j] + b[j] + c[j])}. */
    static void sigmoidSum(float[] a, float[] b, float[] c, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = 0.5f + 0.5f * tanh(0.5f * (a[j] + b[j] + c[j]));
        }
    }

    /** {@code out[j] = tanh(a[j] + b[j] + c[j])}. */
    static void tanhSum(float[] a, float[] b, float[] c, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = tanh(a[j] + b[j] + c[j]);
        }
    }

    /** {@code out[j] = tanh(a[j])}. */
    static void tanh(float[] a, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = tanh(a[j]);
        }
    }

    /** {@code out[j] = relu(a[j] + b[j] + c[j])}. */
    static void reluSum(float[] a, float[] b, float[] c, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = Math.max(a[j] + b[j] + c[j], 0f);
        }
    }

    /** {@code out[j] = a[j] * b[j] + c[j] * d[j]}. */
    static void mulAddMul(float[] a, float[] b, float[] c, float[] d, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = a[j] * b[j] + c[j] * d[j];
        }
    }

    /** {@code out[j] = a[j] * b[j]}. */
    static void mul(float[] a, float[] b, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = a[j] * b[j];
        }
    }

    /** {@code out[j] = a[j] + b[j]}. */
    static void add(float[] a, float[] b, float[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = a[j] + b[j];
        }
    }

    /** Repeats {@code src[from .. from + n)} {@code times} times. */
    static float[] tile(float[] src, int from, int n, int times) {
        return tile(src, from, n, times, ArrayPool.NONE);
    }

    /** {@link #tile(float[], int, int, int)} into an array of {@code pool}. */
    static float[] tile(float[] src, int from, int n, int times, ArrayPool pool) {
        float[] out = pool.floats(n * times);
        for (int r = 0; r < times; r++) {
            System.arraycopy(src, from, out, r * n, n);
        }
        return out;
    }

    /** Copies columns {@code [col, col + n)} of every row of the {@code rows x stride} block at {@code off} of {@code src} into {@code out}. */
    static void gather(float[] src, int off, int stride, int col, int n, int rows, float[] out) {
        for (int r = 0, s = off + col; r < rows; r++, s += stride) {
            System.arraycopy(src, s, out, r * n, n);
        }
    }

    /** The inverse of {@link #gather}: rows of {@code in} ({@code n} wide) to columns {@code [col, col + n)} of the block. */
    static void scatter(float[] in, int n, int rows, float[] dst, int off, int stride, int col) {
        for (int r = 0, d = off + col; r < rows; r++, d += stride) {
            System.arraycopy(in, r * n, dst, d, n);
        }
    }
}
