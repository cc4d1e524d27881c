package org.rnn4j.examples.charrnn;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.rnn4j.autograd.Grad;
import org.rnn4j.examples.data.Vocabulary;

/**
 * Generates text character by character with the stateful API: the prime goes through the model as one
 * chunk, then each sampled character is fed back as a chunk of one step, the recurrent state carried
 * between calls by {@link org.rnn4j.nn.Recurrent#forwardStateful}.
 */
public final class Sampler {
    private Sampler() {
    }

    /**
     * Samples {@code length} characters after {@code prime} (which must be non-empty and in the
     * vocabulary), handing each to {@code sink} as soon as it is drawn. Resets the model's carried state
     * before and after.
     *
     * @param temperature divides the logits: below 1 sharper and more conservative, above 1 more random
     */
    public static String sample(CharModel model, Vocabulary vocab, String prime, int length, double temperature, long seed,
            Consumer<String> sink) {
        int[] primeIds = vocab.encode(prime, -1);
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder();
        int v = vocab.size();
        model.resetState();
        model.train(false);
        try (Grad.Scope off = Grad.disabled()) {
            float[] logits = model.streamLogits(primeIds, 1, primeIds.length).value().toFloatArray();
            int lastRow = (primeIds.length - 1) * v;
            double[] row = new double[v];
            for (int i = 0; i < length; i++) {
                for (int c = 0; c < v; c++) {
                    row[c] = logits[lastRow + c];
                }
                int next = draw(row, temperature, rng);
                String ch = vocab.charAt(next);
                out.append(ch);
                sink.accept(ch);
                logits = model.streamLogits(new int[] {next}, 1, 1).value().toFloatArray();
                lastRow = 0;
            }
        } finally {
            model.resetState();
            model.train(true);
        }
        return out.toString();
    }

    /** Draws an index from softmax(logits / temperature). */
    static int draw(double[] logits, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] p = new double[logits.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            total += p[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u <= 0) {
                return i;
            }
        }
        return p.length - 1;
    }
}
