package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed input is a SafeTensorsFormatException naming the file, the tensor and the numbers. */
class SafeTensorsMalformedTest {
    private static final String NAME = "model.safetensors";

    @TempDir
    Path dir;

    /**
     * Reads {@code file} from bytes, from a stream and from disk; each must fail with a message holding
     * every fragment (and the file name). Returns the byte-array variant's exception.
     */
    private SafeTensorsFormatException expect(byte[] file, String tensor, String... fragments) throws Exception {
        SafeTensorsFormatException fromBytes = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(file, NAME));
        SafeTensorsFormatException fromStream = assertThrows(SafeTensorsFormatException.class,
                () -> SafeTensors.read(new ByteArrayInputStream(file), NAME));
        Path p = dir.resolve(NAME);
        Files.write(p, file);
        SafeTensorsFormatException fromPath = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        for (SafeTensorsFormatException e : new SafeTensorsFormatException[] {fromBytes, fromStream, fromPath}) {
            String m = e.getMessage();
            assertTrue(m.startsWith(e == fromPath ? p.toString() + ":" : NAME + ":"), m);
            for (String f : fragments) {
                assertTrue(m.contains(f), () -> "expected '" + f + "' in: " + m);
            }
            assertEquals(tensor, e.tensor(), m);
        }
        assertEquals(NAME, fromBytes.source());
        return fromBytes;
    }

    private static byte[] json(String json, int dataBytes) {
        return StFiles.file(json, new byte[dataBytes]);
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @Test
    void shorterThanEightBytes() throws Exception {
        expect(new byte[0], null, "0 bytes", "at least 8");
        expect(new byte[5], null, "5 bytes", "at least 8");
    }

    @Test
    void headerLengthBeyondFile() throws Exception {
        SafeTensorsFormatException e = expect(StFiles.withLength(1234, new byte[192]), null, "truncated", "1234 bytes of header");
        assertTrue(e.getMessage().contains("200 bytes in all"), e.getMessage());
    }

    @Test
    void headerLengthOverLimitOrNegative() throws Exception {
        expect(StFiles.withLength(200_000_000L, new byte[16]), null, "200000000", "104857600");
        expect(StFiles.withLength(-1L, new byte[16]), null, "18446744073709551615", "not safetensors");
        expect(StFiles.withLength(0, new byte[16]), null, "header length is 0");
    }

    @Test
    void headerNotJsonOrNotObject() throws Exception {
        expect(json("{\"a\":", 0), null, "not valid JSON");
        expect(json("{a:{}}", 0), null, "not valid JSON"); // unquoted name: strict parsing
        expect(json("{\"__metadata__\":{},}", 0), null, "not valid JSON");
        expect(json("[1,2,3]", 0), null, "header is a JSON array", "expected a JSON object");
        expect(json("\"x\"    ", 0), null, "header is a JSON string");
        expect(json("{} {}", 0), null, "content after");
        expect(StFiles.concat(StFiles.withLength(4, new byte[] {'{', '"', (byte) 0xC3, '}'})), null, "not valid UTF-8");
    }

    @Test
    void entryNotAnObjectOrMissingFields() throws Exception {
        expect(json("{\"w\":[1,2]}", 0), "w", "tensor 'w' is an array", "expected an object");
        expect(json("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", "tensor 'w' lacks \"dtype\"");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "w", "tensor 'w' lacks \"shape\"");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "w", "tensor 'w' lacks \"data_offsets\"");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":null}}", 4), "w", "lacks \"data_offsets\"");
        expect(json("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w", "\"dtype\" the number 32");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,4]}}", 4), "w", "\"shape\" the number 4");
    }

    @Test
    void unknownDtype() throws Exception {
        expect(json("{" + entry("w", "F8_E4M3", "[4]", "[0,4]") + "}", 4), "w", "tensor 'w'", "unsupported dtype 'F8_E4M3'", "F32");
        expect(json("{" + entry("w", "f32", "[1]", "[0,4]") + "}", 4), "w", "'f32'");
    }

    @Test
    void badShapes() throws Exception {
        expect(json("{" + entry("w", "F32", "[2,-3]", "[0,0]") + "}", 0), "w", "tensor 'w'", "negative extent -3");
        expect(json("{" + entry("w", "F32", "[2.5]", "[0,8]") + "}", 8), "w", "2.5", "integers");
        expect(json("{" + entry("w", "F32", "[\"2\"]", "[0,8]") + "}", 8), "w", "\"2\"", "integers");
        expect(json("{" + entry("w", "F32", "[3000000000]", "[0,4]") + "}", 4), "w", "extent 3000000000");
        expect(json("{" + entry("w", "F32", "[65536,65536]", "[0,4]") + "}", 4), "w", "4294967296 elements");
        expect(json("{" + entry("w", "F32", "[99999999999999999999]", "[0,4]") + "}", 4), "w", "99999999999999999999");
    }

    @Test
    void badOffsets() throws Exception {
        expect(json("{" + entry("w", "F32", "[1]", "[8,4]") + "}", 8), "w", "tensor 'w'", "[8,4]", "begin after end");
        expect(json("{" + entry("w", "F32", "[1]", "[-4,0]") + "}", 8), "w", "negative data_offsets [-4,0]");
        expect(json("{" + entry("w", "F32", "[1]", "[0,4,8]") + "}", 8), "w", "two byte offsets");
        expect(json("{" + entry("w", "F32", "[1]", "[0]") + "}", 8), "w", "two byte offsets");
    }

    @Test
    void sizeDisagreesWithOffsets() throws Exception {
        expect(json("{" + entry("weight_ih_l0", "F32", "[4,3]", "[0,40]") + "}", 48), "weight_ih_l0",
                "model.safetensors: tensor 'weight_ih_l0' declares 48 bytes (shape [4, 3], F32) but data_offsets [0,40] span 40");
        expect(json("{" + entry("s", "F64", "[]", "[0,0]") + "}", 8), "s", "declares 8 bytes (shape [], F64)", "span 0");
        expect(json("{" + entry("e", "F64", "[0,3]", "[0,8]") + "}", 8), "e", "declares 0 bytes");
    }

    @Test
    void offsetsPastTheData() throws Exception {
        byte[] f = json("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("bias_hh_l1", "F64", "[4]", "[8,40]") + "}", 30);
        expect(f, "bias_hh_l1", "tensor 'bias_hh_l1'", "[8, 40]", "only 30 bytes", "truncated");
    }

    @Test
    void overlappingTensors() throws Exception {
        byte[] f = json("{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[2]", "[8,16]") + "}", 16);
        expect(f, "b", "tensor 'b' data_offsets [8, 16] overlap tensor 'a' [0, 16]");
    }

    @Test
    void gapsOutOfOrderAndEmptyTensorsAreAccepted() throws Exception {
        byte[] f = json("{" + entry("late", "F32", "[1]", "[12,16]") + "," + entry("early", "F32", "[1]", "[0,4]") + ","
                + entry("none", "F32", "[0]", "[4,4]") + "," + entry("none2", "I64", "[2,0]", "[0,0]") + "}", 24);
        SafeTensorsFile r = SafeTensors.read(f, NAME);
        assertEquals(java.util.List.of("late", "early", "none", "none2"), java.util.List.copyOf(r.tensors().keySet()));
    }

    @Test
    void duplicateNames() throws Exception {
        expect(json("{" + entry("w", "F32", "[1]", "[0,4]") + "," + entry("w", "F32", "[1]", "[4,8]") + "}", 8), "w",
                "tensor 'w' twice");
    }

    @Test
    void badMetadata() throws Exception {
        expect(json("{\"__metadata__\":{\"lr\":0.1}}", 0), null, "\"__metadata__\" entry 'lr' is the number 0.1", "expected a string");
        expect(json("{\"__metadata__\":[\"a\"]}", 0), null, "\"__metadata__\" is an array");
        expect(json("{\"__metadata__\":{},\"__metadata__\":{}}", 0), null, "twice");
    }

    @Test
    void streamEndingInsideTheData() throws Exception {
        byte[] f = json("{" + entry("x", "F64", "[3]", "[0,24]") + "}", 24);
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 5);
        expect(cut, "x", "tensor 'x'", "[0, 24]", "only 19 bytes");
    }
}
