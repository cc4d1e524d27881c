package org.rnn4j.nn;

import java.util.Map;
import org.rnn4j.autograd.Var;

/**
 * Something with named trainable parameters. Names follow PyTorch's {@code state_dict} keys
 * ({@code weight_ih_l0}, {@code i2h.weight}, ...) so checkpoints interoperate.
 */
public interface Module {

    /** Parameters by name, in a stable order; the map is a view that must not be modified. */
    Map<String, Var> parameters();

    /** Clears every parameter's accumulated gradient. */
    default void zeroGrad() {
        parameters().values().forEach(Var::zeroGrad);
    }

    /** Total number of scalar parameters. */
    default long parameterCount() {
        long n = 0;
        for (Var v : parameters().values()) {
            n += v.value().size();
        }
        return n;
    }
}
