package org.rnn4j.audio;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Reads WAV files of 16-bit signed PCM samples through {@code javax.sound.sampled}. A file with several
 * channels is mixed down to mono by averaging the channels of each frame. Anything else (another sample
 * size or encoding such as 8-bit or float, a file that is not RIFF/WAVE, one shorter than its header
 * says, one without samples) is rejected with a {@link WavFormatException} whose one-line message names
 * the file and the problem. No resampling is done: the {@link Waveform} keeps the file's sample rate.
 */
public final class Wav {
    private static final String EXPECTED = "expected 16-bit signed PCM WAV";

    private Wav() {
    }

    /**
     * Reads a WAV file.
     *
     * @param file the file
     * @return its samples in {@code [-1, 1)}, mono, at the file's sample rate
     * @throws WavFormatException when the file is not 16-bit PCM WAV or is truncated
     * @throws IOException when the file cannot be read
     */
    public static Waveform read(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("Wav.read: file is null");
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such WAV file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads a WAV file from a stream (a class-path resource, say); the stream is read to its end but not
     * closed.
     *
     * @param in the bytes of the file
     * @param source the name used in messages and kept in the waveform
     * @throws WavFormatException when the bytes are not 16-bit PCM WAV or are truncated
     * @throws IOException when the stream cannot be read
     */
    public static Waveform read(InputStream in, String source) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("Wav.read: stream is null (source " + source + ")");
        }
        BufferedInputStream buffered = new BufferedInputStream(in);
        AudioInputStream audio;
        try {
            AudioFileFormat.Type type = AudioSystem.getAudioFileFormat(buffered).getType();
            if (!AudioFileFormat.Type.WAVE.equals(type)) {
                throw new WavFormatException(source, source + ": a " + type + " file, not WAV; " + EXPECTED, null);
            }
            audio = AudioSystem.getAudioInputStream(buffered);
        } catch (UnsupportedAudioFileException e) {
            throw new WavFormatException(source, source + ": not a readable audio file (no valid RIFF/WAVE header); " + EXPECTED, e);
        } catch (EOFException e) {
            throw new WavFormatException(source, source + ": truncated header; " + EXPECTED, e);
        }
        try (audio) {
            return decode(audio, source);
        }
    }

    private static Waveform decode(AudioInputStream audio, String source) throws IOException {
        AudioFormat f = audio.getFormat();
        AudioFormat.Encoding enc = f.getEncoding();
        if (f.getSampleSizeInBits() != 16 || !AudioFormat.Encoding.PCM_SIGNED.equals(enc)) {
            throw new WavFormatException(source, source + ": " + f.getSampleSizeInBits() + "-bit " + describe(enc) + " samples; "
                    + EXPECTED, null);
        }
        int channels = f.getChannels();
        float rate = f.getSampleRate();
        if (channels < 1 || !(rate >= 1) || rate != Math.rint(rate)) {
            throw new WavFormatException(source, source + ": header gives " + channels + " channels at " + rate + " Hz; " + EXPECTED
                    + " with at least one channel and a whole sample rate", null);
        }
        byte[] data = audio.readAllBytes();
        int frameBytes = 2 * channels;
        long declared = audio.getFrameLength();
        if (declared != AudioSystem.NOT_SPECIFIED && (long) data.length < declared * frameBytes) {
            throw new WavFormatException(source, source + ": truncated: the header declares " + declared + " sample frames ("
                    + declared * frameBytes + " bytes) but the file holds " + data.length + " bytes of samples", null);
        }
        if (data.length % frameBytes != 0) {
            throw new WavFormatException(source, source + ": truncated: " + data.length + " bytes of samples is not a whole number of "
                    + frameBytes + "-byte frames", null);
        }
        int frames = data.length / frameBytes;
        if (frames == 0) {
            throw new WavFormatException(source, source + ": no samples (empty data chunk)", null);
        }
        boolean big = f.isBigEndian();
        double[] samples = new double[frames];
        for (int i = 0, p = 0; i < frames; i++) {
            int sum = 0;
            for (int ch = 0; ch < channels; ch++, p += 2) {
                int lo = big ? data[p + 1] : data[p];
                int hi = big ? data[p] : data[p + 1];
                sum += (short) ((hi << 8) | (lo & 0xff));
            }
            samples[i] = sum / (32768.0 * channels);
        }
        return new Waveform(samples, (int) rate, source);
    }

    private static String describe(AudioFormat.Encoding enc) {
        if (AudioFormat.Encoding.PCM_SIGNED.equals(enc)) {
            return "signed PCM";
        }
        if (AudioFormat.Encoding.PCM_UNSIGNED.equals(enc)) {
            return "unsigned PCM";
        }
        if (AudioFormat.Encoding.PCM_FLOAT.equals(enc)) {
            return "floating-point";
        }
        return enc + "-encoded";
    }
}
