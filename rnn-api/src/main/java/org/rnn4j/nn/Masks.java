package org.rnn4j.nn;

import java.util.Arrays;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Turns per-sequence lengths (the form {@link Recurrent#forward} takes) into the masks the losses take,
 * so that padded steps add nothing to a loss or its gradient: class targets at padded steps become the
 * ignore index of {@link org.rnn4j.loss.Losses#crossEntropy}, and regression losses get a 0/1 mask for
 * {@link org.rnn4j.loss.Losses#mse(org.rnn4j.autograd.Var, org.rnn4j.autograd.Var, Tensor, org.rnn4j.loss.Reduction)}.
 */
public final class Masks {
    private Masks() {
    }

    private static void check(int[] lengths, int steps) {
        if (lengths == null || lengths.length == 0) {
            throw new IllegalArgumentException("lengths must name at least one sequence");
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("steps = " + steps + ", expected >= 1");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is outside [1, " + steps + "]");
            }
        }
    }

    /**
     * A copy of batch-first targets {@code [B*T]} (sequence {@code b}, step {@code t} at {@code b*T + t})
     * with every padded step ({@code t >= lengths[b]}) replaced by {@code ignoreIndex}. Modifies nothing.
     */
    public static int[] maskTargets(int[] targets, int[] lengths, int steps, int ignoreIndex) {
        check(lengths, steps);
        if (targets.length != lengths.length * steps) {
            throw new IllegalArgumentException("targets has " + targets.length + " entries, expected B*T = " + lengths.length + "*" + steps);
        }
        int[] out = Arrays.copyOf(targets, targets.length);
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(out, b * steps + lengths[b], (b + 1) * steps, ignoreIndex);
        }
        return out;
    }

    /** A {@code [B, T, features]} tensor: 1 at valid steps, 0 at padded ones. */
    public static Tensor stepMask(Backend backend, DType dtype, int[] lengths, int steps, int features) {
        check(lengths, steps);
        if (features <= 0) {
            throw new IllegalArgumentException("features = " + features + ", expected >= 1");
        }
        double[] m = new double[lengths.length * steps * features];
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(m, b * steps * features, (b * steps + lengths[b]) * features, 1.0);
        }
        return backend.fromDoubles(m, dtype, lengths.length, steps, features);
    }
}
