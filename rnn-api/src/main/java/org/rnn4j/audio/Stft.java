package org.rnn4j.audio;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Short-time Fourier transform power spectrogram, as {@code torch.stft} (PyTorch 1.13) called by
 * torchaudio 0.13's {@code Spectrogram} with {@code power = 2}: a periodic Hann window of
 * {@code winLength} samples, zero-padded on both sides to {@code nFft} (centred, the left pad being
 * {@code (nFft - winLength) / 2}); {@code center = true}, so the signal is first extended by
 * {@code nFft / 2} samples at each end by reflection (the edge sample not repeated); frames start every
 * {@code hopLength} samples; no normalisation; one-sided output {@code |X[k]|^2} for the
 * {@code nFft / 2 + 1} bins {@code k}, bin {@code k} at {@code k * sampleRate / nFft} Hz.
 *
 * <p>The FFT is JTransforms' (any length, mixed radix). Instances are immutable and thread-safe.
 */
public final class Stft {
    private final int nFft;
    private final int winLength;
    private final int hopLength;
    private final double[] window;

    /**
     * @param nFft FFT length in samples, {@code >= 2}
     * @param winLength window length in samples, in {@code [1, nFft]}
     * @param hopLength samples between the starts of consecutive frames, {@code >= 1}
     * @throws IllegalArgumentException when a length is out of range
     */
    public Stft(int nFft, int winLength, int hopLength) {
        if (nFft < 2) {
            throw new IllegalArgumentException("Stft: nFft = " + nFft + ", expected at least 2 samples");
        }
        if (winLength < 1 || winLength > nFft) {
            throw new IllegalArgumentException("Stft: winLength = " + winLength + " is outside [1, nFft = " + nFft + "] samples");
        }
        if (hopLength < 1) {
            throw new IllegalArgumentException("Stft: hopLength = " + hopLength + ", expected at least 1 sample");
        }
        this.nFft = nFft;
        this.winLength = winLength;
        this.hopLength = hopLength;
        double[] hann = hannWindow(winLength);
        window = new double[nFft];
        System.arraycopy(hann, 0, window, (nFft - winLength) / 2, winLength);
    }

    /**
     * The periodic Hann window {@code w[n] = 0.5 - 0.5 cos(2 pi n / length)}, {@code n = 0 .. length-1}
     * ({@code torch.hann_window(length)}); {@code [1]} for length 1.
     */
    public static double[] hannWindow(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("hannWindow: length = " + length + ", expected at least 1");
        }
        double[] w = new double[length];
        if (length == 1) {
            w[0] = 1;
            return w;
        }
        for (int n = 0; n < length; n++) {
            w[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / length);
        }
        return w;
    }

    /** FFT length in samples. */
    public int nFft() {
        return nFft;
    }

    /** Window length in samples. */
    public int winLength() {
        return winLength;
    }

    /** Hop between frames in samples. */
    public int hopLength() {
        return hopLength;
    }

    /** Frequency bins per frame: {@code nFft / 2 + 1}. */
    public int bins() {
        return nFft / 2 + 1;
    }

    /**
     * Frames for a signal of {@code samples} samples: {@code 1 + (samples + 2 (nFft / 2) - nFft) / hopLength}
     * (integer division), i.e. {@code 1 + samples / hopLength} for an even {@code nFft}.
     */
    public int frames(int samples) {
        return 1 + (samples + 2 * (nFft / 2) - nFft) / hopLength;
    }

    /**
     * The power spectrogram of {@code signal}.
     *
     * @param signal samples (any unit; the result is in that unit squared); more than {@code nFft / 2}
     *     of them, which reflection padding needs. Not modified
     * @return {@code [frames(signal.length)][bins()]}: {@code result[t][k] = |sum_n w[n] x[t hop + n - nFft/2] e^{-2 pi i k n / nFft}|^2}
     *     with the reflected extension of {@code x}
     * @throws IllegalArgumentException when the signal is null or too short
     */
    public double[][] power(double[] signal) {
        if (signal == null) {
            throw new IllegalArgumentException("Stft.power: signal is null");
        }
        int pad = nFft / 2;
        int n = signal.length;
        if (n <= pad) {
            throw new IllegalArgumentException("Stft.power: signal has " + n + " samples; reflection padding by nFft / 2 = "
                    + pad + " needs more than " + pad);
        }
        int frames = frames(n);
        int bins = bins();
        double[][] out = new double[frames][bins];
        DoubleFFT_1D fft = new DoubleFFT_1D(nFft);
        double[] buf = new double[nFft];
        for (int t = 0; t < frames; t++) {
            int start = t * hopLength - pad;
            for (int i = 0; i < nFft; i++) {
                buf[i] = window[i] == 0 ? 0 : window[i] * signal[reflect(start + i, n)];
            }
            fft.realForward(buf);
            unpackPower(buf, out[t]);
        }
        return out;
    }

    /** Index {@code j} of the signal extended by reflection at both ends (no edge repeat). */
    private static int reflect(int j, int n) {
        if (j < 0) {
            return -j;
        }
        return j >= n ? 2 * (n - 1) - j : j;
    }

    /** {@code |X[k]|^2} from JTransforms' packed {@code realForward} layout (even and odd lengths). */
    private void unpackPower(double[] a, double[] out) {
        out[0] = a[0] * a[0];
        if (nFft % 2 == 0) {
            int half = nFft / 2;
            for (int k = 1; k < half; k++) {
                out[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
            }
            out[half] = a[1] * a[1];
        } else {
            int last = (nFft - 1) / 2;
            for (int k = 1; k < last; k++) {
                out[k] = a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1];
            }
            if (last >= 1) {
                out[last] = a[2 * last] * a[2 * last] + a[1] * a[1];
            }
        }
    }
}
