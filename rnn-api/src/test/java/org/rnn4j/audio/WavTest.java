package org.rnn4j.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real FSDD recordings against an independent parse of their bytes, and WAV files built to be wrong. */
class WavTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WavTest.class.getResourceAsStream("fsdd/" + name)) {
            assertTrue(in != null, "missing test resource fsdd/" + name);
            return in.readAllBytes();
        }
    }

    /** Walks the RIFF chunks by hand: returns {sampleRate, channels, bits, format tag} and the data bytes. */
    private static int[] parseHeader(byte[] file, byte[][] dataOut) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(file, 0, 4, StandardCharsets.US_ASCII));
        assertEquals("WAVE", new String(file, 8, 4, StandardCharsets.US_ASCII));
        int[] fmt = null;
        int p = 12;
        while (p + 8 <= file.length) {
            String id = new String(file, p, 4, StandardCharsets.US_ASCII);
            int size = b.getInt(p + 4);
            if (id.equals("fmt ")) {
                fmt = new int[] {b.getInt(p + 12), b.getShort(p + 10), b.getShort(p + 22), b.getShort(p + 8)};
            } else if (id.equals("data")) {
                dataOut[0] = Arrays.copyOfRange(file, p + 8, p + 8 + size);
            }
            p += 8 + size + (size & 1);
        }
        return fmt;
    }

    @ParameterizedTest
    @ValueSource(strings = {"1_george_37.wav", "3_nicolas_19.wav", "6_yweweler_3.wav"})
    void readsFsddRecordings(String name, @TempDir Path dir) throws IOException {
        byte[] bytes = resource(name);
        byte[][] data = new byte[1][];
        int[] fmt = parseHeader(bytes, data);
        assertEquals(8000, fmt[0]);
        assertEquals(1, fmt[1]);
        assertEquals(16, fmt[2]);
        assertEquals(1, fmt[3], "PCM format tag");
        ByteBuffer d = ByteBuffer.wrap(data[0]).order(ByteOrder.LITTLE_ENDIAN);
        double[] expected = new double[data[0].length / 2];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = d.getShort(2 * i) / 32768.0;
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        Waveform w = Wav.read(file);
        assertEquals(8000, w.sampleRate());
        assertEquals(file.toString(), w.source());
        assertEquals(expected.length, w.length());
        assertEquals(expected.length / 8000.0, w.seconds(), 1e-12);
        assertTrue(Arrays.equals(expected, w.samples()), "samples differ from the file's data chunk");
        // the stream form (class-path resources) reads the same
        Waveform fromStream = Wav.read(new ByteArrayInputStream(bytes), name);
        assertTrue(Arrays.equals(expected, fromStream.samples()));
        // and the front end runs on it: 1 + n / hop frames of 13 finite MFCCs
        Mfcc mfcc = new Mfcc(MelSpectrogram.builder(8000).nFft(256).winLength(200).hopLength(80).nMels(40).build(), 13);
        double[][] c = mfcc.compute(w.samples());
        assertEquals(1 + w.length() / 80, c.length);
        assertTrue(Arrays.stream(c).flatMapToDouble(Arrays::stream).allMatch(Double::isFinite));
    }

    /** A canonical 44-byte-header WAV: format tag, channels, rate, bits; data chunk size declared and actual. */
    static byte[] wav(int tag, int channels, int rate, int bits, int declaredData, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + declaredData).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) tag).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(declaredData).put(data);
        return b.array();
    }

    private static byte[] pcm16(short... samples) {
        ByteBuffer b = ByteBuffer.allocate(2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }

    private static String failure(Path dir, String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        WavFormatException e = assertThrows(WavFormatException.class, () -> Wav.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(file.toString(), e.source());
        return e.getMessage();
    }

    @Test
    void sixteenBitMonoAndStereoMixDown(@TempDir Path dir) throws IOException {
        Path mono = dir.resolve("mono.wav");
        Files.write(mono, wav(1, 1, 16000, 16, 8, pcm16((short) 0, (short) 16384, (short) -32768, (short) 32767)));
        Waveform w = Wav.read(mono);
        assertEquals(16000, w.sampleRate());
        assertTrue(Arrays.equals(new double[] {0, 0.5, -1, 32767 / 32768.0}, w.samples()));
        Path stereo = dir.resolve("stereo.wav");
        Files.write(stereo, wav(1, 2, 8000, 16, 8, pcm16((short) 1000, (short) 3000, (short) -200, (short) 200)));
        Waveform s = Wav.read(stereo);
        assertTrue(Arrays.equals(new double[] {2000 / 32768.0, 0}, s.samples()), Arrays.toString(s.samples()));
    }

    @Test
    void rejectsOtherSampleFormats(@TempDir Path dir) throws IOException {
        byte[] data = new byte[64];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 37);
        }
        String eight = failure(dir, "eight.wav", wav(1, 1, 8000, 8, 64, data));
        assertTrue(eight.contains("8-bit unsigned PCM") && eight.contains("expected 16-bit signed PCM"), eight);
        String f32 = failure(dir, "float.wav", wav(3, 1, 8000, 32, 64, data));
        assertTrue(f32.contains("32-bit floating-point"), f32);
        String i24 = failure(dir, "pcm24.wav", wav(1, 1, 8000, 24, 63, Arrays.copyOf(data, 63)));
        assertTrue(i24.contains("24-bit signed PCM"), i24);
    }

    @Test
    void rejectsTruncatedEmptyAndNonWavFiles(@TempDir Path dir) throws IOException {
        String truncated = failure(dir, "cut.wav", wav(1, 1, 8000, 16, 1000, new byte[100]));
        assertTrue(truncated.contains("truncated") && truncated.contains("500 sample frames") && truncated.contains("100 bytes"),
                truncated);
        String empty = failure(dir, "empty.wav", wav(1, 1, 8000, 16, 0, new byte[0]));
        assertTrue(empty.contains("no samples"), empty);
        String text = failure(dir, "notes.wav", "this is a text file, not a RIFF WAVE file at all".getBytes(StandardCharsets.US_ASCII));
        assertTrue(text.contains("not a readable audio file"), text);
        String header = failure(dir, "header.wav", Arrays.copyOf(wav(1, 1, 8000, 16, 8, new byte[8]), 20));
        assertTrue(header.contains("expected 16-bit signed PCM WAV"), header);
        assertThrows(NoSuchFileException.class, () -> Wav.read(dir.resolve("absent.wav")));
    }
}
