package org.rnn4j.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.rnn4j.tensor.Shapes;
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
 * length prefix, the JSON (parsed strictly with Gson), every entry's dtype, shape and offsets, that each
 * tensor's byte range holds exactly {@code product(shape) * dtype size} bytes and lies inside the data
 * section, and that no two tensors' byte ranges overlap (as the reference implementation requires).
 * Unused gaps between tensors and trailing bytes after the last one are tolerated. Every problem is a
 * {@link SafeTensorsFormatException} naming the file, the tensor, what was found and what was expected.
 *
 * <p><b>Writing</b> lays tensors out contiguously in the map's iteration order, writes
 * {@code __metadata__} first (omitted when empty), pads the header with spaces to a multiple of 8 bytes as
 * PyTorch's writer does, and replaces the target file atomically. Output is deterministic: the same
 * maps give the same bytes.
 */
public final class SafeTensors {
    /** Largest header accepted or written: 100 MiB. Larger values mean a corrupt or foreign file. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Name of the header entry that holds the string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final Logger LOG = LoggerFactory.getLogger(SafeTensors.class);
    private static final int CHUNK_BYTES = 1 << 20;
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private SafeTensors() {
    }

    // ================================================================ reading

    /**
     * Reads a whole safetensors file into host memory. Reads {@code path}; modifies nothing.
     *
     * @return the tensors in header order and the metadata; messages name {@code path} as given
     * @throws SafeTensorsFormatException when the file is malformed (nothing has been allocated for
     *     tensors when the header is at fault)
     * @throws IOException when the file cannot be read
     */
    public static SafeTensorsFile read(Path path) throws IOException {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw tooShort(source, fileSize);
            }
            ByteBuffer prefix = ByteBuffer.allocate(8);
            readFully(ch, prefix, 0, source);
            long n = prefix.flip().order(ByteOrder.LITTLE_ENDIAN).getLong();
            checkHeaderLength(source, n, fileSize);
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8, source);
            Header h = parseHeader(source, header.array());
            long dataStart = 8 + n;
            checkLayout(source, h.entries, fileSize - dataStart);
            return decodeAll(source, h, (pos, len, scratch) -> {
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
        Header h = parseHeader(source, header);
        int dataStart = 8 + (int) n;
        checkLayout(source, h.entries, bytes.length - dataStart);
        try {
            return decodeAll(source, h, (pos, len, scratch) -> ByteBuffer.wrap(bytes, dataStart + (int) pos, len));
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError(e); // no I/O on a byte array
        }
    }

    /**
     * Reads a safetensors file from a stream, consuming it up to the end of the last tensor's data (it
     * does not close {@code in}). The header is validated before the data is read; memory grows with
     * the bytes actually present, never with what a corrupt header claims. Data sections over 2 GiB
     * need {@link #read(Path)}.
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
        Header h = parseHeader(source, header);
        checkLayout(source, h.entries, -1);
        long needed = 0;
        for (Entry e : h.entries) {
            needed = Math.max(needed, e.end);
        }
        if (needed > HostTensor.MAX_ELEMENTS) {
            throw new SafeTensorsFormatException(source, null, source + ": data section of " + needed
                    + " bytes is too large to read from a stream (limit " + HostTensor.MAX_ELEMENTS + "); read it with SafeTensors.read(Path)");
        }
        byte[] data = in.readNBytes((int) needed);
        checkLayout(source, h.entries, data.length);
        try {
            return decodeAll(source, h, (pos, len, scratch) -> ByteBuffer.wrap(data, (int) pos, len));
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One tensor entry of a header, validated on its own. */
    private static final class Entry {
        final String name;
        final StoredType type;
        final int[] shape;
        final int size;
        final long begin;
        final long end;

        Entry(String name, StoredType type, int[] shape, int size, long begin, long end) {
            this.name = name;
            this.type = type;
            this.shape = shape;
            this.size = size;
            this.begin = begin;
            this.end = end;
        }

        String offsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    private static final class Header {
        final List<Entry> entries = new ArrayList<>();
        final Map<String, String> metadata = new LinkedHashMap<>();
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

    /** Parses and validates the header JSON; checks each entry alone, not the layout. */
    private static Header parseHeader(String source, byte[] bytes) throws SafeTensorsFormatException {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(source, null, source + ": header (" + bytes.length
                    + " bytes) is not valid UTF-8; the file is corrupt or not safetensors", e);
        }
        Header h = new Header();
        Set<String> seen = new HashSet<>();
        try {
            JsonReader r = new JsonReader(new StringReader(json));
            r.setStrictness(Strictness.STRICT);
            JsonToken first = r.peek();
            if (first != JsonToken.BEGIN_OBJECT) {
                throw new SafeTensorsFormatException(source, null, source + ": header is a JSON " + describe(first)
                        + ", expected a JSON object mapping tensor names to {dtype, shape, data_offsets}");
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) {
                    throw new SafeTensorsFormatException(source, name.equals(METADATA_KEY) ? null : name, source + ": header has "
                            + (name.equals(METADATA_KEY) ? "\"" + METADATA_KEY + "\"" : "tensor '" + name + "'") + " twice; names must be unique");
                }
                r.peek(); // fails on a document that ends here (parseReader would answer JsonNull)
                JsonElement value = JsonParser.parseReader(r);
                if (name.equals(METADATA_KEY)) {
                    parseMetadata(source, value, h.metadata);
                } else {
                    h.entries.add(parseEntry(source, name, value));
                }
            }
            r.endObject();
            boolean trailing;
            try {
                trailing = r.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) {
                trailing = true; // strict mode refuses a second top-level value or stray characters
            }
            if (trailing) {
                throw new SafeTensorsFormatException(source, null, source + ": header has content after its JSON object;"
                        + " only space padding may follow the closing brace");
            }
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new SafeTensorsFormatException(source, null, source + ": header is not valid JSON: " + e.getMessage(), e);
        }
        return h;
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case BEGIN_ARRAY:
                return "array";
            case BEGIN_OBJECT:
                return "object";
            case STRING:
                return "string";
            case NUMBER:
                return "number";
            case BOOLEAN:
                return "boolean";
            case NULL:
                return "null";
            case END_DOCUMENT:
                return "end of document";
            default:
                return t.toString();
        }
    }

    private static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array " + e;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return (p.isString() ? "the string " : p.isNumber() ? "the number " : "the boolean ") + p;
    }

    private static void parseMetadata(String source, JsonElement value, Map<String, String> out) throws SafeTensorsFormatException {
        if (!value.isJsonObject()) {
            throw new SafeTensorsFormatException(source, null, source + ": \"" + METADATA_KEY + "\" is " + describe(value)
                    + ", expected an object mapping strings to strings");
        }
        for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new SafeTensorsFormatException(source, null, source + ": \"" + METADATA_KEY + "\" entry '" + e.getKey()
                        + "' is " + describe(v) + ", expected a string (metadata values are strings)");
            }
            out.put(e.getKey(), v.getAsString());
        }
    }

    private static Entry parseEntry(String source, String name, JsonElement value) throws SafeTensorsFormatException {
        String at = source + ": tensor '" + name + "'";
        if (!value.isJsonObject()) {
            throw new SafeTensorsFormatException(source, name, at + " is " + describe(value)
                    + ", expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
        }
        JsonObject o = value.getAsJsonObject();
        for (String field : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!o.has(field) || o.get(field).isJsonNull()) {
                throw new SafeTensorsFormatException(source, name, at + " lacks \"" + field
                        + "\"; each entry needs \"dtype\", \"shape\" and \"data_offsets\" (it has " + o.keySet() + ")");
            }
        }
        JsonElement dt = o.get("dtype");
        if (!dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new SafeTensorsFormatException(source, name, at + " has \"dtype\" " + describe(dt) + ", expected a string such as \"F32\"");
        }
        StoredType type = StoredType.lookup(dt.getAsString());
        if (type == null) {
            throw new SafeTensorsFormatException(source, name, at + " has unsupported dtype '" + dt.getAsString()
                    + "'; supported: " + StoredType.supportedNames());
        }
        JsonElement sh = o.get("shape");
        if (!sh.isJsonArray()) {
            throw new SafeTensorsFormatException(source, name, at + " has \"shape\" " + describe(sh) + ", expected an array of extents such as [4, 3]");
        }
        JsonArray sa = sh.getAsJsonArray();
        int[] shape = new int[sa.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = integer(source, name, at, "shape", sh, sa.get(i));
            if (d < 0) {
                throw new SafeTensorsFormatException(source, name, at + " has a negative extent " + d + " in shape " + sh
                        + "; extents must be >= 0");
            }
            if (d > Integer.MAX_VALUE) {
                throw new SafeTensorsFormatException(source, name, at + " has extent " + d + " in shape " + sh
                        + ", more than the largest supported (" + Integer.MAX_VALUE + ")");
            }
            shape[i] = (int) d;
        }
        long count = HostTensor.elementCount(shape);
        if (count > HostTensor.MAX_ELEMENTS) {
            throw new SafeTensorsFormatException(source, name, at + " has shape " + Shapes.str(shape) + " = "
                    + (count == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(count)) + " elements; at most "
                    + HostTensor.MAX_ELEMENTS + " fit a Java array");
        }
        JsonElement off = o.get("data_offsets");
        if (!off.isJsonArray() || off.getAsJsonArray().size() != 2) {
            throw new SafeTensorsFormatException(source, name, at + " has \"data_offsets\" " + describe(off)
                    + ", expected an array of two byte offsets [begin, end]");
        }
        long begin = integer(source, name, at, "data_offsets", off, off.getAsJsonArray().get(0));
        long end = integer(source, name, at, "data_offsets", off, off.getAsJsonArray().get(1));
        if (begin < 0 || end < 0) {
            throw new SafeTensorsFormatException(source, name, at + " has negative data_offsets " + off + "; offsets must be >= 0");
        }
        if (begin > end) {
            throw new SafeTensorsFormatException(source, name, at + " has data_offsets " + off
                    + " with begin after end; expected [begin, end] with begin <= end");
        }
        long declared = count * type.byteSize(); // count <= 2^31, size <= 8: no overflow
        if (end - begin != declared) {
            throw new SafeTensorsFormatException(source, name, at + " declares " + declared + " bytes (shape "
                    + Shapes.str(shape) + ", " + type + ") but data_offsets " + off + " span " + (end - begin));
        }
        return new Entry(name, type, shape, (int) count, begin, end);
    }

    /** An integer JSON number; anything else (fractions, exponents, strings, overflow) is an error. */
    private static long integer(String source, String name, String at, String field, JsonElement whole, JsonElement e)
            throws SafeTensorsFormatException {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            String text = e.getAsString();
            if (INTEGER.matcher(text).matches()) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException ignored) {
                    // fall through: too large
                }
            }
        }
        throw new SafeTensorsFormatException(source, name, at + " has \"" + field + "\" " + whole + " with element " + e
                + ", expected integers that fit 64 bits");
    }

    /**
     * Checks that every tensor's bytes lie inside a data section of {@code dataSize} bytes (skipped when
     * -1) and that no two non-empty tensors overlap.
     */
    private static void checkLayout(String source, List<Entry> entries, long dataSize) throws SafeTensorsFormatException {
        if (dataSize >= 0) {
            for (Entry e : entries) {
                if (e.end > dataSize) {
                    throw new SafeTensorsFormatException(source, e.name, source + ": tensor '" + e.name + "' has data_offsets "
                            + e.offsets() + " (shape " + Shapes.str(e.shape) + ", " + e.type + ") but the data section after the header has only "
                            + dataSize + " bytes; the file is truncated or the offsets are wrong");
                }
            }
        }
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end > e.begin) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong((Entry e) -> e.begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry e = sorted.get(i);
            if (e.begin < prev.end) {
                throw new SafeTensorsFormatException(source, e.name, source + ": tensor '" + e.name + "' data_offsets " + e.offsets()
                        + " overlap tensor '" + prev.name + "' " + prev.offsets() + "; each tensor must own its bytes");
            }
        }
    }

    /** Allocates and fills every tensor; the layout has been validated. */
    private static SafeTensorsFile decodeAll(String source, Header h, DataSource src) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        ByteBuffer scratch = null;
        for (Entry e : h.entries) {
            HostTensor t = HostTensor.allocate(e.type, e.shape, e.size);
            int elemBytes = e.type.byteSize();
            int perChunk = CHUNK_BYTES / elemBytes;
            for (int from = 0; from < e.size; from += perChunk) {
                int count = Math.min(perChunk, e.size - from);
                if (scratch == null) {
                    scratch = ByteBuffer.allocate(CHUNK_BYTES);
                }
                ByteBuffer bytes = src.read(e.begin + (long) from * elemBytes, count * elemBytes, scratch);
                t.decode(bytes, from, count);
            }
            tensors.put(e.name, t);
        }
        return new SafeTensorsFile(source, tensors, h.metadata);
    }

    // ================================================================ writing

    /**
     * Writes {@code tensors} and {@code metadata} as a safetensors file at {@code path}, atomically: the
     * bytes go to a temporary file {@code .NAME.tmp-RANDOM} in the same directory, are forced to disk,
     * and the temporary file is then renamed over {@code path}. On any failure the temporary file is
     * deleted and an existing file at {@code path} is left untouched. Creates or replaces {@code path};
     * modifies neither map.
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
        Path tmp = createTemp(dir, target.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeTo(wrap.apply(ch), header, tensors);
                ch.force(true);
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
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException d) {
                    t.addSuppressed(d);
                }
            }
            throw t;
        }
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
            try {
                // default permissions, unlike Files.createTempFile's owner-only ones, so the renamed file looks like any other
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            }
        }
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
