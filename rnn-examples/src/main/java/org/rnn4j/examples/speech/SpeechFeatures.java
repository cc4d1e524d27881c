package org.rnn4j.examples.speech;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.rnn4j.audio.Features;
import org.rnn4j.audio.MelSpectrogram;
import org.rnn4j.audio.Mfcc;

/**
 * The speech front end of the examples, built on {@code org.rnn4j.audio}: MFCCs ({@code nMfcc} of
 * {@code nMels} HTK mel bands, a {@code winLength}-sample Hann window every {@code hopLength} samples,
 * {@code nFft}-point FFT), their deltas and delta-deltas (5-frame windows), normalised per utterance
 * (each feature to mean 0 and variance 1 over the utterance), then {@code stack} consecutive frames
 * joined into one step ({@code stack * 3 * nMfcc} features every {@code stack * hopLength} samples; the
 * last step is padded with zeros, the normalised mean). Stacking lets the recurrent layers run at a
 * third of the frame rate, as low-frame-rate speech models do.
 *
 * <p>The settings travel with a saved model as metadata ({@link #toMetadata}), so that prediction
 * computes exactly the features the model was trained on. Instances are immutable and thread-safe.
 *
 * @param sampleRate Hz
 * @param nFft FFT length in samples
 * @param winLength window length in samples
 * @param hopLength samples between frames
 * @param nMels mel bands
 * @param nMfcc cepstral coefficients kept
 * @param stack frames per step
 */
public record SpeechFeatures(int sampleRate, int nFft, int winLength, int hopLength, int nMels, int nMfcc, int stack) {
    /** 8 kHz: 25 ms windows every 10 ms, 256-point FFT, 40 mel bands, 20 MFCCs, 3 frames per 30 ms step. */
    public static final SpeechFeatures DEFAULT = new SpeechFeatures(Fsdd.SAMPLE_RATE, 256, 200, 80, 40, 20, 3);

    private static final String PREFIX = "features.";

    /** Checks the settings (as the audio classes would, but naming them as the model file's metadata). */
    public SpeechFeatures {
        if (sampleRate < 1 || nFft < 2 || winLength < 1 || winLength > nFft || hopLength < 1 || nMels < 1 || nMfcc < 1 || nMfcc > nMels
                || stack < 1) {
            throw new IllegalArgumentException("speech features: sample rate " + sampleRate + ", nFft " + nFft + ", window " + winLength
                    + ", hop " + hopLength + ", mels " + nMels + ", mfcc " + nMfcc + ", stack " + stack + " are not valid settings");
        }
    }

    /** Features per step: {@code stack * 3 * nMfcc}. */
    public int width() {
        return stack * 3 * nMfcc;
    }

    /** Seconds per step. */
    public double stepSeconds() {
        return stack * hopLength / (double) sampleRate;
    }

    /** Fewest samples a signal needs (the STFT's reflection padding needs more than {@code nFft / 2}). */
    public int minSamples() {
        return nFft / 2 + 1;
    }

    /** Steps of the features of a signal of {@code samples} samples. */
    public int steps(int samples) {
        int frames = 1 + (samples + 2 * (nFft / 2) - nFft) / hopLength;
        return (frames + stack - 1) / stack;
    }

    private Mfcc mfcc() {
        return new Mfcc(MelSpectrogram.builder(sampleRate).nFft(nFft).winLength(winLength).hopLength(hopLength).nMels(nMels).build(),
                nMfcc);
    }

    /**
     * The features of one signal.
     *
     * @param signal samples at {@link #sampleRate()}, at least {@link #minSamples()}; not modified
     * @return {@code [steps][width()]}
     */
    public float[][] compute(double[] signal) {
        return compute(mfcc(), signal);
    }

    /** The features of many signals, computed on all cores, in order. */
    public <T> List<float[][]> computeAll(List<T> items, Function<T, double[]> signal) {
        Mfcc m = mfcc();
        return items.parallelStream().map(i -> compute(m, signal.apply(i))).toList();
    }

    private float[][] compute(Mfcc m, double[] signal) {
        double[][] c = m.compute(signal);
        double[][] d1 = Features.deltas(c);
        double[][] d2 = Features.deltas(d1);
        double[][] all = Features.normalize(Features.concat(c, d1, d2));
        return stack(all, stack);
    }

    /** Joins {@code k} consecutive frames into one step; the last step is padded with zeros. */
    static float[][] stack(double[][] frames, int k) {
        int f = frames[0].length;
        int steps = (frames.length + k - 1) / k;
        float[][] out = new float[steps][k * f];
        for (int t = 0; t < frames.length; t++) {
            double[] row = frames[t];
            float[] o = out[t / k];
            int off = (t % k) * f;
            for (int j = 0; j < f; j++) {
                o[off + j] = (float) row[j];
            }
        }
        return out;
    }

    /** The settings as model-file metadata entries {@code features.*}. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "sample_rate", Integer.toString(sampleRate));
        m.put(PREFIX + "n_fft", Integer.toString(nFft));
        m.put(PREFIX + "win_length", Integer.toString(winLength));
        m.put(PREFIX + "hop_length", Integer.toString(hopLength));
        m.put(PREFIX + "n_mels", Integer.toString(nMels));
        m.put(PREFIX + "n_mfcc", Integer.toString(nMfcc));
        m.put(PREFIX + "stack", Integer.toString(stack));
        return m;
    }

    /**
     * The settings stored by {@link #toMetadata}.
     *
     * @throws IllegalArgumentException naming the missing or bad entry and {@code source}
     */
    public static SpeechFeatures fromMetadata(Map<String, String> meta, String source) {
        int[] v = new int[7];
        String[] keys = {"sample_rate", "n_fft", "win_length", "hop_length", "n_mels", "n_mfcc", "stack"};
        for (int i = 0; i < keys.length; i++) {
            String s = meta.get(PREFIX + keys[i]);
            if (s == null) {
                throw new IllegalArgumentException(source + " lacks the metadata entry " + PREFIX + keys[i]
                        + "; it is not a speech model written by rnn4j");
            }
            try {
                v[i] = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " has metadata " + PREFIX + keys[i] + "='" + s + "', not a whole number");
            }
        }
        try {
            return new SpeechFeatures(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** One line for the log. */
    public String describe() {
        return String.format(Locale.ROOT, "MFCC %d + deltas + delta-deltas (%d-point FFT, %.0f ms window, %.0f ms hop, %d mel bands), "
                + "normalised per utterance, %d frames stacked: %d features per %.0f ms step", nMfcc, nFft, 1000.0 * winLength / sampleRate,
                1000.0 * hopLength / sampleRate, nMels, stack, width(), 1000 * stepSeconds());
    }
}
