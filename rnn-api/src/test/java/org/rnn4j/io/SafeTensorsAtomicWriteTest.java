package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed save leaves the previous file byte-for-byte intact and no temporary file behind. */
class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    /** A channel that passes {@code limit} bytes through and then fails, like a full disk. */
    private static final class FailingChannel implements WritableByteChannel {
        private final WritableByteChannel inner;
        private long left;

        FailingChannel(WritableByteChannel inner, long limit) {
            this.inner = inner;
            this.left = limit;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (left <= 0) {
                throw new IOException("No space left on device (injected)");
            }
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int) Math.min(part.remaining(), left));
            int n = inner.write(part);
            src.position(src.position() + n);
            left -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    private static Map<String, HostTensor> big() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("a", HostTensor.ofDoubles(new double[200_000], 200_000));
        m.put("b", HostTensor.ofFloats(new float[10], 10));
        return m;
    }

    @Test
    void failureMidWriteKeepsOldFile() throws Exception {
        Path p = dir.resolve("model.safetensors");
        SafeTensors.write(p, Map.of("old", HostTensor.ofLongs(new long[] {1, 2, 3}, 3)), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(p);
        for (long limit : new long[] {0, 5, 100, 1_000_000}) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.write(p, big(), Map.of("v", "2"), ch -> new FailingChannel(ch, limit)));
            assertTrue(e.getMessage().contains("injected"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(p), "old file untouched after failing at byte " + limit);
            assertEquals(List.of("model.safetensors"), SafeTensorsRoundTripTest.list(dir), "temp file removed");
        }
        // and an unchecked failure is cleaned up the same way
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(p, big(), null, ch -> {
            throw new IllegalStateException("boom");
        }));
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of("model.safetensors"), SafeTensorsRoundTripTest.list(dir));
        assertEquals(Map.of("v", "1"), SafeTensors.read(p).metadata());
    }

    @Test
    void failedRenameKeepsTargetAndRemovesTemp() throws Exception {
        // the target is a non-empty directory: writing succeeds, the rename over it fails
        Path target = dir.resolve("model.safetensors");
        Files.createDirectory(target);
        Files.write(target.resolve("keep.txt"), new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> SafeTensors.write(target, big(), null));
        assertTrue(Files.isDirectory(target));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target.resolve("keep.txt")));
        assertEquals(List.of("model.safetensors"), SafeTensorsRoundTripTest.list(dir));
    }

    @Test
    void invalidNamesAreRejectedBeforeTouchingTheFileSystem() throws Exception {
        Path p = dir.resolve("m.safetensors");
        Map<String, HostTensor> reserved = new LinkedHashMap<>();
        reserved.put("ok", HostTensor.ofInts(new int[] {1}, 1));
        reserved.put("__metadata__", HostTensor.ofInts(new int[] {1}, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, reserved, null));
        assertTrue(e.getMessage().contains("__metadata__") && e.getMessage().contains("reserved"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of("", HostTensor.ofInts(new int[] {1}, 1)), null));
        assertTrue(e.getMessage().contains("non-empty"), e.getMessage());
        Map<String, HostTensor> nullName = new HashMap<>();
        nullName.put(null, HostTensor.ofInts(new int[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, nullName, null));
        Map<String, HostTensor> nullTensor = new HashMap<>();
        nullTensor.put("x", null);
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, nullTensor, null));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        Map<String, String> nullMeta = new HashMap<>();
        nullMeta.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, Map.of(), nullMeta));
        assertEquals(List.of(), SafeTensorsRoundTripTest.list(dir), "nothing created");
    }

    /**
     * Issue 9, defect 8: a killed save leaves {@code .NAME.tmp-*}; the next successful save of NAME
     * removes those that are stale (older than a minute) and not locked by a save in progress, and
     * nothing else.
     */
    @Test
    void staleTemporaryFilesOfKilledSavesAreRemovedByTheNextSave() throws Exception {
        Path p = dir.resolve("charrnn.safetensors");
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 10 * 60_000);
        Path stale = Files.write(dir.resolve(".charrnn.safetensors.tmp-1f2e3d"), new byte[100]);
        Path stale2 = Files.write(dir.resolve(".charrnn.safetensors.tmp-7"), new byte[0]);
        Path fresh = Files.write(dir.resolve(".charrnn.safetensors.tmp-abc"), new byte[100]);
        Path locked = Files.write(dir.resolve(".charrnn.safetensors.tmp-def"), new byte[100]);
        Path otherFile = Files.write(dir.resolve(".names.safetensors.tmp-1"), new byte[1]);
        Path notOurs = Files.write(dir.resolve(".charrnn.safetensors.tmp-notes"), new byte[1]);
        for (Path q : List.of(stale, stale2, locked, otherFile, notOurs)) {
            Files.setLastModifiedTime(q, old);
        }
        try (FileChannel ch = FileChannel.open(locked, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            SafeTensors.write(p, big(), null);
            assertTrue(lock.isValid());
        }
        assertEquals(List.of(".charrnn.safetensors.tmp-abc", ".charrnn.safetensors.tmp-def", ".charrnn.safetensors.tmp-notes",
                ".names.safetensors.tmp-1", "charrnn.safetensors"), SafeTensorsRoundTripTest.list(dir),
                "the stale, unlocked temporary files of charrnn.safetensors are gone; fresh, locked and other files stay");
        assertEquals(big(), SafeTensors.read(p).tensors());
        // a failed save does not clean up (it only removes its own temporary file)
        assertThrows(IOException.class, () -> SafeTensors.write(p, big(), null, ch -> new FailingChannel(ch, 10)));
        assertTrue(Files.exists(locked));
        SafeTensors.write(p, big(), null);
        assertEquals(List.of(".charrnn.safetensors.tmp-abc", ".charrnn.safetensors.tmp-notes", ".names.safetensors.tmp-1",
                "charrnn.safetensors"), SafeTensorsRoundTripTest.list(dir), "unlocked now, so the next save removes it");
    }
}
