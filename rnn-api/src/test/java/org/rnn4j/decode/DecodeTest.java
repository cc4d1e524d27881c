package org.rnn4j.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;

/** Greedy, beam search and sampling on tiny hand-made and random models, checked by enumeration and by counting. */
class DecodeTest {
    private static final int BOS = -7;

    private static void fails(Class<? extends Throwable> type, Executable e, String... fragments) {
        Throwable ex = assertThrows(type, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    /**
     * A random model whose next-token distribution depends on the whole history (its state), so that the
     * decoders must thread states correctly. Token {@code eos} ends a sequence.
     */
    private static StepFunction<int[]> randomModel(long seed, int v) {
        return (history, token) -> {
            int[] h = token == BOS ? history : Steps.append(history, token);
            Random r = new Random(seed * 1_000_003 + Arrays.hashCode(h));
            double[] logits = new double[v];
            for (int i = 0; i < v; i++) {
                logits[i] = 2 * r.nextGaussian();
            }
            return new Step<>(logSoftmax(logits), h);
        };
    }

    private static double[] logSoftmax(double[] x) {
        double max = Arrays.stream(x).max().orElseThrow();
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        double lse = max + Math.log(s);
        return Arrays.stream(x).map(v -> v - lse).toArray();
    }

    /** Every sequence the model can produce within maxLength, with its log-probability, by walking the model. */
    private static void enumerate(StepFunction<int[]> f, int[] state, int last, int[] tokens, double logProb, int eos, int maxLength,
            LengthPenalty lp, List<Hypothesis> out) {
        Step<int[]> s = f.step(state, last);
        double[] p = s.logProbs();
        for (int k = 0; k < p.length; k++) {
            if (p[k] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double total = logProb + p[k];
            if (k == eos) {
                out.add(new Hypothesis(tokens, total, total / lp.divisor(tokens.length + 1), true));
            } else if (tokens.length + 1 == maxLength) {
                int[] t = Steps.append(tokens, k);
                out.add(new Hypothesis(t, total, total / lp.divisor(t.length), false));
            } else {
                enumerate(f, s.state(), k, Steps.append(tokens, k), total, eos, maxLength, lp, out);
            }
        }
    }

    private static List<Hypothesis> bruteForce(StepFunction<int[]> f, int eos, int maxLength, LengthPenalty lp) {
        List<Hypothesis> all = new ArrayList<>();
        enumerate(f, new int[0], BOS, new int[0], 0, eos, maxLength, lp, all);
        all.sort(Comparator.comparingDouble((Hypothesis h) -> -h.score()).thenComparingDouble(h -> -h.logProb()));
        return all;
    }

    @Test
    void beamOfOneIsGreedy() {
        for (long seed = 1; seed <= 20; seed++) {
            StepFunction<int[]> f = randomModel(seed, 5);
            int eos = seed % 2 == 0 ? 0 : -1;
            Hypothesis g = Greedy.decode(f, new int[0], BOS, eos, 8);
            List<Hypothesis> b = BeamSearch.builder().beamSize(1).maxLength(8).eos(eos).lengthPenalty(LengthPenalty.gnmt(0.6)).build()
                    .search(f, new int[0], BOS);
            assertEquals(1, b.size());
            assertArrayEquals(g.tokens(), b.get(0).tokens(), "seed " + seed);
            assertEquals(g.logProb(), b.get(0).logProb(), 1e-12);
            assertEquals(g.finished(), b.get(0).finished());
        }
    }

    @Test
    void exhaustiveBeamRanksEverySequenceAsEnumerationDoes() {
        for (LengthPenalty lp : List.of(LengthPenalty.none(), LengthPenalty.average(), LengthPenalty.gnmt(0.6), LengthPenalty.power(2))) {
            for (long seed = 1; seed <= 4; seed++) {
                StepFunction<int[]> f = randomModel(seed, 4);
                // 3 content tokens and eos 0, at most 4 tokens: 40 finished and 81 unfinished sequences, all kept by 200 beams
                List<Hypothesis> expected = bruteForce(f, 0, 4, lp);
                assertEquals(121, expected.size());
                List<Hypothesis> got = BeamSearch.builder().beamSize(200).maxLength(4).eos(0).lengthPenalty(lp).build()
                        .search(f, new int[0], BOS);
                assertEquals(121, got.size());
                for (int i = 0; i < 121; i++) {
                    assertArrayEquals(expected.get(i).tokens(), got.get(i).tokens(), "rank " + i + " seed " + seed);
                    assertEquals(expected.get(i).logProb(), got.get(i).logProb(), 1e-12);
                    assertEquals(expected.get(i).score(), got.get(i).score(), 1e-12);
                    assertEquals(expected.get(i).finished(), got.get(i).finished());
                }
            }
        }
    }

    @Test
    void smallBeamFindsTheBestSequenceWhereGreedyFails() {
        // tokens: 0 = eos, 1 = a, 2 = b. From the start a is likelier, but b is almost surely followed by the end
        double[][] p = {
            {0.0, 0.55, 0.45}, // after BOS
            {0.33, 0.34, 0.33}, // after a
            {0.9, 0.05, 0.05}, // after b
        };
        StepFunction<int[]> markov = (history, token) -> {
            double[] row = p[token == BOS ? 0 : token];
            return new Step<>(Arrays.stream(row).map(Math::log).toArray(), token == BOS ? history : Steps.append(history, token));
        };
        for (LengthPenalty lp : List.of(LengthPenalty.none(), LengthPenalty.average())) {
            Hypothesis best = bruteForce(markov, 0, 5, lp).get(0);
            assertArrayEquals(new int[] {2}, best.tokens(), "the true best sequence is b <eos>");
            Hypothesis beam = BeamSearch.builder().beamSize(2).maxLength(5).eos(0).lengthPenalty(lp).build()
                    .search(markov, new int[0], BOS).get(0);
            assertArrayEquals(best.tokens(), beam.tokens());
            assertEquals(Math.log(0.45 * 0.9), beam.logProb(), 1e-12);
            assertTrue(beam.finished());
        }
        Hypothesis greedy = Greedy.decode(markov, new int[0], BOS, 0, 5);
        assertEquals(1, greedy.tokens()[0], "greedy takes a first");
        assertTrue(greedy.logProb() < Math.log(0.45 * 0.9));
    }

    @Test
    void beamsAreSteppedAsOneBatchPerStep() {
        StepFunction<int[]> inner = randomModel(5, 6);
        int[] calls = {0};
        int[] widest = {0};
        StepFunction<int[]> batched = new StepFunction<>() {
            @Override
            public Step<int[]> step(int[] state, int token) {
                throw new AssertionError("beam search must use stepAll");
            }

            @Override
            public List<Step<int[]>> stepAll(List<int[]> states, int[] tokens) {
                calls[0]++;
                widest[0] = Math.max(widest[0], states.size());
                List<Step<int[]>> out = new ArrayList<>();
                for (int i = 0; i < states.size(); i++) {
                    out.add(inner.step(states.get(i), tokens[i]));
                }
                return out;
            }
        };
        List<Hypothesis> r = BeamSearch.builder().beamSize(3).maxLength(7).build().search(batched, new int[0], BOS);
        assertEquals(7, calls[0]);
        assertEquals(3, widest[0]);
        assertEquals(3, r.size());
        for (Hypothesis h : r) {
            assertEquals(7, h.tokens().length);
            assertFalse(h.finished());
        }
    }

    @Test
    void searchAllGivesEachInputsOwnSearchWithOneBatchedStepPerTimeStep() {
        // inputs differ by their initial history (the random model conditions on it), so their searches end at different steps
        StepFunction<int[]> inner = randomModel(11, 5);
        List<int[]> initials = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            initials.add(new int[] {100 + i});
        }
        for (int beam : new int[] {1, 3}) {
            BeamSearch search = BeamSearch.builder().beamSize(beam).maxLength(9).eos(0).lengthPenalty(LengthPenalty.average()).build();
            List<Integer> widths = new ArrayList<>();
            StepFunction<int[]> batched = new StepFunction<>() {
                @Override
                public Step<int[]> step(int[] state, int token) {
                    throw new AssertionError("searchAll must use stepAll");
                }

                @Override
                public List<Step<int[]>> stepAll(List<int[]> states, int[] tokens) {
                    widths.add(states.size());
                    List<Step<int[]>> out = new ArrayList<>();
                    for (int i = 0; i < states.size(); i++) {
                        out.add(inner.step(states.get(i), tokens[i]));
                    }
                    return out;
                }
            };
            List<List<Hypothesis>> all = search.searchAll(batched, initials, BOS);
            assertEquals(initials.size(), all.size());
            int[] expectedWidth = new int[9];
            for (int i = 0; i < initials.size(); i++) {
                List<Hypothesis> alone = search.search(inner, initials.get(i), BOS);
                assertEquals(alone, all.get(i), "input " + i + ", beam " + beam);
                // the steps input i took alone, each with its live beams, add up to the widths of the batched steps
                List<Integer> own = new ArrayList<>();
                search.search(new StepFunction<int[]>() {
                    @Override
                    public Step<int[]> step(int[] state, int token) {
                        return inner.step(state, token);
                    }

                    @Override
                    public List<Step<int[]>> stepAll(List<int[]> states, int[] tokens) {
                        own.add(states.size());
                        return StepFunction.super.stepAll(states, tokens);
                    }
                }, initials.get(i), BOS);
                for (int t = 0; t < own.size(); t++) {
                    expectedWidth[t] += own.get(t);
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int w : expectedWidth) {
                if (w > 0) {
                    expected.add(w);
                }
            }
            assertEquals(expected, widths, "one stepAll per time step over every live beam of every input, beam " + beam);
        }
        fails(IllegalArgumentException.class, () -> BeamSearch.builder().build().searchAll(inner, List.of(), BOS), "initials", "empty");
    }

    @Test
    void theBestTokensOfAStepAreSelectedAsAFullSortWould() {
        double ninf = Double.NEGATIVE_INFINITY;
        assertArrayEquals(new int[] {3, 1, 4}, BeamSearch.best(new double[] {-5, -1, ninf, -0.5, -1, -1}, 3), "ties in token order");
        assertArrayEquals(new int[] {1, 0}, BeamSearch.best(new double[] {-2, -1, ninf}, 5), "only the finite entries");
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 200; trial++) {
            double[] lp = new double[1 + r.nextInt(40)];
            for (int i = 0; i < lp.length; i++) {
                // few distinct values, so that ties are common
                lp[i] = r.nextInt(10) == 0 ? ninf : -r.nextInt(6);
            }
            int k = 1 + r.nextInt(12);
            Integer[] all = new Integer[lp.length];
            for (int i = 0; i < lp.length; i++) {
                all[i] = i;
            }
            Arrays.sort(all, Comparator.comparingDouble((Integer i) -> -lp[i]).thenComparingInt(i -> i));
            int[] expected = Arrays.stream(all).filter(i -> lp[i] != ninf).limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, BeamSearch.best(lp, k), "trial " + trial);
        }
    }

    private static final double[] P = {0.5, 0.25, 0.15, 0.1};

    private static double[] logP() {
        return Arrays.stream(P).map(Math::log).toArray();
    }

    /** Pearson's chi-square statistic of counts against probabilities (over the tokens with probability > 0). */
    private static double chiSquare(int[] counts, double[] p, int n) {
        double x = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                double e = n * p[i];
                x += (counts[i] - e) * (counts[i] - e) / e;
            } else {
                assertEquals(0, counts[i], "token " + i + " has probability 0 but was drawn");
            }
        }
        return x;
    }

    @Test
    void samplingFrequenciesMatchTheDistribution() {
        double[] tempered = Arrays.stream(P).map(x -> x * x).toArray(); // temperature 0.5: p^2, renormalised
        double s = Arrays.stream(tempered).sum();
        tempered = Arrays.stream(tempered).map(x -> x / s).toArray();
        Object[][] cases = {
            {Sampler.builder().build(), P},
            {Sampler.builder().temperature(0.5).build(), tempered},
            {Sampler.builder().topK(2).build(), new double[] {2.0 / 3, 1.0 / 3, 0, 0}},
            {Sampler.builder().topP(0.7).build(), new double[] {2.0 / 3, 1.0 / 3, 0, 0}},
            {Sampler.builder().topP(0.8).build(), new double[] {0.5 / 0.9, 0.25 / 0.9, 0.15 / 0.9, 0}},
        };
        int n = 20000;
        for (Object[] c : cases) {
            Sampler sampler = (Sampler) c[0];
            double[] expected = (double[]) c[1];
            SplittableRandom rng = new SplittableRandom(42);
            int[] counts = new int[4];
            for (int i = 0; i < n; i++) {
                counts[sampler.sample(logP(), rng)]++;
            }
            int df = (int) Arrays.stream(expected).filter(x -> x > 0).count() - 1;
            // 99.9 % quantiles of chi-square with 1, 2, 3 degrees of freedom
            double bound = new double[] {10.83, 13.82, 16.27}[df - 1];
            double x = chiSquare(counts, expected, n);
            assertTrue(x < bound, sampler + ": chi-square " + x + " >= " + bound + " for counts " + Arrays.toString(counts));
        }
    }

    @Test
    void topKAndTopPMaskExactlyTheRightTokens() {
        double[] lp = {Math.log(0.1), Math.log(0.4), Math.log(0.05), Math.log(0.3), Math.log(0.15)};
        // top-2 keeps tokens 1 and 3
        double[] d = Sampler.builder().topK(2).build().distribution(lp);
        assertArrayEquals(new double[] {0, 0.4 / 0.7, 0, 0.3 / 0.7, 0}, d, 1e-15);
        // top-p 0.85: 0.4 + 0.3 = 0.7 < 0.85, + 0.15 reaches 0.85: keep 1, 3, 4
        d = Sampler.builder().topP(0.85).build().distribution(lp);
        assertArrayEquals(new double[] {0, 0.4 / 0.85, 0, 0.3 / 0.85, 0.15 / 0.85}, d, 1e-15);
        // top-p 0.4: the first token alone reaches it
        d = Sampler.builder().topP(0.4).build().distribution(lp);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, d, 0);
        // top-k then top-p on the renormalised top-k: top-3 = {1, 3, 4} with mass 0.85; 0.4/0.85 = 0.47 < 0.5, so 3 is kept too
        d = Sampler.builder().topK(3).topP(0.5).build().distribution(lp);
        assertArrayEquals(new double[] {0, 0.4 / 0.7, 0, 0.3 / 0.7, 0}, d, 1e-15);
        // ties with the k-th are kept
        d = Sampler.builder().topK(1).build().distribution(new double[] {-1, -3, -1});
        assertArrayEquals(new double[] {0.5, 0, 0.5}, d, 1e-15);
        // -infinity stays impossible; the temperature sharpens
        d = Sampler.builder().temperature(0.25).build().distribution(new double[] {Math.log(0.5), Double.NEGATIVE_INFINITY, Math.log(0.25)});
        assertArrayEquals(new double[] {16.0 / 17, 0, 1.0 / 17}, d, 1e-15);
    }

    @Test
    void sampledSequencesAreReproducibleAndScoredByTheModel() {
        StepFunction<int[]> f = randomModel(9, 5);
        Sampler s = Sampler.builder().temperature(0.8).topK(4).build();
        Hypothesis a = s.decode(f, new int[0], BOS, 0, 12, new SplittableRandom(7));
        Hypothesis b = s.decode(f, new int[0], BOS, 0, 12, new SplittableRandom(7));
        assertEquals(a, b);
        // its log-probability is the model's, recomputed along the tokens
        double lp = 0;
        int[] state = new int[0];
        int last = BOS;
        for (int t : a.tokens()) {
            Step<int[]> st = f.step(state, last);
            lp += st.logProbs()[t];
            state = st.state();
            last = t;
        }
        if (a.finished()) {
            lp += f.step(state, last).logProbs()[0];
        }
        assertEquals(lp, a.logProb(), 1e-12);
        Hypothesis c = s.decode(f, new int[0], BOS, 0, 12, new java.util.Random(7));
        assertTrue(c.tokens().length <= 12);
    }

    @Test
    void stepsFromTensors() {
        Step<String> st = Step.of(RefBackend.INSTANCE.fromDoubles(new double[] {-0.1, -2.5}, DType.FLOAT32, 1, 2), "h");
        assertEquals(2, st.logProbs().length);
        assertEquals((double) (float) -2.5, st.logProbs()[1], 0);
        fails(IllegalArgumentException.class, () -> Step.of(RefBackend.INSTANCE.zeros(DType.FLOAT32, 2, 2), "h"), "[2, 2]");
    }

    @Test
    void badInput() {
        StepFunction<int[]> f = randomModel(3, 4);
        fails(IllegalArgumentException.class, () -> BeamSearch.builder().beamSize(0).build(), "beamSize = 0");
        fails(IllegalArgumentException.class, () -> BeamSearch.builder().maxLength(0).build(), "maxLength = 0");
        fails(IllegalArgumentException.class, () -> BeamSearch.builder().eos(-2).build(), "eos = -2");
        fails(IllegalArgumentException.class, () -> Greedy.decode(f, new int[0], BOS, 9, 3), "eos = 9", "[0, 4)");
        fails(IllegalArgumentException.class, () -> Greedy.decode(null, null, BOS, 0, 3), "step function is null");
        fails(IllegalArgumentException.class, () -> Sampler.builder().temperature(0).build(), "temperature = 0.0");
        fails(IllegalArgumentException.class, () -> Sampler.builder().topP(0).build(), "topP = 0.0");
        fails(IllegalArgumentException.class, () -> Sampler.builder().topK(-1).build(), "topK = -1");
        fails(IllegalArgumentException.class, () -> LengthPenalty.gnmt(-1), "alpha = -1.0");
        StepFunction<Void> nan = (st, t) -> new Step<>(new double[] {0, Double.NaN}, null);
        fails(IllegalStateException.class, () -> Greedy.decode(nan, null, BOS, -1, 3), "token 1 is NaN", "step 0");
        int[] n = {0};
        StepFunction<Void> growing = (st, t) -> new Step<>(new double[2 + n[0]++], null);
        fails(IllegalStateException.class, () -> BeamSearch.builder().beamSize(1).build().search(growing, null, BOS),
                "returned 3 log-probabilities at step 1", "2 before");
        StepFunction<Void> none = (st, t) -> new Step<>(new double[] {Double.NEGATIVE_INFINITY}, null);
        fails(IllegalStateException.class, () -> Sampler.builder().build().decode(none, null, BOS, -1, 2, new SplittableRandom(1)),
                "every token has log-probability -infinity");
    }
}
