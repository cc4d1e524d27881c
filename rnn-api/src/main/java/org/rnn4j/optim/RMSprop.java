package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Tensor;

/**
 * RMSprop: PyTorch 1.13's {@code torch.optim.RMSprop}. Per parameter {@code p} with gradient {@code g}:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = g + weightDecay * p
 * sq = alpha * sq + (1 - alpha) * g * g
 * if centered:  ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
 * else:         avg = sqrt(sq) + eps
 * if momentum > 0:  buf = momentum * buf + g / avg;  p = p - lr * buf
 * else:             p = p - lr * g / avg
 * </pre>
 * State: {@code p{i}.step}, {@code p{i}.square_avg} (sq), with momentum {@code p{i}.momentum_buffer},
 * when centered {@code p{i}.grad_avg} (ga). Build with {@link #builder(Collection)}.
 */
public final class RMSprop extends OptimizerBase {
    private static final String SQ = "square_avg";
    private static final String BUF = "momentum_buffer";
    private static final String GA = "grad_avg";

    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private double momentum;
    private final boolean centered;
    private final boolean maximize;
    private final List<String> names;

    private RMSprop(Builder b) {
        super("RMSprop", b.params, b.lr);
        this.alpha = checkNonNegative(kind, "alpha", b.alpha);
        this.eps = checkNonNegative(kind, "eps", b.eps);
        this.weightDecay = checkNonNegative(kind, "weightDecay", b.weightDecay);
        this.momentum = checkNonNegative(kind, "momentum", b.momentum);
        this.centered = b.centered;
        this.maximize = b.maximize;
        List<String> n = new ArrayList<>(List.of(STEP, SQ));
        if (momentum > 0) {
            n.add(BUF);
        }
        if (centered) {
            n.add(GA);
        }
        this.names = List.copyOf(n);
    }

    /** A builder over {@code params} (e.g. {@code module.parameters().values()}), copied at {@link Builder#build()}. */
    public static Builder builder(Collection<Var> params) {
        return new Builder(params);
    }

    @Override
    void update(int i, Var p, Tensor g, State st) {
        ComputeBackend k = ComputeBackend.of(p.backend());
        Tensor pv = ownedValue(p, st);
        st.step++;
        Tensor grad = maximize ? k.scale(g, -1) : g;
        if (weightDecay != 0) {
            grad = k.addScaled(grad, pv, weightDecay);
        }
        Tensor sq = st.get(SQ);
        k.addScaledInPlace(sq, alpha, k.mul(grad, grad), 1 - alpha);
        Tensor avg;
        if (centered) {
            Tensor ga = st.get(GA);
            k.addScaledInPlace(ga, alpha, grad, 1 - alpha);
            avg = k.sqrt(k.addScaled(sq, k.mul(ga, ga), -1));
        } else {
            avg = k.sqrt(sq);
        }
        avg = k.addScalar(avg, eps);
        if (momentum > 0) {
            Tensor buf = st.get(BUF);
            k.addScaledInPlace(buf, momentum, k.div(grad, avg), 1);
            k.addScaledInPlace(pv, 1, buf, -lr);
        } else {
            k.addScaledInPlace(pv, 1, k.div(grad, avg), -lr);
        }
    }

    @Override
    public boolean hasMomentum() {
        return true;
    }

    @Override
    public double momentum() {
        return momentum;
    }

    /**
     * Sets the momentum factor. An RMSprop built with momentum 0 keeps no momentum buffer and one built
     * with momentum {@code > 0} always uses it (as in PyTorch), so the new value must be 0 or
     * {@code > 0} as the built value was.
     */
    @Override
    public void setMomentum(double momentum) {
        checkNonNegative(kind, "momentum", momentum);
        if ((momentum > 0) != (this.momentum > 0)) {
            throw new IllegalArgumentException("RMSprop.setMomentum: momentum = " + momentum + ", but this RMSprop was built with "
                    + (this.momentum > 0 ? "momentum > 0 and needs a value > 0" : "momentum 0 and keeps no momentum buffer; "
                    + "build it with momentum > 0 to drive its momentum"));
        }
        this.momentum = momentum;
    }

    @Override
    State newState(Var p) {
        State st = new State();
        st.put(SQ, zerosLike(p));
        if (momentum > 0) {
            st.put(BUF, zerosLike(p));
        }
        if (centered) {
            st.put(GA, zerosLike(p));
        }
        return st;
    }

    @Override
    List<String> stateNames() {
        return names;
    }

    @Override
    String describe() {
        return "RMSprop(lr=" + lr + ", alpha=" + alpha + ", eps=" + eps + ", weightDecay=" + weightDecay + ", momentum="
                + momentum + ", centered=" + centered + (maximize ? ", maximize" : "") + ")";
    }

    /** Hyper-parameters of {@link RMSprop}, with PyTorch's defaults. */
    public static final class Builder {
        private final Collection<Var> params;
        private double lr = 1e-2;
        private double alpha = 0.99;
        private double eps = 1e-8;
        private double weightDecay;
        private double momentum;
        private boolean centered;
        private boolean maximize;

        private Builder(Collection<Var> params) {
            this.params = params;
        }

        /** Learning rate, {@code >= 0} (default 0.01). */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Smoothing constant of the squared-gradient average, {@code >= 0} (default 0.99). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Term added to the denominator, {@code >= 0} (default 1e-8). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** L2 penalty added to the gradient, {@code >= 0} (default 0). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Momentum factor, {@code >= 0} (default 0). */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Normalise by an estimate of the gradient's variance instead of its second moment (default false). */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        /** Maximize the objective instead of minimizing (default false). */
        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        /** The optimizer; validates every hyper-parameter and the parameters. */
        public RMSprop build() {
            return new RMSprop(this);
        }
    }
}
