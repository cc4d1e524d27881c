package org.rnn4j.optim.schedule;

import org.rnn4j.optim.Optimizer;

/**
 * Linear warm-up (or decay) of the learning rate's factor from {@code startFactor} to {@code endFactor}
 * over {@code totalIters} steps, then constant: PyTorch 1.13's {@code LinearLR}. Step {@code e} has
 * {@code lr = base_lr * (start + (end - start) * min(e, totalIters) / totalIters)}, computed as PyTorch does,
 * recursively from the optimizer's current rate:
 * {@code lr_e = lr_{e-1} * (1 + (end - start) / (totalIters * start + (e - 1) * (end - start)))}.
 */
public final class LinearLR extends EpochScheduler {
    private final double startFactor;
    private final double endFactor;
    private final long totalIters;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0 ({@code startFactor} times its current rate).
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param startFactor factor of step 0, in {@code (0, 1]} (PyTorch's default 1/3)
     * @param endFactor factor from step {@code totalIters} on, in {@code [0, 1]} (PyTorch's default 1)
     * @param totalIters steps over which the factor changes, {@code >= 1} (PyTorch's default 5)
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, long totalIters) {
        super("LinearLR", optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: startFactor = " + startFactor + ", expected a value in (0, 1]");
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: endFactor = " + endFactor + ", expected a value in [0, 1]");
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = Check.atLeast(kind, "totalIters", totalIters, 1);
        attach(Double.NaN);
    }

    @Override
    double chainedLr(long e, double lr) {
        if (e == 0) {
            return lr * startFactor;
        }
        if (e > totalIters) {
            return lr;
        }
        return lr * (1. + (endFactor - startFactor) / (totalIters * startFactor + (e - 1) * (endFactor - startFactor)));
    }

    @Override
    double closedFormLr(long e) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, e) / totalIters);
    }

    @Override
    String describe() {
        return "LinearLR(startFactor=" + startFactor + ", endFactor=" + endFactor + ", totalIters=" + totalIters + ")";
    }
}
