package org.rnn4j.nd4j;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rnn4j.spi.AbstractBackend;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The rnn4j backend on ND4J ({@code nd4j-native}: libnd4j with OpenBLAS on the CPU), float32 and
 * float64. Every kernel runs ND4J's own ops on off-heap {@link INDArray}s (BLAS gemm with transposes
 * for products, libnd4j transforms, broadcasts and reductions, gather/scatter custom ops); data
 * crosses to the Java heap only in {@link Tensor#toDoubleArray()} / {@link Tensor#toFloatArray()}.
 *
 * <p>Broadcasting binary ops use ND4J's numpy-style broadcasts; {@link #bmm} is libnd4j's batched
 * {@code matmul}; {@link #where} and {@link #maskedFill} expand their arguments to the result's shape and
 * run libnd4j's {@code select}.
 *
 * <p>Pure ops: no kernel modifies an argument. ND4J ops that work in place are only ever applied to
 * arrays a kernel has just allocated. Results own their buffers (see {@link Nd4jTensor}).
 *
 * <p>Fused kernels, one of every {@link KernelKind}: whole sequences (see {@link Nd4jSequences}), which
 * {@code Recurrent} uses for the built-in cells, and single steps (see {@link Nd4jCells}) for callers of
 * {@code Cell.step}.
 *
 * <p>{@link #close()}: the backend refuses all work from then on and drops the ND4J workspaces of the
 * closing thread; ND4J's native runtime (BLAS and OpenMP pools, the deallocator) is process-wide and
 * stays for the other instances, and tensors already made stay readable until closed or collected.
 *
 * <p>ND4J's thread settings are process-wide: {@link BackendOptions#threads()} {@code > 0} sets the BLAS
 * thread count for the whole process; libnd4j's own elementwise ops run on one thread unless
 * {@code -Drnn4j.nd4j.opsThreads=N} or {@code OMP_NUM_THREADS} says otherwise (see
 * {@code Nd4jRuntime.configureThreads}).
 */
public final class Nd4jBackend extends AbstractBackend {
    /** The backend's name, {@value}. */
    public static final String NAME = "nd4j";

    private final BackendOptions options;

    /** Starts ND4J (loads the native library) with {@code options}; prefer {@code Backends.get("nd4j")}. */
    public Nd4jBackend(BackendOptions options) {
        this.options = options == null ? BackendOptions.defaults() : options;
        Nd4jRuntime.requireAvailable();
        Nd4jRuntime.configureThreads(this.options.threads());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return Nd4jRuntime.version();
    }

    /** The options this backend was created with. */
    public BackendOptions options() {
        return options;
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
    }

    /** Every kind: the fused cell-step and whole-sequence kernels of the four built-in cells. */
    @Override
    protected FusedKernel createKernel(KernelKind kind) {
        return switch (kind) {
            case LSTM_CELL -> new Nd4jCells.Lstm(this);
            case GRU_CELL -> new Nd4jCells.Gru(this);
            case RNN_TANH_CELL -> new Nd4jCells.Elman(this, false);
            case RNN_RELU_CELL -> new Nd4jCells.Elman(this, true);
            case LSTM_SEQUENCE -> new Nd4jSequences.Lstm(this);
            case GRU_SEQUENCE -> new Nd4jSequences.Gru(this);
            case RNN_TANH_SEQUENCE -> new Nd4jSequences.Elman(this, false);
            case RNN_RELU_SEQUENCE -> new Nd4jSequences.Elman(this, true);
        };
    }

    /** Drops the ND4J workspaces of the closing thread; the process-wide native runtime stays for other instances. */
    @Override
    protected void doClose() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    }

    @Override
    public String toString() {
        return "Nd4jBackend[" + version() + "]";
    }

    // ---- helpers shared with the fused kernels ----

    /** A new tensor owning {@code array}. */
    Nd4jTensor wrap(INDArray array) {
        return new Nd4jTensor(this, array);
    }

    /** The array of one of this backend's tensors (validated by AbstractBackend before any kernel runs). */
    static INDArray arr(Tensor t) {
        return ((Nd4jTensor) t).array();
    }

    static long[] longs(int[] shape) {
        long[] l = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            l[i] = shape[i];
        }
        return l;
    }

    static DataType dt(DType dtype) {
        return Nd4jTensor.dataTypeOf(dtype);
    }

    /** A tensor of zero elements (a zero extent somewhere in {@code shape}). */
    private Nd4jTensor empty(DType dtype, int[] shape) {
        return wrap(Nd4j.create(dt(dtype), longs(shape)));
    }

    private Nd4jTensor zerosOf(DType dtype, int... shape) {
        return Shapes.size(shape) == 0 ? empty(dtype, shape) : wrap(Nd4j.zeros(dt(dtype), longs(shape)));
    }

    /** A fresh row-major array with {@code source}'s data and {@code shape} (same size). */
    static INDArray reshapedCopy(INDArray source, long... shape) {
        // source is row-major and contiguous, so the reshape is a view; one copy makes it a fresh array
        return source.reshape('c', shape).dup('c');
    }

    // ---- creation ----

    @Override
    protected Tensor doFromDoubles(double[] data, DType dtype, int[] shape) {
        if (data.length == 0) {
            return empty(dtype, shape);
        }
        if (dtype == DType.FLOAT64) {
            return wrap(Nd4j.create(data, longs(shape), DataType.DOUBLE));
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return wrap(Nd4j.create(f, longs(shape), DataType.FLOAT));
    }

    @Override
    protected Tensor doFromFloats(float[] data, DType dtype, int[] shape) {
        if (data.length == 0) {
            return empty(dtype, shape);
        }
        if (dtype == DType.FLOAT32) {
            return wrap(Nd4j.create(data, longs(shape), DataType.FLOAT));
        }
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return wrap(Nd4j.create(d, longs(shape), DataType.DOUBLE));
    }

    @Override
    protected Tensor doFull(double value, DType dtype, int[] shape) {
        if (Shapes.size(shape) == 0) {
            return empty(dtype, shape);
        }
        if (value == 0.0 && Double.doubleToRawLongBits(value) == 0L) {
            return wrap(Nd4j.zeros(dt(dtype), longs(shape)));
        }
        return wrap(Nd4j.createUninitialized(dt(dtype), longs(shape), 'c').assign(value));
    }

    // ---- layout ----

    @Override
    protected Tensor doReshape(Tensor a, int[] shape) {
        if (a.size() == 0) {
            return empty(a.dtype(), shape);
        }
        return wrap(reshapedCopy(arr(a), longs(shape)));
    }

    @Override
    protected Tensor doTranspose(Tensor a) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        if (a.size() == 0) {
            return empty(a.dtype(), new int[] {s[1], s[0]});
        }
        return wrap(arr(a).transpose().dup('c'));
    }

    @Override
    protected Tensor doSlice(Tensor a, int axis, int start, int end) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        if (start == 0 && end == s[axis]) {
            return wrap(arr(a).dup('c'));
        }
        if (a.size() == 0) {
            int[] out = s.clone();
            out[axis] = end - start;
            return empty(a.dtype(), out);
        }
        INDArrayIndex[] idx = new INDArrayIndex[s.length];
        for (int i = 0; i < s.length; i++) {
            idx[i] = i == axis ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
        }
        return wrap(arr(a).get(idx).dup('c'));
    }

    @Override
    protected Tensor doConcat(List<Tensor> parts, int axis) {
        int[] out = ((Nd4jTensor) parts.get(0)).shape();
        int total = 0;
        int nonEmpty = 0;
        for (Tensor p : parts) {
            total += p.shape()[axis];
            nonEmpty += p.size() > 0 ? 1 : 0;
        }
        out[axis] = total;
        if (Shapes.size(out) == 0) {
            return empty(parts.get(0).dtype(), out);
        }
        INDArray[] arrays = new INDArray[nonEmpty];
        int k = 0;
        for (Tensor p : parts) {
            if (p.size() > 0) {
                arrays[k++] = arr(p);
            }
        }
        if (arrays.length == 1) {
            return wrap(arrays[0].dup('c'));
        }
        return wrap(Nd4j.concat(axis, arrays));
    }

    @Override
    protected Tensor doCast(Tensor a, DType dtype) {
        if (a.size() == 0) {
            return empty(dtype, ((Nd4jTensor) a).shapeRef());
        }
        INDArray x = arr(a);
        return wrap(a.dtype() == dtype ? x.dup('c') : x.castTo(dt(dtype)));
    }

    // ---- elementwise ----

    @Override
    protected Tensor doBinary(BinaryOp op, Tensor a, Tensor b, int[] outShape) {
        if (Shapes.size(outShape) == 0) {
            return empty(a.dtype(), outShape);
        }
        INDArray x = arr(a);
        INDArray y = arr(b);
        // same shape: pairwise op; otherwise ND4J broadcasts both sides numpy-style into a new array of outShape
        switch (op) {
            case ADD:
                return wrap(x.add(y));
            case SUB:
                return wrap(x.sub(y));
            case MUL:
                return wrap(x.mul(y));
            case DIV:
                return wrap(x.div(y));
            default:
                return wrap(Transforms.max(x, y, true));
        }
    }

    @Override
    protected Tensor doScale(Tensor a, double s) {
        if (a.size() == 0) {
            return empty(a.dtype(), ((Nd4jTensor) a).shapeRef());
        }
        if (!Double.isFinite(s)) {
            // ND4J's scalar multiply does not propagate a NaN or infinite scalar; multiply elementwise instead
            return doBinary(BinaryOp.MUL, a, doFull(s, a.dtype(), ((Nd4jTensor) a).shapeRef()), ((Nd4jTensor) a).shapeRef());
        }
        return wrap(arr(a).mul(s));
    }

    @Override
    protected Tensor doAddScalar(Tensor a, double s) {
        if (a.size() == 0) {
            return empty(a.dtype(), ((Nd4jTensor) a).shapeRef());
        }
        if (!Double.isFinite(s)) {
            return doBinary(BinaryOp.ADD, a, doFull(s, a.dtype(), ((Nd4jTensor) a).shapeRef()), ((Nd4jTensor) a).shapeRef());
        }
        return wrap(arr(a).add(s));
    }

    @Override
    protected Tensor doAddScaled(Tensor a, Tensor b, double alpha) {
        if (a.size() == 0) {
            return empty(a.dtype(), ((Nd4jTensor) a).shapeRef());
        }
        // alpha * b, then + a, in place on the fresh product
        return wrap(arr(b).mul(alpha).addi(arr(a)));
    }

    @Override
    protected Tensor doUnary(UnaryOp op, Tensor a) {
        if (a.size() == 0) {
            return empty(a.dtype(), ((Nd4jTensor) a).shapeRef());
        }
        INDArray x = arr(a);
        switch (op) {
            case TANH:
                return wrap(tanh(x));
            case SIGMOID:
                return wrap(Transforms.sigmoid(x, true));
            case RELU:
                return wrap(Transforms.relu(x, true));
            case EXP:
                return wrap(Transforms.exp(x, true));
            case LOG:
                return wrap(Transforms.log(x, true));
            case SQRT:
                return wrap(Transforms.sqrt(x, true));
            default:
                return wrap(Transforms.abs(x, true));
        }
    }

    @Override
    protected Tensor doActivationBackward(UnaryOp op, Tensor y, Tensor gy) {
        if (y.size() == 0) {
            return empty(y.dtype(), ((Nd4jTensor) y).shapeRef());
        }
        INDArray out = activationBackward(op, arr(y), arr(gy));
        return wrap(out);
    }

    /**
     * tanh in a new array. float32 goes through float64: libnd4j's float tanh is exp-based and loses
     * relative precision near 0 (about 1e-7 absolute, so 3e-6 relative at 1e-3 and worse below).
     */
    static INDArray tanh(INDArray x) {
        if (x.dataType() == DataType.FLOAT) {
            INDArray d = x.castTo(DataType.DOUBLE);
            Transforms.tanh(d, false);
            return d.castTo(DataType.FLOAT);
        }
        return Transforms.tanh(x, true);
    }

    /** {@code gy * f'(x)} from the activation's output {@code y}, in a new array. */
    static INDArray activationBackward(UnaryOp op, INDArray y, INDArray gy) {
        switch (op) {
            case TANH:
                return tanhGrad(y, gy);
            case SIGMOID:
                return sigmoidGrad(y, gy);
            default:
                return reluGrad(y, gy);
        }
    }

    /** {@code gy * (1 - y^2)} in a new array. */
    static INDArray tanhGrad(INDArray y, INDArray gy) {
        return y.mul(y).rsubi(1.0).muli(gy);
    }

    /** {@code gy * y * (1 - y)} in a new array. */
    static INDArray sigmoidGrad(INDArray y, INDArray gy) {
        INDArray out = Nd4j.createUninitialized(y.dataType(), y.shape(), 'c');
        Nd4j.exec(new TimesOneMinus(y, out));
        return out.muli(gy);
    }

    /** {@code gy} where {@code y > 0}, else 0, in a new array (libnd4j's relu_bp). */
    static INDArray reluGrad(INDArray y, INDArray gy) {
        INDArray out = Nd4j.createUninitialized(y.dataType(), y.shape(), 'c');
        Nd4j.exec(new RectifiedLinearDerivative(y, gy, out));
        return out;
    }

    // ---- linear algebra and reductions ----

    @Override
    protected Tensor doMatmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        int[] sa = ((Nd4jTensor) a).shapeRef();
        int[] sb = ((Nd4jTensor) b).shapeRef();
        int m = transposeA ? sa[1] : sa[0];
        int k = transposeA ? sa[0] : sa[1];
        int n = transposeB ? sb[0] : sb[1];
        if (m == 0 || n == 0 || k == 0) {
            return zerosOf(a.dtype(), m, n);
        }
        return wrap(gemm(arr(a), arr(b), transposeA, transposeB));
    }

    /** libnd4j's batched matmul (one gemm per batch entry, transposes on the last two dimensions). */
    @Override
    protected Tensor doBmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        int[] sa = ((Nd4jTensor) a).shapeRef();
        int[] sb = ((Nd4jTensor) b).shapeRef();
        int batch = sa[0];
        int m = transposeA ? sa[2] : sa[1];
        int k = transposeA ? sa[1] : sa[2];
        int n = transposeB ? sb[1] : sb[2];
        if (batch == 0 || m == 0 || n == 0 || k == 0) {
            return zerosOf(a.dtype(), batch, m, n);
        }
        return wrap(Nd4j.matmul(arr(a), arr(b), transposeA, transposeB, false));
    }

    @Override
    protected Tensor doMatmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha, double beta) {
        int[] sc = ((Nd4jTensor) c).shapeRef();
        if (c.size() == 0) {
            return empty(c.dtype(), sc);
        }
        int k = transposeA ? ((Nd4jTensor) a).shapeRef()[0] : ((Nd4jTensor) a).shapeRef()[1];
        // the product first (as matmul computes it), then the sum into its fresh array
        INDArray out = k == 0 ? Nd4j.zeros(dt(c.dtype()), sc[0], sc[1]) : gemm(arr(a), arr(b), transposeA, transposeB);
        scaleAddInPlace(out, alpha, arr(c), beta);
        return wrap(out);
    }

    @Override
    protected void doAddScaledInPlace(Tensor target, double beta, Tensor b, double alpha) {
        if (target.size() > 0) {
            scaleAddInPlace(arr(target), beta, arr(b), alpha);
        }
    }

    /** {@code x = beta * x + alpha * y} in place, rounded as {@link #doScale} then {@link #doAddScaled} round (the scale skipped for beta 1). */
    private static void scaleAddInPlace(INDArray x, double beta, INDArray y, double alpha) {
        if (beta != 1) {
            x.muli(beta);
        }
        x.addi(alpha == 1 ? y : y.mul(alpha));
    }

    /** {@code op(a) · op(b)} into a new row-major array (one BLAS gemm). */
    static INDArray gemm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
        long m = transposeA ? a.size(1) : a.size(0);
        long n = transposeB ? b.size(0) : b.size(1);
        INDArray out = Nd4j.createUninitialized(a.dataType(), new long[] {m, n}, 'c');
        Nd4j.gemm(a, b, out, transposeA, transposeB, 1.0, 0.0);
        return out;
    }

    @Override
    protected Tensor doSum(Tensor a) {
        if (a.size() == 0) {
            return zerosOf(a.dtype());
        }
        return wrap(scalarShaped(arr(a).sum()));
    }

    @Override
    protected Tensor doMaxAbs(Tensor a) {
        if (a.size() == 0) {
            return zerosOf(a.dtype());
        }
        return wrap(scalarShaped(arr(a).amax()));
    }

    /** Makes a one-element reduction result rank 0. */
    private static INDArray scalarShaped(INDArray r) {
        return r.rank() == 0 ? r : r.reshape('c', new long[0]);
    }

    @Override
    protected Tensor doSumToTrailing(Tensor a, int[] trailing) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int lead = Shapes.prefixSize(s, s.length - trailing.length);
        int inner = Shapes.size(trailing);
        if (inner == 0) {
            return empty(a.dtype(), trailing);
        }
        if (lead == 0) {
            return zerosOf(a.dtype(), trailing);
        }
        INDArray x = arr(a);
        if (lead == 1) {
            return wrap(reshapedCopy(x, longs(trailing)));
        }
        INDArray summed = x.reshape('c', new long[] {lead, inner}).sum(0);
        return wrap(summed.reshape('c', longs(trailing)));
    }

    @Override
    protected Tensor doSumLastAxis(Tensor a) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int[] out = java.util.Arrays.copyOf(s, s.length - 1);
        int n = s[s.length - 1];
        int rows = Shapes.size(out);
        if (rows == 0) {
            return empty(a.dtype(), out);
        }
        if (n == 0) {
            return zerosOf(a.dtype(), out);
        }
        INDArray summed = arr(a).reshape('c', new long[] {rows, n}).sum(1);
        return wrap(summed.reshape('c', longs(out)));
    }


    /** {@code r} (a fresh reduction result of out's size) reshaped to {@code out}, row-major. */
    private Tensor reduced(INDArray r, int[] out) {
        return wrap(java.util.Arrays.equals(r.shape(), longs(out)) && r.ordering() == 'c' ? r : reshapedCopy(r, longs(out)));
    }

    @Override
    protected Tensor doSumAxis(Tensor a, int axis, boolean keepDim) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int[] out = Shapes.reduced(s, axis, keepDim);
        if (Shapes.size(out) == 0) {
            return empty(a.dtype(), out);
        }
        if (s[axis] == 0) {
            return zerosOf(a.dtype(), out);
        }
        return reduced(arr(a).sum(true, axis), out);
    }

    @Override
    protected Tensor doMeanAxis(Tensor a, int axis, boolean keepDim) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int[] out = Shapes.reduced(s, axis, keepDim);
        if (Shapes.size(out) == 0) {
            return empty(a.dtype(), out);
        }
        return reduced(arr(a).mean(true, axis), out);
    }

    @Override
    protected Tensor doVarAxis(Tensor a, int axis, boolean keepDim, boolean unbiased) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int[] out = Shapes.reduced(s, axis, keepDim);
        if (Shapes.size(out) == 0) {
            return empty(a.dtype(), out);
        }
        return reduced(arr(a).var(unbiased, axis), out);
    }

    @Override
    protected Tensor doLogSoftmax(Tensor a, boolean log) {
        int[] shape = ((Nd4jTensor) a).shapeRef();
        if (a.size() == 0) {
            return empty(a.dtype(), shape);
        }
        long cols = shape[shape.length - 1];
        long rows = a.size() / cols;
        INDArray x = arr(a).reshape('c', rows, cols);
        // stable: shift by the row maximum; libnd4j's log_softmax underflows to -inf for far-apart logits
        INDArray max = x.max(1).reshape('c', new long[] {rows, 1});
        INDArray shifted = x.subColumnVector(max);
        INDArray e = Transforms.exp(shifted, true);
        INDArray z = e.sum(1).reshape('c', new long[] {rows, 1});
        INDArray result = log ? shifted.subiColumnVector(Transforms.log(z, false)) : e.diviColumnVector(z);
        return wrap(shape.length == 2 ? result : result.reshape('c', longs(shape)));
    }

    @Override
    protected Tensor doLogSoftmaxBackward(Tensor y, Tensor gy) {
        int[] shape = ((Nd4jTensor) y).shapeRef();
        if (y.size() == 0) {
            return empty(y.dtype(), shape);
        }
        long cols = shape[shape.length - 1];
        long rows = y.size() / cols;
        INDArray g = arr(gy).reshape('c', rows, cols);
        INDArray s = g.sum(1).reshape('c', new long[] {rows, 1});
        INDArray p = Transforms.exp(arr(y).reshape('c', rows, cols), true).muliColumnVector(s);
        INDArray result = p.rsubi(g);
        return wrap(shape.length == 2 ? result : result.reshape('c', longs(shape)));
    }

    // ---- masks ----

    /** {@code array} expanded to {@code out} (a new array when it is broadcast, else the array itself). */
    private static INDArray expand(INDArray array, int[] shape, int[] out) {
        return java.util.Arrays.equals(shape, out) ? array : array.reshape('c', longs(broadcastRank(shape, out.length))).broadcast(longs(out));
    }

    /** {@code shape} with leading 1s up to {@code rank}. */
    private static int[] broadcastRank(int[] shape, int rank) {
        int[] r = new int[rank];
        java.util.Arrays.fill(r, 1);
        System.arraycopy(shape, 0, r, rank - shape.length, shape.length);
        return r;
    }

    /** libnd4j's {@code select} (cond ? x : y) on arrays of one shape, into a new array; cond is cast to BOOL (non-zero is true). */
    private static INDArray select(INDArray cond, INDArray x, INDArray y) {
        INDArray c = cond.castTo(DataType.BOOL);
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape(), 'c');
        Nd4j.exec(DynamicCustomOp.builder("select").addInputs(c, x, y).addOutputs(out).build());
        return out;
    }

    @Override
    protected Tensor doWhere(Tensor mask, Tensor a, Tensor b, int[] outShape) {
        if (Shapes.size(outShape) == 0) {
            return empty(a.dtype(), outShape);
        }
        return wrap(select(expand(arr(mask), mask.shape(), outShape), expand(arr(a), a.shape(), outShape),
                expand(arr(b), b.shape(), outShape)));
    }

    @Override
    protected Tensor doMaskedFill(Tensor a, Tensor mask, double value) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        if (a.size() == 0) {
            return empty(a.dtype(), s);
        }
        INDArray fill = Nd4j.createUninitialized(dt(a.dtype()), longs(s), 'c').assign(value);
        return wrap(select(expand(arr(mask), mask.shape(), s), fill, arr(a)));
    }

    // ---- indexing ----

    private static INDArray indexArray(int[] index) {
        return Nd4j.createFromArray(index);
    }

    private static INDArray gather(INDArray source, int[] index) {
        return Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(source, indexArray(index)).addIntegerArguments(0).build())[0];
    }

    @Override
    protected Tensor doGatherColumns(Tensor a, int[] index) {
        int[] s = ((Nd4jTensor) a).shapeRef();
        int rows = s[0];
        int cols = s[1];
        if (rows == 0) {
            return empty(a.dtype(), new int[] {0});
        }
        int[] flat = new int[rows];
        for (int n = 0; n < rows; n++) {
            flat[n] = n * cols + index[n];
        }
        return wrap(gather(arr(a).reshape('c', new long[] {(long) rows * cols}), flat));
    }

    @Override
    protected Tensor doScatterColumns(Tensor g, int[] index, int columns) {
        int rows = index.length;
        if (rows == 0) {
            return empty(g.dtype(), new int[] {0, columns});
        }
        int[] flat = new int[rows];
        for (int n = 0; n < rows; n++) {
            flat[n] = n * columns + index[n];
        }
        INDArray out = Nd4j.zeros(dt(g.dtype()), (long) rows * columns);
        Nd4j.exec(DynamicCustomOp.builder("scatter_upd").addInputs(out, indexArray(flat), arr(g)).addOutputs(out)
                .addBooleanArguments(true, false).build());
        return wrap(out.reshape('c', new long[] {rows, columns}));
    }

    @Override
    protected Tensor doGatherRows(Tensor a, int[] index) {
        int e = ((Nd4jTensor) a).shapeRef()[1];
        if (index.length == 0 || e == 0) {
            return empty(a.dtype(), new int[] {index.length, e});
        }
        return wrap(gather(arr(a), index));
    }

    @Override
    protected Tensor doScatterAddRows(Tensor g, int[] index, int rows) {
        int e = ((Nd4jTensor) g).shapeRef()[1];
        if (e == 0) {
            return empty(g.dtype(), new int[] {rows, 0});
        }
        INDArray out = Nd4j.zeros(dt(g.dtype()), rows, e);
        if (index.length == 0) {
            return wrap(out);
        }
        // lock = true: repeated indices accumulate one after another (deterministic, no lost updates)
        Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(out, indexArray(index), arr(g)).addOutputs(out)
                .addBooleanArguments(true, false).build());
        return wrap(out);
    }
}
