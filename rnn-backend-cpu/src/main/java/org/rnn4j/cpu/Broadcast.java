package org.rnn4j.cpu;

import org.rnn4j.tensor.Shapes;

/**
 * General numpy-style broadcasting over row-major arrays, for the shapes the fast paths of
 * {@link Elementwise} (equal shapes, a trailing suffix) do not cover: {@code [N, H] - [N, 1]},
 * {@code [B, T, S] + [B, 1, S]}, a mask {@code [B, 1, S]} over scores {@code [B, T, S]}.
 *
 * <p>Each input gets a stride per output dimension, 0 where it is broadcast; the output is walked one
 * row of its last dimension at a time, with the inputs' offsets kept by an odometer over the leading
 * dimensions, so the per-element work is one strided load per input. Arithmetic goes through
 * {@link Arr} in double: for +, -, *, / and max of two floats the double result rounded to float is
 * the float result, so these paths agree bit for bit with the fast paths.
 */
final class Broadcast {
    private Broadcast() {
    }

    /** The binary ops with a general path. */
    enum Op { ADD, SUB, MUL, DIV, MAX }

    /** Strides of a row-major tensor of {@code shape} aligned to {@code out}: 0 on broadcast (missing or size-1) dims. */
    static int[] strides(int[] shape, int[] out) {
        int[] st = new int[out.length];
        int off = out.length - shape.length;
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[off + i] = shape[i] == 1 && out[off + i] != 1 ? 0 : stride;
            stride *= shape[i];
        }
        return st;
    }

    /** Receives one output row: its offset, length and the inputs' offsets and last-dimension strides. */
    interface RowVisitor {
        void row(int outOffset, int length, int[] offsets, int[] lastStrides);
    }

    /**
     * Calls {@code visitor} once per row of the last dimension of {@code out} (once for a scalar), with
     * the offsets of that row in each input whose aligned strides are {@code strides[k]}. The offsets
     * array is reused between calls.
     */
    static void forEachRow(int[] out, int[][] strides, RowVisitor visitor) {
        int size = Shapes.size(out);
        if (size == 0) {
            return;
        }
        int r = out.length;
        int n = r == 0 ? 1 : out[r - 1];
        int[] last = new int[strides.length];
        for (int k = 0; k < strides.length; k++) {
            last[k] = r == 0 ? 0 : strides[k][r - 1];
        }
        int rows = size / n;
        int[] idx = new int[Math.max(r - 1, 0)];
        int[] off = new int[strides.length];
        for (int row = 0; row < rows; row++) {
            visitor.row(row * n, n, off, last);
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                for (int k = 0; k < off.length; k++) {
                    off[k] += strides[k][d];
                }
                if (idx[d] < out[d]) {
                    break;
                }
                for (int k = 0; k < off.length; k++) {
                    off[k] -= strides[k][d] * out[d];
                }
                idx[d] = 0;
            }
        }
    }

    /** {@code op(x, y)} broadcast to {@code out}; a zeroed array of {@code pool} of x's type, then written. */
    static Object binary(ArrayPool pool, Op op, Object x, int[] xs, Object y, int[] ys, int[] out) {
        Arr a = Arr.of(x);
        Arr b = Arr.of(y);
        Arr z = Arr.zeroLike(pool, x, Shapes.size(out));
        forEachRow(out, new int[][] {strides(xs, out), strides(ys, out)}, (o, n, off, st) -> {
            int ia = off[0];
            int ib = off[1];
            int sa = st[0];
            int sb = st[1];
            switch (op) {
                case ADD:
                    for (int j = 0; j < n; j++, ia += sa, ib += sb) {
                        z.set(o + j, a.get(ia) + b.get(ib));
                    }
                    break;
                case SUB:
                    for (int j = 0; j < n; j++, ia += sa, ib += sb) {
                        z.set(o + j, a.get(ia) - b.get(ib));
                    }
                    break;
                case MUL:
                    for (int j = 0; j < n; j++, ia += sa, ib += sb) {
                        z.set(o + j, a.get(ia) * b.get(ib));
                    }
                    break;
                case DIV:
                    for (int j = 0; j < n; j++, ia += sa, ib += sb) {
                        z.set(o + j, a.get(ia) / b.get(ib));
                    }
                    break;
                default:
                    for (int j = 0; j < n; j++, ia += sa, ib += sb) {
                        z.set(o + j, Math.max(a.get(ia), b.get(ib)));
                    }
            }
        });
        return z.raw();
    }

    /** {@code mask != 0 ? x : y} broadcast to {@code out}; a zeroed array of {@code pool} of x's type, then written. */
    static Object where(ArrayPool pool, Object mask, int[] ms, Object x, int[] xs, Object y, int[] ys, int[] out) {
        Arr m = Arr.of(mask);
        Arr a = Arr.of(x);
        Arr b = Arr.of(y);
        Arr z = Arr.zeroLike(pool, x, Shapes.size(out));
        forEachRow(out, new int[][] {strides(ms, out), strides(xs, out), strides(ys, out)}, (o, n, off, st) -> {
            for (int j = 0, im = off[0], ia = off[1], ib = off[2]; j < n; j++, im += st[0], ia += st[1], ib += st[2]) {
                z.set(o + j, m.get(im) != 0 ? a.get(ia) : b.get(ib));
            }
        });
        return z.raw();
    }
}
