package org.rnn4j.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/**
 * A flat vector of numbers in the precision of the model it came from: {@code double[]} for float64
 * models, {@code float[]} for float32 ones (so that communication costs 8 or 4 bytes per parameter).
 * Used for weights, gradient sums and optimizer state as they travel between the driver and the
 * executors. Not thread-safe; the in-place operations modify this vector.
 */
public final class Flat implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double[] d;
    private final float[] f;

    private Flat(double[] d, float[] f) {
        this.d = d;
        this.f = f;
    }

    /** A float64 vector over {@code values} (not copied). */
    public static Flat of(double[] values) {
        return new Flat(values, null);
    }

    /** A float32 vector over {@code values} (not copied). */
    public static Flat of(float[] values) {
        return new Flat(null, values);
    }

    /** Zeros of {@code length}, float64 when {@code float64}, else float32. */
    public static Flat zeros(int length, boolean float64) {
        return float64 ? of(new double[length]) : of(new float[length]);
    }

    /** Whether the numbers are float64. */
    public boolean isFloat64() {
        return d != null;
    }

    /** Number of elements. */
    public int length() {
        return d != null ? d.length : f.length;
    }

    /** Bytes of payload (8 or 4 per element). */
    public long bytes() {
        return (long) length() * (d != null ? 8 : 4);
    }

    /** The float64 array (the vector's own), or null for a float32 vector. */
    public double[] doubles() {
        return d;
    }

    /** The float32 array (the vector's own), or null for a float64 vector. */
    public float[] floats() {
        return f;
    }

    /** Element {@code i} as a double. */
    public double get(int i) {
        return d != null ? d[i] : f[i];
    }

    /** Copies {@code length} elements from {@code from} as doubles. */
    public double[] slice(int from, int length) {
        double[] out = new double[length];
        if (d != null) {
            System.arraycopy(d, from, out, 0, length);
        } else {
            for (int i = 0; i < length; i++) {
                out[i] = f[from + i];
            }
        }
        return out;
    }

    /** Copies {@code length} elements from {@code from} as floats. */
    public float[] sliceFloats(int from, int length) {
        if (f != null) {
            return Arrays.copyOfRange(f, from, from + length);
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) d[from + i];
        }
        return out;
    }

    /** Writes {@code values} at {@code offset}, rounded to this vector's precision. */
    public void put(int offset, double[] values) {
        if (d != null) {
            System.arraycopy(values, 0, d, offset, values.length);
        } else {
            for (int i = 0; i < values.length; i++) {
                f[offset + i] = (float) values[i];
            }
        }
    }

    /** Writes {@code values} at {@code offset}. */
    public void put(int offset, float[] values) {
        if (f != null) {
            System.arraycopy(values, 0, f, offset, values.length);
        } else {
            for (int i = 0; i < values.length; i++) {
                d[offset + i] = values[i];
            }
        }
    }

    /** Adds {@code other} to this vector element by element, in this vector's precision; returns this. */
    public Flat addInPlace(Flat other) {
        checkSame(other, "addInPlace");
        if (d != null) {
            double[] o = other.d;
            for (int i = 0; i < d.length; i++) {
                d[i] += o[i];
            }
        } else {
            float[] o = other.f;
            for (int i = 0; i < f.length; i++) {
                f[i] += o[i];
            }
        }
        return this;
    }

    /** Multiplies every element by {@code s} in place; returns this. */
    public Flat scaleInPlace(double s) {
        if (d != null) {
            for (int i = 0; i < d.length; i++) {
                d[i] *= s;
            }
        } else {
            float fs = (float) s;
            for (int i = 0; i < f.length; i++) {
                f[i] *= fs;
            }
        }
        return this;
    }

    /** A copy. */
    public Flat copy() {
        return d != null ? of(d.clone()) : of(f.clone());
    }

    /** The bytes of the elements, little-endian, Base64-encoded (barrier mode sends gradients as strings). */
    public String toBase64() {
        ByteBuffer buf = ByteBuffer.allocate((int) bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (d != null) {
            buf.asDoubleBuffer().put(d);
        } else {
            buf.asFloatBuffer().put(f);
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }

    /** The inverse of {@link #toBase64()}. */
    public static Flat fromBase64(String s, boolean float64) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        if (float64) {
            double[] out = new double[buf.remaining() / 8];
            buf.asDoubleBuffer().get(out);
            return of(out);
        }
        float[] out = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(out);
        return of(out);
    }

    /** Whether the two vectors hold the same bits. */
    public boolean sameBits(Flat o) {
        return o != null && (d != null ? Arrays.equals(d, o.d) : Arrays.equals(f, o.f));
    }

    private void checkSame(Flat o, String op) {
        if (o == null || o.isFloat64() != isFloat64() || o.length() != length()) {
            throw new IllegalArgumentException("Flat." + op + ": expected a " + (isFloat64() ? "float64" : "float32") + " vector of "
                    + length() + " elements, got " + (o == null ? "null" : (o.isFloat64() ? "float64" : "float32") + " of " + o.length()));
        }
    }
}
