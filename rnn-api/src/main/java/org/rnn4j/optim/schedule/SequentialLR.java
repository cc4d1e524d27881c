package org.rnn4j.optim.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;

/**
 * Runs schedules one after another, switching at milestone steps: PyTorch 1.13's {@code SequentialLR}, the
 * usual way to chain a warm-up and a decay. With schedules {@code s_0 .. s_n} and milestones
 * {@code m_1 < .. < m_n}, steps before {@code m_1} follow {@code s_0}, and so on; at step {@code m_i}
 * schedule {@code s_i} starts afresh from its base rate (PyTorch's {@code step(0)}, with the schedule's
 * closed form), then continues from there.
 *
 * <p>As in PyTorch, creating it resets the optimizer's rate to its initial rate (the rate before the first
 * schedule was attached, which every schedule takes as its base) and redoes the first schedule's initial
 * step. The schedules must be freshly created over the same optimizer and not be stepped by anyone else.
 *
 * <p>State: {@code last_epoch} (I64), {@code last_lr} (F64) and each schedule's state under
 * {@code schedulers.{i}.}.
 */
public final class SequentialLR implements LrScheduler {
    private static final String KIND = "SequentialLR";
    private static final String PREFIX = "schedulers.";

    private final Optimizer optimizer;
    private final List<EpochScheduler> schedulers;
    private final long[] milestones;
    private long lastEpoch;
    private double lastLr;

    /**
     * Chains {@code schedulers} at {@code milestones}.
     *
     * @param optimizer the optimizer every schedule drives; modified: its rate is reset and the first
     *     schedule's initial step redone
     * @param schedulers at least one, each created over {@code optimizer} and not yet stepped, none twice;
     *     one of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
     *     LinearLR, OneCycleLR
     * @param milestones {@code schedulers.size() - 1} strictly increasing steps {@code >= 1} (not modified)
     * @throws IllegalArgumentException for an invalid argument, before anything changes
     */
    public SequentialLR(Optimizer optimizer, List<? extends LrScheduler> schedulers, long[] milestones) {
        if (optimizer == null) {
            throw new IllegalArgumentException(KIND + ": optimizer is null");
        }
        if (schedulers == null || schedulers.isEmpty()) {
            throw new IllegalArgumentException(KIND + ": schedulers is " + (schedulers == null ? "null" : "empty")
                    + "; expected at least one schedule");
        }
        if (milestones == null || milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException(KIND + ": got " + schedulers.size() + " schedulers and "
                    + (milestones == null ? "null" : milestones.length) + " milestones; expected one milestone fewer than schedulers");
        }
        List<EpochScheduler> list = new ArrayList<>();
        Map<LrScheduler, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < schedulers.size(); i++) {
            LrScheduler s = schedulers.get(i);
            if (!(s instanceof EpochScheduler e)) {
                throw new IllegalArgumentException(KIND + ": schedulers[" + i + "] is " + (s == null ? "null" : s.getClass().getSimpleName())
                        + "; expected a step-counting schedule (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,"
                        + " CosineAnnealingWarmRestarts, LinearLR or OneCycleLR)");
            }
            if (e.optimizer() != optimizer) {
                throw new IllegalArgumentException(KIND + ": schedulers[" + i + "] drives optimizer " + e.optimizer()
                        + ", not the optimizer passed in (" + optimizer + "); expected all schedulers to belong to it");
            }
            if (e.lastEpoch() != 0) {
                throw new IllegalArgumentException(KIND + ": schedulers[" + i + "] (" + e + ") has already been stepped "
                        + e.lastEpoch() + " times; create the schedulers right before chaining them");
            }
            Integer prev = seen.put(e, i);
            if (prev != null) {
                throw new IllegalArgumentException(KIND + ": schedulers[" + i + "] is the same schedule as schedulers[" + prev + "]");
            }
            list.add(e);
        }
        long[] m = milestones.clone();
        for (int i = 0; i < m.length; i++) {
            if (m[i] < 1 || (i > 0 && m[i] <= m[i - 1])) {
                throw new IllegalArgumentException(KIND + ": milestones " + Arrays.toString(m)
                        + " must be strictly increasing steps >= 1");
            }
        }
        this.optimizer = optimizer;
        this.schedulers = List.copyOf(list);
        this.milestones = m;
        // PyTorch: reset the rate to initial_lr, undo the schedulers' initial steps, redo the first one's
        optimizer.setLr(InitialLrs.get(optimizer));
        for (EpochScheduler s : this.schedulers) {
            s.lastEpoch -= 1;
        }
        this.schedulers.get(0).step();
        this.lastEpoch = 0;
        this.lastLr = this.schedulers.get(0).lastLr();
    }

    /** The number of milestones {@code <= epoch} (Python's bisect_right). */
    private int index(long epoch) {
        int i = 0;
        while (i < milestones.length && milestones[i] <= epoch) {
            i++;
        }
        return i;
    }

    @Override
    public void step() {
        long e = lastEpoch + 1;
        int idx = index(e);
        EpochScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == e) {
            s.restart();
        } else {
            s.step();
        }
        lastEpoch = e;
        lastLr = s.lastLr();
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

    /** The chained schedules, in order (unmodifiable). */
    public List<EpochScheduler> schedulers() {
        return schedulers;
    }

    @Override
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(StateMap.LAST_EPOCH, StateMap.of(lastEpoch));
        out.put(StateMap.LAST_LR, StateMap.of(lastLr));
        for (int i = 0; i < schedulers.size(); i++) {
            StateMap.putAll(out, PREFIX + i + ".", schedulers.get(i).state());
        }
        return out;
    }

    @Override
    public void loadState(Map<String, HostTensor> state) {
        Set<String> names = new LinkedHashSet<>(List.of(StateMap.LAST_EPOCH, StateMap.LAST_LR));
        for (int i = 0; i < schedulers.size(); i++) {
            for (String n : schedulers.get(i).stateNames()) {
                names.add(PREFIX + i + "." + n);
            }
        }
        StateMap.Reader.checkKeys(KIND, state, names);
        StateMap.Reader r = new StateMap.Reader(KIND, state, "");
        long epoch = r.count(StateMap.LAST_EPOCH, 0, Long.MAX_VALUE / 2);
        double last = r.rate(StateMap.LAST_LR);
        List<Runnable> apply = new ArrayList<>();
        for (int i = 0; i < schedulers.size(); i++) {
            apply.add(schedulers.get(i).prepareLoad(state, PREFIX + i + "."));
        }
        apply.forEach(Runnable::run);
        lastEpoch = epoch;
        lastLr = last;
    }

    @Override
    public String toString() {
        return KIND + "(" + schedulers + ", milestones=" + Arrays.toString(milestones) + ") at step " + lastEpoch + ", lr " + lastLr;
    }
}
