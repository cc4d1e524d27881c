package org.rnn4j.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Edit-distance error rates for recognition output: total Levenshtein edits (substitutions, insertions,
 * deletions, each costing 1) between hypotheses and references, divided by the total reference length,
 * over every pair added (so long utterances weigh more, as jiwer and the usual WER definition do). The rate
 * can exceed 1 when the hypotheses insert much. {@link #characters()} compares Unicode code points (CER),
 * {@link #words()} whitespace-separated words (WER).
 */
public final class ErrorRate implements Metric {
    private final boolean words;
    private long edits;
    private long referenceLength;

    private ErrorRate(boolean words) {
        this.words = words;
    }

    /** Character error rate: edits over code points (spaces included). */
    public static ErrorRate characters() {
        return new ErrorRate(false);
    }

    /** Word error rate: edits over whitespace-separated words. */
    public static ErrorRate words() {
        return new ErrorRate(true);
    }

    /** The tokens this rate compares: code points, or words (as {@link Bleu#tokenize(String)}), as ints. */
    private int[] tokens(String s, Map<String, Integer> vocab) {
        if (!words) {
            return s.codePoints().toArray();
        }
        List<String> w = Bleu.tokenize(s);
        int[] out = new int[w.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = vocab.computeIfAbsent(w.get(i), k -> vocab.size());
        }
        return out;
    }

    /**
     * Adds one (hypothesis, reference) pair.
     *
     * @param hypothesis the recognised text
     * @param reference the true text (may be empty; it then adds only insertions and no length)
     */
    public void update(String hypothesis, String reference) {
        if (hypothesis == null || reference == null) {
            throw new IllegalArgumentException("ErrorRate.update: " + (hypothesis == null ? "hypothesis" : "reference") + " is null");
        }
        Map<String, Integer> vocab = new HashMap<>();
        int[] h = tokens(hypothesis, vocab);
        int[] r = tokens(reference, vocab);
        edits += distance(h, r);
        referenceLength += r.length;
    }

    /**
     * Adds one pair of token sequences (e.g. decoded label indices).
     *
     * @param hypothesis the recognised tokens; not modified
     * @param reference the true tokens; not modified
     */
    public void update(int[] hypothesis, int[] reference) {
        if (hypothesis == null || reference == null) {
            throw new IllegalArgumentException("ErrorRate.update: " + (hypothesis == null ? "hypothesis" : "reference") + " is null");
        }
        edits += distance(hypothesis, reference);
        referenceLength += reference.length;
    }

    /**
     * The Levenshtein distance between two token sequences: the least number of substitutions, insertions
     * and deletions turning one into the other. O(|a| |b|) time, O(min) memory.
     */
    public static int distance(int[] a, int[] b) {
        if (a.length < b.length) {
            int[] t = a;
            a = b;
            b = t;
        }
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }

    /** Edits accumulated. */
    public long edits() {
        return edits;
    }

    /** Reference tokens accumulated. */
    public long referenceLength() {
        return referenceLength;
    }

    @Override
    public String name() {
        return words ? "wer" : "cer";
    }

    @Override
    public double compute() {
        if (referenceLength == 0) {
            throw new IllegalStateException("ErrorRate: no reference " + (words ? "words" : "characters")
                    + " accumulated; the rate would divide by 0");
        }
        return (double) edits / referenceLength;
    }

    @Override
    public void reset() {
        edits = 0;
        referenceLength = 0;
    }
}
