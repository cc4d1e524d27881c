package org.rnn4j.nd4j;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * A tensor of the {@link Nd4jBackend}: one off-heap ND4J {@link INDArray} ({@code FLOAT} for
 * {@link DType#FLOAT32}, {@code DOUBLE} for {@link DType#FLOAT64}).
 *
 * <p>Invariants every kernel relies on: the array is in row-major ('c') order, starts at offset 0 of
 * its buffer and no other tensor holds it, so {@link #close()} may free it at once. Arrays that are
 * never closed are freed by ND4J's deallocator when the tensor is garbage-collected.
 */
public final class Nd4jTensor implements Tensor {
    private final Nd4jBackend backend;
    private final INDArray array;
    private final int[] shape;
    private final DType dtype;
    private volatile boolean closed;

    /** Wraps {@code array}, which the new tensor owns from now on (a view or a non-'c' array is copied first). */
    Nd4jTensor(Nd4jBackend backend, INDArray array) {
        this.backend = backend;
        INDArray a = array;
        if (!a.isEmpty() && (a.isView() || a.ordering() != 'c' || a.data().length() != a.length())) {
            a = a.dup('c');
        }
        this.array = a;
        long[] s = a.shape();
        this.shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        this.dtype = dtypeOf(a.dataType());
        Nd4jMemory.allocated(a.length() * dtype.bytes());
    }

    static DType dtypeOf(DataType dt) {
        switch (dt) {
            case FLOAT:
                return DType.FLOAT32;
            case DOUBLE:
                return DType.FLOAT64;
            default:
                throw new IllegalStateException("nd4j backend: unsupported ND4J data type " + dt + "; expected FLOAT or DOUBLE");
        }
    }

    static DataType dataTypeOf(DType dtype) {
        return dtype == DType.FLOAT32 ? DataType.FLOAT : DataType.DOUBLE;
    }

    /**
     * The underlying array. Callers must not modify it (tensors are values) and must not close it.
     *
     * @throws IllegalStateException when this tensor was closed
     */
    public INDArray array() {
        Tensors.requireOpen(this, "nd4j backend: this tensor");
        return array;
    }

    @Override
    public Nd4jBackend backend() {
        return backend;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The shape without a defensive copy, for the backend's kernels. */
    int[] shapeRef() {
        return shape;
    }

    @Override
    public int rank() {
        return shape.length;
    }

    @Override
    public int size() {
        return (int) array.length();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public double[] toDoubleArray() {
        Tensors.requireOpen(this, "toDoubleArray(): this");
        INDArray a = array;
        return a.length() == 0 ? new double[0] : a.data().asDouble();
    }

    @Override
    public float[] toFloatArray() {
        Tensors.requireOpen(this, "toFloatArray(): this");
        INDArray a = array;
        return a.length() == 0 ? new float[0] : a.data().asFloat();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (array.closeable()) {
                array.close();
            }
        }
    }

    @Override
    public String toString() {
        if (closed) {
            return "Nd4jTensor" + Shapes.str(shape) + " " + dtype + " (closed)";
        }
        String data = size() <= 16 ? " " + Arrays.toString(toDoubleArray()) : "";
        return "Nd4jTensor" + Shapes.str(shape) + " " + dtype + data;
    }
}
