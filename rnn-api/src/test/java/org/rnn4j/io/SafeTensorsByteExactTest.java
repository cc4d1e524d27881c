package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The writer's bytes against a file assembled by hand from the format description. */
class SafeTensorsByteExactTest {

    private static Map<String, HostTensor> tensors() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("a", HostTensor.ofFloats(new float[] {1.0f, -2.5f}, 2));
        m.put("b", HostTensor.ofLongs(new long[] {7}));
        m.put("w", HostTensor.ofDoubles(new double[] {0.5, 0.25, -1, 3}, 2, 2));
        return m;
    }

    private static final String JSON = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
            + "\"w\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[16,48]}}";

    private static byte[] data() {
        return StFiles.concat(StFiles.f32(1.0f, -2.5f), StFiles.i64(7), StFiles.f64(0.5, 0.25, -1, 3));
    }

    @Test
    void writerMatchesHandBuiltFile() {
        int len = JSON.getBytes(StandardCharsets.UTF_8).length;
        String padded = JSON + " ".repeat((8 - len % 8) % 8);
        byte[] expected = StFiles.file(padded, data());
        byte[] actual = SafeTensors.toBytes(tensors(), Map.of("format", "pt"));
        assertEquals(new String(expected, 8, padded.length(), StandardCharsets.UTF_8),
                new String(actual, 8, padded.length(), StandardCharsets.UTF_8));
        assertArrayEquals(expected, actual);
    }

    @Test
    void readerAcceptsUnpaddedHandBuiltFileWithWhitespaceAndOtherKeyOrder() throws Exception {
        String json = "{ \"w\" : {\"shape\":[2,2], \"data_offsets\":[16,48], \"dtype\":\"F64\"},\n"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        SafeTensorsFile f = SafeTensors.read(StFiles.file(json, data()), "hand.safetensors");
        assertEquals(java.util.List.of("w", "a", "b"), java.util.List.copyOf(f.tensors().keySet()));
        for (Map.Entry<String, HostTensor> e : tensors().entrySet()) {
            assertEquals(e.getValue(), f.tensor(e.getKey()));
        }
        assertEquals(Map.of("format", "pt"), f.metadata());
    }

    @Test
    void readsEveryStoredType() throws Exception {
        String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[10,14]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[14,16]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[16,18]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[18,20]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
        byte[] data = StFiles.concat(StFiles.u16(0x3C00, 0xC000, 0x3800), StFiles.u16(0x3F80, 0xC040), StFiles.u16(-3, 300),
                new byte[] {-5, 6}, new byte[] {(byte) 200, 1}, new byte[] {0, 1}, new byte[] {1, 0, 0, (byte) 0x80});
        SafeTensorsFile f = SafeTensors.read(StFiles.file(json, data), "types.safetensors");
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, f.tensor("h").asFloats());
        assertArrayEquals(new double[] {1.0, -3.0}, f.tensor("bf").asDoubles());
        assertArrayEquals(new int[] {-3, 300}, f.tensor("s").asInts());
        assertArrayEquals(new long[] {-5, 6}, f.tensor("i8").asLongs());
        assertArrayEquals(new long[] {200, 1}, f.tensor("u8").asLongs());
        assertArrayEquals(new double[] {0, 1}, f.tensor("m").asDoubles());
        assertArrayEquals(new int[] {0x80000001}, f.tensor("i").asInts());
        // and they survive a write/read unchanged
        assertEquals(f.tensors(), SafeTensors.read(SafeTensors.toBytes(f.tensors(), null), "again").tensors());
    }
}
