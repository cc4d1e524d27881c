package org.rnn4j.nn;

import org.rnn4j.autograd.Var;

/**
 * A module with one input and one output (PyTorch modules whose {@code forward} takes one tensor):
 * what {@link Sequential} chains. Implemented by {@link Linear}, {@link Dropout}, {@link LogSoftmax},
 * {@link Sequential} itself and user modules alike.
 */
public interface Layer {
    /**
     * Computes the output for {@code x}; shapes are the implementing module's (its Javadoc states them).
     * Never modifies {@code x}.
     */
    Var forward(Var x);
}
