package org.rnn4j.optim;

import java.util.Collection;
import org.rnn4j.autograd.Var;

/**
 * Adam with decoupled weight decay: PyTorch 1.13's {@code torch.optim.AdamW}. Per parameter {@code p} with gradient {@code g}, at step {@code t = 1, 2, ...}:
 * <pre>
 * g = maximize ? -g : g
 * p = p * (1 - lr * weightDecay)
 * m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 * vHat = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(vHat) / sqrt(1 - beta2^t) + eps
 * p = p - (lr / (1 - beta1^t)) * m / denom
 * </pre>
 * State: {@code p{i}.step}, {@code p{i}.exp_avg} (m), {@code p{i}.exp_avg_sq} (v) and, with amsgrad,
 * {@code p{i}.max_exp_avg_sq}. Build with {@link #builder(Collection)}.
 */
public final class AdamW extends AdamBase {

    private AdamW(Builder b) {
        super("AdamW", b.params, b.lr, b.beta1, b.beta2, b.eps, b.weightDecay, b.amsgrad, b.maximize, true);
    }

    /** A builder over {@code params} (e.g. {@code module.parameters().values()}), copied at {@link Builder#build()}. */
    public static Builder builder(Collection<Var> params) {
        return new Builder(params);
    }

    /** Hyper-parameters of {@link AdamW}, with PyTorch's defaults. */
    public static final class Builder {
        private final Collection<Var> params;
        private double lr = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 1e-2;
        private boolean amsgrad;
        private boolean maximize;

        private Builder(Collection<Var> params) {
            this.params = params;
        }

        /** Learning rate, {@code >= 0} (default 1e-3). */
        public Builder lr(double lr) {
            this.lr = lr;
            return this;
        }

        /** Decay rates of the first and second moment estimates, each in {@code [0, 1)} (default 0.9, 0.999). */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Term added to the denominator, {@code >= 0} (default 1e-8). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /** Decoupled weight decay: each step first multiplies the parameter by {@code 1 - lr * weightDecay}; {@code >= 0} (default 0.01). */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Use the maximum of past second moments (AMSGrad; default false). */
        public Builder amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        /** Maximize the objective instead of minimizing (default false). */
        public Builder maximize(boolean maximize) {
            this.maximize = maximize;
            return this;
        }

        /** The optimizer; validates every hyper-parameter and the parameters. */
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
