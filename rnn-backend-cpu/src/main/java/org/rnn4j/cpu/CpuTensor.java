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
 * argument (an in-place update of a tensor shows in its reshapes).
 *
 * <p>{@link #close()} marks this tensor closed: every op and host copy on it throws from then on. The
 * array goes back to the backend's {@link ArrayPool} (to be reused by a later op) once every tensor
 * sharing it (a tensor and its reshapes) was closed; a tensor that is never closed keeps its array, which
 * the garbage collector reclaims as before. So closing a tensor while a reshape of it is still used is
 * safe, and using a closed tensor is a clear error, never a read of recycled values.
 */
public final class CpuTensor implements Tensor {
    private final CpuBackend backend;
    private final int[] shape;
    private final DType dtype;
    /** {@code float[]} or {@code double[]} of length {@code Shapes.size(shape)}; modified only by in-place updates. */
    private final Object data;
    /** The count of open tensors on {@link #data}, shared by this tensor and its reshapes. */
    private final Shared shared;
    private volatile boolean closed;

    /**
     * Wraps {@code data} (a {@code float[]} or {@code double[]}, not copied) with {@code shape} (not copied).
     * The array becomes this tensor's: nothing else may keep using it once the tensor is closed.
     */
    CpuTensor(CpuBackend backend, int[] shape, Object data) {
        this(backend, shape, data, new Shared(backend.pool()));
    }

    private CpuTensor(CpuBackend backend, int[] shape, Object data, Shared shared) {
        this.backend = backend;
        this.shape = shape;
        this.data = data;
        this.shared = shared;
        this.dtype = Storage.dtypeOf(data);
        assert Storage.length(data) == Shapes.size(shape) : "data length does not match shape " + Shapes.str(shape);
    }

    /**
     * A tensor of {@code shape} (same size, not copied) on this tensor's array, counted with it: the array is
     * recycled only once both (and every other view) are closed.
     *
     * @throws IllegalStateException when this tensor was closed
     */
    CpuTensor view(int[] shape) {
        Tensors.requireOpen(this, "reshape: a");
        shared.retain();
        return new CpuTensor(backend, shape, data, shared);
    }

    /** Open-tensor count of one array, and the pool it returns to when the count reaches zero. */
    private static final class Shared {
        private final ArrayPool pool;
        private int open = 1;

        Shared(ArrayPool pool) {
            this.pool = pool;
        }

        synchronized void retain() {
            open++;
        }

        /** Counts one tensor closed; true when it was the last. */
        synchronized boolean release() {
            return --open == 0;
        }

        ArrayPool pool() {
            return pool;
        }
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

    /**
     * Marks this tensor closed (idempotent); when it was the last open tensor on its array (see
     * {@link CpuBackend#reshape}), returns the array to the backend's pool for reuse by later ops.
     */
    @Override
    public void close() {
        synchronized (shared) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (shared.release()) {
            shared.pool().give(data);
        }
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
