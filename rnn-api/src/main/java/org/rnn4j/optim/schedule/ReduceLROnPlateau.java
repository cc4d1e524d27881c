package org.rnn4j.optim.schedule;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;

/**
 * Lowers the learning rate when a monitored metric stops improving: PyTorch 1.13's
 * {@code ReduceLROnPlateau}. Each {@link #step(double)} compares the metric with the best so far: it
 * improves when (mode MIN) {@code metric < best * (1 - threshold)} (REL) or {@code metric < best - threshold}
 * (ABS), mirrored for MAX. After more than {@code patience} steps without improvement the rate becomes
 * {@code max(lr * factor, minLr)} (only if that lowers it by more than {@code eps}), then {@code cooldown}
 * steps pass during which bad steps are not counted. Creating it does not change the optimizer.
 *
 * <p>State: {@code last_epoch}, {@code num_bad_epochs}, {@code cooldown_counter} (I64), {@code best},
 * {@code last_lr}, {@code optimizer_lr} (F64; {@code best} starts at +/-infinity).
 */
public final class ReduceLROnPlateau implements LrScheduler {
    private static final String KIND = "ReduceLROnPlateau";
    private static final String BEST = "best";
    private static final String BAD = "num_bad_epochs";
    private static final String COOLDOWN = "cooldown_counter";

    /** Whether lower (MIN, e.g. a loss) or higher (MAX, e.g. an accuracy) metric values are better. */
    public enum Mode {
        /** Lower is better. */
        MIN,
        /** Higher is better. */
        MAX
    }

    /** How {@code threshold} defines a significant improvement. */
    public enum ThresholdMode {
        /** Relative: by a fraction {@code threshold} of the best value. */
        REL,
        /** Absolute: by {@code threshold}. */
        ABS
    }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor;
    private final long patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final long cooldown;
    private final double minLr;
    private final double eps;

    private long lastEpoch;
    private double best;
    private long numBadEpochs;
    private long cooldownCounter;
    private double lastLr;

    private ReduceLROnPlateau(Builder b) {
        if (b.optimizer == null) {
            throw new IllegalArgumentException(KIND + ": optimizer is null");
        }
        try {
            b.optimizer.lr();
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(KIND + ": optimizer " + b.optimizer + " has no learning rate to schedule", e);
        }
        if (b.mode == null) {
            throw new IllegalArgumentException(KIND + ": mode is null; expected MIN or MAX");
        }
        if (b.thresholdMode == null) {
            throw new IllegalArgumentException(KIND + ": thresholdMode is null; expected REL or ABS");
        }
        if (!(b.factor >= 0 && b.factor < 1)) {
            throw new IllegalArgumentException(KIND + ": factor = " + b.factor + ", expected a value in [0, 1) (PyTorch: factor should be < 1.0)");
        }
        this.optimizer = b.optimizer;
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = Check.atLeast(KIND, "patience", b.patience, 0);
        this.threshold = Check.factor(KIND, "threshold", b.threshold);
        this.thresholdMode = b.thresholdMode;
        this.cooldown = Check.atLeast(KIND, "cooldown", b.cooldown, 0);
        this.minLr = Check.rate(KIND, "minLr", b.minLr);
        this.eps = Check.factor(KIND, "eps", b.eps);
        this.best = worst();
        this.lastLr = optimizer.lr();
    }

    /** A builder over {@code optimizer}, with PyTorch's defaults. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private boolean isBetter(double a, double best) {
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.REL ? a < best * (1. - threshold) : a < best - threshold;
        }
        return thresholdMode == ThresholdMode.REL ? a > best * (threshold + 1.) : a > best + threshold;
    }

    /** Always throws: this schedule needs the monitored metric; call {@link #step(double)}. */
    @Override
    public void step() {
        throw new IllegalStateException(KIND + " needs the monitored metric: call step(metric), e.g. with the validation loss");
    }

    /**
     * Records the latest value of the monitored metric and lowers the optimizer's learning rate when it has
     * not improved for more than {@code patience} steps.
     *
     * @param metric the metric (any value but NaN; infinities compare as numbers)
     * @throws IllegalArgumentException for NaN, before anything changes
     */
    @Override
    public void step(double metric) {
        if (Double.isNaN(metric)) {
            throw new IllegalArgumentException(KIND + ".step: metric is NaN; expected the monitored value (e.g. the validation"
                    + " loss), which must be a number");
        }
        lastEpoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            double old = optimizer.lr();
            double lowered = Math.max(old * factor, minLr);
            if (old - lowered > eps) {
                optimizer.setLr(lowered);
            }
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        lastLr = optimizer.lr();
    }

