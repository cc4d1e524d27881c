package org.rnn4j.optim.schedule;

import org.rnn4j.optim.Optimizer;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter 2017): PyTorch 1.13's
 * {@code CosineAnnealingWarmRestarts} stepped once per step. The first cycle lasts {@code t0} steps and
 * each next one {@code tMult} times longer; within a cycle of length {@code T_i}, at position
 * {@code T_cur} (0 at a restart), {@code lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2}.
 * {@code T_cur} and {@code T_i} follow from the step count by whole-number arithmetic, as PyTorch's
 * {@code step()} updates them.
 */
public final class CosineAnnealingWarmRestarts extends EpochScheduler {
    private final long t0;
    private final long tMult;
    private final double etaMin;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0 (its current rate, up to rounding).
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param t0 length of the first cycle in steps, {@code >= 1}
     * @param tMult growth factor of the cycle length, {@code >= 1} (PyTorch's default 1)
     * @param etaMin the minimum rate, finite and {@code >= 0} (PyTorch's default 0)
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, long t0, long tMult, double etaMin) {
        super("CosineAnnealingWarmRestarts", optimizer);
        this.t0 = Check.atLeast(kind, "t0", t0, 1);
        this.tMult = Check.atLeast(kind, "tMult", tMult, 1);
        this.etaMin = Check.rate(kind, "etaMin", etaMin);
        attach(Double.NaN);
    }

    /** {@code {T_cur, T_i}} at step {@code epoch >= 0}. */
    long[] cycle(long epoch) {
        if (tMult == 1) {
            return new long[] {epoch % t0, t0};
        }
        long cur = epoch;
        long len = t0;
        while (cur >= len) {
            cur -= len;
            len = Math.multiplyExact(len, tMult);
        }
        return new long[] {cur, len};
    }

    @Override
    double chainedLr(long epoch, double lr) {
        return closedFormLr(epoch);
    }

    @Override
    double closedFormLr(long epoch) {
        long[] c = cycle(epoch);
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * c[0] / c[1])) / 2;
    }

    /** Steps since the last restart (PyTorch's {@code T_cur}). */
    public long stepsSinceRestart() {
        return cycle(Math.max(lastEpoch, 0))[0];
    }

    /** Length of the current cycle (PyTorch's {@code T_i}). */
    public long cycleLength() {
        return cycle(Math.max(lastEpoch, 0))[1];
    }

    @Override
    String describe() {
        return "CosineAnnealingWarmRestarts(t0=" + t0 + ", tMult=" + tMult + ", etaMin=" + etaMin + ")";
    }
}
