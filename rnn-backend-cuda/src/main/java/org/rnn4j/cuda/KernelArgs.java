package org.rnn4j.cuda;

import java.util.Arrays;

/**
 * The parameters of one kernel launch, in order, each an 8-byte slot as the kernels' ABI sees it: device
 * pointers and 64-bit integers whole, 32-bit integers and floats in the low four bytes.
 */
final class KernelArgs {
    /** How a slot is passed. */
    enum Kind { PTR, I32, I64, F32, F64 }

    private long[] slots = new long[16];
    private Kind[] kinds = new Kind[16];
    private int count;

    private KernelArgs add(Kind kind, long bits) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, count * 2);
            kinds = Arrays.copyOf(kinds, count * 2);
        }
        slots[count] = bits;
        kinds[count] = kind;
        count++;
        return this;
    }

    static KernelArgs of() {
        return new KernelArgs();
    }

    /** A device address (0 for a null pointer). */
    KernelArgs ptr(long address) {
        return add(Kind.PTR, address);
    }

    KernelArgs i32(int v) {
        return add(Kind.I32, v & 0xFFFF_FFFFL);
    }

    KernelArgs i64(long v) {
        return add(Kind.I64, v);
    }

    KernelArgs f32(float v) {
        return add(Kind.F32, Float.floatToRawIntBits(v) & 0xFFFF_FFFFL);
    }

    KernelArgs f64(double v) {
        return add(Kind.F64, Double.doubleToRawLongBits(v));
    }

    /** A scalar of the tensor dtype: float for float32 ({@code v} rounded), double for float64. */
    KernelArgs scalar(boolean float32, double v) {
        return float32 ? f32((float) v) : f64(v);
    }

    int count() {
        return count;
    }

    long slot(int i) {
        return slots[i];
    }

    Kind kind(int i) {
        return kinds[i];
    }
}
