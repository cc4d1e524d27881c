package org.rnn4j.conformance;

import java.util.Map;
import org.rnn4j.audio.MelSpectrogram;
import org.rnn4j.audio.Mfcc;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.DType;

/**
 * Runs a golden {@code audio_features} case: torchaudio's {@code MelSpectrogram} and {@code MFCC} of
 * {@code signal} through {@link MelSpectrogram} and {@link Mfcc}. The front end computes on the host in
 * float64 whatever the backend; the features are then moved to {@code backend} in {@code dtype} (as a
 * model would take them) and compared there, with the value tolerance of {@link Expect}. Settings this
 * front end does not implement fail the case.
 */
public final class AudioGoldenRunner {
    private static final Map<String, String> FIXED = Map.of("window", "hann (periodic)", "center", "true", "pad_mode", "reflect",
            "mel_scale", "htk", "mel_norm", "none", "power", "2.0", "log_mels", "true", "dct", "type 2, ortho");

    private AudioGoldenRunner() {
    }

    /** Runs case {@code c} on {@code backend} in {@code dtype}. */
    public static void run(GoldenCase c, ComputeBackend backend, DType dtype) {
        for (Map.Entry<String, String> e : FIXED.entrySet()) {
            if (!e.getValue().equals(c.meta(e.getKey()))) {
                throw new AssertionError("golden case " + c.name() + ": " + e.getKey() + " = '" + c.meta(e.getKey())
                        + "' is not supported; the front end implements '" + e.getValue() + "'");
            }
        }
        int sampleRate = c.metaInt("sample_rate");
        MelSpectrogram mel = MelSpectrogram.builder(sampleRate).nFft(c.metaInt("n_fft")).winLength(c.metaInt("win_length"))
                .hopLength(c.metaInt("hop_length")).nMels(c.metaInt("n_mels"))
                .fMin(Double.parseDouble(c.meta("f_min", "0"))).fMax(Double.parseDouble(c.meta("f_max", String.valueOf(sampleRate / 2.0))))
                .build();
        Mfcc mfcc = new Mfcc(mel, c.metaInt("n_mfcc"));
        double[] signal = c.doubles("signal");
        double[][] melFrames = mel.compute(signal);
        compare(c, "mel", melFrames, backend, dtype);
        compare(c, "mfcc", mfcc.fromMel(melFrames), backend, dtype);
    }

    private static void compare(GoldenCase c, String name, double[][] frames, ComputeBackend backend, DType dtype) {
        int width = frames.length == 0 ? 0 : frames[0].length;
        double[] flat = new double[frames.length * width];
        for (int t = 0; t < frames.length; t++) {
            System.arraycopy(frames[t], 0, flat, t * width, width);
        }
        Expect.close(c.name() + " " + name, backend.fromDoubles(flat, dtype, frames.length, width), c.shape(name), c.doubles(name),
                Expect.values(dtype));
    }
}
