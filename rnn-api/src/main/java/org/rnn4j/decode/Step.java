package org.rnn4j.decode;

import java.util.Objects;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * What a {@link StepFunction} returns: the next token's log-probabilities and the new state.
 *
 * @param logProbs log-probabilities {@code [V]}, {@code V >= 1}; the decoders read but never modify it
 * @param state the state after consuming the last token (may be null)
 * @param <S> the model's state
 */
public record Step<S>(double[] logProbs, S state) {

    /** Checks that {@code logProbs} is present and non-empty. */
    public Step {
        Objects.requireNonNull(logProbs, "logProbs");
        if (logProbs.length == 0) {
            throw new IllegalArgumentException("Step: logProbs is empty; expected one log-probability per token of the vocabulary");
        }
    }

    /**
     * A step from a tensor of log-probabilities (e.g. {@code F.logSoftmax(logits).value()}), copied to the host.
     *
     * @param logProbs {@code [V]} or {@code [1, V]}; not modified or closed
     * @param state the new state
     */
    public static <S> Step<S> of(Tensor logProbs, S state) {
        Objects.requireNonNull(logProbs, "logProbs");
        int[] s = logProbs.shape();
        if (!(s.length == 1 || (s.length == 2 && s[0] == 1))) {
            throw new IllegalArgumentException("Step.of: logProbs has shape " + Shapes.str(s) + ", expected [V] or [1, V]");
        }
        return new Step<>(logProbs.toDoubleArray(), state);
    }
}
