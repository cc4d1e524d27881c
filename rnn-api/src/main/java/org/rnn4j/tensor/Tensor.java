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
 * <p>{@link #close()} releases native memory early; a closed tensor must not be used again. Tensors
 * that are never closed are released when garbage-collected.
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

    /** Copies the elements to a new host array in row-major order (widening float32). */
    double[] toDoubleArray();

    /** Copies the elements to a new host array in row-major order (rounding float64). */
    float[] toFloatArray();

    /** The single element of a tensor of size 1, as a double. */
    default double item() {
        if (size() != 1) {
            throw new IllegalStateException("item() needs a tensor of one element, got shape " + Shapes.str(shape()));
        }
        return toDoubleArray()[0];
    }

    /** Releases the tensor's memory now; idempotent. */
    @Override
    void close();
}
