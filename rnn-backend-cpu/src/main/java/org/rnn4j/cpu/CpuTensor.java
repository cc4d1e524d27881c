package org.rnn4j.cpu;

import java.util.Arrays;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * A tensor of the {@link CpuBackend}: a row-major Java array on the heap, {@code float[]} for
 * {@link DType#FLOAT32} and {@code double[]} for {@link DType#FLOAT64}.
 *
 * <p>The array is written after construction only by {@link CpuBackend#addScaledInPlace}, which
 * optimizers apply to parameter and state tensors they own; every other op returns a new tensor, so
 * tensors are safe to share between threads and {@link CpuBackend#reshape} shares the array of its
 * argument (an in-place update of a tensor shows in its reshapes). {@link #close()} only marks this
 * tensor closed (the garbage collector reclaims the array), so a closed tensor fails here as it does on
 * backends that free memory: every op and host copy throws.
 */
public final class CpuTensor implements Tensor {
    private final CpuBackend backend;
    private final int[] shape;
    private final DType dtype;
    /** {@code float[]} or {@code double[]} of length {@code Shapes.size(shape)}; modified only by in-place updates. */
    private final Object data;
    private volatile boolean closed;

    /** Wraps {@code data} (a {@code float[]} or {@code double[]}, not copied) with {@code shape} (not copied). */
    CpuTensor(CpuBackend backend, int[] shape, Object data) {
        this.backend = backend;
        this.shape = shape;
        this.data = data;
        this.dtype = Storage.dtypeOf(data);
        assert Storage.length(data) == Shapes.size(shape) : "data length does not match shape " + Shapes.str(shape);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The shape array itself, for kernels that only read it. */
    int[] shapeRef() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int rank() {
        return shape.length;
    }

    @Override
    public int size() {
        return Storage.length(data);
    }

    /**
     * The backing {@code float[]} or {@code double[]}; callers other than the in-place update must not modify it.
     *
     * @throws IllegalStateException when this tensor was closed
     */
    Object data() {
        Tensors.requireOpen(this, "cpu backend: a kernel's argument");
        return data;
    }

    @Override
    public double[] toDoubleArray() {
        Tensors.requireOpen(this, "toDoubleArray(): this");
        return (double[]) Storage.convert(data, DType.FLOAT64);
    }

    @Override
    public float[] toFloatArray() {
        Tensors.requireOpen(this, "toFloatArray(): this");
        return (float[]) Storage.convert(data, DType.FLOAT32);
    }

    /** Marks this tensor closed; the array is left to the garbage collector (other tensors may share it). */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        if (closed) {
            return "CpuTensor" + Shapes.str(shape) + " " + dtype + " (closed)";
        }
        int n = size();
        double[] head = (double[]) Storage.convert(Storage.copyRange(data, 0, Math.min(n, 8)), DType.FLOAT64);
        String values = Arrays.toString(head);
        if (n > head.length) {
            values = values.substring(0, values.length() - 1) + ", ...]";
        }
        return "CpuTensor" + Shapes.str(shape) + " " + dtype + " " + values;
    }
}
