package org.rnn4j.io;

import java.io.IOException;

/**
 * A safetensors file is malformed: truncated, a header that is not the expected JSON (or nests too
 * deep, or repeats a key), an unknown dtype, a tensor whose shape, dtype and {@code data_offsets}
 * disagree, tensors that do not cover the data section exactly; or it declares tensors too large to
 * read into this JVM. The message names the file, the tensor when one is at fault, what was found and
 * what was expected, quoting at most an {@link Excerpt} of any value.
 */
public class SafeTensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String tensor;

    /**
     * @param source the file (or stream name) being read
     * @param tensor the tensor at fault, or null when the problem is not about one tensor
     * @param message the full message, already naming {@code source} and {@code tensor}
     */
    public SafeTensorsFormatException(String source, String tensor, String message) {
        super(message);
        this.source = source;
        this.tensor = tensor;
    }

    public SafeTensorsFormatException(String source, String tensor, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.tensor = tensor;
    }

    /** The file or stream name that was being read. */
    public String source() {
        return source;
    }

    /** The tensor at fault, or null when the problem is with the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
