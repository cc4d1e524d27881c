package org.rnn4j.optim.schedule;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;

/**
 * The schedules that advance by counting steps (PyTorch's {@code _LRScheduler}): each computes the rate
 * of step {@code e} from the optimizer's current rate ("chainable" form, as PyTorch's {@code get_lr()}) and
 * from its base rate (closed form, used when {@link SequentialLR} starts it at a milestone). Creating one
 * records the optimizer's current rate as its base rate (or the one recorded by an earlier schedule of
 * that optimizer, as PyTorch's {@code initial_lr}) and performs the initial step, which sets the rate of
 * step 0.
 *
 * <p>State ({@link #state()}): {@code last_epoch} (I64), {@code base_lr}, {@code last_lr} and
 * {@code optimizer_lr} (F64), plus what a subclass adds.
 */
public abstract sealed class EpochScheduler implements LrScheduler
        permits StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LinearLR, OneCycleLR {
    final String kind;
    final Optimizer optimizer;
    double baseLr;
    long lastEpoch = -1;
    double lastLr;

    EpochScheduler(String kind, Optimizer optimizer) {
        this.kind = kind;
        if (optimizer == null) {
            throw new IllegalArgumentException(kind + ": optimizer is null");
        }
        try {
            optimizer.lr();
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(kind + ": optimizer " + optimizer + " has no learning rate to schedule", e);
        }
        this.optimizer = optimizer;
    }

    /**
     * Attaches to the optimizer once the subclass has validated its settings: records the base rate
     * ({@code initialLr}, or PyTorch's setdefault of {@code initial_lr} when NaN) and performs the initial step.
     */
    final void attach(double initialLr) {
        if (Double.isNaN(initialLr)) {
            baseLr = InitialLrs.setDefault(optimizer);
        } else {
            InitialLrs.put(optimizer, initialLr);
            baseLr = initialLr;
        }
        step();
    }

    // ---- the schedule ----

    /**
     * The rate of step {@code epoch} given the optimizer's current rate {@code currentLr} (PyTorch's
     * {@code get_lr()}); must not change any field, and may throw to refuse the step.
     */
    abstract double chainedLr(long epoch, double currentLr);

    /** The rate of step {@code epoch} from the base rate alone (PyTorch's {@code _get_closed_form_lr()}, or {@code get_lr()} where it has none). */
    abstract double closedFormLr(long epoch);

    /** Called after the rate of step {@code epoch} was set (one-cycle sets the momentum here); must not throw. */
    void afterStep(long epoch) {
    }

    @Override
    public final void step() {
        long e = lastEpoch + 1;
        commit(e, checked(e, chainedLr(e, optimizer.lr())));
    }

    /** PyTorch's {@code step(0)}, as {@link SequentialLR} calls it at a milestone: restarts at step 0 with the closed form. */
    final void restart() {
        commit(0, checked(0, closedFormLr(0)));
    }

    private double checked(long epoch, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalStateException(kind + ": step " + epoch + " would set the learning rate to " + lr
                    + ", which the optimizer cannot use (expected a finite value >= 0); check the schedule's settings");
        }
        return lr;
    }

    private void commit(long epoch, double lr) {
        optimizer.setLr(lr);
        lastEpoch = epoch;
        lastLr = lr;
        afterStep(epoch);
    }

    // ---- accessors ----

    @Override
    public final Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public final double lastLr() {
        return lastLr;
    }

    @Override
    public final long lastEpoch() {
        return lastEpoch;
    }

    /** The base rate the closed form starts from (PyTorch's {@code base_lrs[0]}). */
    public final double baseLr() {
        return baseLr;
    }

    // ---- state ----

    /** Names a subclass adds to the state (none by default). */
    List<String> extraStateNames() {
        return List.of();
    }

    /** Adds the subclass's entries. */
    void putExtraState(Map<String, HostTensor> out) {
    }

    /** Validates the subclass's entries and returns the action that applies them (run after every check passed). */
    Runnable prepareExtraState(StateMap.Reader r) {
        return () -> { };
    }

    @Override
    public final Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(StateMap.LAST_EPOCH, StateMap.of(lastEpoch));
        out.put(StateMap.BASE_LR, StateMap.of(baseLr));
        out.put(StateMap.LAST_LR, StateMap.of(lastLr));
        out.put(StateMap.OPTIMIZER_LR, StateMap.of(optimizer.lr()));
        putExtraState(out);
        return out;
    }

    final Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>(List.of(StateMap.LAST_EPOCH, StateMap.BASE_LR, StateMap.LAST_LR,
                StateMap.OPTIMIZER_LR));
        names.addAll(extraStateNames());
        return names;
    }

    /** Validates the entries under {@code prefix} (unexpected ones are the caller's to check) and returns the action applying them. */
    final Runnable prepareLoad(Map<String, HostTensor> state, String prefix) {
        StateMap.Reader r = new StateMap.Reader(kind, state, prefix);
        long epoch = r.count(StateMap.LAST_EPOCH, -1, Long.MAX_VALUE / 2);
        double base = r.rate(StateMap.BASE_LR);
        double last = r.rate(StateMap.LAST_LR);
        double optLr = r.rate(StateMap.OPTIMIZER_LR);
        Runnable extra = prepareExtraState(r);
        return () -> {
            extra.run();
            optimizer.setLr(optLr);
            lastEpoch = epoch;
            baseLr = base;
            lastLr = last;
        };
    }

    @Override
    public final void loadState(Map<String, HostTensor> state) {
        StateMap.Reader.checkKeys(kind, state, stateNames());
        prepareLoad(state, "").run();
    }

    /** The settings, for messages. */
    abstract String describe();

    @Override
    public String toString() {
        return describe() + " at step " + lastEpoch + ", lr " + lastLr;
    }
}
