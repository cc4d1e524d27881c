package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("z_first", HostTensor.ofFloats(new float[] {1.5f, -2.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -0f}, 2, 3));
        m.put("weight_ih_l0", HostTensor.ofDoubles(new double[] {Math.PI, -Math.E, 1e-300, Double.NEGATIVE_INFINITY}, 4, 1));
        m.put("lengths", HostTensor.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE, 5}, 5));
        m.put("counts", HostTensor.ofInts(new int[] {Integer.MIN_VALUE, 7}, 1, 2, 1));
        m.put("scalar", HostTensor.ofDoubles(new double[] {42}));
        m.put("empty", HostTensor.ofFloats(new float[0], 3, 0));
        m.put("big", HostTensor.ofFloats(new float[300_000], 300_000)); // > one 1 MiB chunk
        return m;
    }

    private static final Map<String, String> META = new LinkedHashMap<>(Map.of("kind", "recurrent", "note", "ünïcode <&> \"q\""));

    private static void assertSame(Map<String, HostTensor> expected, SafeTensorsFile f) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(f.tensors().keySet()), "insertion order kept");
        for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
            assertEquals(e.getValue(), f.tensor(e.getKey()), e.getKey());
        }
        assertEquals(META, f.metadata());
    }

    @Test
    void pathRoundTrip() throws Exception {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, sample(), META);
        SafeTensorsFile f = SafeTensors.read(p);
        assertSame(sample(), f);
        assertEquals(p.toString(), f.source());
        assertArrayEquals(new int[0], f.tensor("scalar").shape());
        assertArrayEquals(new int[] {3, 0}, f.tensor("empty").shape());
        assertEquals(List.of("model.safetensors"), list(dir), "no temp files left");
    }

    @Test
    void bytesAndStreamRoundTrip() throws Exception {
        byte[] bytes = SafeTensors.toBytes(sample(), META);
        assertSame(sample(), SafeTensors.read(bytes, "mem"));
        assertSame(sample(), SafeTensors.read(new ByteArrayInputStream(bytes), "stream"));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, sample(), META);
        assertArrayEquals(bytes, Files.readAllBytes(p), "toBytes and write agree");
        assertArrayEquals(bytes, SafeTensors.toBytes(sample(), META), "deterministic");
    }

    @Test
    void headerIsPaddedToEightAndOffsetsAreContiguous() throws Exception {
        byte[] bytes = SafeTensors.toBytes(sample(), META);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
        assertTrue(header.stripTrailing().endsWith("}"), header);
        assertTrue(header.length() - header.stripTrailing().length() < 8, "at most 7 bytes of padding");
        long data = 0;
        for (HostTensor t : sample().values()) {
            data += t.byteSize();
        }
        assertEquals(8 + n + data, bytes.length);
    }

    @Test
    void overwriteReplacesExistingFile() throws Exception {
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, sample(), META);
        Map<String, HostTensor> small = Map.of("only", HostTensor.ofLongs(new long[] {1, 2}, 2));
        SafeTensors.write(p, small, null);
        SafeTensorsFile f = SafeTensors.read(p);
        assertEquals(small, f.tensors());
        assertEquals(Map.of(), f.metadata());
        assertEquals(List.of("m.safetensors"), list(dir));
    }

    @Test
    void emptyFileRoundTrips() throws Exception {
        byte[] bytes = SafeTensors.toBytes(Map.of(), Map.of());
        assertEquals(16, bytes.length, "8-byte length + '{}' padded to 8");
        SafeTensorsFile f = SafeTensors.read(bytes, "empty");
        assertTrue(f.tensors().isEmpty());
        assertTrue(f.metadata().isEmpty());
    }

    @Test
    void missingTensorLookupNamesFileAndContents() throws Exception {
        SafeTensorsFile f = SafeTensors.read(SafeTensors.toBytes(Map.of("a", HostTensor.ofInts(new int[] {1}, 1)), null), "m.st");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.tensor("b"));
        assertTrue(e.getMessage().contains("m.st") && e.getMessage().contains("'b'") && e.getMessage().contains("[a]"), e.getMessage());
        assertTrue(f.find("b").isEmpty());
        assertEquals(HostTensor.ofInts(new int[] {1}, 1), f.find("a").orElseThrow());
    }

    static List<String> list(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(q -> q.getFileName().toString()).sorted().toList();
        }
    }
}
