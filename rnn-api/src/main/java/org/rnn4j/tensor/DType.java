package org.rnn4j.tensor;

/** Element type of a {@link Tensor}. {@link #FLOAT32} is the default everywhere a dtype is optional. */
public enum DType {
    /** 32-bit IEEE float; the default. */
    FLOAT32(4, "F32"),
    /** 64-bit IEEE float; used for gradient checks and golden comparisons. */
    FLOAT64(8, "F64");

    private final int bytes;
    private final String safetensorsName;

    DType(int bytes, String safetensorsName) {
        this.bytes = bytes;
        this.safetensorsName = safetensorsName;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The dtype's name in a safetensors header ("F32", "F64"). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The dtype named {@code name} in a safetensors header, or an exception naming the supported ones. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("Unsupported tensor dtype '" + name + "': expected F32 or F64");
    }
}
