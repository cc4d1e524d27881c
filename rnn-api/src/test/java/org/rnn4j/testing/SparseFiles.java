package org.rnn4j.testing;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * TEST ONLY: safetensors files that declare tensors far larger than the heap while taking kilobytes on
 * disk (the huge tensors' data is a hole of zeros in a sparse file), for checking that readers validate
 * and select before they allocate.
 */
public final class SparseFiles {
    /** Largest element count a tensor may declare (a Java array's). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private SparseFiles() {
    }

    /**
     * Writes {@code file}: first the F32 tensors of {@code small} (name to values, each of shape
     * [length]), then {@code hugeCount} tensors {@code PREFIX0, PREFIX1, ...} of F64 [MAX_ELEMENTS], laid
     * out contiguously as the format requires, with {@code metadata}.
     */
    public static Path write(Path file, Map<String, float[]> small, String hugePrefix, int hugeCount, Map<String, String> metadata)
            throws Exception {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{");
        int k = 0;
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            json.append(k++ > 0 ? "," : "").append('"').append(m.getKey()).append("\":\"").append(m.getValue()).append('"');
        }
        json.append('}');
        long off = 0;
        ByteBuffer data = ByteBuffer.allocate(small.values().stream().mapToInt(v -> 4 * v.length).sum()).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, float[]> e : small.entrySet()) {
            float[] v = e.getValue();
            json.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[").append(v.length).append("],\"data_offsets\":[")
                    .append(off).append(',').append(off + 4L * v.length).append("]}");
            off += 4L * v.length;
            for (float x : v) {
                data.putFloat(x);
            }
        }
        long each = MAX_ELEMENTS * 8;
        for (int i = 0; i < hugeCount; i++) {
            json.append(",\"").append(hugePrefix).append(i).append("\":{\"dtype\":\"F64\",\"shape\":[").append(MAX_ELEMENTS)
                    .append("],\"data_offsets\":[").append(off).append(',').append(off + each).append("]}");
            off += each;
        }
        byte[] header = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            f.write(header);
            f.write(data.array());
            f.setLength(8 + header.length + off);
        }
        return file;
    }

    /** How many F64 [MAX_ELEMENTS] tensors exceed this JVM's heap limit together. */
    public static int countExceedingTheHeap() {
        return (int) (Runtime.getRuntime().maxMemory() / (MAX_ELEMENTS * 8)) + 1;
    }
}
