package org.rnn4j.decode;

/** Checks shared by the decoders. */
final class Steps {
    /** Marks "no end-of-sequence token". */
    static final int NO_EOS = -1;

    private Steps() {
    }

    static void checkSettings(String op, Object f, int eos, int maxLength) {
        if (f == null) {
            throw new IllegalArgumentException(op + ": the step function is null");
        }
        if (eos < NO_EOS) {
            throw new IllegalArgumentException(op + ": eos = " + eos + ", expected a token >= 0 or -1 for none");
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException(op + ": maxLength = " + maxLength + ", expected >= 1 generated tokens");
        }
    }

    /**
     * Checks a step's result: present, vocabulary size {@code v} (or sets it when {@code v[0] == 0}), no NaN
     * or +infinity, at least one finite entry, and the end token inside the vocabulary.
     */
    static <S> double[] check(String op, Step<S> s, int[] v, int eos, int t, int hypothesis) {
        if (s == null) {
            throw new IllegalStateException(op + ": the step function returned null at step " + t + " (hypothesis " + hypothesis + ")");
        }
        double[] lp = s.logProbs();
        if (v[0] == 0) {
            v[0] = lp.length;
            if (eos >= lp.length) {
                throw new IllegalArgumentException(op + ": eos = " + eos + " is outside the vocabulary [0, " + lp.length + ")");
            }
        } else if (lp.length != v[0]) {
            throw new IllegalStateException(op + ": the step function returned " + lp.length + " log-probabilities at step " + t
                    + " (hypothesis " + hypothesis + ") but " + v[0] + " before; expected one per token of a fixed vocabulary");
        }
        boolean any = false;
        for (int i = 0; i < lp.length; i++) {
            if (Double.isNaN(lp[i]) || lp[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalStateException(op + ": log-probability of token " + i + " is " + lp[i] + " at step " + t
                        + " (hypothesis " + hypothesis + "); expected a number or -infinity");
            }
            any |= lp[i] != Double.NEGATIVE_INFINITY;
        }
        if (!any) {
            throw new IllegalStateException(op + ": every token has log-probability -infinity at step " + t + " (hypothesis "
                    + hypothesis + "); the model allows no next token");
        }
        return lp;
    }

    /** The first index of the largest entry. */
    static int argmax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] append(int[] tokens, int t) {
        int[] out = java.util.Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = t;
        return out;
    }
}
