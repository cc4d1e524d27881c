package org.rnn4j.audio;

/**
 * Mel-frequency cepstral coefficients, as torchaudio 0.13's {@code MFCC} with {@code log_mels = true},
 * {@code dct_type = 2} and {@code norm = "ortho"}: {@code mfcc[t] = DCT-II-ortho(log(mel[t] + 1e-6))}
 * over the mel bands of a {@link MelSpectrogram}, keeping the first {@code nMfcc} coefficients. Output
 * is time-major, {@code [frames][nMfcc]}. Instances are immutable and thread-safe.
 */
public final class Mfcc {
    /** Added to the mel power before the logarithm (torchaudio's {@code log_offset}). */
    public static final double LOG_OFFSET = 1e-6;

    private final MelSpectrogram mel;
    private final double[][] dct;

    /**
     * @param mel the mel spectrogram it starts from
     * @param nMfcc coefficients kept, in {@code [1, mel.nMels()]} (torchaudio's default is 40)
     * @throws IllegalArgumentException when {@code nMfcc} is out of range
     */
    public Mfcc(MelSpectrogram mel, int nMfcc) {
        if (mel == null) {
            throw new IllegalArgumentException("Mfcc: mel is null");
        }
        if (nMfcc < 1 || nMfcc > mel.nMels()) {
            throw new IllegalArgumentException("Mfcc: nMfcc = " + nMfcc + " is outside [1, nMels = " + mel.nMels() + "]");
        }
        this.mel = mel;
        this.dct = dctOrtho(nMfcc, mel.nMels());
    }

    /**
     * The orthonormal DCT-II matrix {@code [nMels][nMfcc]} ({@code torchaudio.functional.create_dct(nMfcc,
     * nMels, "ortho")}): {@code d[n][k] = s_k cos(pi / nMels (n + 0.5) k)} with {@code s_0 = sqrt(1 / nMels)}
     * and {@code s_k = sqrt(2 / nMels)} otherwise.
     */
    public static double[][] dctOrtho(int nMfcc, int nMels) {
        if (nMfcc < 1 || nMels < 1) {
            throw new IllegalArgumentException("dctOrtho: nMfcc = " + nMfcc + ", nMels = " + nMels + "; expected both >= 1");
        }
        double[][] d = new double[nMels][nMfcc];
        for (int n = 0; n < nMels; n++) {
            for (int k = 0; k < nMfcc; k++) {
                double s = k == 0 ? Math.sqrt(1.0 / nMels) : Math.sqrt(2.0 / nMels);
                d[n][k] = s * Math.cos(Math.PI / nMels * (n + 0.5) * k);
            }
        }
        return d;
    }

    /** The mel spectrogram this starts from. */
    public MelSpectrogram melSpectrogram() {
        return mel;
    }

    /** Coefficients per frame. */
    public int nMfcc() {
        return dct[0].length;
    }

    /**
     * The MFCCs of {@code signal}.
     *
     * @param signal samples at the mel spectrogram's sample rate, more than {@code nFft / 2}; not modified
     * @return {@code [frames][nMfcc]}
     */
    public double[][] compute(double[] signal) {
        return fromMel(mel.compute(signal));
    }

    /**
     * The MFCCs of a mel spectrogram already computed by {@link #melSpectrogram()}.
     *
     * @param melFrames {@code [frames][nMels]}; not modified
     * @return {@code [frames][nMfcc]}
     */
    public double[][] fromMel(double[][] melFrames) {
        int nMels = dct.length;
        int nMfcc = dct[0].length;
        double[][] out = new double[melFrames.length][nMfcc];
        double[] logs = new double[nMels];
        for (int t = 0; t < melFrames.length; t++) {
            double[] row = melFrames[t];
            if (row == null || row.length != nMels) {
                throw new IllegalArgumentException("Mfcc.fromMel: frame " + t + " has "
                        + (row == null ? "no values (null)" : row.length + " bands") + ", expected nMels = " + nMels);
            }
            for (int n = 0; n < nMels; n++) {
                logs[n] = Math.log(row[n] + LOG_OFFSET);
            }
            double[] o = out[t];
            for (int n = 0; n < nMels; n++) {
                double v = logs[n];
                double[] dn = dct[n];
                for (int k = 0; k < nMfcc; k++) {
                    o[k] += v * dn[k];
                }
            }
        }
        return out;
    }
}
