package org.rnn4j.decode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search with length normalisation, in the form fairseq uses. Each step extends every live beam by
 * every token, keeps the {@code 2 * beamSize} best extensions by total log-probability (ties: lower beam,
 * then lower token), finishes those among the first {@code beamSize} that emit the end-of-sequence token,
 * and continues with the first {@code beamSize} that do not. The search stops when {@code beamSize}
 * hypotheses have finished or after {@code maxLength} generated tokens (the live beams are then returned as
 * unfinished). Results are ranked by {@code logProb / lengthPenalty.divisor(L)}, {@code L} counting the end
 * token ({@link LengthPenalty#average()} by default: the mean log-probability per token).
 *
 * <p>All live beams are stepped with one {@link StepFunction#stepAll} call per time step, so a model that
 * batches them runs one {@code [beams, ...]} step; {@link #searchAll} does the same for the beams of many
 * inputs at once. With beam size 1 this is {@link Greedy}.
 */
public final class BeamSearch {
    private final int beamSize;
    private final int maxLength;
    private final int eos;
    private final LengthPenalty lengthPenalty;

    private BeamSearch(Builder b) {
        if (b.beamSize < 1) {
            throw new IllegalArgumentException("BeamSearch: beamSize = " + b.beamSize + ", expected >= 1");
        }
        if (b.lengthPenalty == null) {
            throw new IllegalArgumentException("BeamSearch: lengthPenalty is null; use LengthPenalty.none() for none");
        }
        Steps.checkSettings("BeamSearch", this, b.eos, b.maxLength);
        this.beamSize = b.beamSize;
        this.maxLength = b.maxLength;
        this.eos = b.eos;
        this.lengthPenalty = b.lengthPenalty;
    }

    /** A builder: beam size 4, 50 tokens, no end token, average log-probability. */
    public static Builder builder() {
        return new Builder();
    }

    private record Beam<S>(int[] tokens, double logProb, S state, int last) {
    }

    private record Candidate(int beam, int token, double logProb) {
    }

    private static final Comparator<Candidate> ORDER = Comparator.comparingDouble((Candidate c) -> -c.logProb)
            .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::token);

    private Hypothesis hypothesis(int[] tokens, double logProb, boolean finished) {
        int length = tokens.length + (finished ? 1 : 0);
        double d = lengthPenalty.divisor(length);
        if (!(d > 0)) {
            throw new IllegalStateException("BeamSearch: lengthPenalty.divisor(" + length + ") = " + d + ", expected > 0");
        }
        return new Hypothesis(tokens, logProb, logProb / d, finished);
    }

    /**
     * Searches.
     *
     * @param f the model; {@code initial} is not modified
     * @param initial the state before the first token
     * @param bos the begin-of-sequence token fed to the first step
     * @return up to {@code beamSize} hypotheses, best score first (ties: higher log-probability first)
     * @throws IllegalArgumentException for an invalid argument; IllegalStateException for an invalid step result
     */
    public <S> List<Hypothesis> search(StepFunction<S> f, S initial, int bos) {
        return searchAll(f, java.util.Collections.singletonList(initial), bos).get(0);
    }

    /**
     * Searches for several inputs at once (a batch of sentences to translate): each input's search is
     * exactly {@link #search} of its initial state, but the live beams of all the inputs still searching
     * are stepped together, with one {@link StepFunction#stepAll} call per time step, in input order and
     * within an input in beam order. A model that batches {@code stepAll} then runs one
     * {@code [all live beams, ...]} step per time step for the whole batch.
     *
     * @param f the model; the initial states are not modified
     * @param initials one initial state per input (at least one)
     * @param bos the begin-of-sequence token fed to the first step of each
     * @return per input, in order, what {@link #search} returns for it
     * @throws IllegalArgumentException for an invalid argument; IllegalStateException for an invalid step result
     */
    public <S> List<List<Hypothesis>> searchAll(StepFunction<S> f, List<S> initials, int bos) {
        if (f == null) {
            throw new IllegalArgumentException("BeamSearch: the step function is null");
        }
        if (initials == null || initials.isEmpty()) {
            throw new IllegalArgumentException("BeamSearch.searchAll: initials is " + (initials == null ? "null" : "empty")
                    + "; expected one initial state per input");
        }
        int n = initials.size();
        int[] v = {0};
        List<List<Beam<S>>> live = new ArrayList<>(n);
        List<List<Hypothesis>> done = new ArrayList<>(n);
        for (S initial : initials) {
            live.add(new ArrayList<>(List.of(new Beam<>(new int[0], 0.0, initial, bos))));
            done.add(new ArrayList<>());
        }
        for (int t = 0; t < maxLength; t++) {
            List<S> states = new ArrayList<>();
            List<Integer> lastList = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (searching(live.get(i), done.get(i))) {
                    for (Beam<S> b : live.get(i)) {
                        states.add(b.state);
                        lastList.add(b.last);
                    }
                }
            }
            if (states.isEmpty()) {
                break;
            }
            int[] lasts = lastList.stream().mapToInt(Integer::intValue).toArray();
            List<Step<S>> steps = f.stepAll(states, lasts);
            if (steps == null || steps.size() != states.size()) {
                throw new IllegalStateException("BeamSearch: stepAll returned " + (steps == null ? "null" : steps.size() + " steps")
                        + " for " + states.size() + " beams at step " + t);
            }
            int at = 0;
            for (int i = 0; i < n; i++) {
                List<Beam<S>> beams = live.get(i);
                if (!searching(beams, done.get(i))) {
                    continue;
                }
                // the 2 * beamSize best extensions overall are among the 2 * beamSize best of each beam
                List<Candidate> cands = new ArrayList<>();
                for (int b = 0; b < beams.size(); b++) {
                    double[] lp = Steps.check("BeamSearch", steps.get(at + b), v, eos, t, b);
                    for (int k : best(lp, 2 * beamSize)) {
                        cands.add(new Candidate(b, k, beams.get(b).logProb + lp[k]));
                    }
                }
                cands.sort(ORDER);
                List<Beam<S>> next = new ArrayList<>(beamSize);
                for (int r = 0; r < Math.min(cands.size(), 2 * beamSize) && next.size() < beamSize; r++) {
                    Candidate c = cands.get(r);
                    Beam<S> parent = beams.get(c.beam);
                    if (c.token == eos) {
                        if (r < beamSize) {
                            done.get(i).add(hypothesis(parent.tokens, c.logProb, true));
                        }
                    } else {
                        next.add(new Beam<>(Steps.append(parent.tokens, c.token), c.logProb, steps.get(at + c.beam).state(), c.token));
                    }
                }
                at += beams.size();
                live.set(i, next);
            }
        }
        List<List<Hypothesis>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Hypothesis> d = done.get(i);
            if (d.size() < beamSize) {
                for (Beam<S> b : live.get(i)) {
                    d.add(hypothesis(b.tokens, b.logProb, false));
                }
            }
            d.sort(Comparator.comparingDouble((Hypothesis h) -> -h.score()).thenComparingDouble(h -> -h.logProb()));
            out.add(List.copyOf(d.subList(0, Math.min(beamSize, d.size()))));
        }
        return out;
    }

    /**
     * The tokens of the {@code k} largest finite entries of {@code lp}, largest first, equal entries in
     * token order (fewer when fewer are finite): one pass keeping a sorted list of at most {@code k}.
     */
    static int[] best(double[] lp, int k) {
        int[] top = new int[Math.min(k, lp.length)];
        int n = 0;
        for (int token = 0; token < lp.length; token++) {
            double x = lp[token];
            if (x == Double.NEGATIVE_INFINITY || n == top.length && x <= lp[top[n - 1]]) {
                continue;
            }
            int at = n == top.length ? n - 1 : n++;
            while (at > 0 && lp[top[at - 1]] < x) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = token;
        }
        return n == top.length ? top : java.util.Arrays.copyOf(top, n);
    }

    /** Whether an input's search goes on: it has live beams and fewer than {@code beamSize} finished hypotheses. */
    private <S> boolean searching(List<Beam<S>> live, List<Hypothesis> done) {
        return !live.isEmpty() && done.size() < beamSize;
    }

    @Override
    public String toString() {
        return "BeamSearch(beamSize=" + beamSize + ", maxLength=" + maxLength + ", eos=" + eos + ")";
    }

    /** Settings of a {@link BeamSearch}. */
    public static final class Builder {
        private int beamSize = 4;
        private int maxLength = 50;
        private int eos = Steps.NO_EOS;
        private LengthPenalty lengthPenalty = LengthPenalty.average();

        private Builder() {
        }

        /** Live beams kept per step, {@code >= 1} (default 4). */
        public Builder beamSize(int beamSize) {
            this.beamSize = beamSize;
            return this;
        }

        /** The most tokens generated (the end token included), {@code >= 1} (default 50). */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** The end-of-sequence token, or -1 (default) for none: every hypothesis then has {@code maxLength} tokens. */
        public Builder eos(int eos) {
            this.eos = eos;
            return this;
        }

        /** How finished hypotheses are ranked (default {@link LengthPenalty#average()}). */
        public Builder lengthPenalty(LengthPenalty lengthPenalty) {
            this.lengthPenalty = lengthPenalty;
            return this;
        }

        /** The search; validates the settings. */
        public BeamSearch build() {
            return new BeamSearch(this);
        }
    }
}
