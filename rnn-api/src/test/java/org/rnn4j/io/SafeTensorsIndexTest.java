package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.testing.SparseFiles;

/** The header alone, then only the tensors asked for: a declared huge tensor costs nothing until read. */
class SafeTensorsIndexTest {
    private static final long MAX = SparseFiles.MAX_ELEMENTS;

    @TempDir
    Path dir;

    @Test
    void indexDescribesTheFileWithoutReadingData() throws Exception {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("b", HostTensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("a", HostTensor.ofLongs(new long[] {7}));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, t, Map.of("k", "v"));
        SafeTensorsIndex index = SafeTensors.readIndex(p);
        assertEquals(List.of("b", "a"), List.copyOf(index.entries().keySet()));
        assertEquals(StoredType.F64, index.entries().get("b").type());
        assertArrayEquals(new int[] {2, 3}, index.entries().get("b").shape());
        assertEquals(48, index.entries().get("b").byteSize());
        assertEquals(Map.of("k", "v"), index.metadata());
        assertTrue(index.find("a").isPresent() && index.find("c").isEmpty());
        SafeTensorsFile onlyA = index.read(List.of("a"));
        assertEquals(List.of("a"), List.copyOf(onlyA.tensors().keySet()));
        assertEquals(t.get("a"), onlyA.tensor("a"));
        assertEquals(t, index.readAll().tensors());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> index.read(List.of("nope")));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("[b, a]"), e.getMessage());
    }

    /**
     * Issue 9, defect 3: a file declaring tensors larger than the heap (a sparse file, kilobytes on disk):
     * its index and its small tensors read; reading the huge ones is refused with the sizes and the limit,
     * before anything is allocated, never an OutOfMemoryError.
     */
    @Test
    void hugeDeclaredTensorsAreReadOnlyOnRequestAndThenRefused() throws Exception {
        Path p = SparseFiles.write(dir.resolve("sparse.safetensors"), Map.of("w", new float[] {1.5f, -2f}), "huge",
                SparseFiles.countExceedingTheHeap(), Map.of("model", "test"));
        SafeTensorsIndex index = SafeTensors.readIndex(p);
        assertEquals(MAX, index.entries().get("huge0").size());
        SafeTensorsFile small = index.read(List.of("w"));
        assertArrayEquals(new float[] {1.5f, -2f}, small.tensor("w").asFloats());
        assertEquals("test", small.metadata().get("model"));
        for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(index::readAll,
                () -> SafeTensors.read(p))) {
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, read);
            assertTrue(e.getMessage().startsWith(p + ": reading "), e.getMessage());
            assertTrue(e.getMessage().contains("GiB of heap") && e.getMessage().contains("Runtime.maxMemory")
                    && e.getMessage().contains("'huge0' F64 [2147483639]"), e.getMessage());
            assertEquals("huge0", e.tensor());
        }
    }

    @Test
    void readingAfterTheFileChangedIsRefused() throws Exception {
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, Map.of("w", HostTensor.ofFloats(new float[] {1, 2}, 2)), null);
        SafeTensorsIndex index = SafeTensors.readIndex(p);
        SafeTensors.write(p, Map.of("w", HostTensor.ofFloats(new float[] {1, 2, 3}, 3)), null);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, index::readAll);
        assertTrue(e.getMessage().contains("changed since its header was read"), e.getMessage());
        assertFalse(SafeTensors.readIndex(p).readAll().tensors().isEmpty(), "a fresh index reads it");
    }
}
