package org.rnn4j.tensor;

/**
 * The user's handle on a compute backend: it names the backend, tells which dtypes it supports and
 * creates tensors in its memory (Java heap, off-heap, device memory). Obtain one with
 * {@code org.rnn4j.backend.Backends.get(...)}; pass it to layers and models (their builders take a
 * {@code backend(...)}) and to {@link Tensors#to(Tensor, Backend)}.
 *
 * <p>The math on tensors is reached through the autograd ops of {@code org.rnn4j.autograd.F}; the
 * primitive ops a backend implements are its service-provider interface
 * ({@code org.rnn4j.spi.ComputeBackend}), which users need not call.
 *
 * <p>Creation methods copy their data arrays (the caller may reuse them) and never modify them.
 */
public interface Backend extends AutoCloseable {

    /** Lower-case unique name, e.g. {@code cpu}. */
    String name();

    /** Version of the backend and of the native library underneath, for diagnostics. */
    String version();

    /** Whether tensors of this dtype can be created. */
    boolean supports(DType dtype);

    /**
     * A tensor of {@code shape} holding {@code data} (row-major, length = product of shape).
     *
     * @throws IllegalArgumentException when the length does not match the shape or the dtype is unsupported
     */
    Tensor fromDoubles(double[] data, DType dtype, int... shape);

    /**
     * A tensor of {@code shape} holding {@code data} (row-major, length = product of shape).
     *
     * @throws IllegalArgumentException when the length does not match the shape or the dtype is unsupported
     */
    Tensor fromFloats(float[] data, DType dtype, int... shape);

    /** A tensor of zeros of {@code shape}. */
    Tensor zeros(DType dtype, int... shape);

    /** A tensor of {@code shape} with every element equal to {@code value}. */
    Tensor full(double value, DType dtype, int... shape);

    /**
     * Releases the backend's native resources (thread pools, device contexts, caches). Backends are
     * shared per process by {@code Backends}, so only code that owns the whole process should call
     * this, at its end; idempotent. The default does nothing (a backend with nothing to release).
     */
    @Override
    default void close() {
    }
}
