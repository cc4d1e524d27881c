package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.Collection;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay: PyTorch 1.13's {@code torch.optim.SGD}. Per parameter {@code p} with gradient {@code g}:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = g + weightDecay * p
 * if momentum != 0:
 *     buf = (first step) ? g : momentum * buf + (1 - dampening) * g
 *     g = nesterov ? g + momentum * buf : buf
 * p = p - lr * g
 * </pre>
 * State: {@code p{i}.momentum_buffer} (only when momentum != 0, from the parameter's first step).
 * Build with {@link #builder(Collection)}.
 */
public final class SGD extends OptimizerBase {
    private static final String BUF = "momentum_buffer";

    private double momentum;
    /** Whether momentum was ever non-zero, so that a momentum buffer may exist. */
    private boolean momentumUsed;
    private final double dampening;
    private final boolean nesterov;
    private final double weightDecay;
    private final boolean maximize;

    private SGD(Builder b) {
        super("SGD", b.params, b.lr);
        this.momentum = checkNonNegative(kind, "momentum", b.momentum);
        this.dampening = b.dampening;
        if (Double.isNaN(dampening) || Double.isInfinite(dampening)) {
            throw new IllegalArgumentException("SGD: invalid dampening = " + dampening + "; expected a finite value");
        }
        this.nesterov = b.nesterov;
        this.momentumUsed = momentum != 0;
        this.weightDecay = checkNonNegative(kind, "weightDecay", b.weightDecay);
        this.maximize = b.maximize;
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum = "
                    + momentum + ", dampening = " + dampening);
        }
    }

    /** A builder over {@code params} (e.g. {@code module.parameters().values()}), copied at {@link Builder#build()}. */
    public static Builder builder(Collection<Var> params) {
        return new Builder(params);
    }

    @Override
    void update(int i, Var p, Tensor g, State st) {
        ComputeBackend k = ComputeBackend.of(p.backend());
        Tensor pv = ownedValue(p, st);
        // temporaries (never g, never the momentum buffer) are closed once used, so that their memory is reused
        Tensor d = maximize ? k.scale(g, -1) : g;
        if (weightDecay != 0) {
            Tensor decayed = k.addScaled(d, pv, weightDecay);
            if (d != g) {
                d.close();
            }
            d = decayed;
        }
        Tensor buf = null;
        if (momentum != 0) {
            buf = st.get(BUF);
            if (buf == null) {
                buf = k.scale(d, 1.0);
                st.put(BUF, buf);
            } else {
                k.addScaledInPlace(buf, momentum, d, 1 - dampening);
            }
            Tensor next = nesterov ? k.addScaled(d, buf, momentum) : buf;
            if (d != g) {
                d.close();
            }
            d = next;
        }
        k.addScaledInPlace(pv, 1, d, -lr);
        if (d != g && d != buf) {
            d.close();
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
     * Sets the momentum factor ({@code >= 0}; {@code > 0} with Nesterov momentum). Switching from 0 to a
     * positive value starts each parameter's momentum buffer afresh at its next step, as PyTorch does.
     */
    @Override
    public void setMomentum(double momentum) {
        checkNonNegative(kind, "momentum", momentum);
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("SGD.setMomentum: momentum = " + momentum
                    + ", but Nesterov momentum requires momentum > 0");
        }
        this.momentum = momentum;
        momentumUsed |= momentum != 0;
    }

    @Override
    State newState(Var p) {
        return new State();
    }

    @Override
    List<String> stateNames() {
        return momentumUsed ? List.of(BUF) : List.of();
    }

    @Override
    boolean stateComplete() {
        return false;
    }

    @Override
    String describe() {
        return "SGD(lr=" + lr + ", momentum=" + momentum + ", dampening=" + dampening + ", nesterov=" + nesterov
                + ", weightDecay=" + weightDecay + (maximize ? ", maximize" : "") + ")";
    }

    /** Hyper-parameters of {@link SGD}, with PyTorch's defaults (lr defaults to 1e-3, as in PyTorch 2). */
    public static final class Builder {
        private final Collection<Var> params;
        private double lr = 1e-3;
        private double momentum;
        private double dampening;
        private boolean nesterov;
        private double weightDecay;
        private boolean maximize;

        private Builder(Collection<Var> params) {
            this.params = params;
        }

        /** Learning rate, {@code >= 0}. */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Momentum factor, {@code >= 0}; 0 (default) disables momentum. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Dampening for momentum (default 0). */
        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** Nesterov momentum; requires momentum > 0 and dampening 0. */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** L2 penalty added to the gradient, {@code >= 0} (default 0). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Maximize the objective instead of minimizing (default false). */
        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        /** The optimizer; validates every hyper-parameter and the parameters. */
        public SGD build() {
            return new SGD(this);
        }
    }
}
