package org.rnn4j.decode;

/**
 * Greedy decoding: at each step the most probable next token (the lowest index on ties), until the
 * end-of-sequence token or {@code maxLength} generated tokens. Equals {@link BeamSearch} with beam size 1.
 */
public final class Greedy {
    private Greedy() {
    }

    /**
     * Decodes one sequence.
     *
     * @param f the model; {@code initial} is not modified
     * @param initial the state before the first token
     * @param bos the begin-of-sequence token fed to the first step
     * @param eos the end-of-sequence token, or -1 to always generate {@code maxLength} tokens
     * @param maxLength the most tokens to generate (the end token included), {@code >= 1}
     * @return the tokens (without bos and eos), their log-probability, and whether eos ended them; the
     *     score is the log-probability
     * @throws IllegalArgumentException for invalid settings; IllegalStateException for an invalid step result
     */
    public static <S> Hypothesis decode(StepFunction<S> f, S initial, int bos, int eos, int maxLength) {
        Steps.checkSettings("Greedy", f, eos, maxLength);
        int[] v = {0};
        int[] tokens = new int[0];
        double logProb = 0;
        S state = initial;
        int last = bos;
        for (int t = 0; t < maxLength; t++) {
            Step<S> s = f.step(state, last);
            double[] lp = Steps.check("Greedy", s, v, eos, t, 0);
            int next = Steps.argmax(lp);
            logProb += lp[next];
            if (next == eos) {
                return new Hypothesis(tokens, logProb, logProb, true);
            }
            tokens = Steps.append(tokens, next);
            state = s.state();
            last = next;
        }
        return new Hypothesis(tokens, logProb, logProb, false);
    }
}
