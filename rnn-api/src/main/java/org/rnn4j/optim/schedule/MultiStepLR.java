package org.rnn4j.optim.schedule;

import java.util.Arrays;
import org.rnn4j.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone step: PyTorch 1.13's
 * {@code MultiStepLR}. A milestone given {@code k} times multiplies by {@code gamma^k} (PyTorch counts
 * repeated milestones). Step {@code e} has {@code lr = base_lr * gamma^(number of milestones <= e)}.
 */
public final class MultiStepLR extends EpochScheduler {
    private final long[] milestones;
    private final double gamma;

    /**
     * Attaches to {@code optimizer} and sets the rate of step 0.
     *
     * @param optimizer modified: its learning rate is set now and at every {@link #step()}
     * @param milestones step indices {@code >= 0}, in any order (not modified)
     * @param gamma multiplicative factor, finite and {@code >= 0} (PyTorch's default 0.1)
     * @throws IllegalArgumentException for an invalid argument, before the optimizer is touched
     */
    public MultiStepLR(Optimizer optimizer, long[] milestones, double gamma) {
        super("MultiStepLR", optimizer);
        if (milestones == null) {
            throw new IllegalArgumentException("MultiStepLR: milestones is null; expected step indices >= 0");
        }
        long[] m = milestones.clone();
        Arrays.sort(m);
        if (m.length > 0 && m[0] < 0) {
            throw new IllegalArgumentException("MultiStepLR: milestone " + m[0] + " in " + Arrays.toString(milestones)
                    + " is negative; expected step indices >= 0");
        }
        this.milestones = m;
        this.gamma = Check.factor(kind, "gamma", gamma);
        attach(Double.NaN);
    }

    /** How many milestones equal {@code epoch}. */
    private int countAt(long epoch) {
        int n = 0;
        for (long m : milestones) {
            n += m == epoch ? 1 : 0;
        }
        return n;
    }

    @Override
    double chainedLr(long epoch, double lr) {
        int k = countAt(epoch);
        return k == 0 ? lr : lr * Math.pow(gamma, k);
    }

    @Override
    double closedFormLr(long epoch) {
        int passed = 0;
        for (long m : milestones) {
            passed += m <= epoch ? 1 : 0;
        }
        return baseLr * Math.pow(gamma, passed);
    }

    @Override
    String describe() {
        return "MultiStepLR(milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + ")";
    }
}
