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

    private static void assertShort(Exception e, int most) {
        int n = e.getMessage().length();
        assertTrue(n < most, () -> "message of " + n + " characters: " + e.getMessage().substring(0, Math.min(n, 2000)));
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
    void outOfOrderAndEmptyTensorsThatCoverTheDataAreAccepted() throws Exception {
        byte[] f = json("{" + entry("late", "F32", "[1]", "[4,8]") + "," + entry("early", "F32", "[1]", "[0,4]") + ","
                + entry("none", "F32", "[0]", "[4,4]") + "," + entry("none2", "I64", "[2,0]", "[0,0]") + "}", 8);
        SafeTensorsFile r = SafeTensors.read(f, NAME);
        assertEquals(java.util.List.of("late", "early", "none", "none2"), java.util.List.copyOf(r.tensors().keySet()));
    }

    /** Issue 9, defect 2: the tensors must cover the data section exactly, from its first byte to the end. */
    @Test
    void gapsAndUncoveredBytesAreRejected() throws Exception {
        expect(json("{" + entry("late", "F32", "[1]", "[12,16]") + "," + entry("early", "F32", "[1]", "[0,4]") + "}", 16), "late",
                "tensor 'late' F32 [1] starts at byte 12", "'early' [0, 4], ends at byte 4", "without gaps");
        expect(json("{" + entry("w", "F32", "[1]", "[4,8]") + "}", 8), "w", "starts at byte 4", "no tensor covers the bytes before it");
        expect(json("{" + entry("w", "F32", "[1]", "[0,4]") + "}", 5), null, "end at byte 4", "not covered");
        expect(json("{}", 3), null, "end at byte 0", "not covered");
    }

    /**
     * Issue 9, defect 2: a header length decremented by one ends inside the space padding; the JSON still
     * parses, but every tensor would shift by a byte. It is rejected, from a path, bytes or a stream.
     */
    @Test
    void headerLengthShrunkIntoThePaddingIsRejected() throws Exception {
        java.util.Map<String, HostTensor> t = new java.util.LinkedHashMap<>();
        t.put("weight", HostTensor.ofFloats(new float[] {1, 2, 3}, 3));
        t.put("bias", HostTensor.ofFloats(new float[] {4}, 1));
        byte[] good = SafeTensors.toBytes(t, java.util.Map.of("model", "x"));
        long n = java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(' ', (char) good[(int) (8 + n - 1)], "this header ends in padding");
        byte[] shifted = good.clone();
        java.nio.ByteBuffer.wrap(shifted).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, n - 1);
        SafeTensorsFormatException e = expect(shifted, null, "not covered", "header length");
        assertShort(e, 400);
        assertEquals(t, SafeTensors.read(good, NAME).tensors(), "the unshifted file reads");
    }

    /** Issue 9, defect 1: deep nesting is refused by depth, before any message is built from the value. */
    @Test
    void deeplyNestedJsonIsRejectedWithoutAStackOverflow() throws Exception {
        int deep = 20_000;
        String arrays = "[".repeat(deep) + "]".repeat(deep);
        String objects = "{\"a\":".repeat(deep) + "1" + "}".repeat(deep);
        expect(json("{\"x\":" + arrays + "}", 0), "x", "more than " + SafeTensors.MAX_JSON_DEPTH + " levels deep", "tensor 'x'");
        expect(json("{\"x\":" + objects + "}", 0), "x", "more than 64 levels deep");
        expect(json("{\"__metadata__\":{\"k\":" + arrays + "}}", 0), null, "more than 64 levels deep", "__metadata__");
        expect(json("{\"__metadata__\":" + arrays + "}", 0), null, "more than 64 levels deep");
        expect(json("{" + entry("w", "F32", arrays, "[0,4]") + "}", 4), "w", "more than 64 levels deep");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":" + objects + "}}", 4), "w",
                "more than 64 levels deep");
        // nesting within the limit is parsed, then refused as the wrong type, quoting a bounded excerpt
        SafeTensorsFormatException e = expect(json("{\"x\":" + "[".repeat(60) + "]".repeat(60) + "}", 0), "x", "is an array [[[[");
        assertShort(e, 500);
    }

    /** Issue 9, defect 8: a message quotes at most an excerpt of a bad value. */
    @Test
    void messagesQuoteBoundedExcerpts() throws Exception {
        String ones = "[" + "1,".repeat(99_999) + "1]";
        SafeTensorsFormatException e;
        e = expect(json("{" + entry("w", "F32", ones, "[0,4]") + "}", 4), "w", "100000 extents",
                "at most " + SafeTensors.MAX_RANK);
        assertShort(e, 500);
        String longName = "n".repeat(1_000_000);
        e = expect(json("{" + entry(longName, "F9", "[1]", "[0,4]") + "}", 4), longName, "unsupported dtype 'F9'", "1000000 characters");
        assertShort(e, 1000);
        String longValue = "x".repeat(1_000_000);
        e = expect(json("{" + entry("w", longValue, "[1]", "[0,4]") + "}", 4), "w", "unsupported dtype 'xxxx");
        assertShort(e, 1000);
        e = expect(json("{" + entry("w", "F32", "[1]", "[0,\"" + longValue + "\"]") + "}", 4), "w", "expected integers");
        assertShort(e, 1000);
        e = expect(json("{\"w\":[" + "2,".repeat(100_000) + "2]}", 0), "w", "is an array [2,2,2");
        assertShort(e, 500);
        e = expect(json("{" + entry("w", "F32", "[" + "65536,".repeat(40) + "1]", "[0,4]") + "}", 4), "w", "(rank 41)");
        assertShort(e, 500);
    }

    /** Issue 9, defect 8: a key given twice inside an entry or the metadata is an error, not last-wins. */
    @Test
    void duplicateKeysInsideAnEntryOrTheMetadata() throws Exception {
        expect(json("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "w",
                "tensor 'w' has \"dtype\" twice");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "w", "\"shape\" twice");
        expect(json("{\"__metadata__\":{\"step\":\"1\",\"step\":\"2\"}}", 0), null, "the key 'step' twice");
        expect(json("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":{\"a\":1,\"a\":2}}}", 4), "w",
                "the key 'a' twice");
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
    void streamGoingOnAfterTheLastTensor() throws Exception {
        byte[] f = json("{" + entry("x", "F64", "[1]", "[0,8]") + "}", 9);
        assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(new ByteArrayInputStream(f), NAME));
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(new ByteArrayInputStream(f), NAME));
        assertTrue(e.getMessage().contains("end at byte 8 of the data section but the stream goes on"), e.getMessage());
    }

    @Test
    void streamEndingInsideTheData() throws Exception {
        byte[] f = json("{" + entry("x", "F64", "[3]", "[0,24]") + "}", 24);
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 5);
        expect(cut, "x", "tensor 'x'", "[0, 24]", "only 19 bytes");
    }
}
