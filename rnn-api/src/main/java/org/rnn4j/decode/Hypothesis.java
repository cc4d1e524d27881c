package org.rnn4j.decode;

import java.util.Arrays;

/**
 * A decoded sequence: its tokens (without the begin-of-sequence token and without the end-of-sequence token),
 * its total log-probability under the model (the end token's included when it was emitted), the score a
 * search ranked it by, and whether it ended with the end-of-sequence token (false: it hit the maximum
 * length). Immutable.
 */
public final class Hypothesis {
    private final int[] tokens;
    private final double logProb;
    private final double score;
    private final boolean finished;

    /**
     * @param tokens the tokens; copied
     * @param logProb the summed log-probability
     * @param score the ranking score (e.g. length-normalised)
     * @param finished whether the end-of-sequence token ended it
     */
    public Hypothesis(int[] tokens, double logProb, double score, boolean finished) {
        this.tokens = tokens.clone();
        this.logProb = logProb;
        this.score = score;
        this.finished = finished;
    }

    /** The tokens, a copy. */
    public int[] tokens() {
        return tokens.clone();
    }

    /** How many tokens were generated, the end-of-sequence token included when emitted (the length used by length penalties). */
    public int generatedLength() {
        return tokens.length + (finished ? 1 : 0);
    }

    /** The summed log-probability (natural log) of the generated tokens. */
    public double logProb() {
        return logProb;
    }

    /** The score it was ranked by: {@link #logProb()} for greedy and sampling, length-normalised for beam search. */
    public double score() {
        return score;
    }

    /** Whether it ended with the end-of-sequence token. */
    public boolean finished() {
        return finished;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hypothesis h && Arrays.equals(tokens, h.tokens) && Double.compare(logProb, h.logProb) == 0
                && Double.compare(score, h.score) == 0 && finished == h.finished;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + Double.hashCode(logProb) + (finished ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Hypothesis" + Arrays.toString(tokens) + (finished ? " <eos>" : " (max length)") + " logProb " + logProb + " score "
                + score;
    }
}
