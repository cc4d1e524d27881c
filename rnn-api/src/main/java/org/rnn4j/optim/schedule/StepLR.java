package org.rnn4j.optim.schedule;

import org.rnn4j.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} steps: PyTorch 1.13's
 * {@code StepLR}. Step {@code e} has {@code lr = base_lr * gamma^floor(e / stepSize)}, computed as PyTorch
 * does, by multiplying the optimizer's current rate at each multiple of {@code stepSize}.
 */
public final class StepLR extends EpochScheduler {
    private final long stepSize;
    private final double gamma;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0 (its current rate).
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param stepSize period of the decay in steps, {@code >= 1}
     * @param gamma multiplicative factor, finite and {@code >= 0} (PyTorch's default 0.1)
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public StepLR(Optimizer optimizer, long stepSize, double gamma) {
        super("StepLR", optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: stepSize = " + stepSize + ", expected >= 1");
        }
        this.stepSize = stepSize;
        this.gamma = Check.factor(kind, "gamma", gamma);
        attach(Double.NaN);
    }

    @Override
    double chainedLr(long epoch, double lr) {
        if (epoch == 0 || epoch % stepSize != 0) {
            return lr;
        }
        return lr * gamma;
    }

    @Override
    double closedFormLr(long epoch) {
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }

    @Override
    String describe() {
        return "StepLR(stepSize=" + stepSize + ", gamma=" + gamma + ")";
    }
}
