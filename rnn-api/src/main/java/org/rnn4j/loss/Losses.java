package org.rnn4j.loss;

import org.rnn4j.spi.ComputeBackend;

import java.util.Arrays;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Loss functions with PyTorch 1.13's semantics ({@code torch.nn.functional.cross_entropy},
 * {@code nll_loss}, {@code mse_loss}, {@code binary_cross_entropy_with_logits}, {@code huber_loss}). Each
 * is composed of differentiable {@link F} ops, so calling {@link Var#backward()} on the result fills
 * the gradients of every parameter the input depends on; no backend needs loss-specific code.
 *
 * <p>Every argument is validated before anything is computed, with a message naming the argument,
 * what was given and what was expected. No argument is modified. Results are rank-0 {@code Var}s for
 * {@link Reduction#MEAN} and {@link Reduction#SUM}, and unreduced for {@link Reduction#NONE}.
 *
 * <p><b>Masking padded sequence positions.</b> For the class losses ({@link #crossEntropy},
 * {@link #nll}) flatten a batch of sequences {@code [B, T, C]} to {@code [B*T, C]} and give padded
 * positions the target {@code ignoreIndex} (default {@code -100}): they then add nothing to the
 * loss or its gradient, and the mean divides by the (weighted) count of the other rows only. For
 * {@link #mse(Var, Var, Tensor, Reduction)} pass a mask of 1s (valid) and 0s (padded).
 */
public final class Losses {
    private Losses() {
    }

    // ---- cross-entropy ----

    /**
     * Cross-entropy of logits against class indices with PyTorch's defaults: mean over rows, no class
     * weights, ignore index {@code -100}, no label smoothing.
     *
     * @param logits unnormalised scores {@code [N, C]}
     * @param target {@code N} class indices in {@code [0, C)}, or {@code -100} for an ignored row
     * @return the rank-0 mean loss
     */
    public static Var crossEntropy(Var logits, int[] target) {
        return crossEntropy(logits, target, CrossEntropyOptions.defaults());
    }

    /**
     * Cross-entropy {@code -log_softmax(logits)[n, target[n]]} per row, as
     * {@code torch.nn.functional.cross_entropy} (PyTorch 1.13) with class weights, an ignore index and
     * label smoothing.
     *
     * <p>With {@code w} the class weights (ones when absent), {@code lp = log_softmax(logits)},
     * {@code eps} the label smoothing and rows whose target is the ignore index contributing 0:
     * <ul>
     *   <li>{@code nll_n = -w[t_n] * lp[n, t_n]}, {@code smooth_n = -sum_c w[c] * lp[n, c] / C};
     *   <li>{@code loss_n = (1 - eps) * nll_n + eps * smooth_n} ({@link Reduction#NONE} returns these,
     *       shape {@code [N]}, 0 for ignored rows);
     *   <li>{@link Reduction#SUM}: {@code sum_n loss_n};
     *   <li>{@link Reduction#MEAN}: {@code sum_n loss_n / sum_n w[t_n]} over non-ignored rows (the count
     *       of non-ignored rows when there are no weights). When every row is ignored this is 0/0 =
     *       NaN, as in PyTorch.
     * </ul>
     *
     * @param logits unnormalised scores {@code [N, C]}, {@code N, C >= 1}; a batch of sequences
     *     {@code [B, T, C]} must be reshaped to {@code [B*T, C]} first
     * @param target {@code N} class indices in {@code [0, C)} or equal to {@code options.ignoreIndex()}
     * @param options weight ({@code [C]}, same dtype and backend as {@code logits}), ignore index, label
     *     smoothing and reduction
     * @return rank 0 for MEAN and SUM, {@code [N]} for NONE
     * @throws IllegalArgumentException on any invalid argument, before anything is computed
     */
    public static Var crossEntropy(Var logits, int[] target, CrossEntropyOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("crossEntropy: options is null; use CrossEntropyOptions.defaults()");
        }
        checkClassInput("crossEntropy", "logits", logits, target, options.weight(), options.ignoreIndex());
        return classLoss(F.logSoftmax(logits), target, options.weight(), options.ignoreIndex(), options.labelSmoothing(),
                options.reduction());
    }

    // ---- negative log-likelihood ----

    /**
     * Negative log-likelihood of log-probabilities with PyTorch's defaults (mean, no weights, ignore
     * index {@code -100}).
     *
     * @param logProbs log-probabilities {@code [N, C]}, e.g. from {@link F#logSoftmax}
     * @param target {@code N} class indices in {@code [0, C)}, or {@code -100} for an ignored row
     * @return the rank-0 mean loss
     */
    public static Var nll(Var logProbs, int[] target) {
        return nll(logProbs, target, null, CrossEntropyOptions.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood {@code -w[t_n] * logProbs[n, t_n]} per row, as
     * {@code torch.nn.functional.nll_loss}. The input is taken as given (no softmax is applied).
     * Ignored rows (target equal to {@code ignoreIndex}) contribute 0; MEAN divides by the sum of the
     * weights of the non-ignored rows' targets (their count without weights; NaN when all are ignored).
     *
     * @param logProbs log-probabilities {@code [N, C]}
     * @param target {@code N} class indices in {@code [0, C)} or equal to {@code ignoreIndex}
     * @param weight per-class weights {@code [C]} (same dtype and backend as {@code logProbs}) or null
     * @param ignoreIndex target value marking an ignored row (PyTorch's default is {@code -100})
     * @param reduction MEAN, SUM (rank 0) or NONE ({@code [N]})
     * @throws IllegalArgumentException on any invalid argument, before anything is computed
     */
    public static Var nll(Var logProbs, int[] target, Tensor weight, int ignoreIndex, Reduction reduction) {
        checkReduction("nll", reduction);
        checkClassInput("nll", "logProbs", logProbs, target, weight, ignoreIndex);
        return classLoss(logProbs, target, weight, ignoreIndex, 0.0, reduction);
    }

    // ---- mean squared error ----

    /**
     * Mean squared error {@code mean((input - target)^2)} over all elements.
     *
     * @param input predictions of any shape
     * @param target values of the same shape, dtype and backend (may itself require a gradient)
     * @return a rank-0 {@code Var}
     */
    public static Var mse(Var input, Var target) {
        return mse(input, target, Reduction.MEAN);
    }

    /**
     * Squared error {@code (input - target)^2} per element, reduced as asked (as
     * {@code torch.nn.functional.mse_loss}; no broadcasting: the shapes must be equal).
     *
     * @param input predictions of any shape
     * @param target values of the same shape, dtype and backend (may itself require a gradient)
     * @param reduction MEAN (divides by the number of elements), SUM, or NONE (input's shape)
     */
    public static Var mse(Var input, Var target, Reduction reduction) {
        checkReduction("mse", reduction);
        checkValues("mse", input, target);
        if (reduction == Reduction.NONE) {
            Var d = F.sub(input, target);
            return F.mul(d, d);
        }
        return squaredError(input, target, reduction == Reduction.MEAN ? 1.0 / input.value().size() : 1.0);
    }

    /**
     * {@code scale * sum((input - target)^2)} as one node. The forward values are those of the composed
     * ops ({@code sub}, {@code mul}, {@code sum}, {@code scale}, as {@code F.mean} does); the backward pass
     * is one product {@code d * (2 scale g)} (and its negation for a target that needs a gradient) where
     * the composed graph spread the scalar gradient over the input, scaled it and multiplied it by
     * {@code d} twice: 5 passes over the input's size and their arrays, a tenth of a small training step.
     */
    private static Var squaredError(Var input, Var target, double scale) {
        ComputeBackend k = ComputeBackend.of(input.value());
        Tensor d = k.sub(input.value(), target.value());
        Tensor squares = k.mul(d, d);
        Tensor total = k.sum(squares);
        squares.close(); // temporaries are closed at once, so that their memory is reused (the cpu backend's pool)
        Tensor out = total;
        if (scale != 1.0) {
            out = k.scale(total, scale);
            total.close();
        }
        if (!org.rnn4j.autograd.Grad.recording(input, target)) {
            d.close(); // no node: nothing will need d
            return Var.constant(out);
        }
        org.rnn4j.autograd.Node node = new org.rnn4j.autograd.Node("mse", 1, input, target) {
            @Override
            protected Tensor[] backward(Tensor[] outputGradients) {
                Tensor factor = k.scale(outputGradients[0], 2.0 * scale);
                Tensor gx = k.mul(d, factor);
                factor.close();
                Tensor gt = target.requiresGrad() ? k.scale(gx, -1.0) : null;
                if (!input.requiresGrad()) {
                    gx.close();
                    gx = null;
                }
                return new Tensor[] {gx, gt};
            }

            /** d, kept for backward, is freed with the graph. */
            @Override
            protected void release() {
                d.close();
            }
        };
        return node.record(out)[0];
    }

    /**
     * Masked squared error for padded sequence batches: {@code mask * (input - target)^2} per element.
     * Elements with mask 0 add nothing to the loss or to the gradient (they must hold finite values,
     * since {@code NaN * 0} is NaN). MEAN divides by {@code sum(mask)}, the number of valid elements
     * (NaN when there are none); SUM adds the valid elements; NONE returns the masked squares in
     * input's shape. Values of the mask other than 0 and 1 act as per-element weights (MEAN then
     * divides by their sum); they are not checked, as that would copy the mask to the host.
     *
     * @param input predictions of any shape, e.g. {@code [B, T, F]}
     * @param target values of the same shape, dtype and backend
     * @param mask 1 for valid and 0 for padded elements; same shape, dtype and backend as input
     * @param reduction MEAN, SUM (rank 0) or NONE (input's shape)
     */
    public static Var mse(Var input, Var target, Tensor mask, Reduction reduction) {
        checkReduction("mse", reduction);
        checkValues("mse", input, target);
        if (mask == null) {
            throw new IllegalArgumentException("mse: mask is null; expected a tensor of shape " + Shapes.str(input.shape())
                    + " with 1 for valid and 0 for padded elements (or call mse without a mask)");
        }
        checkCompanion("mse", "mask", mask, input, "input");
        if (!Arrays.equals(mask.shape(), input.shape())) {
            throw new IllegalArgumentException("mse: mask has shape " + Shapes.str(mask.shape()) + " but input has shape "
                    + Shapes.str(input.shape()) + "; expected equal shapes");
        }
        Var d = F.sub(input, target);
        Var sq = F.mul(F.mul(d, d), Var.constant(mask));
        switch (reduction) {
            case NONE:
                return sq;
            case SUM:
                return F.sum(sq);
            default:
                return F.div(F.sum(sq), Var.constant(ComputeBackend.of(mask).sum(mask)));
        }
    }

    // ---- connectionist temporal classification ----

    /**
     * CTC loss, as {@code torch.nn.functional.ctc_loss} (PyTorch 1.13) but batch-first: for each
     * sequence {@code b}, {@code -log p(l_b | x_b)} summed over every alignment of its labels
     * {@code l_b = targets[b][0 .. targetLengths[b])} to its first {@code inputLengths[b]} frames. Computed
     * in float64 in log space by the alpha-beta recursion of {@link Ctc}, on any backend; unlike the
     * other losses here it is one graph node of its own rather than a composition of {@link F} ops.
     *
     * <ul>
     *   <li>{@link Reduction#NONE}: the losses {@code [B]};
     *   <li>{@link Reduction#SUM}: their sum;
     *   <li>{@link Reduction#MEAN}: each loss divided by its target length (at least 1), averaged over
     *       the batch (PyTorch's definition, not the mean over all labels).
     * </ul>
     * A sequence whose labels cannot fit its frames (fewer than one frame per label plus one between
     * equal neighbours) has an infinite loss: with {@code zeroInfinity} it counts as 0 with zero gradient
     * (PyTorch's {@code zero_infinity}); without it this method throws rather than return infinity. An
     * infinite loss from {@code -inf} log-probabilities is returned as such (0 with {@code zeroInfinity})
     * and gets a zero gradient.
     *
     * @param logProbs log-probabilities {@code [B, T, C]} (batch-first; e.g. {@link F#logSoftmax} of
     *     logits reshaped to {@code [B*T, C]} and back); the gradient flows to it
     * @param targets padded label rows, one per sequence: {@code targets[b]} holds at least
     *     {@code targetLengths[b]} labels in {@code [0, C)}, none equal to {@code blank}; entries past
     *     {@code targetLengths[b]} are ignored. Not modified
     * @param inputLengths frames per sequence, each in {@code [0, T]}; frames past it get no gradient
     * @param targetLengths labels per sequence, each in {@code [0, targets[b].length]}
     * @param blank index of the blank symbol in {@code [0, C)} (PyTorch's default is 0)
     * @param reduction MEAN, SUM (rank 0) or NONE ({@code [B]})
     * @param zeroInfinity count infinite losses (and their gradients) as 0
     * @throws IllegalArgumentException on any invalid argument, before anything is computed
     */
    public static Var ctc(Var logProbs, int[][] targets, int[] inputLengths, int[] targetLengths, int blank,
            Reduction reduction, boolean zeroInfinity) {
        return Ctc.loss(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
    }

    // ---- binary cross-entropy with logits ----

    /**
     * Binary cross-entropy of logits with PyTorch's defaults: no weights, mean over all elements.
     *
     * @param input logits of any shape
     * @param target probabilities in {@code [0, 1]}, the same shape, dtype and backend (may require a gradient)
     * @return a rank-0 {@code Var}
     */
    public static Var binaryCrossEntropyWithLogits(Var input, Var target) {
        return binaryCrossEntropyWithLogits(input, target, null, null, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of logits {@code x} against probabilities {@code y}, per element, as
     * {@code torch.nn.functional.binary_cross_entropy_with_logits} (PyTorch 1.13):
     * <pre>
     * loss = w * ((1 - y) x - (1 + (p - 1) y) log(sigmoid(x)))
     * </pre>
     * with {@code p} the positive-class weight ({@code pos_weight}: above 1 favours recall of positives) and
     * {@code w} the element weight. {@code log(sigmoid(x))} is computed stably ({@link F#logSigmoid}), so
     * large logits neither overflow nor lose the gradient. Without weights this is
     * {@code -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))}.
     *
     * @param input logits of any shape
     * @param target probabilities in {@code [0, 1]} of input's shape, dtype and backend (may require a
     *     gradient); their values are checked on the host
     * @param weight per-element weights ({@code w}) of input's shape or of its trailing dimensions (broadcast
     *     over the leading ones), same dtype and backend; or null for ones. MEAN still divides by the number
     *     of elements, as in PyTorch
     * @param posWeight weights of the positive term ({@code p}), one per class along the last axis
     *     ({@code [C]} for input {@code [..., C]}) or of any trailing shape of input, same dtype and backend;
     *     or null for ones
     * @param reduction MEAN (over all elements), SUM (rank 0) or NONE (input's shape)
     * @throws IllegalArgumentException on any invalid argument (shapes, dtypes, backends, a target outside
     *     {@code [0, 1]}), before anything is computed
     */
    public static Var binaryCrossEntropyWithLogits(Var input, Var target, Tensor weight, Tensor posWeight, Reduction reduction) {
        String op = "binaryCrossEntropyWithLogits";
        checkReduction(op, reduction);
        checkValues(op, input, target);
        checkTrailing(op, "weight", weight, input);
        checkTrailing(op, "posWeight", posWeight, input);
        double[] y = target.value().toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            if (!(y[i] >= 0 && y[i] <= 1)) {
                throw new IllegalArgumentException(op + ": target element " + i + " (flat index, target shape "
                        + Shapes.str(target.shape()) + ") is " + y[i] + "; expected probabilities in [0, 1]");
            }
        }
        Var logSig = F.logSigmoid(input);
        Var positive = logSig;
        if (posWeight != null) {
            // 1 + (p - 1) y, with p broadcast over y's leading dimensions
            Var logWeight = F.addScalar(F.mul(target, Var.constant(ComputeBackend.of(posWeight).addScalar(posWeight, -1))), 1);
            positive = F.mul(logWeight, logSig);
        }
        Var loss = F.sub(F.sub(input, F.mul(input, target)), positive);
        if (weight != null) {
            loss = F.mul(loss, Var.constant(weight));
        }
        return reduce(loss, reduction);
    }

    // ---- Huber ----

    /**
     * Huber loss with PyTorch's defaults: {@code delta = 1}, mean over all elements.
     *
     * @param input predictions of any shape
     * @param target values of the same shape, dtype and backend (may require a gradient)
     * @return a rank-0 {@code Var}
     */
    public static Var huber(Var input, Var target) {
        return huber(input, target, 1.0, Reduction.MEAN);
    }

    /**
     * Huber loss per element, as {@code torch.nn.functional.huber_loss}: with {@code d = input - target},
     * {@code 0.5 d^2} where {@code |d| < delta} and {@code delta (|d| - 0.5 delta)} elsewhere: quadratic near
     * 0, linear (gradient {@code +-delta}) beyond {@code delta}, continuous with a continuous gradient.
     * Computed as {@code 0.5 q^2 + delta r} with {@code r = max(|d| - delta, 0)} and {@code q = |d| - r}.
     *
     * @param input predictions of any shape
     * @param target values of the same shape, dtype and backend (may require a gradient)
     * @param delta where the loss turns from quadratic to linear, finite and {@code > 0}
     * @param reduction MEAN (over all elements), SUM (rank 0) or NONE (input's shape)
     * @throws IllegalArgumentException on any invalid argument, before anything is computed
     */
    public static Var huber(Var input, Var target, double delta, Reduction reduction) {
        checkReduction("huber", reduction);
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("huber: delta = " + delta + ", expected a finite value > 0");
        }
        checkValues("huber", input, target);
        Var d = F.sub(input, target);
        Var abs = F.add(F.relu(d), F.relu(F.neg(d)));
        Var over = F.relu(F.addScalar(abs, -delta));
        Var inner = F.sub(abs, over);
        return reduce(F.add(F.scale(F.mul(inner, inner), 0.5), F.scale(over, delta)), reduction);
    }

    // ---- shared implementation ----

    /** Mean or sum over all elements, or the elements themselves. */
    private static Var reduce(Var loss, Reduction reduction) {
        switch (reduction) {
            case NONE:
                return loss;
            case SUM:
                return F.sum(loss);
            default:
                return F.mean(loss);
        }
    }

    /** {@code t} (when not null) must share input's backend and dtype and have its shape or its trailing dimensions. */
    private static void checkTrailing(String op, String name, Tensor t, Var input) {
        if (t == null) {
            return;
        }
        checkCompanion(op, name, t, input, "input");
        int[] s = input.shape();
        int[] w = t.shape();
        boolean trailing = w.length >= 1 && w.length <= s.length
                && Arrays.equals(w, Arrays.copyOfRange(s, s.length - w.length, s.length));
        if (!trailing) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + Shapes.str(w) + " but input has shape "
                    + Shapes.str(s) + "; expected input's shape or its trailing dimensions (e.g. [C] = ["
                    + (s.length == 0 ? "?" : s[s.length - 1]) + "] for one weight per class along the last axis)");
        }
    }

    /** The weighted, smoothed nll of validated log-probabilities (see {@link #crossEntropy}). */
    private static Var classLoss(Var logp, int[] target, Tensor weight, int ignoreIndex, double eps, Reduction reduction) {
        ComputeBackend k = ComputeBackend.of(logp.backend());
        DType dt = logp.dtype();
        int n = logp.dim(0);
        int c = logp.dim(1);
        int[] safe = new int[n];
        double[] keep = new double[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (target[i] != ignoreIndex) {
                safe[i] = target[i];
                keep[i] = 1;
                kept++;
            }
        }
        // keepT: 1 for counted rows, 0 for ignored ones; null when none is ignored
        Tensor keepT = kept < n ? k.fromDoubles(keep, dt, n) : null;
        // rowW[n] = w[t_n] * keep[n]; null means all ones
        Tensor rowW = keepT;
        if (weight != null) {
            rowW = k.reshape(k.gatherRows(k.reshape(weight, c, 1), safe), n);
            if (keepT != null) {
                rowW = k.mul(rowW, keepT);
            }
        }
        Var picked = F.gatherColumns(logp, safe);
        Var rows = rowW == null ? F.neg(picked) : F.mul(picked, Var.constant(k.scale(rowW, -1)));
        if (eps > 0) {
            Var weighted = weight == null ? logp : F.mul(logp, Var.constant(weight));
            Var smooth = F.sumLastAxis(weighted);
            if (keepT != null) {
                smooth = F.mul(smooth, Var.constant(keepT));
            }
            rows = F.add(F.scale(rows, 1 - eps), F.scale(smooth, -eps / c));
        }
        switch (reduction) {
            case NONE:
                return rows;
            case SUM:
                return F.sum(rows);
            default:
                if (weight == null) {
                    return F.scale(F.sum(rows), 1.0 / kept);
                }
                return F.div(F.sum(rows), Var.constant(k.sum(rowW)));
        }
    }

    private static void checkReduction(String op, Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(op + ": reduction is null; expected MEAN, SUM or NONE");
        }
    }

    private static void checkClassInput(String op, String inputName, Var input, int[] target, Tensor weight, int ignoreIndex) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": " + inputName + " is null; expected a Var of shape [N, C]");
        }
        int[] s = input.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(op + ": " + inputName + " has shape " + Shapes.str(s)
                    + ", expected [N, C] (rank 2); reshape a sequence batch [B, T, C] to [B*T, C] and flatten its targets");
        }
        if (s[0] < 1 || s[1] < 1) {
            throw new IllegalArgumentException(op + ": " + inputName + " has shape " + Shapes.str(s)
                    + ", expected at least one row and one class");
        }
        int n = s[0];
        int c = s[1];
        if (target == null) {
            throw new IllegalArgumentException(op + ": target is null; expected " + n + " class indices");
        }
        if (target.length != n) {
            throw new IllegalArgumentException(op + ": target has " + target.length + " entries but " + inputName
                    + " has N = " + n + " rows " + Shapes.str(s) + "; expected one class index per row");
        }
        for (int i = 0; i < n; i++) {
            int t = target[i];
            if (t != ignoreIndex && (t < 0 || t >= c)) {
                throw new IllegalArgumentException(op + ": target[" + i + "] = " + t + " is outside [0, " + c + ") for C = "
                        + c + " classes and is not the ignore index " + ignoreIndex);
            }
        }
        if (weight != null) {
            checkCompanion(op, "weight", weight, input, inputName);
            if (weight.rank() != 1 || weight.shape()[0] != c) {
                throw new IllegalArgumentException(op + ": weight has shape " + Shapes.str(weight.shape())
                        + ", expected [C] = [" + c + "] (one weight per class of " + inputName + " " + Shapes.str(s) + ")");
            }
        }
    }

    private static void checkValues(String op, Var input, Var target) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": input is null");
        }
        if (target == null) {
            throw new IllegalArgumentException(op + ": target is null; expected a Var of shape " + Shapes.str(input.shape()));
        }
        checkCompanion(op, "target", target.value(), input, "input");
        if (!Arrays.equals(target.shape(), input.shape())) {
            throw new IllegalArgumentException(op + ": target has shape " + Shapes.str(target.shape()) + " but input has shape "
                    + Shapes.str(input.shape()) + "; expected equal shapes (no broadcasting)");
        }
    }

    /** {@code t} must share {@code ref}'s backend and dtype. */
    private static void checkCompanion(String op, String name, Tensor t, Var ref, String refName) {
        if (t.backend() != ref.backend()) {
            throw new IllegalArgumentException(op + ": " + name + " belongs to backend '" + t.backend().name() + "' but "
                    + refName + " to backend '" + ref.backend().name() + "'; move it with Tensors.to(tensor, backend)");
        }
        if (t.dtype() != ref.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " has dtype " + t.dtype() + " but " + refName + " has dtype "
                    + ref.dtype() + "; expected equal dtypes (cast with Backend.cast)");
        }
    }
}
