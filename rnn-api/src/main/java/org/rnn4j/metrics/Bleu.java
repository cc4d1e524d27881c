package org.rnn4j.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU (Papineni et al. 2002) with the semantics of nltk 3.8's {@code corpus_bleu}: uniform weights
 * over 1- to {@code maxOrder}-grams (4 by default), n-gram matches clipped by the largest count in any
 * reference, counts summed over the corpus before dividing, one brevity penalty over the corpus (with each
 * hypothesis's closest reference length, the shorter on ties), and no smoothing.
 *
 * <p>Exactly as nltk: each sentence adds {@code max(1, its n-gram count)} to the n-gram denominator; BLEU is
 * 0 when no unigram matches; an order with no match contributes {@code log(Double.MIN_NORMAL)} (Python's
 * {@code sys.float_info.min}), which makes BLEU tiny but not 0; the log-precisions are summed exactly (as
 * Python's {@code math.fsum}). The score is a fraction in {@code [0, 1]} (multiply by 100 for the usual
 * percentage). Tokens are compared as strings, case-sensitively; {@link #tokenize(String)} splits on white
 * space as the golden case and Python's {@code str.split()} do.
 */
public final class Bleu implements Metric {
    private final int maxOrder;
    private final long[] numerators;
    private final long[] denominators;
    private long hypothesisLength;
    private long referenceLength;
    private long sentences;

    /** BLEU-4. */
    public Bleu() {
        this(4);
    }

    /**
     * @param maxOrder the longest n-gram, {@code >= 1}; weights are {@code 1 / maxOrder} each
     */
    public Bleu(int maxOrder) {
        if (maxOrder < 1) {
            throw new IllegalArgumentException("Bleu: maxOrder = " + maxOrder + ", expected >= 1");
        }
        this.maxOrder = maxOrder;
        this.numerators = new long[maxOrder + 1];
        this.denominators = new long[maxOrder + 1];
    }

    /** Whitespace tokens of {@code text}, as Python's {@code str.split()}: no empty tokens. */
    public static List<String> tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Bleu.tokenize: text is null");
        }
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    /**
     * Corpus BLEU-4 of whitespace-tokenised sentences with one reference each.
     *
     * @param hypotheses the system's sentences
     * @param references one reference sentence per hypothesis, in the same order
     */
    public static double corpus(List<String> hypotheses, List<String> references) {
        if (hypotheses == null || references == null || hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("Bleu.corpus: got " + (hypotheses == null ? "null" : hypotheses.size())
                    + " hypotheses and " + (references == null ? "null" : references.size()) + " references; expected one reference per hypothesis");
        }
        Bleu b = new Bleu();
        for (int i = 0; i < hypotheses.size(); i++) {
            b.update(hypotheses.get(i), references.get(i));
        }
        return b.compute();
    }

    /** Adds one whitespace-tokenised hypothesis with one reference. */
    public void update(String hypothesis, String reference) {
        update(tokenize(hypothesis), List.of(tokenize(reference)));
    }

    /**
     * Adds one tokenised hypothesis with its references.
     *
     * @param hypothesis the hypothesis's tokens (may be empty); not modified
     * @param references at least one reference, each a token list; not modified
     */
    public void update(List<String> hypothesis, List<? extends List<String>> references) {
        if (hypothesis == null) {
            throw new IllegalArgumentException("Bleu.update: hypothesis is null");
        }
        if (references == null || references.isEmpty()) {
            throw new IllegalArgumentException("Bleu.update: references is " + (references == null ? "null" : "empty")
                    + "; expected at least one reference per hypothesis");
        }
        for (int i = 0; i < references.size(); i++) {
            if (references.get(i) == null) {
                throw new IllegalArgumentException("Bleu.update: references[" + i + "] is null");
            }
        }
        for (int n = 1; n <= maxOrder; n++) {
            Map<List<String>, Integer> counts = ngrams(hypothesis, n);
            Map<List<String>, Integer> maxRef = new HashMap<>();
            for (List<String> ref : references) {
                Map<List<String>, Integer> rc = ngrams(ref, n);
                for (List<String> g : counts.keySet()) {
                    maxRef.merge(g, rc.getOrDefault(g, 0), Math::max);
                }
            }
            long clipped = 0;
            long total = 0;
            for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
                clipped += Math.min(e.getValue(), maxRef.get(e.getKey()));
                total += e.getValue();
            }
            numerators[n] += clipped;
            denominators[n] += Math.max(1, total);
        }
        int h = hypothesis.size();
        int closest = references.get(0).size();
        for (List<String> ref : references) {
            int r = ref.size();
            int d = Math.abs(r - h);
            int bd = Math.abs(closest - h);
            if (d < bd || (d == bd && r < closest)) {
                closest = r;
            }
        }
        hypothesisLength += h;
        referenceLength += closest;
        sentences++;
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            out.merge(new ArrayList<>(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return out;
    }

    /** Clipped matches of {@code n}-grams over the corpus ({@code 1 <= n <= maxOrder}). */
    public long matches(int n) {
        return numerators[checkOrder(n)];
    }

    /** The {@code n}-gram denominator: the sum over sentences of {@code max(1, n-grams in the hypothesis)}. */
    public long candidates(int n) {
        return denominators[checkOrder(n)];
    }

    private int checkOrder(int n) {
        if (n < 1 || n > maxOrder) {
            throw new IllegalArgumentException("Bleu: order " + n + " is outside [1, " + maxOrder + "]");
        }
        return n;
    }

    /** The corpus brevity penalty: 1 when the hypotheses are longer than the references, else {@code exp(1 - r / h)} (0 for h = 0). */
    public double brevityPenalty() {
        if (hypothesisLength > referenceLength) {
            return 1;
        }
        if (hypothesisLength == 0) {
            return 0;
        }
        return Math.exp(1 - (double) referenceLength / hypothesisLength);
    }

    @Override
    public String name() {
        return "bleu";
    }

    /** Corpus BLEU over every sentence added. */
    @Override
    public double compute() {
        if (sentences == 0) {
            throw new IllegalStateException("Bleu: no sentences accumulated");
        }
        if (numerators[1] == 0) {
            return 0;
        }
        double w = 1.0 / maxOrder;
        BigDecimal sum = BigDecimal.ZERO; // exact sum of the doubles, rounded once: Python's math.fsum
        for (int n = 1; n <= maxOrder; n++) {
            double p = numerators[n] == 0 ? Double.MIN_NORMAL : (double) numerators[n] / denominators[n];
            sum = sum.add(new BigDecimal(w * Math.log(p)));
        }
        return brevityPenalty() * Math.exp(sum.doubleValue());
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(numerators, 0);
        java.util.Arrays.fill(denominators, 0);
        hypothesisLength = 0;
        referenceLength = 0;
        sentences = 0;
    }
}
