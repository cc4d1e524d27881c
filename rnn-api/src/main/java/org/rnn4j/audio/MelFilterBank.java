package org.rnn4j.audio;

/**
 * Triangular mel filters on the HTK mel scale without area normalisation, as torchaudio 0.13's
 * {@code melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk")}.
 *
 * <p>The {@code bins} STFT bins sit at {@code k * (sampleRate / 2) / (bins - 1)} Hz
 * ({@code sampleRate / 2} an integer division, as torchaudio's {@code sample_rate // 2}); {@code nMels + 2}
 * points are spaced evenly in mel from {@code fMin} to {@code fMax}; filter {@code m} rises linearly
 * from point {@code m} to 1 at point {@code m + 1} and falls to 0 at point {@code m + 2} (frequencies
 * in Hz). Instances are immutable.
 */
public final class MelFilterBank {
    private final double[][] weights;
    private final int bins;
    private final int mels;

    private MelFilterBank(double[][] weights, int mels) {
        this.weights = weights;
        this.bins = weights.length;
        this.mels = mels;
    }

    /** HTK mel of a frequency: {@code 2595 log10(1 + hz / 700)}. */
    public static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    /** Frequency in Hz of an HTK mel value: {@code 700 (10^(mel / 2595) - 1)}. */
    public static double melToHz(double mel) {
        return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
    }

    /**
     * The HTK filter bank.
     *
     * @param bins frequency bins of the spectrogram it applies to ({@code nFft / 2 + 1}), {@code >= 2}
     * @param fMin lowest frequency in Hz, {@code >= 0}
     * @param fMax highest frequency in Hz, above {@code fMin}
     * @param nMels number of filters, {@code >= 1}
     * @param sampleRate sample rate in Hz, {@code >= 1}
     * @throws IllegalArgumentException when an argument is out of range
     */
    public static MelFilterBank htk(int bins, double fMin, double fMax, int nMels, int sampleRate) {
        if (bins < 2) {
            throw new IllegalArgumentException("MelFilterBank: bins = " + bins + ", expected at least 2 (nFft / 2 + 1)");
        }
        if (nMels < 1) {
            throw new IllegalArgumentException("MelFilterBank: nMels = " + nMels + ", expected at least 1");
        }
        if (sampleRate < 1) {
            throw new IllegalArgumentException("MelFilterBank: sampleRate = " + sampleRate + " Hz, expected at least 1");
        }
        if (!(fMin >= 0) || !(fMax > fMin) || Double.isInfinite(fMax)) {
            throw new IllegalArgumentException("MelFilterBank: fMin = " + fMin + " Hz, fMax = " + fMax
                    + " Hz; expected 0 <= fMin < fMax, both finite");
        }
        double nyquist = sampleRate / 2;
        double[] freqs = new double[bins];
        for (int k = 0; k < bins; k++) {
            freqs[k] = nyquist * k / (bins - 1);
        }
        double mMin = hzToMel(fMin);
        double mMax = hzToMel(fMax);
        double[] points = new double[nMels + 2];
        for (int i = 0; i < points.length; i++) {
            points[i] = melToHz(mMin + (mMax - mMin) * i / (nMels + 1));
        }
        double[][] w = new double[bins][nMels];
        for (int k = 0; k < bins; k++) {
            for (int m = 0; m < nMels; m++) {
                double down = (freqs[k] - points[m]) / (points[m + 1] - points[m]);
                double up = (points[m + 2] - freqs[k]) / (points[m + 2] - points[m + 1]);
                w[k][m] = Math.max(0, Math.min(down, up));
            }
        }
        return new MelFilterBank(w, nMels);
    }

    /** Frequency bins the bank expects. */
    public int bins() {
        return bins;
    }

    /** Number of filters. */
    public int mels() {
        return mels;
    }

    /** A copy of the weights {@code [bins][mels]}. */
    public double[][] weights() {
        double[][] copy = new double[bins][];
        for (int k = 0; k < bins; k++) {
            copy[k] = weights[k].clone();
        }
        return copy;
    }

    /**
     * Applies the filters to every frame: {@code out[t][m] = sum_k spectrogram[t][k] weights[k][m]}.
     *
     * @param spectrogram {@code [frames][bins]} (e.g. {@link Stft#power}); not modified
     * @return {@code [frames][mels]}
     * @throws IllegalArgumentException when a frame does not have {@code bins} values
     */
    public double[][] apply(double[][] spectrogram) {
        double[][] out = new double[spectrogram.length][mels];
        for (int t = 0; t < spectrogram.length; t++) {
            double[] row = spectrogram[t];
            if (row == null || row.length != bins) {
                throw new IllegalArgumentException("MelFilterBank.apply: frame " + t + " has "
                        + (row == null ? "no values (null)" : row.length + " bins") + ", expected " + bins);
            }
            double[] o = out[t];
            for (int k = 0; k < bins; k++) {
                double v = row[k];
                if (v != 0) {
                    double[] wk = weights[k];
                    for (int m = 0; m < mels; m++) {
                        o[m] += v * wk[m];
                    }
                }
            }
        }
        return out;
    }
}
