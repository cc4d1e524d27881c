package org.rnn4j.audio;

/**
 * Mel power spectrogram, as torchaudio 0.13's {@code MelSpectrogram} with {@code power = 2},
 * {@code center = true}, {@code pad_mode = "reflect"}, a periodic Hann window, {@code norm = None} and
 * {@code mel_scale = "htk"}: the {@link Stft} power spectrogram through a {@link MelFilterBank}. Output is
 * time-major, {@code [frames][nMels]}, in the signal's unit squared.
 *
 * <p>Built with {@link #builder(int)}; the defaults are torchaudio's ({@code nFft = 400},
 * {@code winLength = nFft}, {@code hopLength = winLength / 2}, {@code fMin = 0}, {@code fMax = sampleRate / 2},
 * {@code nMels = 128}). Instances are immutable and thread-safe.
 */
public final class MelSpectrogram {
    private final int sampleRate;
    private final Stft stft;
    private final MelFilterBank bank;
    private final double fMin;
    private final double fMax;

    private MelSpectrogram(Builder b) {
        int win = b.winLength > 0 ? b.winLength : b.nFft;
        int hop = b.hopLength > 0 ? b.hopLength : Math.max(win / 2, 1);
        double fMax = Double.isNaN(b.fMax) ? b.sampleRate / 2.0 : b.fMax;
        this.sampleRate = b.sampleRate;
        this.stft = new Stft(b.nFft, win, hop);
        this.bank = MelFilterBank.htk(stft.bins(), b.fMin, fMax, b.nMels, b.sampleRate);
        this.fMin = b.fMin;
        this.fMax = fMax;
    }

    /** A builder for signals sampled at {@code sampleRate} Hz ({@code >= 1}). */
    public static Builder builder(int sampleRate) {
        if (sampleRate < 1) {
            throw new IllegalArgumentException("MelSpectrogram: sampleRate = " + sampleRate + " Hz, expected at least 1");
        }
        return new Builder(sampleRate);
    }

    /** Sample rate in Hz. */
    public int sampleRate() {
        return sampleRate;
    }

    /** The STFT (window, hop, FFT length). */
    public Stft stft() {
        return stft;
    }

    /** The mel filter bank. */
    public MelFilterBank filterBank() {
        return bank;
    }

    /** Number of mel bands. */
    public int nMels() {
        return bank.mels();
    }

    /** Lowest filter frequency in Hz. */
    public double fMin() {
        return fMin;
    }

    /** Highest filter frequency in Hz. */
    public double fMax() {
        return fMax;
    }

    /** Frames for a signal of {@code samples} samples (see {@link Stft#frames}). */
    public int frames(int samples) {
        return stft.frames(samples);
    }

    /**
     * The mel spectrogram of {@code signal}.
     *
     * @param signal samples at {@link #sampleRate()}, more than {@code nFft / 2} of them; not modified
     * @return {@code [frames(signal.length)][nMels]}
     */
    public double[][] compute(double[] signal) {
        return bank.apply(stft.power(signal));
    }

    /** Settings of a {@link MelSpectrogram}; every length is in samples, every frequency in Hz. */
    public static final class Builder {
        private final int sampleRate;
        private int nFft = 400;
        private int winLength;
        private int hopLength;
        private double fMin;
        private double fMax = Double.NaN;
        private int nMels = 128;

        private Builder(int sampleRate) {
            this.sampleRate = sampleRate;
        }

        /** FFT length (default 400). */
        public Builder nFft(int nFft) {
            this.nFft = nFft;
            return this;
        }

        /** Window length (default {@code nFft}). */
        public Builder winLength(int winLength) {
            this.winLength = winLength;
            return this;
        }

        /** Hop between frames (default {@code winLength / 2}). */
        public Builder hopLength(int hopLength) {
            this.hopLength = hopLength;
            return this;
        }

        /** Lowest filter frequency (default 0 Hz). */
        public Builder fMin(double fMin) {
            this.fMin = fMin;
            return this;
        }

        /** Highest filter frequency (default {@code sampleRate / 2} Hz). */
        public Builder fMax(double fMax) {
            this.fMax = fMax;
            return this;
        }

        /** Number of mel bands (default 128). */
        public Builder nMels(int nMels) {
            this.nMels = nMels;
            return this;
        }

        /**
         * The transform.
         *
         * @throws IllegalArgumentException when a setting is out of range (see {@link Stft} and
         *     {@link MelFilterBank#htk})
         */
        public MelSpectrogram build() {
            if (winLength < 0 || hopLength < 0) {
                throw new IllegalArgumentException("MelSpectrogram: winLength = " + winLength + ", hopLength = " + hopLength
                        + "; expected positive lengths in samples");
            }
            return new MelSpectrogram(this);
        }
    }
}
