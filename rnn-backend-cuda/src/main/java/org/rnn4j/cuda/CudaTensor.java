package org.rnn4j.cuda;

import java.util.Arrays;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * A tensor of the {@link CudaBackend}: row-major elements in device memory ({@code float} for
 * {@link DType#FLOAT32}, {@code double} for {@link DType#FLOAT64}). The data crosses to the host only in
 * {@link #toDoubleArray()} / {@link #toFloatArray()}, which wait for the work queued before them.
 *
 * <p>Ops never write a tensor after it is made; {@code reshape} returns a view sharing the memory.
 * {@link #close()} gives the memory back to the backend's cache at once (views keep it until they are
 * closed too); a tensor that is never closed gives it back after the garbage collector has found it
 * unreachable. A closed tensor cannot be used again.
 */
public final class CudaTensor implements Tensor {
    private final CudaBackend backend;
    private final int[] shape;
    private final DType dtype;
    private final DeviceAllocator.Lease lease;

    /** A new, uninitialised tensor (every op writes all of it). */
    CudaTensor(CudaBackend backend, DType dtype, int[] shape) {
        this.backend = backend;
        this.shape = shape;
        this.dtype = dtype;
        this.lease = backend.allocator().allocate(this, (long) Shapes.size(shape) * dtype.bytes());
    }

    /** A view of {@code of}'s memory with {@code shape} (same size). */
    CudaTensor(CudaTensor of, int[] shape) {
        this.backend = of.backend;
        this.shape = shape;
        this.dtype = of.dtype;
        this.lease = backend.allocator().share(this, of.lease);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The shape array itself, for the backend's kernels, which only read it. */
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
        return Shapes.size(shape);
    }

    /**
     * The device address of element 0.
     *
     * @throws IllegalStateException when the tensor was closed
     */
    long address() {
        return lease.address();
    }

    /** The device address of element {@code index} (row-major). */
    long address(long index) {
        return lease.address() + index * dtype.bytes();
    }

    boolean float32() {
        return dtype == DType.FLOAT32;
    }

    @Override
    public boolean isClosed() {
        return lease.released();
    }

    /** @throws IllegalStateException when the tensor was closed */
    @Override
    public double[] toDoubleArray() {
        Tensors.requireOpen(this, "toDoubleArray(): this");
        return backend.downloadDoubles(this);
    }

    /** @throws IllegalStateException when the tensor was closed */
    @Override
    public float[] toFloatArray() {
        Tensors.requireOpen(this, "toFloatArray(): this");
        return backend.downloadFloats(this);
    }

    @Override
    public void close() {
        lease.release();
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "CudaTensor" + Shapes.str(shape) + " " + dtype + " (closed)";
        }
        int n = size();
        double[] all = toDoubleArray();
        String values = Arrays.toString(Arrays.copyOf(all, Math.min(n, 8)));
        if (n > 8) {
            values = values.substring(0, values.length() - 1) + ", ...]";
        }
        return "CudaTensor" + Shapes.str(shape) + " " + dtype + " " + values;
    }
}
