package org.rnn4j.optim.schedule;

import java.util.List;
import java.util.Map;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;

/**
 * The one-cycle policy (Smith and Topin 2018): PyTorch 1.13's {@code OneCycleLR}. The rate rises from
 * {@code initial_lr = maxLr / divFactor} to {@code maxLr} over the first {@code pctStart * totalSteps - 1}
 * steps, then anneals to {@code min_lr = initial_lr / finalDivFactor} at step {@code totalSteps - 1}
 * (three-phase: up, back down to {@code initial_lr}, then to {@code min_lr}); with cosine or linear
 * annealing. When momentum cycling is on (the default) the optimizer's momentum coefficient
 * ({@link Optimizer#momentum()}: SGD's and RMSprop's momentum, Adam's {@code beta1}) moves inversely, between
 * {@code maxMomentum} and {@code baseMomentum}.
 *
 * <p>Within a phase from step {@code s0} to {@code s1} (PyTorch's float {@code end_step}s), step {@code e}
 * has {@code pct = (e - s0) / (s1 - s0)} and, for cosine annealing from {@code a} to {@code b},
 * {@code b + (a - b) / 2 * (cos(pi pct) + 1)}; linear: {@code (b - a) pct + a}.
 *
 * <p>The schedule is finite: creation is step 0 and {@link #step()} may be called {@code totalSteps} times,
 * so that a loop stepping the schedule after each of {@code totalSteps} optimizer steps works; one more
 * throws {@link IllegalStateException} and changes nothing. The last call sets the rate of step
 * {@code totalSteps}, past the end of the cycle: PyTorch extrapolates the last phase there, which cosine
 * annealing keeps within the phase's range (that value is used, as PyTorch's); linear annealing would
 * overshoot (to a negative rate with the default settings, which no optimizer accepts), so with linear
 * annealing that step holds the end values of the cycle instead. The optimizer's initial rate is replaced (the
 * schedule sets its own), as in PyTorch.
 *
 * <p>State: the entries of {@link EpochScheduler} and, with momentum cycling, {@code optimizer_momentum}.
 */
public final class OneCycleLR extends EpochScheduler {
    /** Annealing between a phase's start and end values. */
    public enum Anneal {
        /** {@code end + (start - end) / 2 * (cos(pi pct) + 1)}. */
        COS,
        /** {@code (end - start) * pct + start}. */
        LINEAR
    }

    private record Phase(double endStep, double startLr, double endLr, double startMomentum, double endMomentum) {
    }

    private final long totalSteps;
    private final double maxLr;
    private final double initialLr;
    private final double minLr;
    private final Anneal anneal;
    private final boolean cycleMomentum;
    private final double baseMomentum;
    private final double maxMomentum;
    private final Phase[] phases;
    private final String settings;

