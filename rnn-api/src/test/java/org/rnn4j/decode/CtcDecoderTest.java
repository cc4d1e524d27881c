package org.rnn4j.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.loss.Reduction;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

/** Greedy decoding of hand-made paths; prefix beam search against brute force over every path. */
class CtcDecoderTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    /** Log-probabilities whose arg max at frame t is path[t] (0.7 on it, the rest shared). */
    private static double[][] peaked(int[] path, int classes) {
        double[][] lp = new double[path.length][classes];
        for (int t = 0; t < path.length; t++) {
            for (int c = 0; c < classes; c++) {
                lp[t][c] = Math.log(c == path[t] ? 0.7 : 0.3 / (classes - 1));
            }
        }
        return lp;
    }

    @Test
    void greedyCollapsesRepeatsAndDropsBlanks() {
        CtcDecoder d = new CtcDecoder(0);
        assertArrayEquals(new int[] {1, 1, 2, 2}, d.greedy(peaked(new int[] {1, 1, 0, 1, 2, 2, 0, 0, 2}, 3)));
        assertArrayEquals(new int[] {}, d.greedy(peaked(new int[] {0, 0, 0}, 3)));
        assertArrayEquals(new int[] {2}, d.greedy(peaked(new int[] {2, 2, 2, 2}, 3)));
        assertArrayEquals(new int[] {1, 2, 1}, d.greedy(peaked(new int[] {1, 2, 1}, 3)));
        CtcDecoder last = new CtcDecoder(3);
        assertArrayEquals(new int[] {0, 0, 1}, last.greedy(peaked(new int[] {0, 3, 0, 0, 1, 3}, 4)));
        // batch form with lengths: frames past a sequence's length are ignored
        double[] flat = new double[2 * 5 * 3];
        int[][] paths = {{1, 0, 2, 2, 1}, {2, 2, 1, 0, 0}};
        for (int b = 0; b < 2; b++) {
            double[][] p = peaked(paths[b], 3);
            for (int t = 0; t < 5; t++) {
                System.arraycopy(p[t], 0, flat, (b * 5 + t) * 3, 3);
            }
        }
        Tensor batch = B.fromDoubles(flat, DType.FLOAT32, 2, 5, 3);
        int[][] out = d.greedy(batch, new int[] {4, 5});
        assertArrayEquals(new int[] {1, 2}, out[0]);
        assertArrayEquals(new int[] {2, 1}, out[1]);
        assertArrayEquals(new int[] {1, 2, 1}, d.greedy(batch, null)[0]);
        assertArrayEquals(new int[][] {{1, 2}, {2, 1}}, d.beamSearch(batch, new int[] {4, 5}, 4));
    }

    /** Probability of every labelling: the sum over all C^T paths that collapse to it. */
    private static Map<List<Integer>, Double> bruteForce(double[][] lp, int blank) {
        int t = lp.length;
        int c = lp[0].length;
        Map<List<Integer>, Double> totals = new HashMap<>();
        int count = (int) Math.pow(c, t);
        for (int code = 0; code < count; code++) {
            int rest = code;
            double logP = 0;
            List<Integer> labels = new ArrayList<>();
            int prev = -1;
            for (int i = 0; i < t; i++) {
                int s = rest % c;
                rest /= c;
                logP += lp[i][s];
                if (s != prev && s != blank) {
                    labels.add(s);
                }
                prev = s;
            }
            totals.merge(labels, Math.exp(logP), Double::sum);
        }
        return totals;
    }

    private static double[][] randomLogProbs(Random r, int t, int c, double sharpness) {
        double[][] lp = new double[t][c];
        for (int i = 0; i < t; i++) {
            double z = 0;
            for (int k = 0; k < c; k++) {
                lp[i][k] = sharpness * r.nextGaussian();
                z += Math.exp(lp[i][k]);
            }
            for (int k = 0; k < c; k++) {
                lp[i][k] -= Math.log(z);
            }
        }
        return lp;
    }

    @Test
    void wideBeamFindsTheMostLikelyLabellingExactly() {
        Random r = new Random(3);
        int disagreements = 0;
        for (int trial = 0; trial < 40; trial++) {
            int t = 2 + r.nextInt(5);
            int c = 2 + r.nextInt(3);
            int blank = r.nextInt(c);
            double[][] lp = randomLogProbs(r, t, c, 1.5);
            Map<List<Integer>, Double> all = bruteForce(lp, blank);
            List<Integer> best = null;
            for (Map.Entry<List<Integer>, Double> e : all.entrySet()) {
                if (best == null || e.getValue() > all.get(best)) {
                    best = e.getKey();
                }
            }
            CtcDecoder d = new CtcDecoder(blank);
            // every prefix of length <= T over C - 1 labels fits in this beam
            List<CtcDecoder.Hypothesis> hyps = d.beamSearch(lp, 10_000);
            CtcDecoder.Hypothesis top = hyps.get(0);
            assertEquals(best, toList(top.labels()), "trial " + trial);
            assertEquals(Math.log(all.get(best)), top.logProbability(), 1e-12);
            // every hypothesis carries its labelling's exact probability, and all labellings are there
            assertEquals(all.size(), hyps.size());
            for (CtcDecoder.Hypothesis h : hyps) {
                assertEquals(Math.log(all.get(toList(h.labels()))), h.logProbability(), 1e-12);
            }
            // and that probability is exp(-CTC loss) of the labelling
            double[] flat = new double[t * c];
            for (int i = 0; i < t; i++) {
                System.arraycopy(lp[i], 0, flat, i * c, c);
            }
            double nll = Losses.ctc(Var.constant(B.fromDoubles(flat, DType.FLOAT64, 1, t, c)), new int[][] {top.labels()},
                    new int[] {t}, new int[] {top.labels().length}, blank, Reduction.SUM, true).value().item();
            assertEquals(-nll, top.logProbability(), 1e-12);
            if (!toList(d.greedy(lp)).equals(best)) {
                disagreements++;
            }
        }
        // the cases are not all trivial: best path and most likely labelling differ in some of them
        assertTrue(disagreements > 0, "greedy agreed with the exact decoder on every trial");
    }

    @Test
    void narrowBeamStillReturnsRankedHypotheses() {
        double[][] lp = randomLogProbs(new Random(7), 12, 5, 2.0);
        List<CtcDecoder.Hypothesis> hyps = new CtcDecoder(0).beamSearch(lp, 3);
        assertTrue(hyps.size() <= 3 && !hyps.isEmpty());
        for (int i = 1; i < hyps.size(); i++) {
            assertTrue(hyps.get(i - 1).logProbability() >= hyps.get(i).logProbability());
        }
        // a beam of 1 on sharply peaked outputs gives the best path
        double[][] sharp = peaked(new int[] {1, 1, 0, 2, 0, 2, 2}, 3);
        for (double[] row : sharp) {
            for (int k = 0; k < row.length; k++) {
                row[k] *= 20;
            }
        }
        assertArrayEquals(new int[] {1, 2, 2}, new CtcDecoder(0).beamSearch(sharp, 1).get(0).labels());
    }

    @Test
    void rejectsBadArguments() {
        CtcDecoder d = new CtcDecoder(3);
        assertThrows(IllegalArgumentException.class, () -> new CtcDecoder(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.greedy(new double[2][3]));
        assertTrue(e.getMessage().contains("blank = 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.greedy(new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> d.beamSearch(new double[][] {{0, 0, 0, 0}, {0}}, 2));
        assertThrows(IllegalArgumentException.class, () -> d.beamSearch(new double[2][4], 0));
        double inf = Double.NEGATIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class, () -> d.beamSearch(new double[][] {{0, inf, inf, inf}, {inf, inf, inf, inf}}, 2));
        assertTrue(e.getMessage().contains("frame 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.beamSearch(new double[][] {{0, Double.NaN, 0, 0}}, 2));
        Tensor t = B.zeros(DType.FLOAT64, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> d.greedy(t, new int[] {4, 1}));
        assertThrows(IllegalArgumentException.class, () -> d.greedy(t, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> d.greedy(B.zeros(DType.FLOAT64, 3, 4), null));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) {
            l.add(v);
        }
        return l;
    }
}
