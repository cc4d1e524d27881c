package org.rnn4j.cpu;

import java.util.Arrays;
import java.util.List;
import org.rnn4j.spi.AbstractBackend;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The pure-Java backend: {@link CpuTensor}s on the heap, float32 and float64, with a blocked,
 * multi-threaded matrix product (see {@link Gemm}), and a fused kernel of every {@link KernelKind}:
 * LSTM, GRU and Elman cell steps ({@link LstmCellKernel}, {@link GruCellKernel}, {@link RnnCellKernel})
 * and whole sequences ({@link LstmSequenceKernel}, {@link GruSequenceKernel}, {@link RnnSequenceKernel};
 * see {@link CpuSequenceKernel}), which the layer uses for the built-in cells.
 *
 * <p>Binary ops run the loops of {@link Elementwise} for equal shapes and trailing-suffix broadcasts,
 * and {@link Broadcast} for the other numpy-style broadcasts, {@link #where} and {@link #maskedFill}.
 * Batched products ({@link #bmm}) run {@link Gemm} once per batch entry.
 *
 * <p>Arguments are validated by {@link AbstractBackend} (the fused kernels' by their spi base classes);
 * the kernels here assume valid input. Large matrix products (more than 2^20 multiply-adds) run on
 * {@link BackendOptions#threads()} threads (0: one per available processor): the calling thread plus a
 * fixed pool of daemon helpers, which time out when idle and stop at {@link #close()}. Everything else
 * runs on the calling thread. Instances are thread-safe.
 *
 * <p>Memory: every op takes its result's array from the backend's {@link ArrayPool}, to which the arrays
 * of closed tensors return (once every tensor sharing one, a tensor and its reshapes, is closed) and
 * the kernels' workspaces go back when a call ends; the fused sequence kernels' saved activations go
 * back when their autograd node is released. A training loop whose steps release their graphs
 * ({@code Trainer}, {@code Var.releaseGraph()}) thus reuses the same arrays every step. Tensors never
 * closed are left to the garbage collector as before. The pool holds at most {@link #poolCapacityBytes()}.
 *
 * <p>Numerics: float32 elementwise arithmetic is done in float (scalars rounded to float first),
 * transcendental functions in double, rounded once (the float32 sequence kernels use a rational tanh
 * accurate to a few float ulps instead, see {@link Vec#tanh}); sums, reductions and softmax accumulate in double
 * for both dtypes; matrix products accumulate in the tensor's dtype.
 */
public final class CpuBackend extends AbstractBackend {
    /** The backend's name. */
    public static final String NAME = "cpu";

    private final Parallel parallel;
    private final ArrayPool pool;

    /** A backend with default options (one compute thread per available processor). */
    public CpuBackend() {
        this(BackendOptions.defaults());
    }

    /**
     * A backend with {@code options}; its array pool holds at most {@code -Drnn4j.cpu.pool.bytes} bytes
     * (default an eighth of the maximum heap; 0 disables reuse), see {@link #poolCapacityBytes()}.
     */
    public CpuBackend(BackendOptions options) {
        this(options, ArrayPool.defaultCapacity());
    }

    /** A backend with {@code options} whose array pool holds at most {@code poolBytes} bytes (0: no reuse). */
    CpuBackend(BackendOptions options, long poolBytes) {
        int threads = options.threads() == 0 ? Runtime.getRuntime().availableProcessors() : options.threads();
        this.parallel = new Parallel(threads);
        this.pool = new ArrayPool(poolBytes);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The module version, {@code pure Java} and which matrix-product kernel runs ({@link Gemm#engine()}). */
    @Override
    public String version() {
        return CpuBackendProvider.describeVersion();
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
    }

    /** Number of threads large matrix products run on. */
    public int threads() {
        return parallel.threads();
    }

    /**
     * The most bytes of arrays this backend keeps for reuse: the arrays of closed tensors (see
     * {@link CpuTensor#close()}) and of its kernels' finished workspaces go to a pool, up to this many
     * bytes, from which later ops take their results instead of allocating. 0: every op allocates.
     */
    public long poolCapacityBytes() {
        return pool.capacityBytes();
    }

    /** Bytes of arrays the pool holds now (for tests and diagnostics). */
    long pooledBytes() {
        return pool.heldBytes();
    }

    ArrayPool pool() {
        return pool;
    }

    /** Every kind: the fused cell-step and whole-sequence kernels of the four built-in cells. */
    @Override
    protected FusedKernel createKernel(KernelKind kind) {
        return switch (kind) {
            case LSTM_CELL -> new LstmCellKernel(this);
            case GRU_CELL -> new GruCellKernel(this);
            case RNN_TANH_CELL -> new RnnCellKernel(this, false);
            case RNN_RELU_CELL -> new RnnCellKernel(this, true);
            case LSTM_SEQUENCE -> new LstmSequenceKernel(this);
            case GRU_SEQUENCE -> new GruSequenceKernel(this);
            case RNN_TANH_SEQUENCE -> new RnnSequenceKernel(this, false);
            case RNN_RELU_SEQUENCE -> new RnnSequenceKernel(this, true);
        };
    }

    /** Stops the helper threads of the matrix product; the backend then refuses all work. */
    @Override
    protected void doClose() {
        parallel.close();
        pool.clear();
    }

    @Override
    public String toString() {
        return "CpuBackend[" + threads() + " threads]";
    }

    // ---- helpers shared with the fused kernels ----

    CpuTensor wrap(int[] shape, Object data) {
        return new CpuTensor(this, shape, data);
    }

    static Object data(Tensor t) {
        return ((CpuTensor) t).data();
    }

    private static int[] shape(Tensor t) {
        return ((CpuTensor) t).shapeRef();
    }

    Parallel parallel() {
        return parallel;
    }

    /** {@code addend + op(a) · op(b)} on raw arrays; see {@link Gemm#multiply}. */
    Object gemm(Object a, Object b, int m, int n, int k, boolean ta, boolean tb, Object addend) {
        return Gemm.multiply(a, b, m, n, k, ta, tb, addend, parallel, pool);
    }

    // ---- creation and layout ----

    @Override
    protected Tensor doFromDoubles(double[] data, DType dtype, int[] shape) {
        return wrap(shape, Storage.convert(pool, data, dtype));
    }

    @Override
    protected Tensor doFromFloats(float[] data, DType dtype, int[] shape) {
        return wrap(shape, Storage.convert(pool, data, dtype));
    }

    @Override
    protected Tensor doFull(double value, DType dtype, int[] shape) {
        return wrap(shape, Storage.full(pool, dtype, Shapes.size(shape), value));
    }

    @Override
    protected Tensor doReshape(Tensor a, int[] shape) {
        return ((CpuTensor) a).view(shape);
    }

    @Override
    protected Tensor doTranspose(Tensor a) {
        int[] s = shape(a);
        return wrap(new int[] {s[1], s[0]}, Storage.transpose(pool, data(a), s[0], s[1]));
    }

    @Override
    protected Tensor doSlice(Tensor a, int axis, int start, int end) {
        int[] s = shape(a);
        int outer = Shapes.prefixSize(s, axis);
        int inner = innerSize(s, axis);
        int len = end - start;
        Object src = data(a);
        Object out = pool.like(src, outer * len * inner);
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src, (o * s[axis] + start) * inner, out, o * len * inner, len * inner);
        }
        int[] shape = s.clone();
        shape[axis] = len;
        return wrap(shape, out);
    }

    /** Product of the extents after {@code axis}. */
    private static int innerSize(int[] s, int axis) {
        int p = 1;
        for (int d = axis + 1; d < s.length; d++) {
            p *= s[d];
        }
        return p;
    }

    @Override
    protected Tensor doConcat(List<Tensor> parts, int axis) {
        int[] s0 = shape(parts.get(0));
        int outer = Shapes.prefixSize(s0, axis);
        int inner = innerSize(s0, axis);
        int total = 0;
        for (Tensor p : parts) {
            total += shape(p)[axis];
        }
        Object out = pool.like(data(parts.get(0)), outer * total * inner);
        int offset = 0;
        for (Tensor p : parts) {
            int chunk = shape(p)[axis] * inner;
            Object src = data(p);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * chunk, out, o * total * inner + offset, chunk);
            }
            offset += chunk;
        }
        int[] shape = s0.clone();
        shape[axis] = total;
        return wrap(shape, out);
    }

    @Override
    protected Tensor doCast(Tensor a, DType dtype) {
        return wrap(shape(a).clone(), Storage.convert(pool, data(a), dtype));
    }

    // ---- elementwise (loops in Elementwise) ----

    @Override
    protected Tensor doBinary(BinaryOp op, Tensor a, Tensor b, int[] outShape) {
        Object x = data(a);
        Object y = data(b);
        int[] sa = shape(a);
        int[] sb = shape(b);
        boolean sameSize = a.size() == b.size();
        if (b.size() == 1 && a.size() > 1 && Arrays.equals(sa, outShape) && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL)) {
            // a single element (e.g. the gradient of a sum, spread over its input): one pass, no per-element
            // inner loop; the same roundings as the suffix loop (negation is exact, the scalar is an element)
            double s = y instanceof float[] f ? f[0] : ((double[]) y)[0];
            Object out = op == BinaryOp.MUL ? Elementwise.scale(pool, x, s) : Elementwise.addScalar(pool, x, op == BinaryOp.ADD ? s : -s);
            return wrap(outShape, out);
        }
        if (Arrays.equals(sa, outShape) && (op == BinaryOp.MAX ? sameSize : sameSize || Shapes.isSuffix(sa, stripLeadingOnes(sb)))) {
            // the fast paths: equal layouts, or b repeated over a's leading dimensions
            Object out = switch (op) {
                case ADD -> Elementwise.add(pool, x, y);
                case SUB -> Elementwise.sub(pool, x, y);
                case MUL -> Elementwise.mul(pool, x, y);
                case DIV -> Elementwise.div(pool, x, y);
                case MAX -> Elementwise.max(pool, x, y);
            };
            return wrap(outShape, out);
        }
        Broadcast.Op bop = switch (op) {
            case ADD -> Broadcast.Op.ADD;
            case SUB -> Broadcast.Op.SUB;
            case MUL -> Broadcast.Op.MUL;
            case DIV -> Broadcast.Op.DIV;
            case MAX -> Broadcast.Op.MAX;
        };
        return wrap(outShape, Broadcast.binary(pool, bop, x, sa, y, sb, outShape));
    }

    /** {@code shape} without its leading extents of 1 ({@code [1, 1, 5] -> [5]}): the same row-major layout. */
    private static int[] stripLeadingOnes(int[] shape) {
        int i = 0;
        while (i < shape.length && shape[i] == 1) {
            i++;
        }
        return i == 0 ? shape : Arrays.copyOfRange(shape, i, shape.length);
    }

    @Override
    protected Tensor doScale(Tensor a, double s) {
        return wrap(shape(a).clone(), Elementwise.scale(pool, data(a), s));
    }

    @Override
    protected Tensor doAddScalar(Tensor a, double s) {
        return wrap(shape(a).clone(), Elementwise.addScalar(pool, data(a), s));
    }

    @Override
    protected Tensor doAddScaled(Tensor a, Tensor b, double alpha) {
        return wrap(shape(a).clone(), Elementwise.addScaled(pool, data(a), data(b), alpha));
    }

    @Override
    protected Tensor doUnary(UnaryOp op, Tensor a) {
        Object x = data(a);
        Object out = switch (op) {
            case TANH -> Elementwise.tanh(pool, x);
            case SIGMOID -> Elementwise.sigmoid(pool, x);
            case RELU -> Elementwise.relu(pool, x);
            case EXP -> Elementwise.exp(pool, x);
            case LOG -> Elementwise.log(pool, x);
            case SQRT -> Elementwise.sqrt(pool, x);
            case ABS -> Elementwise.abs(pool, x);
        };
        return wrap(shape(a).clone(), out);
    }

    @Override
    protected Tensor doActivationBackward(UnaryOp op, Tensor y, Tensor gy) {
        Object out = switch (op) {
            case TANH -> Elementwise.tanhBackward(pool, data(y), data(gy));
            case SIGMOID -> Elementwise.sigmoidBackward(pool, data(y), data(gy));
            case RELU -> Elementwise.reluBackward(pool, data(y), data(gy));
            default -> throw new IllegalArgumentException("no backward kernel for " + op);
        };
        return wrap(shape(y).clone(), out);
    }

    // ---- linear algebra and reductions ----

    @Override
    protected Tensor doMatmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        int[] sa = shape(a);
        int[] sb = shape(b);
        int m = transposeA ? sa[1] : sa[0];
        int k = transposeA ? sa[0] : sa[1];
        int n = transposeB ? sb[0] : sb[1];
        return wrap(new int[] {m, n}, gemm(data(a), data(b), m, n, k, transposeA, transposeB, null));
    }

    /** One thread's worth of work for a batched product whose single products are too small to split. */
    private static final Parallel SERIAL = new Parallel(1);

    /**
     * One {@link Gemm#multiply} per batch entry on copies of the entry's blocks. Products large enough to
     * be split ({@link Gemm#PARALLEL_WORK}) use all threads each; smaller ones run one batch entry per
     * task when the whole batch is that large. Either way each element is summed in Gemm's order, so the
     * result does not depend on the thread count.
     */
    @Override
    protected Tensor doBmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        int[] sa = shape(a);
        int[] sb = shape(b);
        int batch = sa[0];
        int m = transposeA ? sa[2] : sa[1];
        int k = transposeA ? sa[1] : sa[2];
        int n = transposeB ? sb[1] : sb[2];
        int aBlock = sa[1] * sa[2];
        int bBlock = sb[1] * sb[2];
        int cBlock = m * n;
        Object x = data(a);
        Object y = data(b);
        Object out = pool.like(x, batch * cBlock);
        long work = (long) m * n * k;
        boolean perEntry = batch > 1 && parallel.threads() > 1 && work <= Gemm.PARALLEL_WORK && work * batch > Gemm.PARALLEL_WORK;
        Parallel inner = perEntry ? SERIAL : parallel;
        java.util.function.IntConsumer entry = i -> {
            Object ai = batch == 1 ? x : Storage.copyRange(pool, x, i * aBlock, (i + 1) * aBlock);
            Object bi = batch == 1 ? y : Storage.copyRange(pool, y, i * bBlock, (i + 1) * bBlock);
            Object c = Gemm.multiply(ai, bi, m, n, k, transposeA, transposeB, null, inner, pool);
            System.arraycopy(c, 0, out, i * cBlock, cBlock);
            pool.give(c);
            if (batch != 1) {
                pool.give(ai);
                pool.give(bi);
            }
        };
        if (perEntry) {
            parallel.forEach(batch, entry);
        } else {
            for (int i = 0; i < batch; i++) {
                entry.accept(i);
            }
        }
        return wrap(new int[] {batch, m, n}, out);
    }

    @Override
    protected Tensor doMatmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha, double beta) {
        // the product first (as matmul computes it), then the sum into its fresh array
        Tensor product = doMatmul(a, b, transposeA, transposeB);
        Elementwise.scaleAddInPlace(data(product), alpha, data(c), beta);
        return product;
    }

    @Override
    protected void doAddScaledInPlace(Tensor target, double beta, Tensor b, double alpha) {
        Elementwise.scaleAddInPlace(data(target), beta, data(b), alpha);
    }

    @Override
    protected Tensor doSum(Tensor a) {
        Arr x = Arr.of(data(a));
        double s = 0;
        for (int i = 0, n = x.length(); i < n; i++) {
            s += x.get(i);
        }
        return scalar(a, s);
    }

    @Override
    protected Tensor doMaxAbs(Tensor a) {
        Arr x = Arr.of(data(a));
        double m = 0;
        for (int i = 0, n = x.length(); i < n; i++) {
            m = Math.max(m, Math.abs(x.get(i)));
        }
        return scalar(a, m);
    }

    private Tensor scalar(Tensor like, double value) {
        return wrap(new int[0], Storage.full(pool, like.dtype(), 1, value));
    }

    @Override
    protected Tensor doSumToTrailing(Tensor a, int[] trailing) {
        Arr x = Arr.of(data(a));
        int inner = Shapes.size(trailing);
        double[] acc = pool.zeroDoubles(inner);
        for (int o = 0, n = x.length(); o < n; o += inner) {
            for (int j = 0; j < inner; j++) {
                acc[j] += x.get(o + j);
            }
        }
        return wrap(trailing, Storage.fromAccumulator(pool, acc, a.dtype()));
    }

    @Override
    protected Tensor doSumLastAxis(Tensor a) {
        int[] s = shape(a);
        int cols = s[s.length - 1];
        int rows = Shapes.prefixSize(s, s.length - 1);
        Arr x = Arr.of(data(a));
        Arr out = Arr.dirtyLike(pool, data(a), rows);
        for (int r = 0; r < rows; r++) {
            double acc = 0;
            for (int j = r * cols, e = j + cols; j < e; j++) {
                acc += x.get(j);
            }
            out.set(r, acc);
        }
        return wrap(Arrays.copyOf(s, s.length - 1), out.raw());
    }


    /** Sums along {@code axis} in double: {@code out[o * inner + j] = Σ_i x[(o * n + i) * inner + j]}. */
    private double[] axisSums(Arr x, int[] s, int axis) {
        int outer = Shapes.prefixSize(s, axis);
        int n = s[axis];
        int inner = innerSize(s, axis);
        double[] acc = pool.zeroDoubles(outer * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                int src = (o * n + i) * inner;
                int dst = o * inner;
                for (int j = 0; j < inner; j++) {
                    acc[dst + j] += x.get(src + j);
                }
            }
        }
        return acc;
    }

    @Override
    protected Tensor doSumAxis(Tensor a, int axis, boolean keepDim) {
        int[] s = shape(a);
        return wrap(Shapes.reduced(s, axis, keepDim), Storage.fromAccumulator(pool, axisSums(Arr.of(data(a)), s, axis), a.dtype()));
    }

    @Override
    protected Tensor doMeanAxis(Tensor a, int axis, boolean keepDim) {
        int[] s = shape(a);
        double[] acc = axisSums(Arr.of(data(a)), s, axis);
        for (int i = 0; i < acc.length; i++) {
            acc[i] /= s[axis];
        }
        return wrap(Shapes.reduced(s, axis, keepDim), Storage.fromAccumulator(pool, acc, a.dtype()));
    }

    /** Two passes in double: the mean, then the squared deviations from it. */
    @Override
    protected Tensor doVarAxis(Tensor a, int axis, boolean keepDim, boolean unbiased) {
        int[] s = shape(a);
        Arr x = Arr.of(data(a));
        int outer = Shapes.prefixSize(s, axis);
        int n = s[axis];
        int inner = innerSize(s, axis);
        double[] mean = axisSums(x, s, axis);
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= n;
        }
        double[] acc = pool.zeroDoubles(mean.length);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                int src = (o * n + i) * inner;
                int dst = o * inner;
                for (int j = 0; j < inner; j++) {
                    double d = x.get(src + j) - mean[dst + j];
                    acc[dst + j] += d * d;
                }
            }
        }
        int divisor = unbiased ? n - 1 : n;
        for (int i = 0; i < acc.length; i++) {
            acc[i] /= divisor;
        }
        pool.give(mean);
        return wrap(Shapes.reduced(s, axis, keepDim), Storage.fromAccumulator(pool, acc, a.dtype()));
    }

    @Override
    protected Tensor doLogSoftmax(Tensor a, boolean log) {
        int[] s = shape(a);
        int cols = s[s.length - 1];
        int rows = cols == 0 ? 0 : a.size() / cols;
        Arr x = Arr.of(data(a));
        Arr out = Arr.dirtyLike(pool, data(a), rows * cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x.get(o + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x.get(o + j) - max);
            }
            if (log) {
                double shift = max + Math.log(sum);
                for (int j = 0; j < cols; j++) {
                    out.set(o + j, x.get(o + j) - shift);
                }
            } else {
                double inv = 1.0 / sum;
                for (int j = 0; j < cols; j++) {
                    out.set(o + j, Math.exp(x.get(o + j) - max) * inv);
                }
            }
        }
        return wrap(s.clone(), out.raw());
    }

    @Override
    protected Tensor doLogSoftmaxBackward(Tensor y, Tensor gy) {
        int[] s = shape(y);
        int cols = s[s.length - 1];
        int rows = cols == 0 ? 0 : y.size() / cols;
        Arr yv = Arr.of(data(y));
        Arr g = Arr.of(data(gy));
        Arr out = Arr.dirtyLike(pool, data(y), rows * cols);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += g.get(o + j);
            }
            for (int j = 0; j < cols; j++) {
                out.set(o + j, g.get(o + j) - Math.exp(yv.get(o + j)) * sum);
            }
        }
        return wrap(s.clone(), out.raw());
    }

    // ---- masks ----

    @Override
    protected Tensor doWhere(Tensor mask, Tensor a, Tensor b, int[] outShape) {
        return wrap(outShape, Broadcast.where(pool, data(mask), shape(mask), data(a), shape(a), data(b), shape(b), outShape));
    }

    @Override
    protected Tensor doMaskedFill(Tensor a, Tensor mask, double value) {
        int[] s = shape(a);
        Object fill = Storage.full(pool, a.dtype(), 1, value);
        Object out = Broadcast.where(pool, data(mask), shape(mask), fill, new int[0], data(a), s, s);
        pool.give(fill);
        return wrap(s.clone(), out);
    }

    // ---- indexing ----

    @Override
    protected Tensor doGatherColumns(Tensor a, int[] index) {
        int cols = shape(a)[1];
        Arr x = Arr.of(data(a));
        Arr out = Arr.dirtyLike(pool, data(a), index.length);
        for (int n = 0; n < index.length; n++) {
            out.set(n, x.get(n * cols + index[n]));
        }
        return wrap(new int[] {index.length}, out.raw());
    }

    @Override
    protected Tensor doScatterColumns(Tensor g, int[] index, int columns) {
        Arr x = Arr.of(data(g));
        Arr out = Arr.zeroLike(pool, data(g), index.length * columns);
        for (int n = 0; n < index.length; n++) {
            out.set(n * columns + index[n], x.get(n));
        }
        return wrap(new int[] {index.length, columns}, out.raw());
    }

    @Override
    protected Tensor doGatherRows(Tensor a, int[] index) {
        int width = shape(a)[1];
        Object src = data(a);
        Object out = pool.like(src, index.length * width);
        for (int n = 0; n < index.length; n++) {
            System.arraycopy(src, index[n] * width, out, n * width, width);
        }
        return wrap(new int[] {index.length, width}, out);
    }

    @Override
    protected Tensor doScatterAddRows(Tensor g, int[] index, int rows) {
        int width = shape(g)[1];
        Arr x = Arr.of(data(g));
        Arr out = Arr.zeroLike(pool, data(g), rows * width);
        for (int n = 0; n < index.length; n++) {
            int src = n * width;
            int dst = index[n] * width;
            for (int j = 0; j < width; j++) {
                out.add(dst + j, x.get(src + j));
            }
        }
        return wrap(new int[] {rows, width}, out.raw());
    }
}
