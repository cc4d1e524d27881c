package org.rnn4j.io;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.rnn4j.tensor.DType;

/**
 * Element type of a tensor as stored in a safetensors file (the header's {@code "dtype"} string).
 *
 * <p>Distinct from {@link DType}, which lists only the types a backend computes in (float32 and
 * float64): a file may also hold integer tensors (sequence lengths, class targets) and half
 * precision weights. {@link #toDType()} maps the two float types that have a compute counterpart.
 *
 * <p>All multi-byte types are little-endian in the file. The Java array that a {@link HostTensor}
 * keeps for each type is given per constant.
 */
public enum StoredType {
    /** IEEE 754 binary64; kept as {@code double[]}. */
    F64(8, true),
    /** IEEE 754 binary32; kept as {@code float[]}. */
    F32(4, true),
    /** IEEE 754 binary16; kept as raw bits in a {@code short[]}, widened exactly by {@link HostTensor#asFloats()}. */
    F16(2, true),
    /** bfloat16 (the upper 16 bits of a binary32); kept as raw bits in a {@code short[]}. */
    BF16(2, true),
    /** Signed 64-bit integer; kept as {@code long[]}. */
    I64(8, false),
    /** Signed 32-bit integer; kept as {@code int[]}. */
    I32(4, false),
    /** Signed 16-bit integer; kept as {@code short[]}. */
    I16(2, false),
    /** Signed 8-bit integer; kept as {@code byte[]}. */
    I8(1, false),
    /** Unsigned 8-bit integer (0..255); kept as {@code byte[]}. */
    U8(1, false),
    /** Boolean, one byte per element (0 = false, anything else = true); kept as {@code byte[]}. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    StoredType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Size of one element in the file, in bytes. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The dtype string written in a safetensors header; equal to {@link #name()}. */
    public String safetensorsName() {
        return name();
    }

    /**
     * The compute type with the same element format: F32 to {@link DType#FLOAT32}, F64 to
     * {@link DType#FLOAT64}.
     *
     * @throws UnsupportedOperationException for every other type (integers, F16, BF16), saying how to
     *     convert instead
     */
    public DType toDType() {
        switch (this) {
            case F32:
                return DType.FLOAT32;
            case F64:
                return DType.FLOAT64;
            default:
                throw new UnsupportedOperationException("stored type " + this + " has no tensor DType: only F32 and F64 map to one"
                        + " (FLOAT32, FLOAT64); read the data with HostTensor.asFloats() or asDoubles() and build an F32 or F64 tensor"
                        + (floatingPoint ? "" : " (integer data such as lengths or class targets usually stays on the host: asLongs()/asInts())"));
        }
    }

    /** The stored type with the same element format as {@code dtype} (FLOAT32 to F32, FLOAT64 to F64). */
    public static StoredType of(DType dtype) {
        switch (dtype) {
            case FLOAT32:
                return F32;
            case FLOAT64:
                return F64;
            default:
                throw new IllegalArgumentException("no stored type for DType " + dtype);
        }
    }

    /**
     * The type named {@code name} in a safetensors header (case-sensitive, e.g. {@code "F32"}).
     *
     * @throws IllegalArgumentException naming the supported types when {@code name} is not one of them
     */
    public static StoredType fromSafetensorsName(String name) {
        StoredType t = lookup(name);
        if (t == null) {
            throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'; supported: " + supportedNames());
        }
        return t;
    }

    /** The type named {@code name}, or null. */
    static StoredType lookup(String name) {
        for (StoredType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** "F64, F32, ..." */
    static String supportedNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
