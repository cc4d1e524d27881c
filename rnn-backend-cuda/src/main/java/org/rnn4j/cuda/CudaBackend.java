package org.rnn4j.cuda;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import org.rnn4j.spi.AbstractBackend;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The CUDA backend: {@link CudaTensor}s in device memory, float32 and float64, every primitive op a kernel
 * of {@code src/main/cuda} (see {@code rnn4j_kernels.fatbin}), and fused LSTM, GRU and Elman cell and
 * whole-sequence kernels ({@link FusedKernel}), each step one matrix product and one pointwise kernel.
 *
 * <p>All work is enqueued on one stream of one device, in call order; the host waits only when a tensor
 * is read ({@link Tensor#toDoubleArray()}, {@link Tensor#item()}). Device memory comes from a caching
 * allocator ({@link #memoryStats()}): closing a tensor returns its memory at once; tensors that are never
 * closed return it once the garbage collector has found them.
 *
 * <p>Numerics: elementwise ops and the recurrent kernels compute in the tensor's precision with CUDA's
 * single- or double-precision math functions; sums, reductions and softmax accumulate in double for both
 * dtypes; matrix products accumulate in the tensor's dtype, or, for float32 with TF32 enabled
 * ({@value CudaBackendProvider#TF32_PROPERTY}{@code =true}), on tensor cores with 10-bit mantissas.
 * Arguments are validated by {@link AbstractBackend}. Thread-safe: ops from several threads are enqueued
 * in some order on the one stream.
 */
public final class CudaBackend extends AbstractBackend {
    /** The backend's name. */
    public static final String NAME = "cuda";

    private final String name;
    private final String version;
    private final Device device;
    private final DeviceAllocator allocator;
    private final boolean tf32;
    private final boolean persistent;
    private final java.util.Map<String, java.util.Optional<Launch.Persistent>> persistentPlans = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A backend on {@code device}.
     *
     * @param name        the backend's name ({@value #NAME}; the tests' emulated device uses another)
     * @param version     what {@link #version()} reports
     * @param tf32        whether float32 products run on TF32 tensor cores (the device must support them)
     * @param persistent  whether small-batch sequences run forward as one persistent kernel where it fits
     * @param gcThreshold live device bytes above which the allocator asks for a garbage collection first
     */
    CudaBackend(String name, String version, Device device, boolean tf32, boolean persistent, long gcThreshold) {
        if (tf32 && !device.supportsTf32()) {
            throw new IllegalArgumentException("TF32 products requested but " + device.describe() + " has no TF32 tensor cores");
        }
        this.name = name;
        this.version = version;
        this.device = device;
        this.tf32 = tf32;
        this.persistent = persistent;
        this.allocator = new DeviceAllocator(device, gcThreshold);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.FLOAT32 || dtype == DType.FLOAT64;
    }

    /** Every kind: the cell steps and the whole sequences of LSTM, GRU and Elman (see {@link RecurrentRunner}). */
    @Override
    protected FusedKernel createKernel(KernelKind kind) {
        return CudaFusedKernels.of(this, kind);
    }

    /** Whether float32 matrix products run on TF32 tensor cores (opt-in; see {@link CudaBackendProvider#TF32_PROPERTY}). */
    public boolean tf32() {
        return tf32;
    }

    /** Whether small-batch sequences (B <= 8) run forward as one persistent kernel where the device can hold it. */
    public boolean persistent() {
        return persistent;
    }

    /** The device this backend runs on, in one line. */
    public String device() {
        return device.describe();
    }

    /** The device-memory counters; a snapshot. */
    public CudaMemoryStats memoryStats() {
        return allocator.stats();
    }

    /**
     * Returns the memory of tensors the garbage collector has found unreachable to the cache now, and,
     * when {@code toDriver}, every cached block to the driver.
     */
    public void trimMemory(boolean toDriver) {
        allocator.releaseUnreachable();
        if (toDriver) {
            device.synchronize();
            allocator.emptyCache();
        }
    }

    /** Waits until all enqueued work has finished (reading a tensor does this by itself). */
    public void synchronize() {
        device.synchronize();
    }

    /**
     * Waits for the enqueued work and returns all cached memory to the driver; the backend then refuses
     * work. Tensors still open stay readable: the device (stream, module, context) is released when the
     * last of them is closed or collected.
     */
    @Override
    protected void doClose() {
        device.synchronize();
        allocator.closeWhenIdle(device::close);
    }

    @Override
    public String toString() {
        return "CudaBackend[" + name + ", " + device.describe() + (tf32 ? ", TF32" : "") + (persistent ? "" : ", no persistent kernels") + "]";
    }

    // ---- helpers shared with the fused kernels ----

    /** The persistent kernel's plan for this cell, batch, hidden size and dtype, or empty (the per-step path runs). */
    java.util.Optional<Launch.Persistent> persistentPlan(int gates, int batch, int hidden, DType dtype) {
        if (!persistent || batch > Ops.GEMM_SMALL_M) {
            return java.util.Optional.empty();
        }
        String kernel = kernel(Kernels.RNN_PERSISTENT_FWD, dtype);
        return persistentPlans.computeIfAbsent(gates + "/" + batch + "/" + hidden + "/" + dtype, k -> Launch.persistent(gates, batch, hidden,
                dtype.bytes(), device.maxSharedBytesPerBlock(), shared -> device.maxCoResidentBlocks(kernel, Launch.PERSISTENT_THREADS, shared)));
    }

    DeviceAllocator allocator() {
        return allocator;
    }

    Device deviceRef() {
        return device;
    }

    /** A new uninitialised tensor. */
    CudaTensor empty(DType dtype, int... shape) {
        requireOpen();
        return new CudaTensor(this, dtype, shape);
    }

    /** A new tensor of zeros. */
    CudaTensor zerosOf(DType dtype, int... shape) {
        CudaTensor out = empty(dtype, shape);
        long bytes = (long) out.size() * dtype.bytes();
        if (bytes > 0) {
            device.zero(out.address(), bytes);
        }
        return out;
    }

    /** A copy of {@code t} in new memory. */
    CudaTensor copyOf(CudaTensor t) {
        CudaTensor out = empty(t.dtype(), t.shape());
        long bytes = (long) t.size() * t.dtype().bytes();
        if (bytes > 0) {
            device.copy(out.address(), t.address(), bytes);
        }
        Reference.reachabilityFence(t);
        return out;
    }

    static CudaTensor cuda(Tensor t) {
        return (CudaTensor) t;
    }

    /** {@code base_f32} or {@code base_f64}. */
    static String kernel(String base, DType dtype) {
        return Kernels.of(base, dtype);
    }

    /** Throws unless {@code t} is a non-null tensor of this backend (the message names both backends). */
    void requireOwn(String arg, Tensor t) {
        own(arg, t);
    }

    /**
     * Enqueues a kernel; {@code keepAlive} (the tensors whose addresses are in {@code args}) stay reachable
     * until it is enqueued, so that no collection can hand their memory out in between.
     */
    void launch(String kernel, Launch.Config config, KernelArgs args, Object... keepAlive) {
        device.launch(kernel, config, args);
        Reference.reachabilityFence(keepAlive);
    }

    /**
     * Enqueues {@code C = op(A) op(B) (+ D)} for matrices given by address and leading dimension (see
     * {@code gemm.cu}); {@code d} 0 for none, or {@code c} itself to accumulate into C. Nothing runs when
     * {@code m} or {@code n} is 0.
     */
    void gemm(DType dtype, int m, int n, int k, long a, int lda, boolean ta, long b, int ldb, boolean tb, long c, int ldc, long d,
              int ldd, Object... keepAlive) {
        gemm(dtype, 1, m, n, k, a, lda, 0, ta, b, ldb, 0, tb, c, ldc, 0, d, ldd, 0, 1.0, 1.0, keepAlive);
    }

    /**
     * Enqueues {@code batch} products {@code C_i = alpha op(A_i) op(B_i) (+ beta D_i)}, the matrices of entry
     * i at element offsets {@code i * s?} from the given addresses; batches beyond CUDA's grid limit run as
     * several launches.
     */
    void gemm(DType dtype, int batch, int m, int n, int k, long a, int lda, long sa, boolean ta, long b, int ldb, long sb, boolean tb, long c,
              int ldc, long sc, long d, int ldd, long sd, double alpha, double beta, Object... keepAlive) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        boolean f32 = dtype == DType.FLOAT32;
        long bytes = dtype.bytes();
        for (int first = 0; first < batch; first += Launch.MAX_GRID_YZ) {
            int count = Math.min(Launch.MAX_GRID_YZ, batch - first);
            Launch.Gemm g = Launch.gemm(m, n, k, count, tf32 && f32);
            long o = first * bytes;
            KernelArgs args = KernelArgs.of().ptr(a + o * sa).ptr(b + o * sb).ptr(c + o * sc).ptr(d == 0 ? 0 : d + o * sd).ptr(0).i32(m).i32(n)
                    .i32(k).i32(lda).i32(ldb).i32(ldc).i32(ldd).i32(ta ? 1 : 0).i32(tb ? 1 : 0).i64(sa).i64(sb).i64(sc).i64(sd)
                    .scalar(f32, alpha).scalar(f32, beta);
            launch(kernel(g.kernel().prefix, dtype), g.config(), args, keepAlive);
        }
    }

    /** Column sums of {@code a} viewed as {@code [rows, cols]}, accumulated in double, into a new {@code [cols]} tensor. */
    CudaTensor columnSums(CudaTensor a, int rows, int cols) {
        CudaTensor out = empty(a.dtype(), cols);
        if (cols == 0) {
            return out;
        }
        int perChunk = Launch.columnSumRowsPerChunk(rows, cols);
        Launch.Config first = Launch.columnSumPartial(rows, cols);
        int chunks = first.grid().y();
        try (DeviceAllocator.Scratch partial = allocator.scratch((long) chunks * cols * Double.BYTES)) {
            launch(kernel(Kernels.SUM_COLS_PARTIAL, a.dtype()), first,
                    KernelArgs.of().ptr(a.address()).ptr(partial.address()).i32(rows).i32(cols).i32(perChunk), a, partial);
            launch(kernel(Kernels.SUM_COLS_FINAL, a.dtype()), Launch.elementwise(cols),
                    KernelArgs.of().ptr(partial.address()).ptr(out.address()).i32(chunks).i32(cols), out, partial);
        }
        return out;
    }

    /** Uploads {@code values} into scratch memory that lives until the scratch is closed. */
    DeviceAllocator.Scratch upload(int[] values) {
        DeviceAllocator.Scratch s = allocator.scratch((long) values.length * Integer.BYTES);
        if (values.length > 0) {
            device.upload(s.address(), values, 0, values.length);
        }
        return s;
    }

    double[] downloadDoubles(CudaTensor t) {
        int n = t.size();
        double[] out = new double[n];
        if (t.float32()) {
            float[] f = downloadFloats(t);
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
            return out;
        }
        if (n > 0) {
            device.download(t.address(), out, n);
        }
        Reference.reachabilityFence(t);
        return out;
    }

    float[] downloadFloats(CudaTensor t) {
        int n = t.size();
        float[] out = new float[n];
        if (!t.float32()) {
            double[] d = downloadDoubles(t);
            for (int i = 0; i < n; i++) {
                out[i] = (float) d[i];
            }
            return out;
        }
        if (n > 0) {
            device.download(t.address(), out, n);
        }
        Reference.reachabilityFence(t);
        return out;
    }

    // ---- creation and layout ----

    @Override
    protected Tensor doFromDoubles(double[] data, DType dtype, int[] shape) {
        CudaTensor out = empty(dtype, shape);
        if (data.length > 0) {
            if (dtype == DType.FLOAT32) {
                float[] f = new float[data.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) data[i];
                }
                device.upload(out.address(), f, 0, f.length);
            } else {
                device.upload(out.address(), data, 0, data.length);
            }
        }
        return out;
    }

    @Override
    protected Tensor doFromFloats(float[] data, DType dtype, int[] shape) {
        CudaTensor out = empty(dtype, shape);
        if (data.length > 0) {
            if (dtype == DType.FLOAT64) {
                double[] d = new double[data.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = data[i];
                }
                device.upload(out.address(), d, 0, d.length);
            } else {
                device.upload(out.address(), data, 0, data.length);
            }
        }
        return out;
    }

    @Override
    protected Tensor doFull(double value, DType dtype, int[] shape) {
        CudaTensor out = empty(dtype, shape);
        int n = out.size();
        if (n > 0) {
            launch(kernel(Kernels.FILL, dtype), Launch.elementwise(n), KernelArgs.of().ptr(out.address()).scalar(dtype == DType.FLOAT32, value).i32(n),
                    out);
        }
        return out;
    }

    @Override
    protected Tensor doReshape(Tensor a, int[] shape) {
        return new CudaTensor(cuda(a), shape);
    }

    @Override
    protected Tensor doTranspose(Tensor a) {
        CudaTensor x = cuda(a);
        int[] s = x.shapeRef();
        CudaTensor out = empty(x.dtype(), s[1], s[0]);
        if (out.size() > 0) {
            launch(kernel(Kernels.TRANSPOSE, x.dtype()), Launch.transpose(s[0], s[1]),
                    KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(s[0]).i32(s[1]), x, out);
        }
        return out;
    }

    /** Product of the extents after {@code axis}. */
    private static int innerSize(int[] s, int axis) {
        int p = 1;
        for (int d = axis + 1; d < s.length; d++) {
            p *= s[d];
        }
        return p;
    }

    /** Copies the {@code [outer, len, inner]} block at {@code srcStart} of src's axis to {@code dstStart} of dst's. */
    private void copyBlock(CudaTensor src, CudaTensor dst, int outer, int len, int inner, int srcLen, int srcStart, int dstLen, int dstStart) {
        long n = (long) outer * len * inner;
        if (n == 0) {
            return;
        }
        int bytes = src.dtype().bytes();
        if (outer == 1) {
            device.copy(dst.address((long) dstStart * inner), src.address((long) srcStart * inner), n * bytes);
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
            return;
        }
        launch(kernel(Kernels.COPY_BLOCK, src.dtype()), Launch.elementwise(n), KernelArgs.of().ptr(src.address()).ptr(dst.address()).i32(outer)
                .i32(len).i32(inner).i32(srcLen).i32(srcStart).i32(dstLen).i32(dstStart), src, dst);
    }

    @Override
    protected Tensor doSlice(Tensor a, int axis, int start, int end) {
        CudaTensor x = cuda(a);
        int[] s = x.shapeRef();
        int[] shape = s.clone();
        shape[axis] = end - start;
        CudaTensor out = empty(x.dtype(), shape);
        copyBlock(x, out, Shapes.prefixSize(s, axis), end - start, innerSize(s, axis), s[axis], start, end - start, 0);
        return out;
    }

    @Override
    protected Tensor doConcat(List<Tensor> parts, int axis) {
        int[] s0 = cuda(parts.get(0)).shapeRef();
        int outer = Shapes.prefixSize(s0, axis);
        int inner = innerSize(s0, axis);
        int total = 0;
        for (Tensor p : parts) {
            total += cuda(p).shapeRef()[axis];
        }
        int[] shape = s0.clone();
        shape[axis] = total;
        CudaTensor out = empty(parts.get(0).dtype(), shape);
        int offset = 0;
        for (Tensor p : parts) {
            int len = cuda(p).shapeRef()[axis];
            copyBlock(cuda(p), out, outer, len, inner, len, 0, total, offset);
            offset += len;
        }
        return out;
    }

    @Override
    protected Tensor doCast(Tensor a, DType dtype) {
        CudaTensor x = cuda(a);
        if (x.dtype() == dtype) {
            return copyOf(x);
        }
        CudaTensor out = empty(dtype, x.shape());
        int n = x.size();
        if (n > 0) {
            launch(x.float32() ? Kernels.CAST_F32_F64 : Kernels.CAST_F64_F32, Launch.elementwise(n), KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(n),
                    x, out);
        }
        return out;
    }

    // ---- elementwise ----

    private static int binaryCode(BinaryOp op) {
        return switch (op) {
            case ADD -> Ops.BIN_ADD;
            case SUB -> Ops.BIN_SUB;
            case MUL -> Ops.BIN_MUL;
            case DIV -> Ops.BIN_DIV;
            case MAX -> Ops.BIN_MAX;
        };
    }

    static int unaryCode(UnaryOp op) {
        return switch (op) {
            case TANH -> Ops.UN_TANH;
            case SIGMOID -> Ops.UN_SIGMOID;
            case RELU -> Ops.UN_RELU;
            case EXP -> Ops.UN_EXP;
            case LOG -> Ops.UN_LOG;
            case SQRT -> Ops.UN_SQRT;
            case ABS -> Ops.UN_ABS;
        };
    }

    @Override
    protected Tensor doBinary(BinaryOp op, Tensor a, Tensor b, int[] outShape) {
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        CudaTensor out = empty(x.dtype(), outShape);
        int n = out.size();
        if (n == 0) {
            return out;
        }
        if (Arrays.equals(x.shapeRef(), outShape) && (y.size() == n || Shapes.isSuffix(outShape, stripLeadingOnes(y.shapeRef())))) {
            // b repeats over a's leading dimensions (or has a's size): index it modulo its size
            launch(kernel(Kernels.BINARY, x.dtype()), Launch.elementwise(n),
                    KernelArgs.of().i32(binaryCode(op)).ptr(x.address()).ptr(y.address()).ptr(out.address()).i32(n).i32(y.size()), x, y, out);
            return out;
        }
        try (DeviceAllocator.Scratch meta = upload(broadcastMeta(outShape, x.shapeRef(), y.shapeRef()))) {
            launch(kernel(Kernels.BINARY_BROADCAST, x.dtype()), Launch.elementwise(n), KernelArgs.of().i32(binaryCode(op)).ptr(x.address())
                    .ptr(y.address()).ptr(out.address()).i32(n).i32(outShape.length).ptr(meta.address()), x, y, out, meta);
        }
        return out;
    }

    private static int[] stripLeadingOnes(int[] s) {
        int i = 0;
        while (i < s.length && s[i] == 1) {
            i++;
        }
        return Arrays.copyOfRange(s, i, s.length);
    }

    /**
     * The metadata of a broadcast kernel (see {@code broadcast_offsets} in {@code common.cuh}): the output's
     * extents, then each operand's element strides over the output's dimensions, 0 where it is broadcast.
     */
    static int[] broadcastMeta(int[] out, int[]... operands) {
        int r = out.length;
        int[] meta = new int[r * (1 + operands.length)];
        System.arraycopy(out, 0, meta, 0, r);
        for (int k = 0; k < operands.length; k++) {
            int[] s = operands[k];
            int lead = r - s.length;
            int stride = 1;
            for (int d = s.length - 1; d >= 0; d--) {
                meta[r * (k + 1) + lead + d] = s[d] == 1 ? 0 : stride;
                stride *= s[d];
            }
        }
        return meta;
    }

    private Tensor affine(Tensor a, double s, double t) {
        CudaTensor x = cuda(a);
        CudaTensor out = empty(x.dtype(), x.shape());
        int n = x.size();
        if (n > 0) {
            boolean f = x.float32();
            launch(kernel(Kernels.AFFINE, x.dtype()), Launch.elementwise(n),
                    KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(n).scalar(f, s).scalar(f, t), x, out);
        }
        return out;
    }

    @Override
    protected Tensor doScale(Tensor a, double s) {
        return affine(a, s, 0.0);
    }

    @Override
    protected Tensor doAddScalar(Tensor a, double s) {
        return affine(a, 1.0, s);
    }

    @Override
    protected Tensor doAddScaled(Tensor a, Tensor b, double alpha) {
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        CudaTensor out = empty(x.dtype(), x.shape());
        int n = x.size();
        if (n > 0) {
            launch(kernel(Kernels.ADD_SCALED, x.dtype()), Launch.elementwise(n),
                    KernelArgs.of().ptr(x.address()).ptr(y.address()).ptr(out.address()).i32(n).scalar(x.float32(), alpha), x, y, out);
        }
        return out;
    }

    @Override
    protected Tensor doUnary(UnaryOp op, Tensor a) {
        CudaTensor x = cuda(a);
        CudaTensor out = empty(x.dtype(), x.shape());
        int n = x.size();
        if (n > 0) {
            launch(kernel(Kernels.UNARY, x.dtype()), Launch.elementwise(n), KernelArgs.of().i32(unaryCode(op)).ptr(x.address()).ptr(out.address()).i32(n),
                    x, out);
        }
        return out;
    }

    @Override
    protected Tensor doActivationBackward(UnaryOp op, Tensor y, Tensor gy) {
        if (op != UnaryOp.TANH && op != UnaryOp.SIGMOID && op != UnaryOp.RELU) {
            throw new IllegalArgumentException("no backward kernel for " + op);
        }
        CudaTensor v = cuda(y);
        CudaTensor g = cuda(gy);
        CudaTensor out = empty(v.dtype(), v.shape());
        int n = v.size();
        if (n > 0) {
            launch(kernel(Kernels.ACTIVATION_BACKWARD, v.dtype()), Launch.elementwise(n),
                    KernelArgs.of().i32(unaryCode(op)).ptr(v.address()).ptr(g.address()).ptr(out.address()).i32(n), v, g, out);
        }
        return out;
    }

    // ---- linear algebra and reductions ----

    @Override
    protected Tensor doMatmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        int[] sa = x.shapeRef();
        int[] sb = y.shapeRef();
        int m = transposeA ? sa[1] : sa[0];
        int k = transposeA ? sa[0] : sa[1];
        int n = transposeB ? sb[0] : sb[1];
        CudaTensor out = empty(x.dtype(), m, n);
        gemm(x.dtype(), m, n, k, x.address(), sa[1], transposeA, y.address(), sb[1], transposeB, out.address(), n, 0, 0, x, y, out);
        return out;
    }

    @Override
    protected Tensor doBmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        int[] sa = x.shapeRef();
        int[] sb = y.shapeRef();
        int batch = sa[0];
        int m = transposeA ? sa[2] : sa[1];
        int k = transposeA ? sa[1] : sa[2];
        int n = transposeB ? sb[1] : sb[2];
        CudaTensor out = empty(x.dtype(), batch, m, n);
        gemm(x.dtype(), batch, m, n, k, x.address(), sa[2], (long) sa[1] * sa[2], transposeA, y.address(), sb[2], (long) sb[1] * sb[2],
                transposeB, out.address(), n, (long) m * n, 0, 0, 0, 1.0, 1.0, x, y, out);
        return out;
    }

    /** One product kernel: {@code alpha * product + beta * c} in its epilogue, the product rounded first. */
    @Override
    protected Tensor doMatmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha, double beta) {
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        CudaTensor z = cuda(c);
        int[] sa = x.shapeRef();
        int[] sb = y.shapeRef();
        int m = transposeA ? sa[1] : sa[0];
        int k = transposeA ? sa[0] : sa[1];
        int n = transposeB ? sb[0] : sb[1];
        CudaTensor out = empty(x.dtype(), m, n);
        gemm(x.dtype(), 1, m, n, k, x.address(), sa[1], 0, transposeA, y.address(), sb[1], 0, transposeB, out.address(), n, 0, z.address(), n,
                0, alpha, beta, x, y, z, out);
        return out;
    }

    @Override
    protected void doAddScaledInPlace(Tensor target, double beta, Tensor b, double alpha) {
        CudaTensor t = cuda(target);
        CudaTensor y = cuda(b);
        int n = t.size();
        if (n > 0) {
            boolean f = t.float32();
            launch(kernel(Kernels.SCALE_ADD_INPLACE, t.dtype()), Launch.elementwise(n), KernelArgs.of().ptr(t.address()).ptr(y.address()).i32(n)
                    .scalar(f, beta).scalar(f, alpha).i32(beta == 1.0 ? 0 : 1), t, y);
        }
    }

    private Tensor reduceAll(Tensor a, int op) {
        CudaTensor x = cuda(a);
        CudaTensor out = empty(x.dtype());
        int n = x.size();
        if (n == 0) {
            launch(kernel(Kernels.FILL, x.dtype()), Launch.elementwise(1), KernelArgs.of().ptr(out.address()).scalar(x.float32(), 0.0).i32(1), out);
            return out;
        }
        Launch.Config first = Launch.reducePartial(n);
        int blocks = first.grid().x();
        try (DeviceAllocator.Scratch partial = allocator.scratch((long) blocks * Double.BYTES)) {
            launch(kernel(Kernels.REDUCE_PARTIAL, x.dtype()), first, KernelArgs.of().i32(op).ptr(x.address()).ptr(partial.address()).i32(n), x, partial);
            launch(kernel(Kernels.REDUCE_FINAL, x.dtype()), Launch.reduceFinal(),
                    KernelArgs.of().i32(op).ptr(partial.address()).ptr(out.address()).i32(blocks), out, partial);
        }
        return out;
    }

    @Override
    protected Tensor doSum(Tensor a) {
        return reduceAll(a, Ops.RED_SUM);
    }

    @Override
    protected Tensor doMaxAbs(Tensor a) {
        return reduceAll(a, Ops.RED_MAXABS);
    }

    @Override
    protected Tensor doSumToTrailing(Tensor a, int[] trailing) {
        CudaTensor x = cuda(a);
        int cols = Shapes.size(trailing);
        int rows = cols == 0 ? 0 : x.size() / cols;
        CudaTensor sums = columnSums(x, rows, cols);
        if (Arrays.equals(sums.shapeRef(), trailing)) {
            return sums;
        }
        CudaTensor out = new CudaTensor(sums, trailing);
        sums.close();
        return out;
    }

    @Override
    protected Tensor doSumLastAxis(Tensor a) {
        CudaTensor x = cuda(a);
        int[] s = x.shapeRef();
        int cols = s[s.length - 1];
        int rows = Shapes.prefixSize(s, s.length - 1);
        CudaTensor out = empty(x.dtype(), Arrays.copyOf(s, s.length - 1));
        if (rows > 0) {
            launch(kernel(Kernels.SUM_ROWS, x.dtype()), Launch.rowSums(rows), KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(rows).i32(cols),
                    x, out);
        }
        return out;
    }

    /** Axis reductions: mode 0 sum, 1 mean, 2 variance with {@code divisor}. */
    private Tensor axisReduce(Tensor a, int axis, boolean keepDim, int mode, int divisor) {
        CudaTensor x = cuda(a);
        int[] s = x.shapeRef();
        int outer = Shapes.prefixSize(s, axis);
        int len = s[axis];
        int inner = innerSize(s, axis);
        CudaTensor out = empty(x.dtype(), Shapes.reduced(s, axis, keepDim));
        int n = out.size();
        if (n == 0) {
            return out;
        }
        if (mode == 0 && inner == 1) {
            launch(kernel(Kernels.SUM_ROWS, x.dtype()), Launch.rowSums(outer), KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(outer)
                    .i32(len), x, out);
        } else {
            launch(kernel(Kernels.AXIS_REDUCE, x.dtype()), Launch.elementwise(n), KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(outer)
                    .i32(len).i32(inner).i32(mode).i32(divisor), x, out);
        }
        return out;
    }

    @Override
    protected Tensor doSumAxis(Tensor a, int axis, boolean keepDim) {
        return axisReduce(a, axis, keepDim, 0, 1);
    }

    @Override
    protected Tensor doMeanAxis(Tensor a, int axis, boolean keepDim) {
        return axisReduce(a, axis, keepDim, 1, 1);
    }

    /** Two passes in double: the mean, then the squared deviations from it. */
    @Override
    protected Tensor doVarAxis(Tensor a, int axis, boolean keepDim, boolean unbiased) {
        int len = a.shape()[axis];
        return axisReduce(a, axis, keepDim, 2, unbiased ? len - 1 : len);
    }

    @Override
    protected Tensor doLogSoftmax(Tensor a, boolean log) {
        CudaTensor x = cuda(a);
        int[] s = x.shapeRef();
        int cols = s[s.length - 1];
        int rows = cols == 0 ? 0 : x.size() / cols;
        CudaTensor out = empty(x.dtype(), s.clone());
        if (out.size() > 0) {
            launch(kernel(Kernels.SOFTMAX_ROWS, x.dtype()), Launch.rows(rows, cols),
                    KernelArgs.of().ptr(x.address()).ptr(out.address()).i32(rows).i32(cols).i32(log ? 1 : 0), x, out);
        }
        return out;
    }

    @Override
    protected Tensor doLogSoftmaxBackward(Tensor y, Tensor gy) {
        CudaTensor v = cuda(y);
        CudaTensor g = cuda(gy);
        int[] s = v.shapeRef();
        int cols = s[s.length - 1];
        int rows = cols == 0 ? 0 : v.size() / cols;
        CudaTensor out = empty(v.dtype(), s.clone());
        if (out.size() > 0) {
            launch(kernel(Kernels.LOG_SOFTMAX_BACKWARD, v.dtype()), Launch.rows(rows, cols),
                    KernelArgs.of().ptr(v.address()).ptr(g.address()).ptr(out.address()).i32(rows).i32(cols), v, g, out);
        }
        return out;
    }

    // ---- masks ----

    @Override
    protected Tensor doWhere(Tensor mask, Tensor a, Tensor b, int[] outShape) {
        CudaTensor m = cuda(mask);
        CudaTensor x = cuda(a);
        CudaTensor y = cuda(b);
        CudaTensor out = empty(x.dtype(), outShape);
        int n = out.size();
        if (n > 0) {
            try (DeviceAllocator.Scratch meta = upload(broadcastMeta(outShape, m.shapeRef(), x.shapeRef(), y.shapeRef()))) {
                launch(kernel(Kernels.WHERE, x.dtype()), Launch.elementwise(n), KernelArgs.of().ptr(m.address()).ptr(x.address()).ptr(y.address())
                        .ptr(out.address()).i32(n).i32(outShape.length).ptr(meta.address()), m, x, y, out, meta);
            }
        }
        return out;
    }

    @Override
    protected Tensor doMaskedFill(Tensor a, Tensor mask, double value) {
        CudaTensor x = cuda(a);
        CudaTensor m = cuda(mask);
        int[] s = x.shapeRef();
        CudaTensor out = empty(x.dtype(), s.clone());
        int n = out.size();
        if (n > 0) {
            try (DeviceAllocator.Scratch meta = upload(broadcastMeta(s, m.shapeRef()))) {
                launch(kernel(Kernels.MASKED_FILL, x.dtype()), Launch.elementwise(n), KernelArgs.of().ptr(x.address()).ptr(m.address())
                        .ptr(out.address()).scalar(x.float32(), value).i32(n).i32(s.length).ptr(meta.address()), x, m, out, meta);
            }
        }
        return out;
    }

    // ---- indexing ----

    @Override
    protected Tensor doGatherColumns(Tensor a, int[] index) {
        CudaTensor x = cuda(a);
        CudaTensor out = empty(x.dtype(), index.length);
        if (index.length > 0) {
            try (DeviceAllocator.Scratch idx = upload(index)) {
                launch(kernel(Kernels.GATHER_COLUMNS, x.dtype()), Launch.elementwise(index.length),
                        KernelArgs.of().ptr(x.address()).ptr(idx.address()).ptr(out.address()).i32(index.length).i32(x.shapeRef()[1]), x, out, idx);
            }
        }
        return out;
    }

    @Override
    protected Tensor doScatterColumns(Tensor g, int[] index, int columns) {
        CudaTensor x = cuda(g);
        CudaTensor out = empty(x.dtype(), index.length, columns);
        if (index.length > 0) {
            try (DeviceAllocator.Scratch idx = upload(index)) {
                launch(kernel(Kernels.SCATTER_COLUMNS, x.dtype()), Launch.elementwise((long) index.length * columns),
                        KernelArgs.of().ptr(x.address()).ptr(idx.address()).ptr(out.address()).i32(index.length).i32(columns), x, out, idx);
            }
        }
        return out;
    }

    @Override
    protected Tensor doGatherRows(Tensor a, int[] index) {
        CudaTensor x = cuda(a);
        int width = x.shapeRef()[1];
        CudaTensor out = empty(x.dtype(), index.length, width);
        if (out.size() > 0) {
            try (DeviceAllocator.Scratch idx = upload(index)) {
                launch(kernel(Kernels.GATHER_ROWS, x.dtype()), Launch.elementwise((long) index.length * width),
                        KernelArgs.of().ptr(x.address()).ptr(idx.address()).ptr(out.address()).i32(index.length).i32(width), x, out, idx);
            }
        }
        return out;
    }

    @Override
    protected Tensor doScatterAddRows(Tensor g, int[] index, int rows) {
        CudaTensor x = cuda(g);
        int width = x.shapeRef()[1];
        CudaTensor out = zerosOf(x.dtype(), rows, width);
        if ((long) index.length * width > 0) {
            try (DeviceAllocator.Scratch idx = upload(index)) {
                launch(kernel(Kernels.SCATTER_ADD_ROWS, x.dtype()), Launch.elementwise((long) index.length * width),
                        KernelArgs.of().ptr(x.address()).ptr(idx.address()).ptr(out.address()).i32(index.length).i32(width), x, out, idx);
            }
        }
        return out;
    }
}
