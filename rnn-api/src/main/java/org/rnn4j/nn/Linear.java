package org.rnn4j.nn;

import java.util.Map;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * PyTorch's {@code nn.Linear}: {@code y = x · weight^T + bias} over the last dimension of an input of
 * any rank ({@code [..., in] -> [..., out]}), with parameters {@code weight [out, in]} and
 * {@code bias [out]}, initialised U(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
 */
public final class Linear extends Module implements Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Var weight;
    private final Var bias;

    /**
     * @param bias    whether to add a bias
     * @param backend where the parameters live (required)
     * @param rng     advanced by the draws (weight first, then bias)
     * @throws IllegalArgumentException on sizes below 1 or a null backend, dtype or rng
     */
    public Linear(int inFeatures, int outFeatures, boolean bias, Backend backend, DType dtype, SplittableRandom rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: inFeatures = " + inFeatures + ", outFeatures = " + outFeatures
                    + "; both must be >= 1");
        }
        if (backend == null || dtype == null || rng == null) {
            throw new IllegalArgumentException("Linear: backend, dtype and rng are required, got backend " + backend + ", dtype "
                    + dtype + ", rng " + rng);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1 / Math.sqrt(inFeatures);
        this.weight = registerParameter("weight", Init.uniformParameter(backend, dtype, rng, bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Init.uniformParameter(backend, dtype, rng, bound, outFeatures)) : null;
    }

    /** A linear layer seeded with {@code seed} (see the other constructor). */
    public Linear(int inFeatures, int outFeatures, boolean bias, Backend backend, DType dtype, long seed) {
        this(inFeatures, outFeatures, bias, backend, dtype, new SplittableRandom(seed));
    }

    /** {@code x [..., in] -> [..., out]} (at least 1-D). */
    @Override
    public Var forward(Var x) {
        int[] s = x.shape();
        if (s.length == 0 || s[s.length - 1] != inFeatures) {
            throw new IllegalArgumentException("Linear.forward: x must be [..., " + inFeatures + "], got " + Shapes.str(s));
        }
        return F.linear(x, weight, bias);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight {@code [out, in]}. */
    public Var weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null when built without one. */
    public Var bias() {
        return bias;
    }

    /** {@code in_features}, {@code out_features}, {@code bias}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in_features", inFeatures);
        c.put("out_features", outFeatures);
        c.put("bias", bias != null);
        return c;
    }
}
