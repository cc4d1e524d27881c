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
        super("AdamW", b, true);
    }

    /** A builder over {@code params} (e.g. {@code module.parameters().values()}), copied at {@link Builder#build()}. */
    public static Builder builder(Collection<Var> params) {
        return new Builder(params);
    }

    /** Hyper-parameters of {@link AdamW}, with PyTorch's defaults (weight decay 1e-2). */
    public static final class Builder extends Settings<Builder, AdamW> {
        private Builder(Collection<Var> params) {
            super(params, 1e-2);
        }

        @Override
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