    @Override
    public boolean usesMetric() {
        return true;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public double lastLr() {
        return lastLr;
    }

    @Override
    public long lastEpoch() {
        return lastEpoch;
    }

    /** The best metric value so far (+infinity for MIN, -infinity for MAX before the first step). */
    public double best() {
        return best;
    }

    /** Steps without improvement counted towards {@code patience}. */
    public long numBadEpochs() {
        return numBadEpochs;
    }

    /** Remaining cooldown steps. */
    public long cooldownCounter() {
        return cooldownCounter;
    }

    @Override
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(StateMap.LAST_EPOCH, StateMap.of(lastEpoch));
        out.put(BEST, StateMap.of(best));
        out.put(BAD, StateMap.of(numBadEpochs));
        out.put(COOLDOWN, StateMap.of(cooldownCounter));
        out.put(StateMap.LAST_LR, StateMap.of(lastLr));
        out.put(StateMap.OPTIMIZER_LR, StateMap.of(optimizer.lr()));
        return out;
    }

    @Override
    public void loadState(Map<String, HostTensor> state) {
        StateMap.Reader.checkKeys(KIND, state, new LinkedHashSet<>(List.of(StateMap.LAST_EPOCH, BEST, BAD, COOLDOWN,
                StateMap.LAST_LR, StateMap.OPTIMIZER_LR)));
        StateMap.Reader r = new StateMap.Reader(KIND, state, "");
        long epoch = r.count(StateMap.LAST_EPOCH, 0, Long.MAX_VALUE / 2);
        double b = r.number(BEST);
        long bad = r.count(BAD, 0, Long.MAX_VALUE / 2);
        long cd = r.count(COOLDOWN, 0, cooldown);
        double last = r.rate(StateMap.LAST_LR);
        double optLr = r.rate(StateMap.OPTIMIZER_LR);
        optimizer.setLr(optLr);
        lastEpoch = epoch;
        best = b;
        numBadEpochs = bad;
        cooldownCounter = cd;
        lastLr = last;
    }

    @Override
    public String toString() {
        return KIND + "(mode=" + mode + ", factor=" + factor + ", patience=" + patience + ", threshold=" + threshold
                + ", thresholdMode=" + thresholdMode + ", cooldown=" + cooldown + ", minLr=" + minLr + ", eps=" + eps + ") at step "
                + lastEpoch + ", best " + best + ", lr " + lastLr;
    }

    /** Settings of {@link ReduceLROnPlateau}, with PyTorch's defaults. */
    public static final class Builder {
        private final Optimizer optimizer;
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private long patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private long cooldown;
        private double minLr;
        private double eps = 1e-8;

        private Builder(Optimizer optimizer) {
            this.optimizer = optimizer;
        }

        /** MIN (default: lower is better, e.g. a loss) or MAX. */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** The factor the rate is multiplied by, in {@code [0, 1)} (default 0.1). */
        public Builder factor(double factor) {
            this.factor = factor;
            return this;
        }

        /** Steps without improvement tolerated before lowering the rate, {@code >= 0} (default 10). */
        public Builder patience(long patience) {
            this.patience = patience;
            return this;
        }

        /** The minimum significant improvement, {@code >= 0} (default 1e-4). */
        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        /** REL (default) or ABS, how {@code threshold} is applied. */
        public Builder thresholdMode(ThresholdMode thresholdMode) {
            this.thresholdMode = thresholdMode;
            return this;
        }

        /** Steps after a reduction during which bad steps are not counted, {@code >= 0} (default 0). */
        public Builder cooldown(long cooldown) {
            this.cooldown = cooldown;
            return this;
        }

        /** The lowest rate, {@code >= 0} (default 0). */
        public Builder minLr(double minLr) {
            this.minLr = minLr;
            return this;
        }

        /** Reductions smaller than this are skipped, {@code >= 0} (default 1e-8). */
        public Builder eps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Validates every setting; the optimizer is not changed.
         *
         * @throws IllegalArgumentException for an invalid setting
         */
        public ReduceLROnPlateau build() {
            return new ReduceLROnPlateau(this);
        }
    }
}
