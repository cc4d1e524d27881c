package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * Gradient checking by central differences in float64: the analytic gradient from the autograd graph
 * must match {@code (L(x + eps) - L(x - eps)) / (2 eps)} for every element of every leaf.
 */
public final class GradCheck {
    /** Step of the central difference. */
    public static final double EPS = 1e-6;
    /** Norm-wise relative tolerance between analytic and numeric gradients. */
    public static final double TOLERANCE = 1e-6;

    private GradCheck() {
    }

    /**
     * Checks {@code loss} (a scalar computed from the leaves, re-evaluated on every call) against central
     * differences for each leaf in {@code leaves}, by name. Leaves must be float64 leaf Vars; their values
     * are perturbed and restored, their gradients replaced by the analytic ones.
     */
    public static void check(String what, Map<String, Var> leaves, Supplier<Var> loss) {
        for (Var v : leaves.values()) {
            assertEquals(DType.FLOAT64, v.dtype(), what + ": gradient checks run in float64");
            v.zeroGrad();
        }
        loss.get().backward();
        for (Map.Entry<String, Var> e : leaves.entrySet()) {
            Var v = e.getValue();
            Tensor original = v.value();
            ComputeBackend b = ComputeBackend.of(original);
            double[] x = original.toDoubleArray();
            double[] numeric = new double[x.length];
            try (var off = Grad.disabled()) {
                for (int i = 0; i < x.length; i++) {
                    double xi = x[i];
                    x[i] = xi + EPS;
                    v.set(b.fromDoubles(x, DType.FLOAT64, original.shape()));
                    double plus = loss.get().value().item();
                    x[i] = xi - EPS;
                    v.set(b.fromDoubles(x, DType.FLOAT64, original.shape()));
                    double minus = loss.get().value().item();
                    x[i] = xi;
                    numeric[i] = (plus - minus) / (2 * EPS);
                }
            } finally {
                v.set(original);
            }
            Tensor g = v.grad();
            assertTrue(g != null, what + ": no analytic gradient reached '" + e.getKey() + "'");
            double err = Tensors.relativeError(g.toDoubleArray(), numeric);
            assertTrue(err <= TOLERANCE, () -> what + ": gradient of '" + e.getKey() + "' differs from central differences: relative error "
                    + err + " > " + TOLERANCE);
        }
    }

    /** A float64 leaf of {@code shape} with values in U(-1, 1). */
    public static Var randomLeaf(ComputeBackend b, SplittableRandom rng, boolean requiresGrad, int... shape) {
        return Var.leaf(random(b, rng, DType.FLOAT64, shape), requiresGrad);
    }

    /** A tensor of {@code shape} with values in U(-1, 1). */
    public static Tensor random(ComputeBackend b, SplittableRandom rng, DType dtype, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = rng.nextDouble() * 2 - 1;
        }
        return b.fromDoubles(data, dtype, shape);
    }

    /** {@code sum(v * r)} for a fixed random {@code r} of v's shape: a scalar that weights every element differently. */
    public static Var weightedSum(Var v, Tensor r) {
        return org.rnn4j.autograd.F.sum(org.rnn4j.autograd.F.mul(v, Var.constant(r)));
    }

    /** Helper: the leaves of a list of vars, named {@code prefix0, prefix1, ...}. */
    public static void putAll(Map<String, Var> into, String prefix, List<Var> vars) {
        for (int i = 0; i < vars.size(); i++) {
            into.put(prefix + i, vars.get(i));
        }
    }
}
