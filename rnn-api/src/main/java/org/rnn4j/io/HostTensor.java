package org.rnn4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * A tensor's data on the Java heap, in the element type it is stored in ({@link StoredType}), with no
 * backend and no name: what a safetensors file holds per entry and what a checkpoint is built from.
 *
 * <p>Data is row-major (C order); a rank-0 tensor (shape {@code []}) holds one element and a shape
 * with a zero extent holds none. Instances are immutable: the factories copy the arrays they are given
 * and every accessor returns a new array, so no method modifies its arguments or this tensor.
 */
public final class HostTensor {
    /** Largest element count a Java array is reliably allowed to hold. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final StoredType type;
    private final int[] shape;
    private final int size;
    /** double[], float[], short[], long[], int[] or byte[] as documented on {@link StoredType}. */
    private final Object data;

    /** Takes ownership of {@code shape} and {@code data}; callers have validated both. */
    private HostTensor(StoredType type, int[] shape, int size, Object data) {
        this.type = type;
        this.shape = shape;
        this.size = size;
        this.data = data;
    }

    /**
     * A float64 tensor.
     *
     * @param data the elements in row-major order; copied, not modified
     * @param shape the extents, each {@code >= 0}; no arguments for a scalar
     * @throws IllegalArgumentException when {@code data.length} is not the product of {@code shape}
     */
    public static HostTensor ofDoubles(double[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = checkShape(data.length, shape);
        return new HostTensor(StoredType.F64, s, data.length, data.clone());
    }

    /** A float32 tensor; {@code data} (row-major, copied) must have product-of-{@code shape} elements. */
    public static HostTensor ofFloats(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = checkShape(data.length, shape);
        return new HostTensor(StoredType.F32, s, data.length, data.clone());
    }

    /** An int64 tensor; {@code data} (row-major, copied) must have product-of-{@code shape} elements. */
    public static HostTensor ofLongs(long[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = checkShape(data.length, shape);
        return new HostTensor(StoredType.I64, s, data.length, data.clone());
    }

    /** An int32 tensor; {@code data} (row-major, copied) must have product-of-{@code shape} elements. */
    public static HostTensor ofInts(int[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = checkShape(data.length, shape);
        return new HostTensor(StoredType.I32, s, data.length, data.clone());
    }

    /**
     * Copies a backend tensor to the host: F32 for {@link DType#FLOAT32}, F64 for {@link DType#FLOAT64}.
     * Reads {@code t} (which may cross from device memory) and does not modify or close it.
     */
    public static HostTensor of(Tensor t) {
        Objects.requireNonNull(t, "t");
        int[] s = t.shape();
        if (t.dtype() == DType.FLOAT64) {
            return ofDoubles(t.toDoubleArray(), s);
        }
        return ofFloats(t.toFloatArray(), s);
    }

    /**
     * This tensor on {@code backend} in {@code dtype}, converted from the stored type (F64 to FLOAT32
     * rounds to nearest; integers convert as {@link #asDoubles()} does). The one conversion every loader
     * uses (checkpoints, golden cases, optimizer state). Creates a new tensor; modifies nothing.
     *
     * @throws IllegalArgumentException (from the backend) when it does not support {@code dtype}
     */
    public Tensor toTensor(Backend backend, DType dtype) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(dtype, "dtype");
        if (type == StoredType.F32 && dtype == DType.FLOAT32) {
            return backend.fromFloats((float[]) data, dtype, shape); // exact, without a float64 copy
        }
        return backend.fromDoubles(asDoubles(), dtype, shape);
    }

    /**
     * The number of NaN and infinite elements (0 for integer and BOOL tensors). Reads only this tensor.
     */
    public int nonFiniteCount() {
        int n = 0;
        for (int i = firstNonFinite(); i >= 0 && i < size; i++) {
            if (!Double.isFinite(element(i))) {
                n++;
            }
        }
        return n;
    }

    /** The index of the first NaN or infinite element, or -1 when every element is finite (always for integers). */
    public int firstNonFinite() {
        if (!type.isFloatingPoint()) {
            return -1;
        }
        for (int i = 0; i < size; i++) {
            if (!Double.isFinite(element(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Element {@code i} of a floating-point tensor as a double (exact). */
    private double element(int i) {
        switch (type) {
            case F64:
                return ((double[]) data)[i];
            case F32:
                return ((float[]) data)[i];
            default:
                return smallElementAsDouble(i);
        }
    }

    /** Element type as stored. */
    public StoredType type() {
        return type;
    }

    /** A copy of the shape; {@code []} for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the shape (1 for a scalar, 0 when an extent is 0). */
    public int size() {
        return size;
    }

    /** Size of the data in the file, in bytes: {@code size() * type().byteSize()}. */
    public long byteSize() {
        return (long) size * type.byteSize();
    }

    /** The elements as a new float64 array, converting from any type (int64 beyond 2^53 rounds). */
    public double[] asDoubles() {
        double[] out = new double[size];
        switch (type) {
            case F64:
                System.arraycopy((double[]) data, 0, out, 0, size);
                break;
            case F32: {
                float[] a = (float[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
                break;
            }
            case I64: {
                long[] a = (long[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
                break;
            }
            case I32: {
                int[] a = (int[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
                break;
            }
            default:
                for (int i = 0; i < size; i++) {
                    out[i] = smallElementAsDouble(i);
                }
        }
        return out;
    }

    /** The elements as a new float32 array, converting from any type (F64 and large integers round). */
    public float[] asFloats() {
        float[] out = new float[size];
        switch (type) {
            case F32:
                System.arraycopy((float[]) data, 0, out, 0, size);
                break;
            case F64: {
                double[] a = (double[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = (float) a[i];
                }
                break;
            }
            case I64: {
                long[] a = (long[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
                break;
            }
            case I32: {
                int[] a = (int[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = a[i];
                }
                break;
            }
            default:
                for (int i = 0; i < size; i++) {
                    out[i] = (float) smallElementAsDouble(i);
                }
        }
        return out;
    }

    /**
     * The elements as a new int64 array.
     *
     * @throws UnsupportedOperationException for floating-point types (F64, F32, F16, BF16): use
     *     {@link #asDoubles()}; integers and BOOL (0/1) convert exactly, U8 as 0..255
     */
    public long[] asLongs() {
        requireInteger("asLongs()");
        long[] out = new long[size];
        if (type == StoredType.I64) {
            System.arraycopy((long[]) data, 0, out, 0, size);
        } else if (type == StoredType.I32) {
            int[] a = (int[]) data;
            for (int i = 0; i < size; i++) {
                out[i] = a[i];
            }
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = (long) smallElementAsDouble(i);
            }
        }
        return out;
    }

    /**
     * The elements as a new int32 array, checking that each fits.
     *
     * @throws UnsupportedOperationException for floating-point types
     * @throws ArithmeticException naming the element index and value when an I64 element is outside
     *     the int range
     */
    public int[] asInts() {
        requireInteger("asInts()");
        if (type == StoredType.I32) {
            return ((int[]) data).clone();
        }
        long[] wide = asLongs();
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            long v = wide[i];
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new ArithmeticException("element " + i + " of an I64 tensor of shape " + Shapes.str(shape) + " is " + v
                        + ", which does not fit an int (" + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + "); use asLongs()");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private void requireInteger(String what) {
        if (type.isFloatingPoint()) {
            throw new UnsupportedOperationException(what + " needs an integer or BOOL tensor, but this one is " + type
                    + " of shape " + Shapes.str(shape) + "; use asDoubles() or asFloats()");
        }
    }

    /** Element {@code i} of an F16, BF16, I16, I8, U8 or BOOL tensor (all exact in a double). */
    private double smallElementAsDouble(int i) {
        switch (type) {
            case F16:
                return halfToFloat(((short[]) data)[i]);
            case BF16:
                return Float.intBitsToFloat((((short[]) data)[i] & 0xFFFF) << 16);
            case I16:
                return ((short[]) data)[i];
            case I8:
                return ((byte[]) data)[i];
            case U8:
                return ((byte[]) data)[i] & 0xFF;
            case BOOL:
                return ((byte[]) data)[i] != 0 ? 1 : 0;
            default:
                throw new AssertionError(type);
        }
    }

    /** IEEE binary16 bits to the equal float (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // zero or subnormal
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    // ---------------------------------------------------------------- package-private codec

    /** Validates {@code shape} for {@code length} elements and returns a copy of it. */
    private static int[] checkShape(int length, int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = elementCount(shape);
        if (n < 0) {
            throw new IllegalArgumentException("shape " + Shapes.str(shape) + " has a negative extent; every extent must be >= 0");
        }
        if (n != length) {
            throw new IllegalArgumentException("data has " + length + " elements but shape " + Shapes.str(shape) + " needs " + n);
        }
        return shape.clone();
    }

    /** Product of the extents, -1 when one is negative, Long.MAX_VALUE on overflow. */
    static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                return -1;
            }
        }
        for (int d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        for (int d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** A zeroed tensor of {@code type} whose array the reader fills with {@link #decode}. */
    static HostTensor allocate(StoredType type, int[] shape, int size) {
        Object data;
        switch (type) {
            case F64:
                data = new double[size];
                break;
            case F32:
                data = new float[size];
                break;
            case F16:
            case BF16:
            case I16:
                data = new short[size];
                break;
            case I64:
                data = new long[size];
                break;
            case I32:
                data = new int[size];
                break;
            default:
                data = new byte[size];
        }
        return new HostTensor(type, shape.clone(), size, data);
    }

    /**
     * Reads {@code count} little-endian elements from {@code src} (position to limit) into this
     * tensor's array starting at element {@code from}. Only the reader calls it, on a tensor it has
     * just allocated and not yet published.
     */
    void decode(ByteBuffer src, int from, int count) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F64:
                b.asDoubleBuffer().get((double[]) data, from, count);
                break;
            case F32:
                b.asFloatBuffer().get((float[]) data, from, count);
                break;
            case F16:
            case BF16:
            case I16:
                b.asShortBuffer().get((short[]) data, from, count);
                break;
            case I64:
                b.asLongBuffer().get((long[]) data, from, count);
                break;
            case I32:
                b.asIntBuffer().get((int[]) data, from, count);
                break;
            default:
                b.get((byte[]) data, from, count);
        }
    }

    /** Writes elements {@code [from, from+count)} little-endian into {@code dst} at its position, advancing it. */
    void encode(ByteBuffer dst, int from, int count) {
        ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F64:
                b.asDoubleBuffer().put((double[]) data, from, count);
                break;
            case F32:
                b.asFloatBuffer().put((float[]) data, from, count);
                break;
            case F16:
            case BF16:
            case I16:
                b.asShortBuffer().put((short[]) data, from, count);
                break;
            case I64:
                b.asLongBuffer().put((long[]) data, from, count);
                break;
            case I32:
                b.asIntBuffer().put((int[]) data, from, count);
                break;
            default:
                b.put((byte[]) data, from, count);
        }
        dst.position(dst.position() + count * type.byteSize());
    }

    // ---------------------------------------------------------------- Object

    /** Equal when type, shape and every element's bits are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HostTensor)) {
            return false;
        }
        HostTensor t = (HostTensor) o;
        return type == t.type && Arrays.equals(shape, t.shape) && Arrays.deepEquals(new Object[] {data}, new Object[] {t.data});
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(shape)) + Arrays.deepHashCode(new Object[] {data});
    }

    /** {@code HostTensor[F32 [4, 3]]}; never the data. */
    @Override
    public String toString() {
        return "HostTensor[" + type + " " + Shapes.str(shape) + "]";
    }
}
