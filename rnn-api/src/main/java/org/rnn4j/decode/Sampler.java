package org.rnn4j.decode;

import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * Sampling the next token from a model's distribution, reshaped by a temperature and truncated by top-k and
 * top-p (nucleus, Holtzman et al. 2020), applied in that order as Hugging Face's samplers do:
 * <ol>
 *   <li>temperature {@code T}: {@code p_i ∝ exp(logProb_i / T)} (below 1 sharpens, above 1 flattens);</li>
 *   <li>top-k: keep the tokens whose tempered log-probability is at least the k-th largest (tokens tied with
 *       the k-th are all kept);</li>
 *   <li>top-p: order the kept tokens by probability (descending, lower index first on ties) and keep the
 *       shortest prefix whose probability reaches {@code p} (a token is kept when the mass before it is
 *       below {@code p});</li>
 * </ol>
 * then renormalise and draw. Draws come from the {@link RandomGenerator} the caller passes
 * ({@link java.util.Random} or {@link java.util.SplittableRandom} with a seed for reproducible output);
 * each token costs exactly one {@code nextDouble()}.
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;

    private Sampler(Builder b) {
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException("Sampler: temperature = " + b.temperature + ", expected a finite value > 0");
        }
        if (b.topK < 0) {
            throw new IllegalArgumentException("Sampler: topK = " + b.topK + ", expected >= 1 (or 0 for no top-k)");
        }
        if (!(b.topP > 0 && b.topP <= 1)) {
            throw new IllegalArgumentException("Sampler: topP = " + b.topP + ", expected a value in (0, 1] (1 for no top-p)");
        }
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
    }

    /** A builder with temperature 1, no top-k, no top-p: plain sampling from the model. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The distribution the next token is drawn from: probabilities {@code [V]} summing to 1, exactly 0 for the
     * tokens top-k and top-p remove (and those of log-probability {@code -infinity}).
     *
     * @param logProbs the model's log-probabilities {@code [V]} (or any logits: only differences matter); not modified
     */
    public double[] distribution(double[] logProbs) {
        if (logProbs == null || logProbs.length == 0) {
            throw new IllegalArgumentException("Sampler.distribution: logProbs is " + (logProbs == null ? "null" : "empty"));
        }
        int n = logProbs.length;
        double[] z = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(logProbs[i]) || logProbs[i] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("Sampler.distribution: logProbs[" + i + "] = " + logProbs[i]
                        + "; expected a number or -infinity");
            }
            z[i] = logProbs[i] / temperature;
            max = Math.max(max, z[i]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("Sampler.distribution: every logProb is -infinity; nothing can be sampled");
        }
        if (topK > 0 && topK < n) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[n - topK];
            for (int i = 0; i < n; i++) {
                if (z[i] < kth) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        if (topP < 1) {
            Integer[] order = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i)).toArray(Integer[]::new);
            double before = 0;
            double kept = 0;
            boolean[] keep = new boolean[n];
            for (Integer i : order) {
                if (before < topP) {
                    keep[i] = true;
                    kept += p[i];
                }
                before += p[i];
            }
            for (int i = 0; i < n; i++) {
                p[i] = keep[i] ? p[i] / kept : 0;
            }
        }
        return p;
    }

    /**
     * Draws the next token.
     *
     * @param logProbs the model's log-probabilities {@code [V]}; not modified
     * @param rng the random source; one {@code nextDouble()} is drawn
     */
    public int sample(double[] logProbs, RandomGenerator rng) {
        if (rng == null) {
            throw new IllegalArgumentException("Sampler.sample: rng is null; pass e.g. new SplittableRandom(seed)");
        }
        double[] p = distribution(logProbs);
        double u = rng.nextDouble();
        double c = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                c += p[i];
                last = i;
                if (u < c) {
                    return i;
                }
            }
        }
        return last; // u within rounding of 1
    }

    /**
     * Samples one sequence until the end-of-sequence token or {@code maxLength} tokens.
     *
     * @param f the model; {@code initial} is not modified
     * @param initial the state before the first token
     * @param bos the begin-of-sequence token fed to the first step
     * @param eos the end-of-sequence token, or -1 for none
     * @param maxLength the most tokens to generate (the end token included), {@code >= 1}
     * @param rng the random source (seeded for reproducible output)
     * @return the tokens (without bos and eos) and their log-probability under the model's own, untempered and
     *     untruncated distribution (also the score)
     */
    public <S> Hypothesis decode(StepFunction<S> f, S initial, int bos, int eos, int maxLength, RandomGenerator rng) {
        Steps.checkSettings("Sampler", f, eos, maxLength);
        if (rng == null) {
            throw new IllegalArgumentException("Sampler: rng is null; pass e.g. new SplittableRandom(seed)");
        }
        int[] v = {0};
        int[] tokens = new int[0];
        double logProb = 0;
        S state = initial;
        int last = bos;
        for (int t = 0; t < maxLength; t++) {
            Step<S> s = f.step(state, last);
            double[] lp = Steps.check("Sampler", s, v, eos, t, 0);
            int next = sample(lp, rng);
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

    @Override
    public String toString() {
        return "Sampler(temperature=" + temperature + ", topK=" + topK + ", topP=" + topP + ")";
    }

    /** Settings of a {@link Sampler}. */
    public static final class Builder {
        private double temperature = 1;
        private int topK;
        private double topP = 1;

        private Builder() {
        }

        /** The temperature, {@code > 0} (default 1). */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Keep only the {@code k} most probable tokens (and those tied with the k-th), {@code >= 1}; 0 (default) keeps all. */
        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        /** Keep the smallest set of most probable tokens with probability {@code >= p}, {@code p} in (0, 1]; 1 (default) keeps all. */
        public Builder topP(double p) {
            this.topP = p;
            return this;
        }

        /** The sampler; validates the settings. */
        public Sampler build() {
            return new Sampler(this);
        }
    }
}
