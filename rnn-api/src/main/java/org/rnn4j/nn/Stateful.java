package org.rnn4j.nn;

import java.util.List;
import org.rnn4j.tensor.Tensor;

/** A module that carries state between calls (streaming); {@link Checkpoints} saves and restores it. */
public interface Stateful {
    /** Names of the state tensors, e.g. {@code [h, c]}. */
    List<String> stateNames();

    /** The carried state, one tensor per name, or null when there is none (after a reset). */
    List<Tensor> state();

    /** Replaces the carried state (validated); null resets it. */
    void setState(List<Tensor> state);
}
