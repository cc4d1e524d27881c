package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Gradient clipping and finiteness checks on the accumulated gradients ({@link Var#grad()}) of a
 * collection of parameters, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and
 * {@code clip_grad_value_}. Parameters whose gradient is null are skipped; parameters are named in
 * messages by their index in the collection's iteration order. Gradients are replaced through
 * {@link Var#setGrad}; parameter values are never touched.
 */
public final class GradClip {
    /** Added to the total norm before dividing, as PyTorch does. */
    private static final double EPS = 1e-6;

    private GradClip() {
    }

    /**
     * Scales all gradients together so that their total norm is at most {@code maxNorm}: the total norm
     * is the {@code normType}-norm of the vector of all gradient elements (the norm of the per-parameter
     * norms), and when {@code maxNorm / (total + 1e-6) < 1} every gradient is multiplied by that
     * factor; otherwise nothing changes.
     *
     * <p>Unlike PyTorch's default, a NaN or infinite total norm is an error (PyTorch's
     * {@code error_if_nonfinite=True}): a {@link NonFiniteException} naming the first parameter whose
     * gradient is not finite is thrown and no gradient is changed.
     *
     * @param params the parameters (e.g. {@code optimizer.parameters()}); not null, no null element
     * @param maxNorm the largest allowed total norm, {@code >= 0}
     * @param normType {@code 2.0} (Euclidean), {@link Double#POSITIVE_INFINITY} (largest absolute
     *     value) or any finite {@code p >= 1}
     * @return the total norm of the gradients before clipping (0 when no parameter has a gradient)
     * @throws NonFiniteException when the total norm is NaN or infinite
     */
    public static double clipGradNorm(Collection<Var> params, double maxNorm, double normType) {
        List<Var> list = checkParams("clipGradNorm", params);
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm = " + maxNorm + ", expected a value >= 0");
        }
        if (!(normType == Double.POSITIVE_INFINITY || (normType >= 1 && Double.isFinite(normType)))) {
            throw new IllegalArgumentException("clipGradNorm: normType = " + normType
                    + ", expected 2.0, Double.POSITIVE_INFINITY or a finite p >= 1");
        }
        List<Var> withGrad = new ArrayList<>();
        for (Var p : list) {
            if (p.grad() != null) {
                withGrad.add(p);
            }
        }
        if (withGrad.isEmpty()) {
            return 0.0;
        }
        double total;
        if (normType == Double.POSITIVE_INFINITY) {
            total = 0;
            for (Var p : withGrad) {
                Tensor g = p.grad();
                double m = ComputeBackend.of(g).maxAbs(g).item();
                if (Double.isNaN(m) || !isFinite(g)) {
                    m = Double.NaN; // a backend's max may skip NaN; the sum never does
                }
                total = Math.max(total, m);
            }
        } else {
            double acc = 0;
            for (Var p : withGrad) {
                double n = norm(p.grad(), normType);
                acc += normType == 1 ? n : normType == 2 ? n * n : Math.pow(n, normType);
            }
            total = normType == 1 ? acc : normType == 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / normType);
        }
        if (!Double.isFinite(total)) {
            int bad = firstNonFinite(list);
            String what = "clipGradNorm: the total norm of the gradients (norm type " + normType + ") is " + total;
            if (bad >= 0) {
                throw new NonFiniteException(what + ": " + describeNonFinite(bad, list.get(bad))
                        + "; no gradient was changed", bad);
            }
            throw new NonFiniteException(what + ": every gradient is finite but the norm overflowed the "
                    + withGrad.get(0).dtype() + " range; no gradient was changed", -1);
        }
        double coef = maxNorm / (total + EPS);
        if (coef < 1) {
            for (Var p : withGrad) {
                Tensor g = p.grad();
                p.setGrad(ComputeBackend.of(g).scale(g, coef));
            }
        }
        return total;
    }

    /**
     * Clamps every gradient element to {@code [-clipValue, clipValue]}, in place of each gradient
     * ({@link Var#setGrad}).
     *
     * @param params the parameters; not null, no null element
     * @param clipValue the largest allowed absolute value, {@code >= 0}
     */
    public static void clipGradValue(Collection<Var> params, double clipValue) {
        List<Var> list = checkParams("clipGradValue", params);
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clipValue = " + clipValue + ", expected a value >= 0");
        }
        for (Var p : list) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            ComputeBackend k = ComputeBackend.of(g);
            Tensor lo = k.full(-clipValue, g.dtype(), g.shape());
            Tensor atLeast = k.maximum(g, lo);                                 // max(g, -v)
            Tensor clipped = k.scale(k.maximum(k.scale(atLeast, -1), lo), -1); // min(., v) = -max(-., -v)
            p.setGrad(clipped);
        }
    }

    /**
     * Throws a {@link NonFiniteException} naming the first parameter (by index) whose gradient holds a
     * NaN or infinite value, with the first such element; does nothing when every gradient is finite
     * (or null). Reads one scalar per gradient from the backend. Modifies nothing.
     */
    public static void checkFinite(Collection<Var> params) {
        List<Var> list = checkParams("checkFinite", params);
        int bad = firstNonFinite(list);
        if (bad >= 0) {
            throw new NonFiniteException("checkFinite: " + describeNonFinite(bad, list.get(bad)), bad);
        }
    }

    // ---- helpers ----

    private static List<Var> checkParams(String op, Collection<Var> params) {
        if (params == null) {
            throw new IllegalArgumentException(op + ": params is null; pass e.g. module.parameters().values()");
        }
        List<Var> list = new ArrayList<>(params);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new IllegalArgumentException(op + ": params[" + i + "] is null");
            }
        }
        return list;
    }

    /** The {@code p}-norm of one gradient, on the backend; {@code p} finite and {@code >= 1}. */
    private static double norm(Tensor g, double p) {
        ComputeBackend k = ComputeBackend.of(g);
        if (p == 2) {
            Tensor sq = k.mul(g, g);
            Tensor sum = k.sum(sq);
            double v = sum.item();
            sq.close();
            sum.close();
            return Math.sqrt(v);
        }
        Tensor a = k.abs(g);
        if (p == 1) {
            return k.sum(a).item();
        }
        // |g|^p = exp(p * log|g|); log 0 = -inf gives exp(-inf) = 0
        return Math.pow(k.sum(k.exp(k.scale(k.log(a), p))).item(), 1 / p);
    }

    /** True when every element of {@code g} is finite: {@code sum(g * 0)} is 0, or NaN when any is NaN or infinite. */
    private static boolean isFinite(Tensor g) {
        ComputeBackend k = ComputeBackend.of(g);
        Tensor zeros = k.scale(g, 0.0);
        Tensor sum = k.sum(zeros);
        boolean finite = !Double.isNaN(sum.item());
        zeros.close(); // temporaries: their memory goes back at once (the cpu backend reuses it)
        sum.close();
        return finite;
    }

    private static int firstNonFinite(List<Var> list) {
        for (int i = 0; i < list.size(); i++) {
            Tensor g = list.get(i).grad();
            if (g != null && !isFinite(g)) {
                return i;
            }
        }
        return -1;
    }

    /** Error path only: copies the gradient to the host to name its first bad element. */
    private static String describeNonFinite(int index, Var p) {
        Tensor g = p.grad();
        double[] a = g.toDoubleArray();
        int first = -1;
        int nans = 0;
        int infs = 0;
        for (int j = 0; j < a.length; j++) {
            if (Double.isNaN(a[j])) {
                nans++;
            } else if (Double.isInfinite(a[j])) {
                infs++;
            } else {
                continue;
            }
            if (first < 0) {
                first = j;
            }
        }
        return "the gradient of parameter " + index + " (" + g.dtype() + Shapes.str(g.shape()) + ") is not finite: element "
                + first + " (row-major) is " + (first >= 0 ? a[first] : "?") + "; " + nans + " NaN and " + infs
                + " infinite of " + a.length + " elements";
    }
}
