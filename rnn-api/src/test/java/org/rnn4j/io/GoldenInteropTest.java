package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a golden case written from Python (PyTorch tensors, {@code json.dumps} header padded to 8), a
 * format oracle independent of this reader and writer.
 */
class GoldenInteropTest {
    private static final String RESOURCE = "/io/lstm_b1_t1.safetensors";

    @TempDir
    Path dir;

    private static byte[] golden() throws Exception {
        try (InputStream in = GoldenInteropTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " missing from test resources");
            return in.readAllBytes();
        }
    }

    @Test
    void readsNamesShapesMetadataAndValues() throws Exception {
        SafeTensorsFile f;
        try (InputStream in = GoldenInteropTest.class.getResourceAsStream(RESOURCE)) {
            f = SafeTensors.read(in, "lstm_b1_t1.safetensors");
        }
        assertEquals("recurrent", f.metadata().get("kind"));
        assertEquals("lstm", f.metadata().get("cell"));
        assertEquals("3", f.metadata().get("input_size"));
        assertEquals("2", f.metadata().get("hidden_size"));
        assertEquals(20, f.tensors().size());
        assertEquals(List.of("x", "output", "h_n"), List.copyOf(f.tensors().keySet()).subList(0, 3));
        HostTensor x = f.tensor("x");
        assertEquals(StoredType.F64, x.type());
        assertArrayEquals(new int[] {1, 1, 3}, x.shape());
        assertArrayEquals(new double[] {-0.46375034709912144, -2.1673746379429915, 1.2828265743650824}, x.asDoubles());
        HostTensor w = f.tensor("weight_ih_l0");
        assertArrayEquals(new int[] {8, 3}, w.shape());
        assertArrayEquals(new double[] {-0.28886852121036294, 0.33590592323345775, -0.19079833520471184},
                Arrays.copyOf(w.asDoubles(), 3));
        assertEquals(-2.3946632542720474, Arrays.stream(w.asDoubles()).sum(), 1e-12);
        assertArrayEquals(new int[] {8, 2}, f.tensor("weight_hh_l0").shape());
        assertArrayEquals(new int[] {8}, f.tensor("bias_hh_l0").shape());
        assertArrayEquals(new int[] {8, 3}, f.tensor("grad.weight_ih_l0").shape());

        assertEquals(f.tensors(), SafeTensors.read(golden(), "bytes").tensors());
    }

    @Test
    void rewrittenFileKeepsTheDataSectionByteForByte() throws Exception {
        byte[] original = golden();
        SafeTensorsFile f = SafeTensors.read(original, "golden");
        Path p = dir.resolve("copy.safetensors");
        SafeTensors.write(p, f.tensors(), f.metadata());
        byte[] copy = Files.readAllBytes(p);
        assertArrayEquals(dataSection(original), dataSection(copy));
        SafeTensorsFile again = SafeTensors.read(p);
        assertEquals(f.tensors(), again.tensors());
        assertEquals(f.metadata(), again.metadata());
        assertEquals(List.copyOf(f.metadata().keySet()), List.copyOf(again.metadata().keySet()));
        CheckpointCompatibility.check(p.toString(), again.tensors(),
                Map.of("weight_ih_l0", new int[] {8, 3}, "weight_hh_l0", new int[] {8, 2}, "bias_ih_l0", new int[] {8},
                        "bias_hh_l0", new int[] {8}),
                Map.of("weight_ih_l0", StoredType.F64), false);
    }

    private static byte[] dataSection(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(file, (int) (8 + n), file.length);
    }
}
