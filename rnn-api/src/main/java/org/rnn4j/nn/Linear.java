package org.rnn4j.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * PyTorch's {@code nn.Linear}: {@code y = x · weight^T + bias} with {@code weight [out, in]},
 * {@code bias [out]}, initialised U(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
 */
public final class Linear implements Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Var weight;
    private final Var bias;
    private final Map<String, Var> params = new LinkedHashMap<>();

    /**
     * @param prefix parameter-name prefix ({@code "i2h"} gives {@code i2h.weight}, {@code i2h.bias}); empty for none
     * @param rng    advanced by the draws (weight first, then bias)
     */
    public Linear(String prefix, int inFeatures, int outFeatures, boolean bias, Backend backend, DType dtype, SplittableRandom rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: inFeatures = " + inFeatures + ", outFeatures = " + outFeatures
                    + "; both must be >= 1");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1 / Math.sqrt(inFeatures);
        String p = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
        this.weight = Init.uniformParameter(backend, dtype, rng, bound, outFeatures, inFeatures);
        params.put(p + "weight", weight);
        this.bias = bias ? Init.uniformParameter(backend, dtype, rng, bound, outFeatures) : null;
        if (bias) {
            params.put(p + "bias", this.bias);
        }
    }

    /** {@code x [N, in] -> [N, out]}. */
    public Var forward(Var x) {
        if (x.shape().length != 2 || x.dim(1) != inFeatures) {
            throw new IllegalArgumentException("Linear.forward: x must be [N, " + inFeatures + "], got "
                    + org.rnn4j.tensor.Shapes.str(x.shape()));
        }
        return F.linear(x, weight, bias);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Var weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Var bias() {
        return bias;
    }

    @Override
    public Map<String, Var> parameters() {
        return Collections.unmodifiableMap(params);
    }
}