    private OneCycleLR(Builder b) {
        super("OneCycleLR", b.optimizer);
        if (b.totalSteps < 1) {
            throw new IllegalArgumentException("OneCycleLR: totalSteps = " + b.totalSteps
                    + ", expected >= 1 (set totalSteps(n) or epochs(epochs, stepsPerEpoch))");
        }
        this.totalSteps = b.totalSteps;
        this.maxLr = b.maxLr;
        if (!(b.maxLr > 0) || Double.isInfinite(b.maxLr)) {
            throw new IllegalArgumentException("OneCycleLR: maxLr = " + b.maxLr + ", expected a finite value > 0");
        }
        if (!(b.pctStart >= 0 && b.pctStart <= 1)) {
            throw new IllegalArgumentException("OneCycleLR: pctStart = " + b.pctStart + ", expected a value in [0, 1]");
        }
        if (!(b.divFactor > 0) || Double.isInfinite(b.divFactor)) {
            throw new IllegalArgumentException("OneCycleLR: divFactor = " + b.divFactor + ", expected a finite value > 0");
        }
        if (!(b.finalDivFactor > 0) || Double.isInfinite(b.finalDivFactor)) {
            throw new IllegalArgumentException("OneCycleLR: finalDivFactor = " + b.finalDivFactor + ", expected a finite value > 0");
        }
        if (b.anneal == null) {
            throw new IllegalArgumentException("OneCycleLR: anneal is null; expected COS or LINEAR");
        }
        this.anneal = b.anneal;
        this.initialLr = maxLr / b.divFactor;
        this.minLr = initialLr / b.finalDivFactor;
        this.cycleMomentum = b.cycleMomentum;
        this.baseMomentum = b.baseMomentum;
        this.maxMomentum = b.maxMomentum;
        if (cycleMomentum) {
            if (!optimizer.hasMomentum()) {
                throw new IllegalArgumentException("OneCycleLR: optimizer " + optimizer + " has no momentum coefficient to cycle"
                        + " (SGD, RMSprop, Adam and AdamW have one); call cycleMomentum(false)");
            }
            checkMomentum("baseMomentum", baseMomentum);
            checkMomentum("maxMomentum", maxMomentum);
        }
        double pct = b.pctStart;
        long n = totalSteps;
        if (b.threePhase) {
            phases = new Phase[] {
                new Phase(pct * n - 1, initialLr, maxLr, maxMomentum, baseMomentum),
                new Phase(2 * pct * n - 2, maxLr, initialLr, baseMomentum, maxMomentum),
                new Phase(n - 1, initialLr, minLr, maxMomentum, maxMomentum)};
        } else {
            phases = new Phase[] {
                new Phase(pct * n - 1, initialLr, maxLr, maxMomentum, baseMomentum),
                new Phase(n - 1, maxLr, minLr, baseMomentum, maxMomentum)};
        }
        this.settings = "OneCycleLR(maxLr=" + maxLr + ", totalSteps=" + totalSteps + ", pctStart=" + pct + ", anneal=" + anneal
                + ", cycleMomentum=" + cycleMomentum + ", baseMomentum=" + baseMomentum + ", maxMomentum=" + maxMomentum
                + ", divFactor=" + b.divFactor + ", finalDivFactor=" + b.finalDivFactor + ", threePhase=" + b.threePhase + ")";
        // a phase of length 0 that a step falls into divides 0 by 0 (PyTorch raises ZeroDivisionError there):
        // the first phase always gets step 0, the last any step after its start
        double start = 0;
        for (int i = 0; i < phases.length; i++) {
            double span = phases[i].endStep - start;
            boolean reachable = i == 0 || (i == phases.length - 1 && start < totalSteps);
            if (span == 0 && reachable) {
                throw new IllegalArgumentException("OneCycleLR: phase " + (i + 1) + " of the cycle has length 0 (pctStart = " + pct
                        + ", totalSteps = " + totalSteps + "), so its rate would be 0/0; change pctStart or totalSteps");
            }
            start = phases[i].endStep;
        }
        attach(initialLr);
    }

    private void checkMomentum(String name, double m) {
        double old = optimizer.momentum();
        try {
            optimizer.setMomentum(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("OneCycleLR: " + name + " = " + m + " is not a momentum the optimizer accepts: "
                    + e.getMessage(), e);
        } finally {
            optimizer.setMomentum(old);
        }
    }

    /** A builder over {@code optimizer}, with PyTorch's defaults; {@code maxLr} and the length are required. */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(optimizer);
    }

    /** {@code {lr, momentum}} of step {@code e}; throws past the end. */
    private double[] position(long e) {
        if (e > totalSteps) {
            throw new IllegalStateException("OneCycleLR: tried to step " + (e + 1) + " times (creation counts as the first);"
                    + " the specified number of total steps is " + totalSteps + ", which allows " + (totalSteps + 1)
                    + ". Create the schedule with a larger totalSteps (e.g. epochs * stepsPerEpoch) or stop stepping it");
        }
        double start = 0;
        for (int i = 0; i < phases.length; i++) {
            Phase p = phases[i];
            if (e <= p.endStep || i == phases.length - 1) {
                double pct = (e - start) / (p.endStep - start);
                if (anneal == Anneal.LINEAR && pct > 1) {
                    pct = 1; // the step past the end: PyTorch extrapolates the line, to a negative rate by default
                }
                return new double[] {anneal(p.startLr, p.endLr, pct), anneal(p.startMomentum, p.endMomentum, pct)};
            }
            start = p.endStep;
        }
        throw new AssertionError("unreachable");
    }

