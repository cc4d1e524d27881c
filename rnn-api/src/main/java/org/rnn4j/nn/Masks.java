package org.rnn4j.nn;

import java.util.Arrays;
import org.rnn4j.spi.Lengths;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Turns per-sequence lengths (the form {@link Recurrent#forward} takes, checked as {@link Lengths}) into the
 * masks the losses take,
 * so that padded steps add nothing to a loss or its gradient: class targets at padded steps become the
 * ignore index of {@link org.rnn4j.loss.Losses#crossEntropy}, and regression losses get a 0/1 mask for
 * {@link org.rnn4j.loss.Losses#mse(org.rnn4j.autograd.Var, org.rnn4j.autograd.Var, Tensor, org.rnn4j.loss.Reduction)}.
 */
public final class Masks {
    private Masks() {
    }

    /**
     * A copy of batch-first targets {@code [B*T]} (sequence {@code b}, step {@code t} at {@code b*T + t})
     * with every padded step ({@code t >= lengths[b]}) replaced by {@code ignoreIndex}. Modifies nothing.
     */
    public static int[] maskTargets(int[] targets, int[] lengths, int steps, int ignoreIndex) {
        Lengths valid = Lengths.of(lengths, steps);
        if (targets == null || targets.length != valid.batch() * steps) {
            throw new IllegalArgumentException("targets has " + (targets == null ? "no" : targets.length) + " entries, expected B*T = "
                    + valid.batch() + "*" + steps);
        }
        int[] out = Arrays.copyOf(targets, targets.length);
        for (int b = 0; b < valid.batch(); b++) {
            Arrays.fill(out, b * steps + valid.get(b), (b + 1) * steps, ignoreIndex);
        }
        return out;
    }

    /** A {@code [B, T, features]} tensor: 1 at valid steps, 0 at padded ones. */
    public static Tensor stepMask(Backend backend, DType dtype, int[] lengths, int steps, int features) {
        Lengths valid = Lengths.of(lengths, steps);
        if (features <= 0) {
            throw new IllegalArgumentException("features = " + features + ", expected >= 1");
        }
        return backend.fromDoubles(valid.mask(features), dtype, valid.batch(), steps, features);
    }
}
