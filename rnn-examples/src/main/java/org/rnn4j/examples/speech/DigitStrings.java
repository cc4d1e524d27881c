package org.rnn4j.examples.speech;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Connected digit strings made from isolated recordings: each string joins 2 to 5 recordings of one
 * speaker (distinct recordings, chosen at random), with a short gap of background noise before, between
 * and after them. The noise in a gap is Gaussian with the level (RMS) of the quietest 10 ms of the
 * recordings beside it, so that each speaker's strings keep that speaker's background. Everything is
 * drawn from a seeded generator: the same pool, count and seed give the same strings.
 */
public final class DigitStrings {
    /** Fewest recordings per string. */
    public static final int MIN_DIGITS = 2;
    /** Most recordings per string. */
    public static final int MAX_DIGITS = 5;
    /** Shortest and longest gap between two recordings, in seconds. */
    public static final double GAP_MIN = 0.05;
    public static final double GAP_MAX = 0.25;
    /** Longest silence before the first and after the last recording, in seconds. */
    public static final double EDGE_MAX = 0.15;

    private DigitStrings() {
    }

    /**
     * One string, as a recipe: the recordings, the gaps and the seed of the gap noise; {@link #samples()}
     * builds the signal on demand (the same every time), so that many strings need not be held as
     * signals at once.
     *
     * @param parts the recordings, in order (all of one speaker)
     * @param gaps {@code parts.size() + 1} gap lengths in samples: before, between and after the recordings
     * @param noiseSeed seed of the gap noise
     */
    public record Joined(List<Fsdd.Recording> parts, int[] gaps, long noiseSeed) {
        /** The recordings it joins, e.g. {@code 3_theo_12+0_theo_40}. */
        public String name() {
            StringBuilder sb = new StringBuilder();
            for (Fsdd.Recording r : parts) {
                sb.append(sb.length() > 0 ? "+" : "").append(r.key().fileName().replace(".wav", ""));
            }
            return sb.toString();
        }

        /** Who speaks. */
        public String speaker() {
            return parts.get(0).speaker();
        }

        /** The digits, in order. */
        public int[] digits() {
            return parts.stream().mapToInt(Fsdd.Recording::digit).toArray();
        }

        /**
         * The joined signal: each gap holds Gaussian noise at the level of the quietest 10 ms of the
         * recordings beside it ({@link #noiseFloor}), the recordings are copied unchanged.
         */
        public double[] samples() {
            int n = parts.size();
            int total = 0;
            for (int g : gaps) {
                total += g;
            }
            double[] floors = new double[n];
            for (int k = 0; k < n; k++) {
                floors[k] = noiseFloor(parts.get(k).samples(), Fsdd.SAMPLE_RATE);
                total += parts.get(k).samples().length;
            }
            SplittableRandom rng = new SplittableRandom(noiseSeed);
            double[] x = new double[total];
            int pos = 0;
            for (int k = 0; k <= n; k++) {
                double level = k == 0 ? floors[0] : k == n ? floors[n - 1] : Math.min(floors[k - 1], floors[k]);
                for (int i = 0; i < gaps[k]; i++) {
                    x[pos++] = level * rng.nextGaussian();
                }
                if (k < n) {
                    double[] s = parts.get(k).samples();
                    System.arraycopy(s, 0, x, pos, s.length);
                    pos += s.length;
                }
            }
            return x;
        }
    }

    /**
     * {@code count} strings from {@code pool}.
     *
     * @param pool recordings to draw from; every speaker in it needs at least {@link #MIN_DIGITS}
     * @param sampleRate samples per second, for the gap lengths
     * @throws IllegalArgumentException when the pool is empty or a speaker of it has fewer than {@link #MIN_DIGITS} recordings
     */
    public static List<Joined> generate(List<Fsdd.Recording> pool, int count, int sampleRate, long seed) {
        Map<String, List<Fsdd.Recording>> bySpeaker = new LinkedHashMap<>();
        for (Fsdd.Recording r : pool) {
            bySpeaker.computeIfAbsent(r.speaker(), k -> new ArrayList<>()).add(r);
        }
        if (bySpeaker.isEmpty()) {
            throw new IllegalArgumentException("the pool of recordings is empty");
        }
        for (Map.Entry<String, List<Fsdd.Recording>> e : bySpeaker.entrySet()) {
            if (e.getValue().size() < MIN_DIGITS) {
                throw new IllegalArgumentException("speaker " + e.getKey() + " has " + e.getValue().size() + " recording(s) in the pool; a "
                        + "string needs at least " + MIN_DIGITS);
            }
        }
        List<String> speakers = new ArrayList<>(bySpeaker.keySet());
        SplittableRandom rng = new SplittableRandom(seed);
        List<Joined> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<Fsdd.Recording> own = bySpeaker.get(speakers.get(rng.nextInt(speakers.size())));
            int n = Math.min(MIN_DIGITS + rng.nextInt(MAX_DIGITS - MIN_DIGITS + 1), own.size());
            List<Fsdd.Recording> chosen = new ArrayList<>(n);
            for (int p : distinct(rng, own.size(), n)) {
                chosen.add(own.get(p));
            }
            int[] gaps = new int[n + 1];
            gaps[0] = (int) Math.round(rng.nextDouble() * EDGE_MAX * sampleRate);
            for (int k = 1; k < n; k++) {
                gaps[k] = (int) Math.round((GAP_MIN + rng.nextDouble() * (GAP_MAX - GAP_MIN)) * sampleRate);
            }
            gaps[n] = (int) Math.round(rng.nextDouble() * EDGE_MAX * sampleRate);
            out.add(new Joined(List.copyOf(chosen), gaps, rng.nextLong()));
        }
        return out;
    }

    /** {@code n} distinct indices in {@code [0, size)}, in random order (partial Fisher-Yates). */
    private static int[] distinct(SplittableRandom rng, int size, int n) {
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(size - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    /** The RMS of the quietest 10 ms frame of a signal (at least 1e-5). */
    static double noiseFloor(double[] s, int sampleRate) {
        int frame = Math.max(1, sampleRate / 100);
        double min = Double.POSITIVE_INFINITY;
        for (int start = 0; start + frame <= s.length; start += frame) {
            double sum = 0;
            for (int i = start; i < start + frame; i++) {
                sum += s[i] * s[i];
            }
            min = Math.min(min, Math.sqrt(sum / frame));
        }
        return Double.isInfinite(min) ? 1e-5 : Math.max(min, 1e-5);
    }
}
