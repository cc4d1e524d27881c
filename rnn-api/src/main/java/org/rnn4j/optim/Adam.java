package org.rnn4j.optim;

import java.util.Collection;
import org.rnn4j.autograd.Var;

/**
 * Adam with L2 weight decay added to the gradient: PyTorch 1.13's {@code torch.optim.Adam}. Per parameter {@code p} with gradient {@code g}, at step {@code t = 1, 2, ...}:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 * vHat = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(vHat) / sqrt(1 - beta2^t) + eps
 * p = p - (lr / (1 - beta1^t)) * m / denom
 * </pre>
 * State: {@code p{i}.step}, {@code p{i}.exp_avg} (m), {@code p{i}.exp_avg_sq} (v) and, with amsgrad,
 * {@code p{i}.max_exp_avg_sq}. Build with {@link #builder(Collection)}.
 */
public final class Adam extends AdamBase {

    private Adam(Builder b) {
        super("Adam", b, false);
    }

    /** A builder over {@code params} (e.g. {@code module.parameters().values()}), copied at {@link Builder#build()}. */
    public static Builder builder(Collection<Var> params) {
        return new Builder(params);
    }

    /** Hyper-parameters of {@link Adam}, with PyTorch's defaults (weight decay 0). */
    public static final class Builder extends Settings<Builder, Adam> {
        private Builder(Collection<Var> params) {
            super(params, 0);
        }

        @Override
        public Adam build() {
            return new Adam(this);
        }
    }
}
