package org.rnn4j.audio;

/**
 * A mono signal: samples scaled to {@code [-1, 1)} (a 16-bit sample {@code s} becomes {@code s / 32768},
 * as {@code torchaudio.load} does) at {@code sampleRate} Hz. The array is the record's own: callers
 * that change it change the waveform.
 *
 * @param samples the samples, in time order
 * @param sampleRate samples per second, in Hz
 * @param source the file or stream it was read from (for messages)
 */
public record Waveform(double[] samples, int sampleRate, String source) {
    /** Checks the invariants: non-null samples, positive sample rate. */
    public Waveform {
        if (samples == null) {
            throw new IllegalArgumentException("Waveform: samples is null");
        }
        if (sampleRate < 1) {
            throw new IllegalArgumentException("Waveform: sampleRate = " + sampleRate + " Hz, expected at least 1");
        }
    }

    /** Number of samples. */
    public int length() {
        return samples.length;
    }

    /** Duration in seconds. */
    public double seconds() {
        return samples.length / (double) sampleRate;
    }
}
