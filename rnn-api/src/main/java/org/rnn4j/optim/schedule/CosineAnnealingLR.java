package org.rnn4j.optim.schedule;

import org.rnn4j.optim.Optimizer;

/**
 * Cosine annealing from the base rate to {@code etaMin} over {@code tMax} steps: PyTorch 1.13's
 * {@code CosineAnnealingLR}, computed exactly as PyTorch computes it: recursively from the optimizer's
 * current rate,
 * <pre>
 * lr_e = (1 + cos(pi e / T)) / (1 + cos(pi (e-1) / T)) * (lr_{e-1} - eta_min) + eta_min
 * </pre>
 * except at {@code (e - 1 - T) mod 2T == 0}, where the ratio would be 0/0 and PyTorch adds
 * {@code (base_lr - eta_min) (1 - cos(pi / T)) / 2} instead. Its values equal the closed form
 * {@code eta_min + (base_lr - eta_min) (1 + cos(pi e / T)) / 2} up to rounding, so past {@code tMax} the
 * rate rises again (the cosine is periodic with period {@code 2 tMax}), as in PyTorch; chain it with
 * {@link SequentialLR} or stop stepping to hold {@code etaMin}.
 */
public final class CosineAnnealingLR extends EpochScheduler {
    private final long tMax;
    private final double etaMin;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0 (its current rate).
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param tMax half-period in steps, {@code >= 1}
     * @param etaMin the minimum rate, finite and {@code >= 0} (PyTorch's default 0)
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin) {
        super("CosineAnnealingLR", optimizer);
        this.tMax = Check.atLeast(kind, "tMax", tMax, 1);
        this.etaMin = Check.rate(kind, "etaMin", etaMin);
        attach(Double.NaN);
    }

    @Override
    double chainedLr(long e, double lr) {
        if (e == 0) {
            return lr;
        }
        if (Math.floorMod(e - 1 - tMax, 2 * tMax) == 0) {
            return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
    }

    @Override
    double closedFormLr(long e) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
    }

    @Override
    String describe() {
        return "CosineAnnealingLR(tMax=" + tMax + ", etaMin=" + etaMin + ")";
    }
}
