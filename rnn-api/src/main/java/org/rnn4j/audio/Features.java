package org.rnn4j.audio;

/**
 * Operations on time-major feature matrices {@code [frames][features]} (e.g. {@link Mfcc} output):
 * deltas, per-utterance normalisation and joining features side by side. Arguments are never modified;
 * every result is a new array.
 */
public final class Features {
    /** Added to the variance in {@link #normalize(double[][])} so that constant features map to 0. */
    public static final double NORMALIZE_EPS = 1e-10;

    private Features() {
    }

    /** {@link #deltas(double[][], int)} with torchaudio's default window of 5 frames. */
    public static double[][] deltas(double[][] features) {
        return deltas(features, 5);
    }

    /**
     * Delta (time-derivative) features, as torchaudio 0.13's {@code compute_deltas(specgram, win_length,
     * mode="replicate")} along the time axis: with {@code n = (winLength - 1) / 2},
     * {@code d[t][f] = sum_{k=1..n} k (x[t+k][f] - x[t-k][f]) / (2 sum_{k=1..n} k^2)}, frames outside
     * {@code [0, frames)} replaced by the nearest edge frame.
     *
     * @param features {@code [frames][features]}, at least one frame, all rows of one length
     * @param winLength odd window length in frames, {@code >= 3}
     * @return {@code [frames][features]}
     * @throws IllegalArgumentException on an even or too small window, or ragged or empty features
     */
    public static double[][] deltas(double[][] features, int winLength) {
        if (winLength < 3 || winLength % 2 == 0) {
            throw new IllegalArgumentException("deltas: winLength = " + winLength + " frames, expected an odd number >= 3");
        }
        int width = checkMatrix("deltas", "features", features);
        int frames = features.length;
        int n = (winLength - 1) / 2;
        double denom = n * (n + 1) * (2.0 * n + 1) / 3.0;
        double[][] out = new double[frames][width];
        for (int t = 0; t < frames; t++) {
            double[] o = out[t];
            for (int k = 1; k <= n; k++) {
                double[] ahead = features[Math.min(t + k, frames - 1)];
                double[] behind = features[Math.max(t - k, 0)];
                for (int f = 0; f < width; f++) {
                    o[f] += k * (ahead[f] - behind[f]);
                }
            }
            for (int f = 0; f < width; f++) {
                o[f] /= denom;
            }
        }
        return out;
    }

    /**
     * Per-utterance mean and variance normalisation of each feature:
     * {@code (x[t][f] - mean_f) / sqrt(var_f + }{@value #NORMALIZE_EPS}{@code )}, mean and (population)
     * variance over the frames of this utterance.
     *
     * @param features {@code [frames][features]}, at least one frame, all rows of one length
     * @return {@code [frames][features]}, each column with mean 0 and variance 1 (0 for a constant column)
     */
    public static double[][] normalize(double[][] features) {
        int width = checkMatrix("normalize", "features", features);
        int frames = features.length;
        double[] mean = new double[width];
        for (double[] row : features) {
            for (int f = 0; f < width; f++) {
                mean[f] += row[f];
            }
        }
        for (int f = 0; f < width; f++) {
            mean[f] /= frames;
        }
        double[] var = new double[width];
        for (double[] row : features) {
            for (int f = 0; f < width; f++) {
                double d = row[f] - mean[f];
                var[f] += d * d;
            }
        }
        double[] scale = new double[width];
        for (int f = 0; f < width; f++) {
            scale[f] = 1.0 / Math.sqrt(var[f] / frames + NORMALIZE_EPS);
        }
        double[][] out = new double[frames][width];
        for (int t = 0; t < frames; t++) {
            for (int f = 0; f < width; f++) {
                out[t][f] = (features[t][f] - mean[f]) * scale[f];
            }
        }
        return out;
    }

    /**
     * Joins feature matrices of equal frame counts side by side ({@code [frames][f1 + f2 + ...]}), e.g.
     * MFCCs with their deltas and delta-deltas.
     *
     * @throws IllegalArgumentException when there is no part, or the frame counts differ
     */
    public static double[][] concat(double[][]... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("concat: no feature matrices given");
        }
        int frames = -1;
        int width = 0;
        for (int i = 0; i < parts.length; i++) {
            width += checkMatrix("concat", "parts[" + i + "]", parts[i]);
            if (frames >= 0 && parts[i].length != frames) {
                throw new IllegalArgumentException("concat: parts[" + i + "] has " + parts[i].length + " frames, parts[0] has "
                        + frames + "; expected equal frame counts");
            }
            frames = parts[i].length;
        }
        double[][] out = new double[frames][width];
        for (int t = 0; t < frames; t++) {
            int off = 0;
            for (double[][] p : parts) {
                System.arraycopy(p[t], 0, out[t], off, p[t].length);
                off += p[t].length;
            }
        }
        return out;
    }

    /** Checks a non-empty rectangular matrix; returns its row length. */
    private static int checkMatrix(String op, String name, double[][] m) {
        if (m == null || m.length == 0) {
            throw new IllegalArgumentException(op + ": " + name + " has no frames; expected [frames][features] with frames >= 1");
        }
        if (m[0] == null) {
            throw new IllegalArgumentException(op + ": " + name + "[0] is null");
        }
        int width = m[0].length;
        for (int t = 1; t < m.length; t++) {
            if (m[t] == null || m[t].length != width) {
                throw new IllegalArgumentException(op + ": " + name + "[" + t + "] has "
                        + (m[t] == null ? "no values (null)" : m[t].length + " features") + ", " + name + "[0] has " + width
                        + "; expected one feature count");
            }
        }
        return width;
    }
}
