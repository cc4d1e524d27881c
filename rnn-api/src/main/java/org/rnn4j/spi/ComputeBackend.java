package org.rnn4j.spi;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The service-provider interface of a compute backend: the primitive ops that every cell, loss and
 * optimizer in rnn4j is composed of, and the fused kernels a backend may offer. This is what a backend
 * author implements (by extending {@link AbstractBackend}, which validates every argument before calling
 * the backend's kernel) and what {@code org.rnn4j.autograd.F} calls; users hold the narrower
 * {@link Backend} and compute through {@code F}.
 *
 * <p>All ops but {@link #addScaledInPlace} are pure: they never modify their arguments and return a new
 * tensor of the same dtype as their inputs; {@link #addScaledInPlace} updates its first argument, for
 * optimizers updating the parameter and state tensors they own. Binary elementwise ops ({@link #add}, {@link #sub}, {@link #mul}, {@link #div},
 * {@link #maximum}) and {@link #where} broadcast their arguments as numpy and PyTorch do (see
 * {@link org.rnn4j.tensor.Shapes#broadcast}): shapes are aligned at the last dimension, a missing
 * leading dimension or an extent of 1 is repeated, so a bias {@code [N]} adds to {@code [M, N]},
 * {@code [N, H] - [N, 1]} subtracts a per-row value and {@code [B, T, S] + [B, 1, S]} adds one row
 * per batch to every step; the result has the broadcast shape.
 *
 * <p>Masks ({@link #where}, {@link #maskedFill}) are tensors of the same dtype holding 0 and 1: an
 * element that is not 0 counts as set.
 */
public interface ComputeBackend extends Backend {

    /**
     * The compute backend that owns {@code t}.
     *
     * @throws IllegalArgumentException when {@code t} is null or its backend does not implement this SPI
     */
    static ComputeBackend of(Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("tensor is null");
        }
        return of(t.backend());
    }

    /**
     * {@code backend} as a compute backend.
     *
     * @throws IllegalArgumentException when it is null or does not implement this SPI
     */
    static ComputeBackend of(Backend backend) {
        if (backend instanceof ComputeBackend c) {
            return c;
        }
        throw new IllegalArgumentException(backend == null ? "backend is null"
                : "backend '" + backend.name() + "' (" + backend.getClass().getName()
                + ") does not implement org.rnn4j.spi.ComputeBackend; extend org.rnn4j.spi.AbstractBackend");
    }

    // ---- layout ----

    /** Same data with a new shape of equal size. */
    Tensor reshape(Tensor a, int... shape);

    /** Transpose of a 2-D tensor: {@code [M, N] -> [N, M]}. */
    Tensor transpose(Tensor a);

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code axis}. */
    Tensor slice(Tensor a, int axis, int start, int end);

    /** Concatenation along {@code axis}; all parts agree on every other dimension. */
    Tensor concat(List<Tensor> parts, int axis);

    /** Converts to another dtype (a copy even when the dtype is the same). */
    Tensor cast(Tensor a, DType dtype);

    // ---- elementwise ----

    /** {@code a + b}, broadcast (see class doc); the result has the broadcast shape. */
    Tensor add(Tensor a, Tensor b);

    /** {@code a - b}, broadcast. */
    Tensor sub(Tensor a, Tensor b);

    /** {@code a * b} elementwise, broadcast. */
    Tensor mul(Tensor a, Tensor b);

    /** {@code a / b} elementwise, broadcast. */
    Tensor div(Tensor a, Tensor b);

    /** Elementwise maximum, broadcast; NaN when either element is NaN. */
    Tensor maximum(Tensor a, Tensor b);

    /** {@code a * s}. */
    Tensor scale(Tensor a, double s);

    /** {@code a + s}. */
    Tensor addScalar(Tensor a, double s);

    /** {@code a + alpha * b} for two tensors of one shape (the optimizers' workhorse). */
    Tensor addScaled(Tensor a, Tensor b, double alpha);

    /** Hyperbolic tangent. */
    Tensor tanh(Tensor a);

    /** Logistic sigmoid {@code 1 / (1 + exp(-a))}. */
    Tensor sigmoid(Tensor a);

    /** {@code max(a, 0)}. */
    Tensor relu(Tensor a);

    /** Natural exponential. */
    Tensor exp(Tensor a);

    /** Natural logarithm. */
    Tensor log(Tensor a);

    /** Square root. */
    Tensor sqrt(Tensor a);

    /** Absolute value. */
    Tensor abs(Tensor a);

    /** Gradient of tanh from its output: {@code gy * (1 - y^2)}. */
    Tensor tanhBackward(Tensor y, Tensor gy);

    /** Gradient of sigmoid from its output: {@code gy * y * (1 - y)}. */
    Tensor sigmoidBackward(Tensor y, Tensor gy);

    /** Gradient of relu from its output: {@code gy} where {@code y > 0}, else 0. */
    Tensor reluBackward(Tensor y, Tensor gy);

    // ---- linear algebra and reductions ----

    /** 2-D matrix product {@code op(a) · op(b)} where op transposes when asked. */
    Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

    /**
     * Batched matrix product: one {@link #matmul} per batch entry, {@code op(a[i]) · op(b[i])}, where op
     * transposes the last two dimensions when asked: {@code a [B, M, K]} ({@code [B, K, M]} when
     * {@code transposeA}), {@code b [B, K, N]} ({@code [B, N, K]} when {@code transposeB}), result
     * {@code [B, M, N]}. Both batch extents must be equal (no broadcasting).
     */
    Tensor bmm(Tensor a, Tensor b, boolean transposeA, boolean transposeB);

    /** Sum of all elements, as a rank-0 tensor. */
    Tensor sum(Tensor a);

    /** Largest absolute value of all elements, as a rank-0 tensor. */
    Tensor maxAbs(Tensor a);

    /**
     * Sums over the leading dimensions so that the result has shape {@code trailing}, which must equal
     * the trailing dimensions of {@code a} (the reverse of suffix broadcasting).
     */
    Tensor sumToTrailing(Tensor a, int... trailing);

    /** Sums over the last axis: {@code [.., N] -> [..]}. */
    Tensor sumLastAxis(Tensor a);

    /**
     * Sum along {@code axis} (negative counts from the end): the axis is removed, or kept with extent 1
     * when {@code keepDim} ({@code [2, 3, 4]} on axis 1 gives {@code [2, 4]} or {@code [2, 1, 4]}).
     */
    Tensor sum(Tensor a, int axis, boolean keepDim);

    /** Mean along {@code axis}, shaped as {@link #sum(Tensor, int, boolean)}; the axis must not be empty. */
    Tensor mean(Tensor a, int axis, boolean keepDim);

    /**
     * Variance along {@code axis}, shaped as {@link #sum(Tensor, int, boolean)}: the mean squared
     * deviation from the mean, divided by {@code n - 1} when {@code unbiased} (then the axis needs at
     * least two elements), else by {@code n}.
     */
    Tensor var(Tensor a, int axis, boolean keepDim, boolean unbiased);

    /** Log-softmax over the last axis of a tensor of rank >= 1. */
    Tensor logSoftmax(Tensor a);

    /** Softmax over the last axis of a tensor of rank >= 1. */
    Tensor softmax(Tensor a);

    /** Gradient of log-softmax from its output {@code y}: {@code gy - exp(y) * sum(gy)} over the last axis. */
    Tensor logSoftmaxBackward(Tensor y, Tensor gy);

    // ---- masks ----

    /**
     * {@code mask ? a : b} elementwise, all three broadcast together (see class doc); the result has the
     * broadcast shape. {@code mask} holds 0 and 1 in the dtype of {@code a} and {@code b}.
     */
    Tensor where(Tensor mask, Tensor a, Tensor b);

    /**
     * A copy of {@code a} with {@code value} wherever {@code mask} is set; {@code mask} (0 and 1, a's
     * dtype) must broadcast to a's shape, which the result has. {@code value} may be infinite
     * ({@code -inf} before a softmax hides a position).
     */
    Tensor maskedFill(Tensor a, Tensor mask, double value);

    // ---- indexing ----

    /** {@code out[n] = a[n, index[n]]} for a 2-D {@code a} of shape {@code [N, C]}; {@code index} in {@code [0, C)}. */
    Tensor gatherColumns(Tensor a, int[] index);

    /** Inverse of {@link #gatherColumns}: a {@code [N, columns]} tensor of zeros with {@code g[n]} at {@code (n, index[n])}. */
    Tensor scatterColumns(Tensor g, int[] index, int columns);

    /** {@code out[n, :] = a[index[n], :]} for a 2-D {@code a} of shape {@code [V, E]} (embedding lookup). */
    Tensor gatherRows(Tensor a, int[] index);

    /** Inverse of {@link #gatherRows}: a {@code [rows, E]} tensor where row {@code index[n]} accumulates {@code g[n, :]}. */
    Tensor scatterAddRows(Tensor g, int[] index, int rows);

    // ---- accumulation and in-place updates ----

    /**
     * {@code alpha * op(a) · op(b) + beta * c} as a new tensor, where {@code c} has the product's shape
     * {@code [M, N]}: accumulating a product into a sum (a weight's gradient summed over the steps or uses
     * of the weight). Modifies nothing. How the two terms are rounded is the backend's choice (a BLAS
     * {@code beta}, or the product first and then the sum); the cpu and nd4j backends compute the product
     * first, so that {@code alpha = beta = 1} gives exactly {@code add(c, matmul(a, b, ..))}.
     */
    Tensor matmulAccumulate(Tensor c, Tensor a, Tensor b, boolean transposeA, boolean transposeB, double alpha, double beta);

    /**
     * Updates {@code target} in place to {@code beta * target + alpha * b} (two tensors of one shape and
     * dtype; {@code b} not {@code target} itself), rounding as {@code addScaled(scale(target, beta), b, alpha)}
     * does, with the scale skipped when {@code beta == 1}. The only op that modifies an argument: {@code target} and nothing else. For
     * optimizers, on parameter and state tensors that no one else holds: every tensor sharing
     * {@code target}'s storage sees the change.
     */
    void addScaledInPlace(Tensor target, double beta, Tensor b, double alpha);

    // ---- fused kernels ----

    /**
     * The fused kernel this backend offers for {@code kind} (see {@link KernelKind}), or empty when the
     * composed primitives should be used.
     */
    default Optional<FusedKernel> fused(KernelKind kind) {
        return Optional.empty();
    }

    /**
     * {@link #fused} for a cell-step kind, typed.
     *
     * @throws IllegalArgumentException when {@code kind} is null or a sequence kind
     */
    default Optional<CellKernel> cellKernel(KernelKind kind) {
        if (kind == null || kind.sequence()) {
            throw new IllegalArgumentException("cellKernel: " + (kind == null ? "kind is null" : kind.id() + " is a sequence kind")
                    + "; expected one of the *_CELL kinds (use sequenceKernel for the *_SEQUENCE kinds)");
        }
        return fused(kind).map(CellKernel.class::cast);
    }

    /**
     * {@link #fused} for a whole-sequence kind, typed.
     *
     * @throws IllegalArgumentException when {@code kind} is null or a cell-step kind
     */
    default Optional<SequenceKernel> sequenceKernel(KernelKind kind) {
        if (kind == null || !kind.sequence()) {
            throw new IllegalArgumentException("sequenceKernel: " + (kind == null ? "kind is null" : kind.id() + " is a cell-step kind")
                    + "; expected one of the *_SEQUENCE kinds (use cellKernel for the *_CELL kinds)");
        }
        return fused(kind).map(SequenceKernel.class::cast);
    }

    /** The kinds this backend offers a fused kernel for, in {@link KernelKind} order (for diagnostics). */
    default Set<KernelKind> fusedKinds() {
        Set<KernelKind> kinds = EnumSet.noneOf(KernelKind.class);
        for (KernelKind k : KernelKind.values()) {
            if (fused(k).isPresent()) {
                kinds.add(k);
            }
        }
        return kinds;
    }
}
