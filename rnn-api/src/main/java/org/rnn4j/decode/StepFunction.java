package org.rnn4j.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of an autoregressive model: from a state and the last token, the log-probabilities of the next
 * token and the state after consuming the last token. Implementations must not modify {@code state} (beam
 * search steps one state for several beams) and must return the same vocabulary size V at every step.
 *
 * @param <S> the model's state (e.g. a recurrent layer's hidden state as tensors); may be null
 */
@FunctionalInterface
public interface StepFunction<S> {

    /**
     * One step.
     *
     * @param state the state before {@code token}; not modified
     * @param token the last token (the begin-of-sequence token at the first step)
     * @return the log-probabilities {@code [V]} of the next token (entries may be {@code -infinity} for
     *     impossible tokens, never NaN or {@code +infinity}) and the new state
     */
    Step<S> step(S state, int token);

    /**
     * Steps several hypotheses at once, result {@code i} for {@code (states[i], tokens[i])}. The default
     * calls {@link #step} for each; a model that runs faster on a batch (a recurrent decoder stepping all
     * beams as one {@code [beams, H]} batch) overrides it. {@link BeamSearch} calls this once per time step.
     *
     * @param states the states, not modified
     * @param tokens the last token of each, same length; not modified
     * @return one step per state, in order
     */
    default List<Step<S>> stepAll(List<S> states, int[] tokens) {
        List<Step<S>> out = new ArrayList<>(states.size());
        for (int i = 0; i < states.size(); i++) {
            out.add(step(states.get(i), tokens[i]));
        }
        return out;
    }
}
