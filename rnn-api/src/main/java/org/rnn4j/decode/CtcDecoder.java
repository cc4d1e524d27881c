package org.rnn4j.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.loss.Ctc;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Decodes the frame-level outputs of a network trained with CTC ({@link org.rnn4j.loss.Losses#ctc})
 * into label sequences. A labelling is read off a path of one symbol per frame by merging repeated
 * symbols and then dropping blanks ({@code a a _ a b b _} gives {@code a a b}).
 *
 * <ul>
 *   <li>{@link #greedy}: the most likely symbol of each frame, collapsed (best path decoding);
 *   <li>{@link #beamSearch}: CTC prefix beam search (Hannun et al. 2014), which sums the probability of
 *       every path of a labelling prefix rather than taking the single best path; with a beam at least
 *       as wide as the number of distinct prefixes it finds the most likely labelling exactly.
 * </ul>
 * Inputs are log-probabilities per frame, {@code [T][C]} (frames, classes), or {@code [B, T, C]}
 * tensors with per-sequence lengths; they are not modified. Instances are immutable.
 */
public final class CtcDecoder {
    private final int blank;

    /**
     * @param blank index of the blank symbol ({@code >= 0}; checked against {@code C} on each call)
     */
    public CtcDecoder(int blank) {
        if (blank < 0) {
            throw new IllegalArgumentException("CtcDecoder: blank = " + blank + ", expected an index >= 0");
        }
        this.blank = blank;
    }

    /** The blank index. */
    public int blank() {
        return blank;
    }

    /** A labelling and its log-probability (summed over the paths the beam kept), most likely first. */
    public record Hypothesis(int[] labels, double logProbability) {
        @Override
        public String toString() {
            return Arrays.toString(labels) + " " + logProbability;
        }
    }

    // ---- greedy ----

    /**
     * Best path decoding: the most likely symbol of every frame (the lowest index on ties), repeats
     * merged, blanks dropped.
     *
     * @param logProbs {@code [T][C]} log-probabilities (or probabilities, or logits: only the arg max counts)
     * @return the labels, each in {@code [0, C)} and not blank
     */
    public int[] greedy(double[][] logProbs) {
        checkFrames("greedy", logProbs);
        return greedy(logProbs.length, logProbs[0].length, (t, c) -> logProbs[t][c]);
    }

    /**
     * Best path decoding of each sequence of a batch.
     *
     * @param logProbs {@code [B, T, C]} on any backend (copied to the host)
     * @param lengths frames of each sequence, in {@code [0, T]}, or null for all {@code T}
     * @return one label array per sequence
     */
    public int[][] greedy(Tensor logProbs, int[] lengths) {
        int[] s = checkBatch("greedy", logProbs, lengths);
        double[] v = logProbs.toDoubleArray();
        int[][] out = new int[s[0]][];
        for (int b = 0; b < s[0]; b++) {
            int base = b * s[1] * s[2];
            out[b] = greedy(lengths == null ? s[1] : lengths[b], s[2], (t, c) -> v[base + t * s[2] + c]);
        }
        return out;
    }

    /** Log-probability of class {@code c} at frame {@code t} of one sequence. */
    private interface Frames {
        double at(int t, int c);
    }

    private int[] greedy(int frames, int classes, Frames lp) {
        int[] out = new int[frames];
        int n = 0;
        int prev = -1;
        for (int t = 0; t < frames; t++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (lp.at(t, c) > lp.at(t, best)) {
                    best = c;
                }
            }
            if (best != prev && best != blank) {
                out[n++] = best;
            }
            prev = best;
        }
        return Arrays.copyOf(out, n);
    }

    // ---- prefix beam search ----

    /**
     * CTC prefix beam search in log space. At each frame every kept prefix is extended by every symbol;
     * the probability of a prefix is tracked separately for paths ending in a blank and in its last
     * label, so that a repeated label needs a blank between; the {@code beamWidth} most likely prefixes
     * are kept.
     *
     * @param logProbs {@code [T][C]} log-probabilities (normalised per frame)
     * @param beamWidth prefixes kept per frame, {@code >= 1}
     * @return the final prefixes (at most {@code beamWidth}), most likely first (ties: shorter, then
     *     lexicographically smaller labels first)
     */
    public List<Hypothesis> beamSearch(double[][] logProbs, int beamWidth) {
        checkFrames("beamSearch", logProbs);
        return beamSearch(logProbs.length, logProbs[0].length, (t, c) -> logProbs[t][c], beamWidth);
    }

    /**
     * The best labelling of each sequence of a batch by {@link #beamSearch(double[][], int)}.
     *
     * @param logProbs {@code [B, T, C]} log-probabilities on any backend (copied to the host)
     * @param lengths frames of each sequence, in {@code [0, T]}, or null for all {@code T}
     * @param beamWidth prefixes kept per frame, {@code >= 1}
     * @return one label array per sequence
     */
    public int[][] beamSearch(Tensor logProbs, int[] lengths, int beamWidth) {
        int[] s = checkBatch("beamSearch", logProbs, lengths);
        double[] v = logProbs.toDoubleArray();
        int[][] out = new int[s[0]][];
        for (int b = 0; b < s[0]; b++) {
            int base = b * s[1] * s[2];
            out[b] = beamSearch(lengths == null ? s[1] : lengths[b], s[2], (t, c) -> v[base + t * s[2] + c], beamWidth)
                    .get(0).labels();
        }
        return out;
    }

    /** A prefix's log-probabilities of the paths ending in blank and in its last label. */
    private static final class Scores {
        double blankEnd = Double.NEGATIVE_INFINITY;
        double labelEnd = Double.NEGATIVE_INFINITY;

        double total() {
            return Ctc.logAddExp(blankEnd, labelEnd);
        }
    }

    /** An immutable label prefix usable as a map key. */
    private record Prefix(int[] labels) {
        Prefix append(int c) {
            int[] l = Arrays.copyOf(labels, labels.length + 1);
            l[labels.length] = c;
            return new Prefix(l);
        }

        int last() {
            return labels.length == 0 ? -1 : labels[labels.length - 1];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Prefix p && Arrays.equals(labels, p.labels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(labels);
        }
    }

    private static final Comparator<Map.Entry<Prefix, Scores>> BEST_FIRST = Comparator
            .comparingDouble((Map.Entry<Prefix, Scores> e) -> -e.getValue().total())
            .thenComparingInt(e -> e.getKey().labels().length)
            .thenComparing(e -> e.getKey().labels(), Arrays::compare);

    private List<Hypothesis> beamSearch(int frames, int classes, Frames lp, int beamWidth) {
        if (beamWidth < 1) {
            throw new IllegalArgumentException("beamSearch: beamWidth = " + beamWidth + ", expected at least 1");
        }
        Map<Prefix, Scores> beam = new HashMap<>();
        Scores empty = new Scores();
        empty.blankEnd = 0;
        beam.put(new Prefix(new int[0]), empty);
        for (int t = 0; t < frames; t++) {
            Map<Prefix, Scores> next = new HashMap<>();
            for (Map.Entry<Prefix, Scores> e : beam.entrySet()) {
                Prefix prefix = e.getKey();
                Scores s = e.getValue();
                double total = s.total();
                for (int c = 0; c < classes; c++) {
                    double p = lp.at(t, c);
                    if (Double.isNaN(p) || p == Double.POSITIVE_INFINITY) {
                        throw new IllegalArgumentException("beamSearch: the log-probability of class " + c + " at frame " + t
                                + " is " + p + "; expected a finite value or -infinity");
                    }
                    if (p == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    if (c == blank) {
                        Scores same = next.computeIfAbsent(prefix, k -> new Scores());
                        same.blankEnd = Ctc.logAddExp(same.blankEnd, total + p);
                    } else if (c == prefix.last()) {
                        // staying on the last label keeps the prefix; a new copy needs a blank first
                        Scores same = next.computeIfAbsent(prefix, k -> new Scores());
                        same.labelEnd = Ctc.logAddExp(same.labelEnd, s.labelEnd + p);
                        Scores longer = next.computeIfAbsent(prefix.append(c), k -> new Scores());
                        longer.labelEnd = Ctc.logAddExp(longer.labelEnd, s.blankEnd + p);
                    } else {
                        Scores longer = next.computeIfAbsent(prefix.append(c), k -> new Scores());
                        longer.labelEnd = Ctc.logAddExp(longer.labelEnd, total + p);
                    }
                }
            }
            List<Map.Entry<Prefix, Scores>> ranked = new ArrayList<>(next.size());
            for (Map.Entry<Prefix, Scores> e : next.entrySet()) {
                if (e.getValue().total() != Double.NEGATIVE_INFINITY) {
                    ranked.add(e); // e.g. a repeat proposed from a prefix with no blank-ending path
                }
            }
            if (ranked.isEmpty()) {
                throw new IllegalArgumentException("beamSearch: every class has log-probability -infinity at frame " + t
                        + "; no labelling is possible");
            }
            ranked.sort(BEST_FIRST);
            beam = new HashMap<>();
            for (int i = 0; i < Math.min(beamWidth, ranked.size()); i++) {
                beam.put(ranked.get(i).getKey(), ranked.get(i).getValue());
            }
        }
        List<Map.Entry<Prefix, Scores>> ranked = new ArrayList<>(beam.entrySet());
        ranked.sort(BEST_FIRST);
        List<Hypothesis> out = new ArrayList<>(ranked.size());
        for (Map.Entry<Prefix, Scores> e : ranked) {
            out.add(new Hypothesis(e.getKey().labels().clone(), e.getValue().total()));
        }
        return out;
    }

    // ---- validation ----

    private void checkFrames(String op, double[][] logProbs) {
        if (logProbs == null || logProbs.length == 0 || logProbs[0] == null) {
            throw new IllegalArgumentException(op + ": logProbs has no frames; expected [T][C] with T >= 1");
        }
        int classes = logProbs[0].length;
        for (int t = 1; t < logProbs.length; t++) {
            if (logProbs[t] == null || logProbs[t].length != classes) {
                throw new IllegalArgumentException(op + ": logProbs[" + t + "] has "
                        + (logProbs[t] == null ? "no values (null)" : logProbs[t].length + " classes") + ", logProbs[0] has "
                        + classes + "; expected [T][C]");
            }
        }
        checkBlank(op, classes);
    }

    private int[] checkBatch(String op, Tensor logProbs, int[] lengths) {
        if (logProbs == null) {
            throw new IllegalArgumentException(op + ": logProbs is null; expected a tensor [B, T, C]");
        }
        int[] s = logProbs.shape();
        if (s.length != 3 || s[0] < 1 || s[2] < 1) {
            throw new IllegalArgumentException(op + ": logProbs has shape " + Shapes.str(s) + ", expected [B, T, C] with B, C >= 1");
        }
        checkBlank(op, s[2]);
        if (lengths != null) {
            if (lengths.length != s[0]) {
                throw new IllegalArgumentException(op + ": lengths has " + lengths.length + " entries, expected B = " + s[0]);
            }
            for (int b = 0; b < s[0]; b++) {
                if (lengths[b] < 0 || lengths[b] > s[1]) {
                    throw new IllegalArgumentException(op + ": lengths[" + b + "] = " + lengths[b] + " is outside [0, T = " + s[1] + "]");
                }
            }
        }
        return s;
    }

    private void checkBlank(String op, int classes) {
        if (blank >= classes) {
            throw new IllegalArgumentException(op + ": blank = " + blank + " is outside [0, " + classes + ") for C = " + classes
                    + " classes");
        }
    }
}
