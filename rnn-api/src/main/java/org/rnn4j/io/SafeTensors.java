package org.rnn4j.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian unsigned header length {@code N}, {@code N} bytes of UTF-8 JSON, then the raw
 * little-endian data. The JSON maps each tensor name to
 * {@code {"dtype": "F32", "shape": [4, 3], "data_offsets": [begin, end]}} (byte offsets relative to the
 * end of the header) plus an optional {@code "__metadata__"} map of strings.
 *
 * <p><b>Reading</b> validates the whole header before allocating any tensor or reading any data: the
 * length prefix, the JSON (parsed strictly and streaming, nesting at most {@link #MAX_JSON_DEPTH} levels,
 * no key twice in any object), every entry's dtype, shape and offsets, that each tensor's byte range
 * holds exactly {@code product(shape) * dtype size} bytes, and that the tensors cover the data section
 * exactly, from its first byte to the end of the file, without gaps or overlaps (as the reference
 * implementation requires; a header length that is off by a few bytes is caught so). Every problem is
 * a {@link SafeTensorsFormatException} naming the file, the tensor, what was found and what was
 * expected; values quoted from the file are cut to {@link Excerpt#MAX_CHARS} characters.
 * {@link #readIndex(Path)} reads the header alone, so callers can check a file and then read only the
 * tensors they need; reading from a path refuses tensors that need more heap than the JVM has free.
 *
 * <p><b>Writing</b> lays tensors out contiguously in the map's iteration order, writes
 * {@code __metadata__} first (omitted when empty), pads the header with spaces to a multiple of 8 bytes as
 * PyTorch's writer does, and replaces the target file atomically. Output is deterministic: the same
 * maps give the same bytes.
 */
public final class SafeTensors {
    /** Largest header accepted or written: 100 MiB. Larger values mean a corrupt or foreign file. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Deepest JSON nesting a header may have (a valid one has 3: header, entry, shape). */
    public static final int MAX_JSON_DEPTH = 64;

    /** Most extents a tensor's shape may have. */
    public static final int MAX_RANK = 1024;

    /** Name of the header entry that holds the string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * A temporary file of an interrupted save is removed by a later save of the same target once it is
     * this old and no writer holds its lock.
     */
    static final long STALE_TEMP_MILLIS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensors.class);
    private static final int CHUNK_BYTES = 1 << 20;

    private SafeTensors() {
    }

    // ================================================================ reading

    /**
     * Reads a whole safetensors file into host memory. Reads {@code path}; modifies nothing.
     *
     * @return the tensors in header order and the metadata; messages name {@code path} as given
     * @throws SafeTensorsFormatException when the file is malformed, or when its tensors need more heap
     *     than the JVM has free (nothing has been allocated for tensors in either case)
     * @throws IOException when the file cannot be read
     */
    public static SafeTensorsFile read(Path path) throws IOException {
        return read(path, null, name -> true);
    }

    /**
     * Reads and validates the header of a safetensors file, and no tensor data: names, stored types,
     * shapes, byte ranges and metadata, with every check {@link #read(Path)} makes before it allocates
     * anything. Check it against what you expect, then {@link SafeTensorsIndex#read} only the tensors
     * you need. Reads {@code path}; modifies nothing.
     *
     * @throws SafeTensorsFormatException when the file is malformed
     * @throws IOException when the file cannot be read
     */
    public static SafeTensorsIndex readIndex(Path path) throws IOException {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            Layout l = layout(ch, source, fileSize);
            return new SafeTensorsIndex(path, fileSize, l.header.entries(), l.header.metadata());
        }
    }

    /** A parsed, validated header and where the data section starts. */
    private record Layout(HeaderParser.Parsed header, long dataStart) {
    }

    private static Layout layout(FileChannel ch, String source, long fileSize) throws IOException {
        if (fileSize < 8) {
            throw tooShort(source, fileSize);
        }
        ByteBuffer prefix = ByteBuffer.allocate(8);
        readFully(ch, prefix, 0, source);
        long n = prefix.flip().order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(source, n, fileSize);
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(ch, header, 8, source);
        HeaderParser.Parsed h = HeaderParser.parse(source, header.array());
        long dataStart = 8 + n;
        checkLayout(source, h.entries(), fileSize - dataStart);
        return new Layout(h, dataStart);
    }

    /**
     * Reads the tensors of {@code path} that {@code which} selects. When {@code expected} is given (an
     * index of the same file), the selected tensors and the file size must be as it describes.
     */
    static SafeTensorsFile read(Path path, SafeTensorsIndex expected, Predicate<String> which) throws IOException {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            Layout l = layout(ch, source, fileSize);
            List<SafeTensorsIndex.Entry> selected = new ArrayList<>();
            for (SafeTensorsIndex.Entry e : l.header.entries()) {
                if (which.test(e.name())) {
                    selected.add(e);
                }
            }
            if (expected != null) {
                for (SafeTensorsIndex.Entry e : selected) {
                    SafeTensorsIndex.Entry was = expected.entries().get(e.name());
                    if (was == null || !was.sameAs(e) || fileSize != expected.fileSize()) {
                        throw new SafeTensorsFormatException(source, e.name(), source + ": changed since its header was read (tensor "
                                + e + " " + e.offsets() + ", file of " + fileSize + " bytes; it was " + (was == null ? "absent" : was
                                + " " + was.offsets()) + ", file of " + expected.fileSize() + " bytes); read it again");
                    }
                }
            }
            checkFitsInMemory(source, selected);
            long dataStart = l.dataStart;
            return decode(source, selected, l.header.metadata(), (pos, len, scratch) -> {
                scratch.clear().limit(len);
                readFully(ch, scratch, dataStart + pos, source);
                return scratch.flip();
            });
        }
    }

    /**
     * Reads a safetensors file held in memory. Reads {@code bytes}; modifies nothing.
     *
     * @param sourceName names the data in error messages (e.g. the file or resource name)
     */
    public static SafeTensorsFile read(byte[] bytes, String sourceName) throws SafeTensorsFormatException {
        Objects.requireNonNull(bytes, "bytes");
        String source = Objects.requireNonNull(sourceName, "sourceName");
        if (bytes.length < 8) {
            throw tooShort(source, bytes.length);
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(source, n, bytes.length);
        byte[] header = new byte[(int) n];
        System.arraycopy(bytes, 8, header, 0, (int) n);
        HeaderParser.Parsed h = HeaderParser.parse(source, header);
        int dataStart = 8 + (int) n;
        checkLayout(source, h.entries(), bytes.length - dataStart);
        try {
            return decode(source, h.entries(), h.metadata(), (pos, len, scratch) -> ByteBuffer.wrap(bytes, dataStart + (int) pos, len));
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError(e); // no I/O on a byte array
        }
    }

    /**
     * Reads a safetensors file from a stream, consuming it to its end (it does not close {@code in}): as
     * in a file, the tensors must cover everything after the header, so bytes after the last tensor are
     * an error. The header is validated before the data is read; memory grows with the bytes actually
     * present, never with what a corrupt header claims. Data sections over 2 GiB need {@link #read(Path)}.
     *
     * @param sourceName names the data in error messages
     */
    public static SafeTensorsFile read(InputStream in, String sourceName) throws IOException {
        Objects.requireNonNull(in, "in");
        String source = Objects.requireNonNull(sourceName, "sourceName");
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8) {
            throw tooShort(source, prefix.length);
        }
        long n = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(source, n, -1);
        byte[] header = in.readNBytes((int) n);
        if (header.length < n) {
            throw new SafeTensorsFormatException(source, null, source + ": truncated: header says " + n
                    + " bytes of header but the stream has " + (8 + header.length) + " bytes in all (8-byte length prefix + "
                    + header.length + ")");
        }
        HeaderParser.Parsed h = HeaderParser.parse(source, header);
        checkLayout(source, h.entries(), -1);
        long needed = 0;
        for (SafeTensorsIndex.Entry e : h.entries()) {
            needed = Math.max(needed, e.end);
        }
        if (needed > HostTensor.MAX_ELEMENTS) {
            throw new SafeTensorsFormatException(source, null, source + ": data section of " + needed
                    + " bytes is too large to read from a stream (limit " + HostTensor.MAX_ELEMENTS + "); read it with SafeTensors.read(Path)");
        }
        byte[] data = in.readNBytes((int) needed);
        checkLayout(source, h.entries(), data.length);
        if (in.read() >= 0) {
            throw new SafeTensorsFormatException(source, null, source + ": the tensors end at byte " + needed
                    + " of the data section but the stream goes on (bytes not covered by any tensor); the tensors must cover it exactly, so the header length or the offsets are wrong"
                    + " (a header length that ends inside the padding would shift every tensor)");
        }
        try {
            return decode(source, h.entries(), h.metadata(), (pos, len, scratch) -> ByteBuffer.wrap(data, (int) pos, len));
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @FunctionalInterface
    private interface DataSource {
        /** {@code len} bytes of the data section from {@code pos}, possibly in {@code scratch}. */
        ByteBuffer read(long pos, int len, ByteBuffer scratch) throws IOException;
    }

    private static SafeTensorsFormatException tooShort(String source, long size) {
        return new SafeTensorsFormatException(source, null, source + ": file has " + size
                + " bytes; a safetensors file needs at least 8 (the little-endian header length), so it is empty, truncated or not safetensors");
    }

    /** {@code total} is the whole file's size, or -1 for a stream. */
    private static void checkHeaderLength(String source, long n, long total) throws SafeTensorsFormatException {
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(source, null, source + ": header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (100 MiB); the file is corrupt or not safetensors");
        }
        if (n < 2) {
            throw new SafeTensorsFormatException(source, null, source + ": header length is " + n
                    + " bytes; the header must hold at least a JSON object ({})");
        }
        if (total >= 0 && n > total - 8) {
            throw new SafeTensorsFormatException(source, null, source + ": truncated: header says " + n
                    + " bytes of header but the file has " + total + " bytes in all (8-byte length prefix + " + (total - 8) + ")");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, String source) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new SafeTensorsFormatException(source, null, source + ": truncated while reading: expected "
                        + dst.remaining() + " more bytes at offset " + pos + " (did the file change while it was read?)");
            }
            pos += r;
        }
    }

    /**
     * Checks that the tensors cover a data section of {@code dataSize} bytes exactly, as the format
     * requires: sorted by offsets, the first starts at byte 0, each starts where the previous one ends
     * (no gap, no overlap) and the last ends at the end of the data. With {@code dataSize} -1 (a stream,
     * whose end is unknown) only the start and the contiguity are checked.
     */
    private static void checkLayout(String source, List<SafeTensorsIndex.Entry> entries, long dataSize) throws SafeTensorsFormatException {
        if (dataSize >= 0) {
            for (SafeTensorsIndex.Entry e : entries) {
                if (e.end > dataSize) {
                    throw new SafeTensorsFormatException(source, e.name(), source + ": tensor " + e + " has data_offsets " + e.offsets()
                            + " but the data section after the header has only " + dataSize
                            + " bytes; the file is truncated or the offsets are wrong");
                }
            }
        }
        List<SafeTensorsIndex.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong((SafeTensorsIndex.Entry e) -> e.begin).thenComparingLong(e -> e.end));
        long pos = 0;
        SafeTensorsIndex.Entry prev = null;
        for (SafeTensorsIndex.Entry e : sorted) {
            if (e.begin < pos) {
                throw new SafeTensorsFormatException(source, e.name(), source + ": tensor '" + Excerpt.of(e.name()) + "' data_offsets "
                        + e.offsets() + " overlap tensor '" + Excerpt.of(prev.name()) + "' " + prev.offsets() + "; each tensor must own its bytes");
            }
            if (e.begin > pos) {
                throw new SafeTensorsFormatException(source, e.name(), source + ": tensor " + e + " starts at byte " + e.begin
                        + " of the data section, but " + (prev == null ? "no tensor covers the bytes before it"
                        : "the tensor before it, '" + Excerpt.of(prev.name()) + "' " + prev.offsets() + ", ends at byte " + pos)
                        + "; the tensors must cover the data section without gaps, so the header or its length is wrong");
            }
            pos = e.end;
            if (e.end > e.begin || prev == null) {
                prev = e;
            }
        }
        if (dataSize >= 0 && pos != dataSize) {
            throw new SafeTensorsFormatException(source, null, source + ": the tensors end at byte " + pos + " of the data section"
                    + " but it has " + dataSize + " bytes (" + (dataSize - pos) + " not covered by any tensor); the tensors must cover it"
                    + " exactly, so the header length or the offsets are wrong (a header length that ends inside the padding would"
                    + " shift every tensor)");
        }
    }

    /** Refuses (before allocating) to read tensors that need more heap than the JVM has free. */
    private static void checkFitsInMemory(String source, List<SafeTensorsIndex.Entry> selected) throws SafeTensorsFormatException {
        long total = 0;
        SafeTensorsIndex.Entry largest = null;
        for (SafeTensorsIndex.Entry e : selected) {
            total += e.byteSize(); // each is below 2^34 and a header of 100 MiB lists fewer than 2^27 tensors: no overflow
            if (largest == null || e.byteSize() > largest.byteSize()) {
                largest = e;
            }
        }
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long available = max - (rt.totalMemory() - rt.freeMemory());
        if (total > available) {
            throw new SafeTensorsFormatException(source, largest.name(), source + ": reading " + selected.size() + " tensor"
                    + (selected.size() == 1 ? "" : "s") + " needs " + gib(total) + " of heap (the largest, " + largest + ", "
                    + gib(largest.byteSize()) + ") but the JVM has about " + gib(available) + " free of its limit of " + gib(max)
                    + " (Runtime.maxMemory, -Xmx); read only the tensors you need (SafeTensors.readIndex) or raise -Xmx");
        }
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    /** Allocates and fills {@code entries}; the layout has been validated. */
    private static SafeTensorsFile decode(String source, List<SafeTensorsIndex.Entry> entries, Map<String, String> metadata,
            DataSource src) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        ByteBuffer scratch = null;
        for (SafeTensorsIndex.Entry e : entries) {
            HostTensor t = HostTensor.allocate(e.type(), e.shapeRef(), e.size());
            int elemBytes = e.type().byteSize();
            int perChunk = CHUNK_BYTES / elemBytes;
            for (int from = 0; from < e.size(); from += perChunk) {
                int count = Math.min(perChunk, e.size() - from);
                if (scratch == null) {
                    scratch = ByteBuffer.allocate(CHUNK_BYTES);
                }
                ByteBuffer bytes = src.read(e.begin + (long) from * elemBytes, count * elemBytes, scratch);
                t.decode(bytes, from, count);
            }
            tensors.put(e.name(), t);
        }
        return new SafeTensorsFile(source, tensors, metadata);
    }

    // ================================================================ writing

    /**
     * Writes {@code tensors} and {@code metadata} as a safetensors file at {@code path}, atomically: the
     * bytes go to a temporary file {@code .NAME.tmp-RANDOM} in the same directory, are forced to disk,
     * and the temporary file is then renamed over {@code path}. On any failure the temporary file is
     * deleted and an existing file at {@code path} is left untouched. The temporary file is locked while
     * it is written; after a successful save, temporary files of {@code path} that a killed process left
     * behind (older than a minute and not locked by a save in progress) are removed. Creates or replaces
     * {@code path}; modifies neither map.
     *
     * <p>Tensors are laid out contiguously in {@code tensors}' iteration order, each in its own
     * {@link StoredType}; the header JSON holds {@code __metadata__} first (omitted when empty) and is
     * padded with spaces to a multiple of 8 bytes.
     *
     * @param metadata string settings stored under {@code __metadata__}; null or empty for none
     * @throws IllegalArgumentException before anything is written, when a name is null, empty or
     *     {@code "__metadata__"}, a tensor or metadata value is null, or the header would exceed
     *     {@link #MAX_HEADER_BYTES}
     * @throws IOException when writing, syncing or renaming fails (the old file is then intact)
     */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, UnaryOperator.identity());
    }

    /**
     * The bytes {@link #write(Path, Map, Map)} would write, in memory (for small files, tests, or
     * sending elsewhere). Modifies neither map.
     *
     * @throws IllegalArgumentException as {@link #write(Path, Map, Map)} does, or when the file would
     *     exceed 2 GiB
     */
    public static byte[] toBytes(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        long total = header.length;
        for (HostTensor t : tensors.values()) {
            total += t.byteSize();
        }
        if (total > HostTensor.MAX_ELEMENTS) {
            throw new IllegalArgumentException("safetensors data of " + total + " bytes does not fit a byte array; use SafeTensors.write(Path, ...)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        try {
            writeTo(Channels.newChannel(out), header, tensors);
        } catch (IOException e) {
            throw new AssertionError(e); // no I/O in memory
        }
        return out.toByteArray();
    }

    /**
     * {@link #write(Path, Map, Map)} with {@code wrap} applied to the temporary file's channel before
     * anything is written to it: a test hook for injecting failures.
     */
    static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata,
            UnaryOperator<WritableByteChannel> wrap) throws IOException {
        Objects.requireNonNull(path, "path");
        byte[] header = header(tensors, metadata); // validates everything before the file system is touched
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        Path tmp = null;
        boolean moved = false;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                tmp = dir.resolve(tempPrefix(name) + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
                try {
                    // default permissions, unlike Files.createTempFile's owner-only ones, so the renamed file looks like any other
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    if (attempt >= 16) {
                        tmp = null;
                        throw e;
                    }
                }
            }
            try (FileChannel c = ch) {
                FileLock lock = tryLock(c); // held while writing: another save's cleanup leaves a locked temporary file alone
                writeTo(wrap.apply(c), header, tensors);
                c.force(true);
                if (lock != null) {
                    lock.release();
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                LOG.warn("File system of {} cannot rename atomically ({}); replacing it non-atomically", target, e.getMessage());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } catch (Throwable t) {
            if (!moved && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException d) {
                    t.addSuppressed(d);
                }
            }
            throw t;
        }
        removeStaleTemps(dir, name);
    }

    /** Temporary files of saves to {@code name} are called {@code .NAME.tmp-HEX}. */
    private static String tempPrefix(String name) {
        return "." + name + ".tmp-";
    }

    /** An exclusive lock on {@code ch}, or null where the file system has no locks. */
    private static FileLock tryLock(FileChannel ch) {
        try {
            return ch.tryLock();
        } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
            LOG.debug("Cannot lock a temporary file: {}", e.toString());
            return null;
        }
    }

    /**
     * Removes the temporary files that killed saves to {@code dir/name} left behind: those older than
     * {@link #STALE_TEMP_MILLIS} whose lock can be taken (a save in progress holds its own, in this or
     * another process). Where locks cannot be taken nothing is removed. Failures are logged, not thrown:
     * the save itself has succeeded.
     */
    private static void removeStaleTemps(Path dir, String name) {
        String prefix = tempPrefix(name);
        long cutoff = System.currentTimeMillis() - STALE_TEMP_MILLIS;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> isTempOf(p.getFileName().toString(), prefix))) {
            for (Path p : ds) {
                try {
                    if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() > cutoff || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    boolean unused;
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        FileLock lock = ch.tryLock();
                        unused = lock != null;
                        if (unused) {
                            Files.delete(p); // while holding the lock, so no writer can take it in between
                            lock.release();
                        }
                    } catch (OverlappingFileLockException e) {
                        unused = false; // a save of this JVM is writing it
                    }
                    if (unused) {
                        LOG.info("Removed {}, left behind by an interrupted save of {}", p, name);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    LOG.debug("Left {} in place: {}", p, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not look for stale temporary files in {}: {}", dir, e.toString());
        }
    }

    private static boolean isTempOf(String file, String prefix) {
        if (!file.startsWith(prefix) || file.length() == prefix.length()) {
            return false;
        }
        for (int i = prefix.length(); i < file.length(); i++) {
            if (Character.digit(file.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Could not sync directory {}: {}", dir, e.toString());
        }
    }

    /** Validates the maps and builds the length prefix + padded header. */
    private static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        JsonObject root = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject md = new JsonObject();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata entry " + e.getKey() + " = " + e.getValue()
                            + ": metadata keys and values must be non-null strings");
                }
                md.addProperty(e.getKey(), e.getValue());
            }
            root.add(METADATA_KEY, md);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("tensor name " + (name == null ? "null" : "\"\"") + " is not allowed: names must be non-empty");
            }
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name \"" + METADATA_KEY + "\" is reserved for the metadata map; rename the tensor");
            }
            HostTensor t = e.getValue();
            if (t == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.type().safetensorsName());
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += t.byteSize();
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            root.add(name, entry);
        }
        byte[] json = new GsonBuilder().disableHtmlEscaping().create().toJson(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("safetensors header would be " + padded + " bytes, over the limit of "
                    + MAX_HEADER_BYTES + "; too many tensors or too much metadata");
        }
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }

    private static void writeTo(WritableByteChannel out, byte[] header, Map<String, HostTensor> tensors) throws IOException {
        writeFully(out, ByteBuffer.wrap(header));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        for (HostTensor t : tensors.values()) {
            int elemBytes = t.type().byteSize();
            int perChunk = CHUNK_BYTES / elemBytes;
            for (int from = 0; from < t.size(); from += perChunk) {
                int count = Math.min(perChunk, t.size() - from);
                chunk.clear();
                t.encode(chunk, from, count);
                writeFully(out, chunk.flip());
            }
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (out.write(b) == 0 && b.hasRemaining()) {
                // blocking channels write at least one byte; guard against a misbehaving wrapper spinning forever
                Thread.onSpinWait();
            }
        }
    }
}
