package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.Collection;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Tensor;

/**
 * Adagrad: PyTorch 1.13's {@code torch.optim.Adagrad}. Per parameter {@code p} with gradient
 * {@code g}, at step {@code t = 1, 2, ...}:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = g + weightDecay * p
 * clr = lr / (1 + (t - 1) * lrDecay)
 * sum = sum + g * g
 * p = p - clr * g / (sqrt(sum) + eps)
 * </pre>
 * State: {@code p{i}.step} and {@code p{i}.sum}, created for every parameter at construction (as in
 * PyTorch), {@code sum} filled with {@code initialAccumulatorValue}. Build with {@link #builder(Collection)}.
 */
public final class Adagrad extends OptimizerBase {
    private static final String SUM = "sum";

    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulatorValue;
    private final double eps;
    private final boolean maximize;

    private Adagrad(Builder b) {
        super("Adagrad", b.params, b.lr);
        this.lrDecay = checkNonNegative(kind, "lrDecay", b.lrDecay);
        this.weightDecay = checkNonNegative(kind, "weightDecay", b.weightDecay);
        this.initialAccumulatorValue = checkNonNegative(kind, "initialAccumulatorValue", b.initialAccumulatorValue);
        this.eps = checkNonNegative(kind, "eps", b.eps);
        this.maximize = b.maximize;
        initAllStates();
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
        double step = st.step;
        Tensor grad = maximize ? k.scale(g, -1) : g;
        if (weightDecay != 0) {
            grad = k.addScaled(grad, pv, weightDecay);
        }
        double clr = lr / (1 + (step - 1) * lrDecay);
        Tensor sum = st.get(SUM);
        k.addScaledInPlace(sum, 1, k.mul(grad, grad), 1);
        Tensor std = k.addScalar(k.sqrt(sum), eps);
        k.addScaledInPlace(pv, 1, k.div(grad, std), -clr);
    }

    @Override
    State newState(Var p) {
        State st = new State();
        st.put(SUM, p.backend().full(initialAccumulatorValue, p.dtype(), p.shape()));
        return st;
    }

    @Override
    List<String> stateNames() {
        return List.of(STEP, SUM);
    }

    @Override
    boolean eagerState() {
        return true;
    }

    @Override
    String describe() {
        return "Adagrad(lr=" + lr + ", lrDecay=" + lrDecay + ", weightDecay=" + weightDecay + ", initialAccumulatorValue="
                + initialAccumulatorValue + ", eps=" + eps + (maximize ? ", maximize" : "") + ")";
    }

    /** Hyper-parameters of {@link Adagrad}, with PyTorch's defaults. */
    public static final class Builder {
        private final Collection<Var> params;
        private double lr = 1e-2;
        private double lrDecay;
        private double weightDecay;
        private double initialAccumulatorValue;
        private double eps = 1e-10;
        private boolean maximize;

        private Builder(Collection<Var> params) {
            this.params = params;
        }

        /** Learning rate, {@code >= 0} (default 0.01). */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Learning-rate decay per step, {@code >= 0} (default 0). */
        public Builder lrDecay(double lrDecay) {
            this.lrDecay = lrDecay;
            return this;
        }

        /** L2 penalty added to the gradient, {@code >= 0} (default 0). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Starting value of every squared-gradient sum, {@code >= 0} (default 0). */
        public Builder initialAccumulatorValue(double value) {
            this.initialAccumulatorValue = value;
            return this;
        }

        /** Term added to the denominator, {@code >= 0} (default 1e-10). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** Maximize the objective instead of minimizing (default false). */
        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        /** The optimizer; validates every hyper-parameter and the parameters. */
        public Adagrad build() {
            return new Adagrad(this);
        }
    }
}
