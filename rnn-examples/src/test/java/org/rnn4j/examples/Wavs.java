package org.rnn4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.rnn4j.examples.speech.Fsdd;

/** WAV files for the speech tests, written byte by byte (RIFF/WAVE, PCM). */
final class Wavs {
    private Wavs() {
    }

    /** A mono PCM WAV of {@code samples} in [-1, 1) with {@code bits} 8 (unsigned) or 16 (signed) per sample. */
    static byte[] bytes(double[] samples, int rate, int bits) {
        int bytesPer = bits / 8;
        ByteBuffer data = ByteBuffer.allocate(samples.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (double s : samples) {
            if (bits == 16) {
                data.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32768))));
            } else {
                data.put((byte) (Math.max(0, Math.min(255, Math.round(s * 128 + 128)))));
            }
        }
        ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt(36 + data.capacity()).put("WAVE".getBytes());
        h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * bytesPer)
                .putShort((short) bytesPer).putShort((short) bits);
        h.put("data".getBytes()).putInt(data.capacity());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    static Path write(Path file, double[] samples, int rate, int bits) throws IOException {
        return Files.write(file, bytes(samples, rate, bits));
    }

    /** The bundled recordings {@code keep} accepts, written as 16-bit WAVs under their own names into {@code dir}. */
    static List<Path> extract(Path dir, Predicate<Fsdd.Key> keep) throws IOException {
        Files.createDirectories(dir);
        List<Fsdd.Recording> recs = Fsdd.bundled(keep);
        List<Path> out = new java.util.ArrayList<>();
        for (Fsdd.Recording r : recs) {
            out.add(write(dir.resolve(r.key().fileName()), r.samples(), Fsdd.SAMPLE_RATE, 16));
        }
        return out;
    }

    /** Recordings joined end to end with 0.1 s of quiet noise between them (a connected string). */
    static double[] join(List<Fsdd.Recording> parts) {
        int gap = 800;
        int n = gap;
        for (Fsdd.Recording r : parts) {
            n += r.samples().length + gap;
        }
        double[] x = new double[n];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[i] = 1e-3 * rng.nextGaussian();
        }
        int pos = gap;
        for (Fsdd.Recording r : parts) {
            System.arraycopy(r.samples(), 0, x, pos, r.samples().length);
            pos += r.samples().length + gap;
        }
        return x;
    }
}
