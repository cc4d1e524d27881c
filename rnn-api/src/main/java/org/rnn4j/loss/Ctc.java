package org.rnn4j.loss;

import java.util.Arrays;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Node;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Connectionist temporal classification loss (Graves et al. 2006) with the semantics of PyTorch
 * 1.13's {@code torch.nn.functional.ctc_loss}, except that the input is batch-first. Reached through
 * {@link Losses#ctc}; this class holds the algorithm.
 *
 * <p>For sequence {@code b} with {@code T_b = inputLengths[b]} frames and the labels
 * {@code l = targets[b][0 .. targetLengths[b])}, the loss is {@code -log p(l | x)}, where
 * {@code p(l | x)} sums, over every frame-level path of length {@code T_b} that collapses to {@code l}
 * (merge repeated symbols, then drop blanks), the product of the path's per-frame probabilities
 * {@code exp(logProbs[b, t, symbol])}. Frames {@code t >= T_b} are padding and ignored. The
 * forward-backward (alpha-beta) recursion runs on the host in float64, in log space, for any backend
 * and dtype; the result is returned in the input's dtype on its backend.
 *
 * <p>The node's gradient is the exact derivative of the loss with respect to {@code logProbs}: minus
 * the posterior occupancy of each symbol at each frame (0 on padding frames). PyTorch's kernel returns
 * {@code exp(logProbs)} minus the occupancy instead, a form that assumes a log-softmax input; through
 * {@link F#logSoftmax} both give the same gradient with respect to the logits, which is what the golden
 * cases check.
 */
public final class Ctc {
    private Ctc() {
    }

    /**
     * The CTC loss of a batch; see {@link Losses#ctc} for the arguments, reductions and errors.
     *
     * @return rank 0 for MEAN and SUM, {@code [B]} for NONE
     */
    public static Var loss(Var logProbs, int[][] targets, int[] inputLengths, int[] targetLengths, int blank,
            Reduction reduction, boolean zeroInfinity) {
        validate(logProbs, targets, inputLengths, targetLengths, blank, reduction, zeroInfinity);
        int b = logProbs.dim(0);
        CtcNode node = new CtcNode(logProbs, targets, inputLengths, targetLengths, blank, zeroInfinity);
        Var perSequence = node.record(node.forward())[0];
        switch (reduction) {
            case NONE:
                return perSequence;
            case SUM:
                return F.sum(perSequence);
            default:
                // PyTorch: (loss / target_lengths.clamp_min(1)).mean()
                double[] w = new double[b];
                for (int i = 0; i < b; i++) {
                    w[i] = 1.0 / (b * (double) Math.max(targetLengths[i], 1));
                }
                Tensor wt = logProbs.backend().fromDoubles(w, logProbs.dtype(), b);
                return F.sum(F.mul(perSequence, Var.constant(wt)));
        }
    }

    /** {@code log(exp(a) + exp(b))} without overflow; {@code -inf} when both are {@code -inf}. */
    public static double logAddExp(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
    }

    /**
     * The fewest frames that can emit {@code length} labels: one per label, plus one blank between each
     * pair of equal neighbours.
     */
    static int framesNeeded(int[] labels, int length) {
        int need = length;
        for (int i = 1; i < length; i++) {
            if (labels[i] == labels[i - 1]) {
                need++;
            }
        }
        return need;
    }

    private static void validate(Var logProbs, int[][] targets, int[] inputLengths, int[] targetLengths, int blank,
            Reduction reduction, boolean zeroInfinity) {
        if (logProbs == null) {
            throw new IllegalArgumentException("ctc: logProbs is null; expected a Var of shape [B, T, C]");
        }
        int[] s = logProbs.shape();
        if (s.length != 3 || s[0] < 1 || s[1] < 1 || s[2] < 1) {
            throw new IllegalArgumentException("ctc: logProbs has shape " + Shapes.str(s)
                    + ", expected [B, T, C] (batch-first, B, T, C >= 1)");
        }
        int batch = s[0];
        int frames = s[1];
        int classes = s[2];
        if (reduction == null) {
            throw new IllegalArgumentException("ctc: reduction is null; expected MEAN, SUM or NONE");
        }
        if (blank < 0 || blank >= classes) {
            throw new IllegalArgumentException("ctc: blank = " + blank + " is outside [0, " + classes + ") for C = " + classes
                    + " classes of logProbs " + Shapes.str(s));
        }
        checkLength("targets", targets == null ? -1 : targets.length, batch);
        checkLength("inputLengths", inputLengths == null ? -1 : inputLengths.length, batch);
        checkLength("targetLengths", targetLengths == null ? -1 : targetLengths.length, batch);
        for (int b = 0; b < batch; b++) {
            if (inputLengths[b] < 0 || inputLengths[b] > frames) {
                throw new IllegalArgumentException("ctc: inputLengths[" + b + "] = " + inputLengths[b] + " is outside [0, T = "
                        + frames + "] for logProbs " + Shapes.str(s));
            }
            if (targets[b] == null) {
                throw new IllegalArgumentException("ctc: targets[" + b + "] is null; expected at least targetLengths[" + b
                        + "] = " + targetLengths[b] + " labels");
            }
            if (targetLengths[b] < 0 || targetLengths[b] > targets[b].length) {
                throw new IllegalArgumentException("ctc: targetLengths[" + b + "] = " + targetLengths[b] + " is outside [0, "
                        + targets[b].length + "], the length of the padded row targets[" + b + "]");
            }
            for (int i = 0; i < targetLengths[b]; i++) {
                int label = targets[b][i];
                if (label < 0 || label >= classes || label == blank) {
                    throw new IllegalArgumentException("ctc: targets[" + b + "][" + i + "] = " + label + " is "
                            + (label == blank ? "the blank index " + blank : "outside [0, " + classes + ")")
                            + "; expected a label in [0, " + classes + ") other than blank = " + blank);
                }
            }
            int need = framesNeeded(targets[b], targetLengths[b]);
            if (need > inputLengths[b] && !zeroInfinity) {
                throw new IllegalArgumentException("ctc: sequence " + b + " has " + targetLengths[b] + " labels, which need at least "
                        + need + " frames (one per label plus a blank between equal neighbours), but inputLengths[" + b + "] = "
                        + inputLengths[b] + "; its loss would be infinite (pass zeroInfinity = true to count it as 0, as"
                        + " PyTorch's zero_infinity)");
            }
        }
    }

    private static void checkLength(String name, int length, int batch) {
        if (length != batch) {
            throw new IllegalArgumentException("ctc: " + name + (length < 0 ? " is null" : " has " + length + " entries")
                    + ", expected one per sequence (B = " + batch + ")");
        }
    }

    /**
     * One node computing the per-sequence losses {@code [B]}; keeps the host copy of the input and the
     * forward variables alpha for its backward pass.
     */
    private static final class CtcNode extends Node {
        private final Var logProbs;
        private final int[][] extended;
        private final int[] inputLengths;
        private final boolean zeroInfinity;
        private final int frames;
        private final int classes;
        private double[] lp;
        private double[][] alpha;
        private double[] nll;
        private boolean[] zeroed;

        CtcNode(Var logProbs, int[][] targets, int[] inputLengths, int[] targetLengths, int blank, boolean zeroInfinity) {
            super("ctc", 1, logProbs);
            this.logProbs = logProbs;
            this.inputLengths = inputLengths.clone();
            this.zeroInfinity = zeroInfinity;
            this.frames = logProbs.dim(1);
            this.classes = logProbs.dim(2);
            int batch = logProbs.dim(0);
            extended = new int[batch][];
            for (int b = 0; b < batch; b++) {
                // l' = blank, l1, blank, l2, ..., lL, blank
                int[] e = new int[2 * targetLengths[b] + 1];
                Arrays.fill(e, blank);
                for (int i = 0; i < targetLengths[b]; i++) {
                    e[2 * i + 1] = targets[b][i];
                }
                extended[b] = e;
            }
        }

        /** Runs the alpha recursion of every sequence; returns the losses {@code [B]}. */
        Tensor forward() {
            lp = logProbs.value().toDoubleArray();
            int batch = extended.length;
            alpha = new double[batch][];
            nll = new double[batch];
            zeroed = new boolean[batch];
            for (int b = 0; b < batch; b++) {
                int[] e = extended[b];
                int n = e.length;
                int tb = inputLengths[b];
                double logP;
                if (tb == 0) {
                    logP = n == 1 ? 0 : Double.NEGATIVE_INFINITY;
                } else {
                    double[] a = new double[tb * n];
                    Arrays.fill(a, Double.NEGATIVE_INFINITY);
                    int base = b * frames * classes;
                    a[0] = lp[base + e[0]];
                    if (n > 1) {
                        a[1] = lp[base + e[1]];
                    }
                    for (int t = 1; t < tb; t++) {
                        int row = base + t * classes;
                        int cur = t * n;
                        int prev = cur - n;
                        for (int s = 0; s < n; s++) {
                            double v = a[prev + s];
                            if (s >= 1) {
                                v = logAddExp(v, a[prev + s - 1]);
                            }
                            if (s >= 2 && (s & 1) == 1 && e[s] != e[s - 2]) {
                                v = logAddExp(v, a[prev + s - 2]);
                            }
                            a[cur + s] = v == Double.NEGATIVE_INFINITY ? v : v + lp[row + e[s]];
                        }
                    }
                    int last = (tb - 1) * n;
                    logP = n > 1 ? logAddExp(a[last + n - 1], a[last + n - 2]) : a[last];
                    alpha[b] = a;
                }
                nll[b] = -logP;
                zeroed[b] = zeroInfinity && nll[b] == Double.POSITIVE_INFINITY;
            }
            double[] out = new double[batch];
            for (int b = 0; b < batch; b++) {
                out[b] = zeroed[b] ? 0 : nll[b];
            }
            return logProbs.backend().fromDoubles(out, logProbs.dtype(), batch);
        }

        @Override
        protected Tensor[] backward(Tensor[] outputGradients) {
            double[] g = outputGradients[0].toDoubleArray();
            int batch = extended.length;
            double[] grad = new double[lp.length];
            double[] occupancy = new double[classes];
            for (int b = 0; b < batch; b++) {
                int tb = inputLengths[b];
                if (zeroed[b] || tb == 0 || nll[b] == Double.POSITIVE_INFINITY) {
                    continue; // no path has probability > 0: no gradient (zeroed, or an all -inf input)
                }
                int[] e = extended[b];
                int n = e.length;
                int base = b * frames * classes;
                double[] a = alpha[b];
                // beta[t][s]: log probability of the rest of the labelling from (t, s), frame t included
                double[] next = new double[n];
                double[] cur = new double[n];
                for (int t = tb - 1; t >= 0; t--) {
                    int row = base + t * classes;
                    for (int s = 0; s < n; s++) {
                        double v;
                        if (t == tb - 1) {
                            v = s >= n - 2 ? 0 : Double.NEGATIVE_INFINITY;
                        } else {
                            v = next[s];
                            if (s + 1 < n) {
                                v = logAddExp(v, next[s + 1]);
                            }
                            if (s + 2 < n && (s & 1) == 1 && e[s] != e[s + 2]) {
                                v = logAddExp(v, next[s + 2]);
                            }
                        }
                        cur[s] = v == Double.NEGATIVE_INFINITY ? v : v + lp[row + e[s]];
                    }
                    Arrays.fill(occupancy, Double.NEGATIVE_INFINITY);
                    for (int s = 0; s < n; s++) {
                        occupancy[e[s]] = logAddExp(occupancy[e[s]], a[t * n + s] + cur[s]);
                    }
                    // d nll / d lp[t, c] = -sum_{s: l'_s = c} alpha_t(s) beta_t(s) / (y_t(c) p)
                    for (int c = 0; c < classes; c++) {
                        if (occupancy[c] != Double.NEGATIVE_INFINITY) {
                            grad[row + c] = -g[b] * Math.exp(occupancy[c] - lp[row + c] + nll[b]);
                        }
                    }
                    double[] swap = next;
                    next = cur;
                    cur = swap;
                }
            }
            return new Tensor[] {logProbs.backend().fromDoubles(grad, logProbs.dtype(), logProbs.shape())};
        }
    }
}
