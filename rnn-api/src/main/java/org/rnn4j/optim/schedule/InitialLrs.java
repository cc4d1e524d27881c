package org.rnn4j.optim.schedule;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.rnn4j.optim.Optimizer;

/**
 * PyTorch's per-param-group entry {@code initial_lr}: the learning rate an optimizer had when the first
 * schedule was attached to it. Every later schedule of that optimizer takes it as its base rate, and
 * {@link SequentialLR} resets the optimizer to it (so that a decay built after a warm-up, which has
 * already lowered the rate, still decays from the original one). Kept beside the optimizer, weakly.
 */
final class InitialLrs {
    private static final Map<Optimizer, Double> INITIAL = Collections.synchronizedMap(new WeakHashMap<>());

    private InitialLrs() {
    }

    /** The optimizer's initial lr, recording its current lr first if none is recorded (Python's setdefault). */
    static double setDefault(Optimizer optimizer) {
        return INITIAL.computeIfAbsent(optimizer, o -> o.lr());
    }

    /** Records {@code lr} as the optimizer's initial lr (one-cycle does, as PyTorch's OneCycleLR). */
    static void put(Optimizer optimizer, double lr) {
        INITIAL.put(optimizer, lr);
    }

    /** The recorded initial lr, or the optimizer's current lr when none is recorded. */
    static double get(Optimizer optimizer) {
        Double v = INITIAL.get(optimizer);
        return v != null ? v : optimizer.lr();
    }
}
