package org.rnn4j.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Differentiable ops on {@link Var}s, each a thin layer over one {@link Backend} primitive plus its
 * backward rule. Anything composed from these (a user's own cell included) gets its backward pass
 * for free. Arguments are never modified. Shapes follow the backend primitive of the same name.
 */
public final class F {
    private F() {
    }

    // ---- graph plumbing ----

    /** Whether an op on {@code inputs} records a node now: recording is on and some input requires a gradient. */
    static boolean track(Var... inputs) {
        return Grad.recording(inputs);
    }

    /** Records a single-output op whose backward maps the output gradient to the input gradients. */
    private static Var record(String name, Tensor out, Function<Tensor, Tensor[]> backward, Var... inputs) {
        if (!track(inputs)) {
            return Var.constant(out);
        }
        Node node = new Node(name, 1, inputs) {
            @Override
            protected Tensor[] backward(Tensor[] outputGradients) {
                return backward.apply(outputGradients[0]);
            }
        };
        return new Var(out, true, node, 0);
    }

    private static ComputeBackend be(Var v) {
        return ComputeBackend.of(v.value());
    }

    /**
     * The gradient {@code g} of a broadcast result summed back to an input's {@code shape}: over the
     * leading dimensions the input lacks, and over each dimension where the input has extent 1 and
     * {@code g} does not. {@code g} itself when the shapes agree.
     */
    private static Tensor reduceTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        ComputeBackend k = ComputeBackend.of(g);
        if (Shapes.isSuffix(gs, shape)) {
            return k.sumToTrailing(g, shape);
        }
        int lead = gs.length - shape.length;
        Tensor r = lead > 0 ? k.sumToTrailing(g, Arrays.copyOfRange(gs, lead, gs.length)) : g;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1 && gs[lead + i] != 1) {
                Tensor next = k.sum(r, i, true);
                if (r != g) {
                    r.close();
                }
                r = next;
            }
        }
        return r;
    }

    /** {@link #reduceTo} of a temporary {@code t}, which is closed when the result is a new tensor. */
    private static Tensor reduceOwned(Tensor t, int[] shape) {
        Tensor r = reduceTo(t, shape);
        if (r != t) {
            t.close();
        }
        return r;
    }

    // ---- arithmetic ----

    /**
     * {@code a + b}, broadcast numpy-style (see {@link ComputeBackend}): a bias {@code [N]} over
     * {@code [M, N]}, {@code [N, H] + [N, 1]}, {@code [B, T, S] + [B, 1, S]}; each gradient is summed
     * back to its input's shape.
     */
    public static Var add(Var a, Var b) {
        Tensor out = be(a).add(a.value(), b.value());
        int[] as = a.shape();
        int[] bs = b.shape();
        return record("add", out, g -> new Tensor[] {
            a.requiresGrad() ? reduceTo(g, as) : null,
            b.requiresGrad() ? reduceTo(g, bs) : null}, a, b);
    }

    /** {@code a - b}, broadcast as {@link #add}. */
    public static Var sub(Var a, Var b) {
        Tensor out = be(a).sub(a.value(), b.value());
        int[] as = a.shape();
        int[] bs = b.shape();
        return record("sub", out, g -> new Tensor[] {
            a.requiresGrad() ? reduceTo(g, as) : null,
            b.requiresGrad() ? reduceOwned(ComputeBackend.of(g).scale(g, -1), bs) : null}, a, b);
    }

    /** {@code a * b} elementwise, broadcast as {@link #add}. */
    public static Var mul(Var a, Var b) {
        Tensor av = a.value();
        Tensor bv = b.value();
        Tensor out = be(a).mul(av, bv);
        return record("mul", out, g -> new Tensor[] {
            a.requiresGrad() ? reduceOwned(ComputeBackend.of(g).mul(g, bv), av.shape()) : null,
            b.requiresGrad() ? reduceOwned(ComputeBackend.of(g).mul(g, av), bv.shape()) : null}, a, b);
    }

    /** {@code a / b} elementwise, broadcast as {@link #add}. */
    public static Var div(Var a, Var b) {
        Tensor av = a.value();
        Tensor bv = b.value();
        ComputeBackend k = be(a);
        Tensor out = k.div(av, bv);
        return record("div", out, g -> new Tensor[] {
            a.requiresGrad() ? reduceTo(k.div(g, bv), av.shape()) : null,
            b.requiresGrad() ? reduceTo(k.scale(k.div(k.mul(g, out), bv), -1), bv.shape()) : null}, a, b);
    }

    /** {@code a * s}. */
    public static Var scale(Var a, double s) {
        return record("scale", be(a).scale(a.value(), s), g -> new Tensor[] {ComputeBackend.of(g).scale(g, s)}, a);
    }

    /** {@code a + s}. */
    public static Var addScalar(Var a, double s) {
        return record("addScalar", be(a).addScalar(a.value(), s), g -> new Tensor[] {g}, a);
    }

    /** {@code -a}. */
    public static Var neg(Var a) {
        return scale(a, -1);
    }

    /** {@code 1 - a}, the complement used by gates. */
    public static Var oneMinus(Var a) {
        return addScalar(scale(a, -1), 1);
    }

    // ---- activations ----

    /** Hyperbolic tangent. */
    public static Var tanh(Var a) {
        Tensor y = be(a).tanh(a.value());
        return record("tanh", y, g -> new Tensor[] {ComputeBackend.of(g).tanhBackward(y, g)}, a);
    }

    /** Logistic sigmoid. */
    public static Var sigmoid(Var a) {
        Tensor y = be(a).sigmoid(a.value());
        return record("sigmoid", y, g -> new Tensor[] {ComputeBackend.of(g).sigmoidBackward(y, g)}, a);
    }

    /** {@code max(a, 0)}. */
    public static Var relu(Var a) {
        Tensor y = be(a).relu(a.value());
        return record("relu", y, g -> new Tensor[] {ComputeBackend.of(g).reluBackward(y, g)}, a);
    }

    /**
     * {@code log(sigmoid(a)) = -softplus(-a)}, computed stably as {@code -(max(-a, 0) + log(1 + exp(-|a|)))}
     * (no overflow for large {@code |a|}), with the exact gradient {@code sigmoid(-a)} (also at {@code a = 0},
     * where the composed max and |a| have kinks).
     */
    public static Var logSigmoid(Var a) {
        ComputeBackend k = be(a);
        Tensor x = a.value();
        Tensor negX = k.scale(x, -1);
        Tensor y = k.scale(k.add(k.relu(negX), k.log(k.addScalar(k.exp(k.scale(k.abs(x), -1)), 1))), -1);
        return record("logSigmoid", y, g -> new Tensor[] {ComputeBackend.of(g).mul(g, k.sigmoid(negX))}, a);
    }

    /** Natural exponential. */
    public static Var exp(Var a) {
        Tensor y = be(a).exp(a.value());
        return record("exp", y, g -> new Tensor[] {ComputeBackend.of(g).mul(g, y)}, a);
    }

    /** Natural logarithm. */
    public static Var log(Var a) {
        Tensor x = a.value();
        return record("log", be(a).log(x), g -> new Tensor[] {ComputeBackend.of(g).div(g, x)}, a);
    }

    /** Square root; its gradient {@code g / (2 sqrt(a))} is infinite at 0. */
    public static Var sqrt(Var a) {
        Tensor y = be(a).sqrt(a.value());
        return record("sqrt", y, g -> {
            ComputeBackend k = ComputeBackend.of(g);
            return new Tensor[] {k.div(k.scale(g, 0.5), y)};
        }, a);
    }

    // ---- linear algebra ----

    /**
     * 2-D product {@code op(a) · op(b)}. Its backward pass adds each input's gradient (itself a product)
     * into the gradient summed so far with one {@code matmulAccumulate}.
     */
    public static Var matmul(Var a, Var b, boolean transposeA, boolean transposeB) {
        Tensor out = be(a).matmul(a.value(), b.value(), transposeA, transposeB);
        if (!track(a, b)) {
            return Var.constant(out);
        }
        return new ProductNode(a, b, transposeA, transposeB).record(out)[0];
    }

    /** {@code a · b}. */
    public static Var matmul(Var a, Var b) {
        return matmul(a, b, false, false);
    }

    /**
     * Batched matrix product {@code op(a[i]) · op(b[i])} for every batch entry {@code i}, op transposing
     * the last two dimensions when asked: {@code a [B, M, K]} ({@code [B, K, M]} when
     * {@code transposeA}), {@code b [B, K, N]} ({@code [B, N, K]} when {@code transposeB}); result
     * {@code [B, M, N]}.
     */
    public static Var bmm(Var a, Var b, boolean transposeA, boolean transposeB) {
        Tensor av = a.value();
        Tensor bv = b.value();
        ComputeBackend k = be(a);
        Tensor out = k.bmm(av, bv, transposeA, transposeB);
        return record("bmm", out, g -> new Tensor[] {
            a.requiresGrad() ? (transposeA ? k.bmm(bv, g, transposeB, true) : k.bmm(g, bv, false, !transposeB)) : null,
            b.requiresGrad() ? (transposeB ? k.bmm(g, av, true, transposeA) : k.bmm(av, g, !transposeA, false)) : null}, a, b);
    }

    /** {@code [B, M, K] x [B, K, N] -> [B, M, N]}. */
    public static Var bmm(Var a, Var b) {
        return bmm(a, b, false, false);
    }

    /**
     * PyTorch's linear map {@code x · weight^T + bias} over the last dimension: {@code x [..., in]} (any
     * leading dimensions, e.g. {@code [N, in]} or {@code [B, T, in]}), {@code weight [out, in]},
     * {@code bias [out]} or null; result {@code [..., out]}. Leading dimensions are flattened around one
     * 2-D product.
     */
    public static Var linear(Var x, Var weight, Var bias) {
        int[] s = x.shape();
        if (s.length != 2) {
            if (s.length == 0) {
                throw new IllegalArgumentException("linear: x must have rank >= 1 ([..., in]), got a scalar (shape [])");
            }
            int in = s[s.length - 1];
            Var y = linear(reshape(x, Shapes.prefixSize(s, s.length - 1), in), weight, bias);
            int[] out = s.clone();
            out[s.length - 1] = y.dim(1);
            return reshape(y, out);
        }
        Var y = matmul(x, weight, false, true);
        return bias == null ? y : add(y, bias);
    }

    // ---- reductions ----

    /** Sum of all elements (rank 0). */
    public static Var sum(Var a) {
        int[] shape = a.shape();
        Tensor out = be(a).sum(a.value());
        return record("sum", out, g -> new Tensor[] {broadcast(g, shape)}, a);
    }

    /** Mean of all elements (rank 0). */
    public static Var mean(Var a) {
        return scale(sum(a), 1.0 / a.value().size());
    }

    /** Sums over the last axis: {@code [.., N] -> [..]}. */
    public static Var sumLastAxis(Var a) {
        int[] shape = a.shape();
        Tensor out = be(a).sumLastAxis(a.value());
        return record("sumLastAxis", out, g -> {
            ComputeBackend k = ComputeBackend.of(g);
            int n = shape[shape.length - 1];
            Tensor col = k.reshape(g, g.size(), 1);
            Tensor ones = k.full(1.0, g.dtype(), 1, n);
            return new Tensor[] {k.reshape(k.matmul(col, ones, false, false), shape)};
        }, a);
    }

    /**
     * Sum along {@code axis} (negative counts from the end), removing it, or keeping it with extent 1
     * when {@code keepDim}: {@code [B, T, H]} on axis 1 gives {@code [B, H]} or {@code [B, 1, H]}.
     */
    public static Var sum(Var a, int axis, boolean keepDim) {
        int[] shape = a.shape();
        int[] kept = keptShape(shape, axis);
        Tensor out = be(a).sum(a.value(), axis, keepDim);
        return record("sumAxis", out, g -> new Tensor[] {broadcast(ComputeBackend.of(g).reshape(g, kept), shape)}, a);
    }

    /** Mean along {@code axis}, shaped as {@link #sum(Var, int, boolean)}. */
    public static Var mean(Var a, int axis, boolean keepDim) {
        int[] shape = a.shape();
        int[] kept = keptShape(shape, axis);
        Tensor out = be(a).mean(a.value(), axis, keepDim);
        int n = shape[Shapes.axis(axis, shape.length)];
        return record("meanAxis", out, g -> {
            ComputeBackend k = ComputeBackend.of(g);
            return new Tensor[] {broadcast(k.scale(k.reshape(g, kept), 1.0 / n), shape)};
        }, a);
    }

    /**
     * Variance along {@code axis}, shaped as {@link #sum(Var, int, boolean)}: the mean squared deviation
     * from the mean, divided by {@code n - 1} when {@code unbiased} (Bessel's correction, PyTorch's
     * default) or by {@code n} (what normalisation layers use).
     */
    public static Var var(Var a, int axis, boolean keepDim, boolean unbiased) {
        int[] shape = a.shape();
        int[] kept = keptShape(shape, axis);
        Tensor x = a.value();
        ComputeBackend k = be(a);
        Tensor out = k.var(x, axis, keepDim, unbiased);
        int n = shape[Shapes.axis(axis, shape.length)];
        return record("varAxis", out, g -> {
            // d var / d x_i = 2 (x_i - mean) / (n - ddof)
            ComputeBackend kg = ComputeBackend.of(g);
            Tensor centred = kg.sub(x, kg.mean(x, axis, true));
            Tensor scaled = kg.scale(kg.reshape(g, kept), 2.0 / (unbiased ? n - 1 : n));
            return new Tensor[] {kg.mul(centred, scaled)};
        }, a);
    }

    /** {@code shape} with the extent of {@code axis} set to 1 (checking the axis). */
    private static int[] keptShape(int[] shape, int axis) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("reduction along an axis: needs a tensor of rank >= 1, got a scalar (shape [])");
        }
        int[] kept = shape.clone();
        kept[Shapes.axis(axis, shape.length)] = 1;
        return kept;
    }

    private static Tensor broadcast(Tensor g, int[] shape) {
        ComputeBackend k = ComputeBackend.of(g);
        Tensor zeros = k.zeros(g.dtype(), shape);
        Tensor out = k.add(zeros, g);
        zeros.close();
        return out;
    }

    // ---- layout ----

    /** Same data, new shape. */
    public static Var reshape(Var a, int... shape) {
        int[] orig = a.shape();
        return record("reshape", be(a).reshape(a.value(), shape), g -> new Tensor[] {ComputeBackend.of(g).reshape(g, orig)}, a);
    }

    /** 2-D transpose. */
    public static Var transpose(Var a) {
        return record("transpose", be(a).transpose(a.value()), g -> new Tensor[] {ComputeBackend.of(g).transpose(g)}, a);
    }

    /** Elements {@code [start, end)} along {@code axis}. */
    public static Var slice(Var a, int axis, int start, int end) {
        int[] shape = a.shape();
        int ax = Shapes.axis(axis, shape.length);
        Tensor out = be(a).slice(a.value(), ax, start, end);
        return record("slice", out, g -> new Tensor[] {padInto(g, ax, start, shape)}, a);
    }

    /** Places {@code g} at {@code start} along {@code axis} in a zero tensor of {@code fullShape}. */
    private static Tensor padInto(Tensor g, int axis, int start, int[] fullShape) {
        ComputeBackend k = ComputeBackend.of(g);
        int n = g.shape()[axis];
        List<Tensor> parts = new ArrayList<>(3);
        if (start > 0) {
            int[] s = fullShape.clone();
            s[axis] = start;
            parts.add(k.zeros(g.dtype(), s));
        }
        parts.add(g);
        int after = fullShape[axis] - start - n;
        if (after > 0) {
            int[] s = fullShape.clone();
            s[axis] = after;
            parts.add(k.zeros(g.dtype(), s));
        }
        return parts.size() == 1 ? g : k.concat(parts, axis);
    }

    /** Concatenation along {@code axis}. */
    public static Var concat(List<Var> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one Var");
        }
        List<Tensor> values = new ArrayList<>(parts.size());
        for (Var p : parts) {
            values.add(p.value());
        }
        Var first = parts.get(0);
        int ax = Shapes.axis(axis, first.shape().length);
        Tensor out = be(first).concat(values, ax);
        int[] sizes = new int[parts.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = values.get(i).shape()[ax];
        }
        return record("concat", out, g -> {
            Tensor[] grads = new Tensor[sizes.length];
            int off = 0;
            for (int i = 0; i < sizes.length; i++) {
                if (parts.get(i).requiresGrad()) {
                    grads[i] = ComputeBackend.of(g).slice(g, ax, off, off + sizes[i]);
                }
                off += sizes[i];
            }
            return grads;
        }, parts.toArray(new Var[0]));
    }

    /** Concatenation along {@code axis}. */
    public static Var concat(int axis, Var... parts) {
        return concat(Arrays.asList(parts), axis);
    }

    /**
     * Splits {@code a} along {@code axis} into its slices with that axis removed ({@code [B,T,H]} on
     * axis 1 gives T tensors {@code [B,H]}), as one graph node: unlike T separate slices, the backward
     * pass assembles the gradient once, so a whole sequence costs O(T), not O(T^2).
     */
    public static Var[] unbind(Var a, int axis) {
        int[] shape = a.shape();
        int ax = Shapes.axis(axis, shape.length);
        int n = shape[ax];
        ComputeBackend k = be(a);
        int[] pieceShape = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != ax) {
                pieceShape[j++] = shape[i];
            }
        }
        int[] keptShape = shape.clone();
        keptShape[ax] = 1;
        Tensor[] outs = new Tensor[n];
        for (int i = 0; i < n; i++) {
            outs[i] = k.reshape(k.slice(a.value(), ax, i, i + 1), pieceShape);
        }
        if (!track(a)) {
            Var[] vars = new Var[n];
            for (int i = 0; i < n; i++) {
                vars[i] = Var.constant(outs[i]);
            }
            return vars;
        }
        return new Node("unbind", n, a) {
            @Override
            protected Tensor[] backward(Tensor[] outputGradients) {
                List<Tensor> parts = new ArrayList<>(n);
                Tensor zero = null;
                for (Tensor g : outputGradients) {
                    if (g == null) {
                        if (zero == null) {
                            zero = k.zeros(a.dtype(), keptShape);
                        }
                        parts.add(zero);
                    } else {
                        parts.add(k.reshape(g, keptShape));
                    }
                }
                return new Tensor[] {k.concat(parts, ax)};
            }
        }.record(outs);
    }

    /** Stacks tensors of one shape along a new axis {@code axis} (the inverse of {@link #unbind}). */
    public static Var stack(List<Var> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one Var");
        }
        int[] shape = parts.get(0).shape();
        int ax = Shapes.axis(axis, shape.length + 1);
        int[] kept = new int[shape.length + 1];
        for (int i = 0, j = 0; i < kept.length; i++) {
            kept[i] = i == ax ? 1 : shape[j++];
        }
        List<Var> reshaped = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Var p = parts.get(i);
            if (!Arrays.equals(p.shape(), shape)) {
                throw new IllegalArgumentException("stack: parts[" + i + "] has shape " + Shapes.str(p.shape())
                        + ", parts[0] has " + Shapes.str(shape) + "; all parts must have one shape");
            }
            reshaped.add(reshape(p, kept));
        }
        return concat(reshaped, ax);
    }

    // ---- softmax and indexing ----

    /** Log-softmax over the last axis of a tensor of any rank >= 1 ({@code [N, C]}, {@code [B, T, S]}, ...). */
    public static Var logSoftmax(Var a) {
        Tensor y = be(a).logSoftmax(a.value());
        return record("logSoftmax", y, g -> new Tensor[] {ComputeBackend.of(g).logSoftmaxBackward(y, g)}, a);
    }

    /**
     * Softmax over the last axis of a tensor of any rank >= 1. Positions set to {@code -inf} (by
     * {@link #maskedFill}) get weight 0, as long as each row keeps one finite value.
     */
    public static Var softmax(Var a) {
        return exp(logSoftmax(a));
    }

    // ---- masks ----

    /**
     * A copy of {@code a} with {@code value} wherever {@code mask} is 1 (PyTorch's {@code masked_fill}):
     * {@code mask} holds 0 and 1 in a's dtype and broadcasts to a's shape ({@code [B, 1, S]} over
     * scores {@code [B, T, S]}). Filled positions pass no gradient to {@code a}; the mask gets none.
     */
    public static Var maskedFill(Var a, Tensor mask, double value) {
        Tensor out = be(a).maskedFill(a.value(), mask, value);
        return record("maskedFill", out, g -> new Tensor[] {ComputeBackend.of(g).maskedFill(g, mask, 0.0)}, a);
    }

    /** {@link #maskedFill(Var, Tensor, double)} with the mask's value; the mask gets no gradient. */
    public static Var maskedFill(Var a, Var mask, double value) {
        return maskedFill(a, mask.value(), value);
    }

    /**
     * {@code mask ? a : b} elementwise (PyTorch's {@code torch.where}), the three broadcast together;
     * {@code mask} holds 0 and 1 in the values' dtype. Each of {@code a} and {@code b} receives the
     * gradient of the positions it supplied, summed back to its shape; the mask gets none.
     */
    public static Var where(Tensor mask, Var a, Var b) {
        Tensor out = be(a).where(mask, a.value(), b.value());
        int[] as = a.shape();
        int[] bs = b.shape();
        return record("where", out, g -> {
            ComputeBackend k = ComputeBackend.of(g);
            Tensor zero = k.zeros(g.dtype());
            return new Tensor[] {
                a.requiresGrad() ? reduceTo(k.where(mask, g, zero), as) : null,
                b.requiresGrad() ? reduceTo(k.where(mask, zero, g), bs) : null};
        }, a, b);
    }

    /** {@link #where(Tensor, Var, Var)} with the mask's value; the mask gets no gradient. */
    public static Var where(Var mask, Var a, Var b) {
        return where(mask.value(), a, b);
    }

    /** {@code out[n] = a[n, index[n]]} for {@code a [N, C]}; result {@code [N]}. */
    public static Var gatherColumns(Var a, int[] index) {
        int columns = a.dim(1);
        int[] idx = index.clone();
        return record("gatherColumns", be(a).gatherColumns(a.value(), idx),
                g -> new Tensor[] {ComputeBackend.of(g).scatterColumns(g, idx, columns)}, a);
    }

    /** Embedding lookup: {@code out[n, :] = table[index[n], :]} for {@code table [V, E]}; result {@code [n, E]}. */
    public static Var gatherRows(Var table, int[] index) {
        int rows = table.dim(0);
        int[] idx = index.clone();
        return record("gatherRows", be(table).gatherRows(table.value(), idx),
                g -> new Tensor[] {ComputeBackend.of(g).scatterAddRows(g, idx, rows)}, table);
    }

    /**
     * Embedding lookup with a padding row, as PyTorch's {@code F.embedding(index, table, padding_idx)}:
     * {@code out[n, :] = table[index[n], :]} ({@code [N, E]} for a {@code [V, E]} table), where positions
     * whose index equals {@code paddingIdx} send no gradient to the table (the padding row's value is
     * still returned). A negative {@code paddingIdx} means none, as {@link #gatherRows}.
     */
    public static Var embedding(Var table, int[] index, int paddingIdx) {
        if (paddingIdx < 0) {
            return gatherRows(table, index);
        }
        int rows = table.dim(0);
        int[] idx = index.clone();
        int count = 0;
        for (int i : idx) {
            count += i == paddingIdx ? 0 : 1;
        }
        int kept = count;
        int[] keepPos = new int[kept];
        int[] keepIdx = new int[kept];
        for (int n = 0, j = 0; n < idx.length; n++) {
            if (idx[n] != paddingIdx) {
                keepPos[j] = n;
                keepIdx[j++] = idx[n];
            }
        }
        return record("embedding", be(table).gatherRows(table.value(), idx), g -> {
            ComputeBackend k = ComputeBackend.of(g);
            Tensor gt = kept == idx.length ? k.scatterAddRows(g, idx, rows)
                    : kept == 0 ? k.zeros(g.dtype(), rows, g.dim(1))
                    : k.scatterAddRows(k.gatherRows(g, keepPos), keepIdx, rows);
            return new Tensor[] {gt};
        }, table);
    }

}
