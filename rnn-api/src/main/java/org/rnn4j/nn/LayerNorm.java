package org.rnn4j.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * PyTorch's {@code nn.LayerNorm(normalized_size, eps, elementwise_affine)} over the last dimension:
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with the mean and the biased variance
 * taken over the last dimension of each row. Parameters {@code weight [N]} (initialised to 1) and
 * {@code bias [N]} (0), only when {@code elementwiseAffine}.
 */
public final class LayerNorm extends Module implements Layer {
    private final int normalizedSize;
    private final double eps;
    private final Var weight;
    private final Var bias;

    /**
     * @param normalizedSize    N, the extent of the last dimension of the inputs
     * @param eps               added to the variance, {@code > 0} (PyTorch's default 1e-5)
     * @param elementwiseAffine whether to learn {@code weight} and {@code bias}
     */
    public LayerNorm(int normalizedSize, double eps, boolean elementwiseAffine, Backend backend, DType dtype) {
        if (normalizedSize <= 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedSize = " + normalizedSize + ", expected >= 1");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("LayerNorm: eps = " + eps + ", expected a finite value > 0");
        }
        if (backend == null || dtype == null) {
            throw new IllegalArgumentException("LayerNorm: backend and dtype must not be null (got " + backend + ", " + dtype + ")");
        }
        this.normalizedSize = normalizedSize;
        this.eps = eps;
        if (elementwiseAffine) {
            this.weight = registerParameter("weight", Var.parameter(backend.full(1.0, dtype, normalizedSize)));
            this.bias = registerParameter("bias", Var.parameter(backend.zeros(dtype, normalizedSize)));
        } else {
            this.weight = null;
            this.bias = null;
        }
    }

    /** {@code LayerNorm(normalizedSize)} with PyTorch's defaults: eps 1e-5, affine. */
    public LayerNorm(int normalizedSize, Backend backend, DType dtype) {
        this(normalizedSize, 1e-5, true, backend, dtype);
    }

    /** {@code x [..., N] -> [..., N]}, each row over the last dimension normalised, then scaled and shifted. */
    @Override
    public Var forward(Var x) {
        int[] s = x.shape();
        if (s.length == 0 || s[s.length - 1] != normalizedSize) {
            throw new IllegalArgumentException("LayerNorm.forward: x must be [..., " + normalizedSize + "] (last dimension "
                    + "normalized_size = " + normalizedSize + "), got " + Shapes.str(s));
        }
        Var centred = F.sub(x, F.mean(x, -1, true));
        Var std = F.sqrt(F.addScalar(F.var(x, -1, true, false), eps));
        Var y = F.div(centred, std);
        return weight == null ? y : F.add(F.mul(y, weight), bias);
    }

    public int normalizedSize() {
        return normalizedSize;
    }

    public double eps() {
        return eps;
    }

    /** The scale {@code [N]}, or null without elementwise affine. */
    public Var weight() {
        return weight;
    }

    /** The shift {@code [N]}, or null without elementwise affine. */
    public Var bias() {
        return bias;
    }

    /** {@code normalized_size}, {@code eps}, {@code elementwise_affine}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("normalized_size", normalizedSize);
        c.put("eps", eps);
        c.put("elementwise_affine", weight != null);
        return c;
    }
}
