package org.rnn4j.metrics;

/**
 * Perplexity {@code exp(mean negative log-likelihood per token)}, with the NLL in nats (natural log, as
 * {@link org.rnn4j.loss.Losses#crossEntropy} gives it). Batches of different token counts are combined
 * by their total NLL, so the result is the perplexity over all tokens, not a mean of batch perplexities.
 */
public final class Perplexity implements Metric {
    private double totalNll;
    private long tokens;

    /** {@code exp(meanNll)}: the perplexity of a mean negative log-likelihood in nats (finite, {@code >= 0}). */
    public static double of(double meanNll) {
        check(meanNll);
        return Math.exp(meanNll);
    }

    private static void check(double meanNll) {
        if (!(meanNll >= 0) || Double.isInfinite(meanNll)) {
            throw new IllegalArgumentException("Perplexity: meanNll = " + meanNll
                    + ", expected a finite mean negative log-likelihood >= 0 in nats");
        }
    }

    /**
     * Adds a batch.
     *
     * @param meanNll the batch's mean NLL per token in nats (e.g. a MEAN cross-entropy's value)
     * @param tokens the number of tokens it averages over (ignored positions excluded), {@code >= 1}
     */
    public void update(double meanNll, long tokens) {
        check(meanNll);
        if (tokens < 1) {
            throw new IllegalArgumentException("Perplexity.update: tokens = " + tokens + ", expected >= 1");
        }
        totalNll += meanNll * tokens;
        this.tokens += tokens;
    }

    /** Tokens accumulated. */
    public long tokens() {
        return tokens;
    }

    /** The mean NLL per token over everything accumulated, in nats. */
    public double meanNll() {
        if (tokens == 0) {
            throw new IllegalStateException("Perplexity: no tokens accumulated");
        }
        return totalNll / tokens;
    }

    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public double compute() {
        return Math.exp(meanNll());
    }

    @Override
    public void reset() {
        totalNll = 0;
        tokens = 0;
    }
}