    private double anneal(double from, double to, double pct) {
        if (anneal == Anneal.COS) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return to + (from - to) / 2.0 * cosOut;
        }
        return (to - from) * pct + from;
    }

    @Override
    double chainedLr(long epoch, double lr) {
        return position(epoch)[0];
    }

    @Override
    double closedFormLr(long epoch) {
        return position(epoch)[0];
    }

    @Override
    void afterStep(long epoch) {
        if (cycleMomentum) {
            optimizer.setMomentum(position(epoch)[1]);
        }
    }

    /** The number of steps of the cycle. */
    public long totalSteps() {
        return totalSteps;
    }

    @Override
    List<String> extraStateNames() {
        return cycleMomentum ? List.of(StateMap.OPTIMIZER_MOMENTUM) : List.of();
    }

    @Override
    void putExtraState(Map<String, HostTensor> out) {
        if (cycleMomentum) {
            out.put(StateMap.OPTIMIZER_MOMENTUM, StateMap.of(optimizer.momentum()));
        }
    }

    @Override
    Runnable prepareExtraState(StateMap.Reader r) {
        if (!cycleMomentum) {
            return () -> { };
        }
        double m = r.momentum(StateMap.OPTIMIZER_MOMENTUM, optimizer);
        return () -> optimizer.setMomentum(m);
    }

    @Override
    String describe() {
        return settings;
    }

    /** Settings of {@link OneCycleLR}, with PyTorch's defaults. */
    public static final class Builder {
        private final Optimizer optimizer;
        private double maxLr = Double.NaN;
        private long totalSteps;
        private double pctStart = 0.3;
        private Anneal anneal = Anneal.COS;
        private boolean cycleMomentum = true;
        private double baseMomentum = 0.85;
        private double maxMomentum = 0.95;
        private double divFactor = 25;
        private double finalDivFactor = 1e4;
        private boolean threePhase;

        private Builder(Optimizer optimizer) {
            this.optimizer = optimizer;
        }

        /** The peak learning rate, {@code > 0} (required). */
        public Builder maxLr(double maxLr) {
            this.maxLr = maxLr;
            return this;
        }

        /** The length of the cycle in steps, {@code >= 1} (this or {@link #epochs} is required). */
        public Builder totalSteps(long totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        /** The length as {@code epochs * stepsPerEpoch}, each {@code >= 1}. */
        public Builder epochs(long epochs, long stepsPerEpoch) {
            if (epochs < 1 || stepsPerEpoch < 1) {
                throw new IllegalArgumentException("OneCycleLR: epochs = " + epochs + ", stepsPerEpoch = " + stepsPerEpoch
                        + "; expected both >= 1");
            }
            this.totalSteps = Math.multiplyExact(epochs, stepsPerEpoch);
            return this;
        }

        /** The fraction of the cycle spent increasing the rate, in {@code [0, 1]} (default 0.3). */
        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        /** Cosine (default) or linear annealing. */
        public Builder anneal(Anneal anneal) {
            this.anneal = anneal;
            return this;
        }

        /** Whether to cycle the optimizer's momentum inversely to the rate (default true). */
        public Builder cycleMomentum(boolean cycleMomentum) {
            this.cycleMomentum = cycleMomentum;
            return this;
        }

        /** The lowest momentum, reached at the peak rate (default 0.85). */
        public Builder baseMomentum(double baseMomentum) {
            this.baseMomentum = baseMomentum;
            return this;
        }

        /** The highest momentum, at the start and end of the cycle (default 0.95). */
        public Builder maxMomentum(double maxMomentum) {
            this.maxMomentum = maxMomentum;
            return this;
        }

        /** {@code initial_lr = maxLr / divFactor} (default 25). */
        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        /** {@code min_lr = initial_lr / finalDivFactor} (default 1e4). */
        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        /** Three phases (up, down to {@code initial_lr}, down to {@code min_lr}) instead of two (default false). */
        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
            return this;
        }

        /**
         * Validates every setting, then attaches to the optimizer: sets its rate (and momentum) for step 0.
         *
         * @throws IllegalArgumentException for an invalid setting, before the optimizer is touched
         */
        public OneCycleLR build() {
            return new OneCycleLR(this);
        }
    }
}
