package org.rnn4j.optim.schedule;

import java.util.Map;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;

/**
 * A learning-rate schedule driving one {@link Optimizer}. Creating one sets the optimizer's learning rate
 * for its first step (PyTorch's initial step); {@link #step()} is then called after each optimizer step
 * (or each epoch, as the user counts), or {@link #step(double)} with a metric for
 * {@link ReduceLROnPlateau} ({@link #usesMetric()}).
 *
 * <p>{@link #state()} is what a checkpoint needs to resume the schedule exactly, the optimizer's current
 * learning rate (and momentum, where the schedule drives it) included, since the optimizers' own state
 * holds only their buffers. Hyper-parameters are not in it: a resumed run creates the schedule with the
 * same settings, then calls {@link #loadState}.
 */
public interface LrScheduler {

    /** The optimizer whose learning rate this schedule sets. */
    Optimizer optimizer();

    /**
     * Advances the schedule by one step and sets the optimizer's learning rate (and momentum, for
     * one-cycle) for the next optimizer step.
     *
     * @throws IllegalStateException when the schedule is finite and already at its end
     *     ({@link OneCycleLR}), or needs a metric ({@link ReduceLROnPlateau}); nothing is changed then
     */
    void step();

    /**
     * Advances a metric-driven schedule ({@link ReduceLROnPlateau}) with the latest value of the
     * monitored metric (e.g. the validation loss).
     *
     * @throws UnsupportedOperationException for a schedule that does not use a metric; call {@link #step()}
     */
    default void step(double metric) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not use a metric; call step()");
    }

    /** Whether {@link #step(double)} (true) or {@link #step()} (false) advances this schedule. */
    default boolean usesMetric() {
        return false;
    }

    /** The learning rate this schedule last set (PyTorch's {@code get_last_lr()[0]}). */
    double lastLr();

    /** The number of steps taken: 0 right after creation, as PyTorch's {@code last_epoch}. */
    long lastEpoch();

    /**
     * A snapshot of the schedule's mutable state as rank-0 host tensors (counters as I64, rates as F64),
     * exact in every bit; a new, modifiable map. Its names are documented by each schedule.
     */
    Map<String, HostTensor> state();

    /**
     * Restores a snapshot from {@link #state()} of a schedule built with the same settings over an
     * optimizer of the same kind, and sets the optimizer's learning rate (and momentum, where saved) to
     * the saved values. Every entry is validated (names, missing or unexpected entries, shapes, ranges)
     * before anything changes.
     *
     * @throws IllegalArgumentException naming the offending entry and what was expected
     */
    void loadState(Map<String, HostTensor> state);
}
