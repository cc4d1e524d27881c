package org.rnn4j.decode;

/**
 * How {@link BeamSearch} normalises a hypothesis's log-probability by its length L (tokens generated, the
 * end token included) so that longer hypotheses are not unfairly penalised: {@code score = logProb / lp(L)}.
 * Beams are pruned by their raw log-probability at each step (as fairseq and Hugging Face do); the penalty
 * ranks the hypotheses that end.
 */
@FunctionalInterface
public interface LengthPenalty {

    /** The divisor {@code lp(L)} for a hypothesis of {@code length >= 1} generated tokens; must be {@code > 0}. */
    double divisor(int length);

    /** No normalisation: the score is the summed log-probability (favours short outputs). */
    static LengthPenalty none() {
        return length -> 1.0;
    }

    /** The average log-probability per token, {@code lp(L) = L} (fairseq's and Hugging Face's default). */
    static LengthPenalty average() {
        return length -> length;
    }

    /** {@code lp(L) = L^alpha}, {@code alpha >= 0} (Hugging Face's {@code length_penalty}). */
    static LengthPenalty power(double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LengthPenalty.power: alpha = " + alpha + ", expected a finite value >= 0");
        }
        return length -> Math.pow(length, alpha);
    }

    /**
     * GNMT's (Wu et al. 2016) {@code lp(L) = ((5 + L) / 6)^alpha}, {@code alpha >= 0} (they use 0.6 to 0.7;
     * 0 is no normalisation).
     */
    static LengthPenalty gnmt(double alpha) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LengthPenalty.gnmt: alpha = " + alpha + ", expected a finite value >= 0");
        }
        return length -> Math.pow((5.0 + length) / 6.0, alpha);
    }
}
