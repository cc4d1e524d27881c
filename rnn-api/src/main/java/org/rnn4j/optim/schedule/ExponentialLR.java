package org.rnn4j.optim.schedule;

import org.rnn4j.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} every step: PyTorch 1.13's {@code ExponentialLR},
 * {@code lr = base_lr * gamma^e} at step {@code e} (computed, as PyTorch does, by repeated multiplication).
 */
public final class ExponentialLR extends EpochScheduler {
    private final double gamma;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0 (its current rate).
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param gamma multiplicative factor per step, finite and {@code >= 0}
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        super("ExponentialLR", optimizer);
        this.gamma = Check.factor(kind, "gamma", gamma);
        attach(Double.NaN);
    }

    @Override
    double chainedLr(long epoch, double lr) {
        return epoch == 0 ? lr : lr * gamma;
    }

    @Override
    double closedFormLr(long epoch) {
        return baseLr * Math.pow(gamma, epoch);
    }

    @Override
    String describe() {
        return "ExponentialLR(gamma=" + gamma + ")";
    }
}
