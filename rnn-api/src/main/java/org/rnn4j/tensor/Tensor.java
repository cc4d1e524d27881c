package org.rnn4j.tensor;

import org.rnn4j.tensor.Backend;

/**
 * An n-dimensional array owned by one {@link Backend}: its data lives where the backend keeps it
 * (Java heap, off-heap, device memory) and crosses to the host only through {@link #toDoubleArray()}
 * or {@link #toFloatArray()}.
 *
 * <p>Tensors are values: no primitive op modifies its arguments; each returns a new tensor. The one
 * exception is the in-place update through which optimizers change the parameter and state tensors they
 * own ({@code ComputeBackend.addScaledInPlace}); copy a parameter's value ({@link Tensors#copy}) to keep it. Data is
 * row-major (C order). A rank-0 tensor (shape {@code []}) holds one scalar.
 *
 * <p>{@link #close()} releases native memory early. A closed tensor cannot be used again, on every
 * backend alike: any op given it, {@link #toDoubleArray()} and {@link #toFloatArray()} throw an
 * {@link IllegalStateException} saying so (its shape and dtype stay readable). Tensors that are never
 * closed are released when garbage-collected.
 */
public interface Tensor extends AutoCloseable {

    /** The backend that owns this tensor; ops accept only tensors of their own backend. */
    Backend backend();

    /** A copy of the shape; {@code []} for a scalar. */
    int[] shape();

    /** Element type. */
    DType dtype();

    /** Number of dimensions. */
    default int rank() {
        return shape().length;
    }

    /** Number of elements (1 for a scalar). */
    default int size() {
        return Shapes.size(shape());
    }

    /** Extent of dimension {@code axis} (negative counts from the end). */
    default int dim(int axis) {
        int[] s = shape();
        return s[Shapes.axis(axis, s.length)];
    }

    /**
     * Copies the elements to a new host array in row-major order (widening float32).
     *
     * @throws IllegalStateException when this tensor was closed
     */
    double[] toDoubleArray();

    /**
     * Copies the elements to a new host array in row-major order (rounding float64).
     *
     * @throws IllegalStateException when this tensor was closed
     */
    float[] toFloatArray();

    /** The single element of a tensor of size 1, as a double. */
    default double item() {
        if (size() != 1) {
            throw new IllegalStateException("item() needs a tensor of one element, got shape " + Shapes.str(shape()));
        }
        return toDoubleArray()[0];
    }

    /**
     * Releases the tensor's memory now and marks it closed; idempotent. Tensors computed from it
     * earlier are not affected.
     */
    @Override
    void close();

    /** True once {@link #close()} ran; a closed tensor cannot be used again. */
    boolean isClosed();
}
