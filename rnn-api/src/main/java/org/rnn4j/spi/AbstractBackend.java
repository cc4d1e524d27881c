package org.rnn4j.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * Base class for backends: every public op validates its arguments (owning backend, dtype agreement,
 * shapes, index ranges) with a message naming the argument, what was given and what was expected,
 * then calls the matching {@code protected} kernel, which may assume valid input. Backends implement
 * only the kernels.
 *
 * <p>Fused kernels: a backend offers them through one hook, {@link #createKernel(KernelKind)}, asked once
 * per kind; {@link #fused(KernelKind)} keeps the answer. The kernels' own {@code apply} checks their
 * arguments (see {@link FusedKernel}).
 *
 * <p>Life cycle: {@link #close()} runs the backend's {@link #doClose()} once; from then on every op,
 * creation and kernel call on this backend throws an {@link IllegalStateException} saying so (tensors
 * already made can still be read).
 */
public abstract class AbstractBackend implements ComputeBackend {
    /** Marks a kind the backend has no kernel for in {@link #kernels}. */
    private static final Object NO_KERNEL = new Object();

    private final AtomicReferenceArray<Object> kernels = new AtomicReferenceArray<>(KernelKind.values().length);
    private final AtomicBoolean closed = new AtomicBoolean();

    // ---- life cycle ----

    /**
     * Closes the backend: runs {@link #doClose()} once (idempotent, thread-safe). Afterwards every op on
     * this backend throws an {@link IllegalStateException}.
     */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            doClose();
        }
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return closed.get();
    }

    /** Releases the backend's resources (thread pools, native handles); called once by {@link #close()}. Default: nothing. */
    protected void doClose() {
    }

    /** Throws when the backend was closed. */
    protected final void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("Backend '" + name() + "' was closed and runs no more work; get an open one with Backends.get(\""
                    + name() + "\")");
        }
    }

    // ---- fused kernels ----

    /**
     * The kernel {@link #createKernel} made for {@code kind} (asked once per kind), or empty.
     *
     * @throws IllegalArgumentException when {@code kind} is null
     * @throws IllegalStateException    when {@link #createKernel} returned a kernel of another kind or backend
     */
    @Override
    public final Optional<FusedKernel> fused(KernelKind kind) {
        if (kind == null) {
            throw new IllegalArgumentException(name() + " backend: fused: kind is null; expected one of "
                    + Arrays.toString(KernelKind.values()));
        }
        Object k = kernels.get(kind.ordinal());
        if (k == null) {
            FusedKernel made = createKernel(kind);
            if (made != null && (made.kind() != kind || made.backend() != this)) {
                throw new IllegalStateException(getClass().getName() + ".createKernel(" + kind + ") returned " + made + ", a kernel of kind "
                        + made.kind() + " for backend '" + made.backend().name() + "'; expected kind " + kind + " for this backend");
            }
            kernels.compareAndSet(kind.ordinal(), null, made == null ? NO_KERNEL : made);
            k = kernels.get(kind.ordinal());
        }
        return k == NO_KERNEL ? Optional.empty() : Optional.of((FusedKernel) k);
    }

    /**
     * The hook through which a backend offers fused kernels: its kernel for {@code kind} (a
     * {@link CellKernel} or a {@link SequenceKernel} of that kind, made for this backend), or null when
     * the composed primitives should be used. Called at most once per kind that is asked for. Default: none.
     */
    protected FusedKernel createKernel(KernelKind kind) {
        return null;
    }

    // ---- validation helpers ----

    /**
     * Throws unless the backend is open and {@code t} is non-null, belongs to this backend and is open:
     * every op's first check, so no backend kernel ever sees a closed tensor.
     *
     * @throws IllegalArgumentException when {@code t} is null or of another backend
     * @throws IllegalStateException when this backend or {@code t} was closed ({@link Tensors#requireOpen})
     */
    protected final void own(String arg, Tensor t) {
        requireOpen();
        if (t == null) {
            throw new IllegalArgumentException(name() + " backend: argument '" + arg + "' is null");
        }
        if (t.backend() != this) {
            throw new IllegalArgumentException("Tensors of two backends mixed: argument '" + arg + "' belongs to backend '"
                    + t.backend().name() + "' but the op runs on backend '" + name()
                    + "'; move it first with Tensors.to(tensor, backend)");
        }
        Tensors.requireOpen(t, name() + " backend: argument '" + arg + "'");
    }

    private void sameDType(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ: a is " + a.dtype() + ", b is " + b.dtype()
                    + "; cast one with Backend.cast");
        }
    }

    private void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: a is " + Shapes.str(a.shape()) + ", b is "
                    + Shapes.str(b.shape()) + "; expected equal shapes");
        }
    }

    private void binary(String op, Tensor a, Tensor b) {
        own("a", a);
        own("b", b);
        sameDType(op, a, b);
    }

    /** Validates a broadcasting binary op and returns the shape of its result. */
    private int[] broadcastable(String op, Tensor a, Tensor b) {
        binary(op, a, b);
        int[] out = Shapes.broadcast(a.shape(), b.shape());
        if (out == null) {
            throw new IllegalArgumentException(op + ": cannot broadcast a of shape " + Shapes.str(a.shape()) + " with b of shape "
                    + Shapes.str(b.shape()) + "; aligned at the last dimension, each pair of extents must be equal or one of them 1");
        }
        return out;
    }

    /** Throws unless {@code rank >= 1}; returns the axis normalised to {@code [0, rank)}. */
    private static int reductionAxis(String op, Tensor a, int axis) {
        if (a.rank() < 1) {
            throw new IllegalArgumentException(op + ": needs a tensor of rank >= 1, got a scalar (shape [])");
        }
        int r = a.rank();
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a of shape " + Shapes.str(a.shape())
                    + "; expected an axis in [" + (-r) + ", " + r + ")");
        }
        return axis < 0 ? axis + r : axis;
    }

    private void checkDType(DType dtype) {
        requireOpen();
        if (dtype == null) {
            throw new IllegalArgumentException(name() + " backend: dtype is null; expected FLOAT32 or FLOAT64");
        }
        if (!supports(dtype)) {
            throw new IllegalArgumentException(name() + " backend does not support dtype " + dtype);
        }
    }

    private void checkShapeArg(String op, int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(op + ": shape is null");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": shape " + Shapes.str(shape) + " has a negative extent");
            }
        }
    }

    private void checkData(String op, int length, int[] shape) {
        checkShapeArg(op, shape);
        if (length != Shapes.size(shape)) {
            throw new IllegalArgumentException(op + ": data has " + length + " elements but shape " + Shapes.str(shape)
                    + " needs " + Shapes.size(shape));
        }
    }

    private void checkIndex(String op, int[] index, int n, int bound) {
        if (index == null) {
            throw new IllegalArgumentException(op + ": index is null");
        }
        if (index.length != n) {
            throw new IllegalArgumentException(op + ": index has " + index.length + " entries, expected " + n);
        }
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= bound) {
                throw new IllegalArgumentException(op + ": index[" + i + "] = " + index[i] + " is outside [0, " + bound + ")");
            }
        }
    }

    // ---- creation ----

    @Override
    public final Tensor fromDoubles(double[] data, DType dtype, int... shape) {
        checkDType(dtype);
        if (data == null) {
            throw new IllegalArgumentException("fromDoubles: data is null");
        }
        checkData("fromDoubles", data.length, shape);
        return doFromDoubles(data, dtype, shape.clone());
    }

    @Override
    public final Tensor fromFloats(float[] data, DType dtype, int... shape) {
        checkDType(dtype);
        if (data == null) {
            throw new IllegalArgumentException("fromFloats: data is null");
        }
        checkData("fromFloats", data.length, shape);
        return doFromFloats(data, dtype, shape.clone());
    }

    @Override
    public final Tensor zeros(DType dtype, int... shape) {
        return full(0.0, dtype, shape);
    }

    @Override
    public final Tensor full(double value, DType dtype, int... shape) {
        checkDType(dtype);
        checkShapeArg("full", shape);
        return doFull(value, dtype, shape.clone());
    }

    // ---- layout ----

    @Override
    public final Tensor reshape(Tensor a, int... shape) {
        own("a", a);
        checkShapeArg("reshape", shape);
        if (Shapes.size(shape) != a.size()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shapes.str(a.shape()) + " (" + a.size()
                    + " elements) to " + Shapes.str(shape) + " (" + Shapes.size(shape) + " elements)");
        }
        return doReshape(a, shape.clone());
    }

    @Override
    public final Tensor transpose(Tensor a) {
        own("a", a);
        Shapes.checkRank("transpose: a", a, 2);
        return doTranspose(a);
    }

    @Override
    public final Tensor slice(Tensor a, int axis, int start, int end) {
        own("a", a);
        int ax = Shapes.axis(axis, a.rank());
        int n = a.shape()[ax];
        if (start < 0 || end > n || start >= end) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + end + ") is not a non-empty range within [0, "
                    + n + ") on axis " + axis + " of shape " + Shapes.str(a.shape()));
        }
        return doSlice(a, ax, start, end);
    }

    @Override
    public final Tensor concat(List<Tensor> parts, int axis) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        Tensor first = parts.get(0);
        own("parts[0]", first);
        int ax = Shapes.axis(axis, first.rank());
        int[] s0 = first.shape();
        for (int i = 1; i < parts.size(); i++) {
            Tensor p = parts.get(i);
            own("parts[" + i + "]", p);
            sameDType("concat", first, p);
            int[] s = p.shape();
            boolean ok = s.length == s0.length;
            for (int d = 0; ok && d < s.length; d++) {
                ok = d == ax || s[d] == s0[d];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat: parts[" + i + "] has shape " + Shapes.str(s) + " but parts[0] has "
                        + Shapes.str(s0) + "; all dimensions but axis " + ax + " must agree");
            }
        }
        return parts.size() == 1 ? doSlice(first, ax, 0, s0[ax]) : doConcat(parts, ax);
    }

    @Override
    public final Tensor cast(Tensor a, DType dtype) {
        own("a", a);
        checkDType(dtype);
        return doCast(a, dtype);
    }

    // ---- elementwise ----

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        return doBinary(BinaryOp.ADD, a, b, broadcastable("add", a, b));
    }

    @Override
    public final Tensor sub(Tensor a, Tensor b) {
        return doBinary(BinaryOp.SUB, a, b, broadcastable("sub", a, b));
    }

    @Override
    public final Tensor mul(Tensor a, Tensor b) {
        return doBinary(BinaryOp.MUL, a, b, broadcastable("mul", a, b));
    }

    @Override
    public final Tensor div(Tensor a, Tensor b) {
        return doBinary(BinaryOp.DIV, a, b, broadcastable("div", a, b));
    }

    @Override
    public final Tensor maximum(Tensor a, Tensor b) {
        return doBinary(BinaryOp.MAX, a, b, broadcastable("maximum", a, b));
    }

    @Override
    public final Tensor scale(Tensor a, double s) {
        own("a", a);
        return doScale(a, s);
    }

    @Override
    public final Tensor addScalar(Tensor a, double s) {
        own("a", a);
        return doAddScalar(a, s);
    }

    @Override
    public final Tensor addScaled(Tensor a, Tensor b, double alpha) {
        binary("addScaled", a, b);
        sameShape("addScaled", a, b);
        return doAddScaled(a, b, alpha);
    }

    @Override
    public final Tensor tanh(Tensor a) {
        return unary(UnaryOp.TANH, a);
    }

    @Override
    public final Tensor sigmoid(Tensor a) {
        return unary(UnaryOp.SIGMOID, a);
    }

    @Override
    public final Tensor relu(Tensor a) {
        return unary(UnaryOp.RELU, a);
    }

    @Override
    public final Tensor exp(Tensor a) {
        return unary(UnaryOp.EXP, a);
    }

    @Override
    public final Tensor log(Tensor a) {
        return unary(UnaryOp.LOG, a);
    }

    @Override
    public final Tensor sqrt(Tensor a) {
        return unary(UnaryOp.SQRT, a);
    }

    @Override
    public final Tensor abs(Tensor a) {
        return unary(UnaryOp.ABS, a);
    }

    private Tensor unary(UnaryOp op, Tensor a) {
        own("a", a);
        return doUnary(op, a);
    }

    @Override
    public final Tensor tanhBackward(Tensor y, Tensor gy) {
        return activationBackward(UnaryOp.TANH, y, gy);
    }

    @Override
    public final Tensor sigmoidBackward(Tensor y, Tensor gy) {
        return activationBackward(UnaryOp.SIGMOID, y, gy);
    }

    @Override
    public final Tensor reluBackward(Tensor y, Tensor gy) {
        return activationBackward(UnaryOp.RELU, y, gy);
    }

    private Tensor activationBackward(UnaryOp op, Tensor y, Tensor gy) {
        own("y", y);
        own("gy", gy);
        sameDType(op.name().toLowerCase() + "Backward", y, gy);
        sameShape(op.name().toLowerCase() + "Backward", y, gy);
        return doActivationBackward(op, y, gy);
    }

    // ---- linear algebra and reductions ----

    @Override
    public final Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        matmulShape("matmul", a, b, transposeA, transposeB);
        return doMatmul(a, b, transposeA, transposeB);
    }

    /** Checks the factors of a matrix product; returns the product's shape {@code [M, N]}. */
    private int[] matmulShape(String op, Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        binary(op, a, b);
        Shapes.checkRank(op + ": a", a, 2);
        Shapes.checkRank(op + ": b", b, 2);
        int[] sa = a.shape();
        int[] sb = b.shape();
        int ka = transposeA ? sa[0] : sa[1];
        int kb = transposeB ? sb[1] : sb[0];
        if (ka != kb) {
            throw new IllegalArgumentException(op + ": inner dimensions differ: a" + (transposeA ? "^T" : "") + " is "
                    + (transposeA ? Shapes.str(sa[1], sa[0]) : Shapes.str(sa)) + ", b" + (transposeB ? "^T" : "") + " is "
                    + (transposeB ? Shapes.str(sb[1], sb[0]) : Shapes.str(sb)));
        }
        return new int[] {transposeA ? sa[1] : sa[0], transposeB ? sb[0] : sb[1]};
    }

    @Override
    public final Tensor matmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha,
                                         double beta) {
        own("c", c);
        int[] expected = matmulShape("matmulAccumulate", a, b, transposeA, transposeB);
        if (c.dtype() != a.dtype()) {
            throw new IllegalArgumentException("matmulAccumulate: dtypes differ: c is " + c.dtype() + ", a and b are " + a.dtype()
                    + "; cast one with Backend.cast");
        }
        if (!Arrays.equals(c.shape(), expected)) {
            throw new IllegalArgumentException("matmulAccumulate: c has shape " + Shapes.str(c.shape()) + " but the product op(a) · op(b) is "
                    + Shapes.str(expected) + "; expected equal shapes");
        }
        return doMatmulAccumulate(c, a, b, transposeA, transposeB, alpha, beta);
    }

    @Override
    public final void addScaledInPlace(Tensor target, double beta, Tensor b, double alpha) {
        own("target", target);
        own("b", b);
        if (b == target) {
            throw new IllegalArgumentException("addScaledInPlace: b is the target tensor itself; expected another tensor (pass a copy)");
        }
        if (target.dtype() != b.dtype()) {
            throw new IllegalArgumentException("addScaledInPlace: dtypes differ: target is " + target.dtype() + ", b is " + b.dtype()
                    + "; cast one with Backend.cast");
        }
        if (!Arrays.equals(target.shape(), b.shape())) {
            throw new IllegalArgumentException("addScaledInPlace: shapes differ: target is " + Shapes.str(target.shape()) + ", b is "
                    + Shapes.str(b.shape()) + "; expected equal shapes");
        }
        doAddScaledInPlace(target, beta, b, alpha);
    }

    @Override
    public final Tensor bmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
        binary("bmm", a, b);
        Shapes.checkRank("bmm: a", a, 3);
        Shapes.checkRank("bmm: b", b, 3);
        int[] sa = a.shape();
        int[] sb = b.shape();
        if (sa[0] != sb[0]) {
            throw new IllegalArgumentException("bmm: batch extents differ: a is " + Shapes.str(sa) + ", b is " + Shapes.str(sb)
                    + "; expected equal first dimensions");
        }
        int ka = transposeA ? sa[1] : sa[2];
        int kb = transposeB ? sb[2] : sb[1];
        if (ka != kb) {
            throw new IllegalArgumentException("bmm: inner dimensions differ: a" + (transposeA ? "^T" : "") + " is "
                    + (transposeA ? Shapes.str(sa[0], sa[2], sa[1]) : Shapes.str(sa)) + ", b" + (transposeB ? "^T" : "") + " is "
                    + (transposeB ? Shapes.str(sb[0], sb[2], sb[1]) : Shapes.str(sb)));
        }
        return doBmm(a, b, transposeA, transposeB);
    }

    @Override
    public final Tensor sum(Tensor a) {
        own("a", a);
        return doSum(a);
    }

    @Override
    public final Tensor maxAbs(Tensor a) {
        own("a", a);
        return doMaxAbs(a);
    }

    @Override
    public final Tensor sumToTrailing(Tensor a, int... trailing) {
        own("a", a);
        if (trailing == null || !Shapes.isSuffix(a.shape(), trailing)) {
            throw new IllegalArgumentException("sumToTrailing: " + Shapes.str(trailing) + " is not the trailing part of shape "
                    + Shapes.str(a.shape()));
        }
        return doSumToTrailing(a, trailing.clone());
    }

    @Override
    public final Tensor sumLastAxis(Tensor a) {
        own("a", a);
        if (a.rank() < 1) {
            throw new IllegalArgumentException("sumLastAxis: needs a tensor of rank >= 1, got a scalar");
        }
        return doSumLastAxis(a);
    }

    @Override
    public final Tensor sum(Tensor a, int axis, boolean keepDim) {
        own("a", a);
        return doSumAxis(a, reductionAxis("sum", a, axis), keepDim);
    }

    @Override
    public final Tensor mean(Tensor a, int axis, boolean keepDim) {
        own("a", a);
        int ax = reductionAxis("mean", a, axis);
        if (a.shape()[ax] == 0) {
            throw new IllegalArgumentException("mean: axis " + axis + " of a of shape " + Shapes.str(a.shape())
                    + " is empty; expected at least 1 element");
        }
        return doMeanAxis(a, ax, keepDim);
    }

    @Override
    public final Tensor var(Tensor a, int axis, boolean keepDim, boolean unbiased) {
        own("a", a);
        int ax = reductionAxis("var", a, axis);
        int need = unbiased ? 2 : 1;
        if (a.shape()[ax] < need) {
            throw new IllegalArgumentException("var: axis " + axis + " of a of shape " + Shapes.str(a.shape()) + " has "
                    + a.shape()[ax] + " element(s); the " + (unbiased ? "unbiased" : "biased") + " variance needs at least " + need);
        }
        return doVarAxis(a, ax, keepDim, unbiased);
    }

    @Override
    public final Tensor logSoftmax(Tensor a) {
        own("a", a);
        softmaxRank("logSoftmax: a", a);
        return doLogSoftmax(a, true);
    }

    @Override
    public final Tensor softmax(Tensor a) {
        own("a", a);
        softmaxRank("softmax: a", a);
        return doLogSoftmax(a, false);
    }

    private static void softmaxRank(String what, Tensor a) {
        if (a.rank() < 1) {
            throw new IllegalArgumentException(what + ": expected a tensor of rank >= 1 (softmax runs over the last axis), got shape "
                    + Shapes.str(a.shape()));
        }
    }

    @Override
    public final Tensor logSoftmaxBackward(Tensor y, Tensor gy) {
        own("y", y);
        own("gy", gy);
        sameDType("logSoftmaxBackward", y, gy);
        sameShape("logSoftmaxBackward", y, gy);
        softmaxRank("logSoftmaxBackward: y", y);
        return doLogSoftmaxBackward(y, gy);
    }

    // ---- masks ----

    @Override
    public final Tensor where(Tensor mask, Tensor a, Tensor b) {
        own("mask", mask);
        binary("where", a, b);
        if (mask.dtype() != a.dtype()) {
            throw new IllegalArgumentException("where: dtypes differ: mask is " + mask.dtype() + ", a and b are " + a.dtype()
                    + "; make the mask in the dtype of the values");
        }
        int[] ab = Shapes.broadcast(a.shape(), b.shape());
        int[] out = ab == null ? null : Shapes.broadcast(mask.shape(), ab);
        if (out == null) {
            throw new IllegalArgumentException("where: cannot broadcast mask of shape " + Shapes.str(mask.shape()) + ", a of shape "
                    + Shapes.str(a.shape()) + " and b of shape " + Shapes.str(b.shape())
                    + " together; aligned at the last dimension, the extents must be equal or 1");
        }
        return doWhere(mask, a, b, out);
    }

    @Override
    public final Tensor maskedFill(Tensor a, Tensor mask, double value) {
        own("a", a);
        own("mask", mask);
        if (mask.dtype() != a.dtype()) {
            throw new IllegalArgumentException("maskedFill: dtypes differ: a is " + a.dtype() + ", mask is " + mask.dtype()
                    + "; make the mask in the dtype of a");
        }
        if (!Shapes.broadcastsTo(mask.shape(), a.shape())) {
            throw new IllegalArgumentException("maskedFill: mask of shape " + Shapes.str(mask.shape())
                    + " does not broadcast to a of shape " + Shapes.str(a.shape())
                    + "; aligned at the last dimension, each mask extent must equal a's or be 1");
        }
        return doMaskedFill(a, mask, value);
    }

    // ---- indexing ----

    @Override
    public final Tensor gatherColumns(Tensor a, int[] index) {
        own("a", a);
        Shapes.checkRank("gatherColumns: a", a, 2);
        checkIndex("gatherColumns", index, a.shape()[0], a.shape()[1]);
        return doGatherColumns(a, index);
    }

    @Override
    public final Tensor scatterColumns(Tensor g, int[] index, int columns) {
        own("g", g);
        Shapes.checkRank("scatterColumns: g", g, 1);
        if (columns <= 0) {
            throw new IllegalArgumentException("scatterColumns: columns = " + columns + ", expected >= 1");
        }
        checkIndex("scatterColumns", index, g.shape()[0], columns);
        return doScatterColumns(g, index, columns);
    }

    @Override
    public final Tensor gatherRows(Tensor a, int[] index) {
        own("a", a);
        Shapes.checkRank("gatherRows: a", a, 2);
        if (index == null) {
            throw new IllegalArgumentException("gatherRows: index is null");
        }
        checkIndex("gatherRows", index, index.length, a.shape()[0]);
        return doGatherRows(a, index);
    }

    @Override
    public final Tensor scatterAddRows(Tensor g, int[] index, int rows) {
        own("g", g);
        Shapes.checkRank("scatterAddRows: g", g, 2);
        if (rows <= 0) {
            throw new IllegalArgumentException("scatterAddRows: rows = " + rows + ", expected >= 1");
        }
        checkIndex("scatterAddRows", index, g.shape()[0], rows);
        return doScatterAddRows(g, index, rows);
    }

    // ---- kernels: arguments are validated, shapes are private copies ----

    /** Binary elementwise kernels (all broadcast, see {@link #doBinary}). */
    protected enum BinaryOp { ADD, SUB, MUL, DIV, MAX }

    /** Unary elementwise kernels; TANH, SIGMOID and RELU also have a backward kernel. */
    protected enum UnaryOp { TANH, SIGMOID, RELU, EXP, LOG, SQRT, ABS }

    protected abstract Tensor doFromDoubles(double[] data, DType dtype, int[] shape);

    protected abstract Tensor doFromFloats(float[] data, DType dtype, int[] shape);

    protected abstract Tensor doFull(double value, DType dtype, int[] shape);

    protected abstract Tensor doReshape(Tensor a, int[] shape);

    protected abstract Tensor doTranspose(Tensor a);

    /** {@code axis} is non-negative here. */
    protected abstract Tensor doSlice(Tensor a, int axis, int start, int end);

    /** {@code axis} is non-negative; at least two parts. */
    protected abstract Tensor doConcat(List<Tensor> parts, int axis);

    protected abstract Tensor doCast(Tensor a, DType dtype);

    /**
     * {@code op(a, b)} broadcast to {@code outShape} ({@link Shapes#broadcast} of the two shapes). The
     * common cases are worth a fast path: equal shapes, and b's shape a trailing suffix of a's.
     */
    protected abstract Tensor doBinary(BinaryOp op, Tensor a, Tensor b, int[] outShape);

    protected abstract Tensor doScale(Tensor a, double s);

    protected abstract Tensor doAddScalar(Tensor a, double s);

    protected abstract Tensor doAddScaled(Tensor a, Tensor b, double alpha);

    protected abstract Tensor doUnary(UnaryOp op, Tensor a);

    /** {@code op} is TANH, SIGMOID or RELU; gradient from the op's output {@code y}. */
    protected abstract Tensor doActivationBackward(UnaryOp op, Tensor y, Tensor gy);

    protected abstract Tensor doMatmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

    /** Ranks are 3, batch and inner extents agree. */
    protected abstract Tensor doBmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

    /** {@code alpha * op(a) · op(b) + beta * c} as a new tensor; shapes and dtypes agree. Modifies nothing. */
    protected abstract Tensor doMatmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha,
                                                 double beta);

    /** {@code target = beta * target + alpha * b} in place; one shape and dtype. */
    protected abstract void doAddScaledInPlace(Tensor target, double beta, Tensor b, double alpha);

    protected abstract Tensor doSum(Tensor a);

    protected abstract Tensor doMaxAbs(Tensor a);

    protected abstract Tensor doSumToTrailing(Tensor a, int[] trailing);

    protected abstract Tensor doSumLastAxis(Tensor a);

    /** {@code axis} is non-negative and within the rank. */
    protected abstract Tensor doSumAxis(Tensor a, int axis, boolean keepDim);

    /** {@code axis} is non-negative, within the rank, and not empty. */
    protected abstract Tensor doMeanAxis(Tensor a, int axis, boolean keepDim);

    /** {@code axis} is non-negative, within the rank, with at least 2 elements when {@code unbiased} (1 otherwise). */
    protected abstract Tensor doVarAxis(Tensor a, int axis, boolean keepDim, boolean unbiased);

    /** Log-softmax when {@code log}, else softmax, over the last axis of a tensor of rank >= 1. */
    protected abstract Tensor doLogSoftmax(Tensor a, boolean log);

    /** Ranks are >= 1, shapes equal. */
    protected abstract Tensor doLogSoftmaxBackward(Tensor y, Tensor gy);

    /** Dtypes agree; {@code outShape} is the broadcast of the three shapes. */
    protected abstract Tensor doWhere(Tensor mask, Tensor a, Tensor b, int[] outShape);

    /** Dtypes agree; mask's shape broadcasts to a's. */
    protected abstract Tensor doMaskedFill(Tensor a, Tensor mask, double value);

    protected abstract Tensor doGatherColumns(Tensor a, int[] index);

    protected abstract Tensor doScatterColumns(Tensor g, int[] index, int columns);

    protected abstract Tensor doGatherRows(Tensor a, int[] index);

    protected abstract Tensor doScatterAddRows(Tensor g, int[] index, int rows);
}
