package org.rnn4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.rnn4j.tensor.Shapes;

/**
 * What a safetensors file declares, from its validated header alone: each tensor's name, stored type,
 * shape and byte range, and the metadata. No tensor data has been read or allocated, so a caller can
 * check a file against what it expects (names, shapes, types, sizes) and then {@link #read} only the
 * tensors it needs. Returned by {@link SafeTensors#readIndex(Path)}; immutable.
 */
public final class SafeTensorsIndex {
    /** One tensor as the header declares it. Immutable. */
    public static final class Entry {
        private final String name;
        private final StoredType type;
        private final int[] shape;
        private final int size;
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

        /** The tensor's name. */
        public String name() {
            return name;
        }

        /** Its element type as stored. */
        public StoredType type() {
            return type;
        }

        /** A copy of its shape; {@code []} for a scalar. */
        public int[] shape() {
            return shape.clone();
        }

        int[] shapeRef() {
            return shape;
        }

        /** Number of elements (product of the shape). */
        public int size() {
            return size;
        }

        /** Bytes its data takes in the file and, once read, on the heap. */
        public long byteSize() {
            return end - begin;
        }

        String offsets() {
            return "[" + begin + ", " + end + "]";
        }

        boolean sameAs(Entry o) {
            return name.equals(o.name) && type == o.type && java.util.Arrays.equals(shape, o.shape) && begin == o.begin && end == o.end;
        }

        /** {@code 'name' F32 [4, 3]}, the name shortened by {@link Excerpt}. */
        @Override
        public String toString() {
            return "'" + Excerpt.of(name) + "' " + type + " " + Shapes.str(shape);
        }
    }

    private final Path path;
    private final long fileSize;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    SafeTensorsIndex(Path path, long fileSize, List<Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.fileSize = fileSize;
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            m.put(e.name, e);
        }
        this.entries = Collections.unmodifiableMap(m);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The file's path as given to {@link SafeTensors#readIndex(Path)} (messages name it so). */
    public Path path() {
        return path;
    }

    /** {@link #path()} as text, the name used in messages. */
    public String source() {
        return path.toString();
    }

    long fileSize() {
        return fileSize;
    }

    /** Every tensor by name, in the order of the file's header; unmodifiable. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The header's {@code "__metadata__"} map (empty when absent), in file order; unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** True when the file declares a tensor called {@code name}. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The tensor called {@code name}, if the file declares one. */
    public Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /**
     * Reads the tensors called {@code names} (each once, in header order) and nothing else: only their
     * bytes are read and only they are allocated. Reads the file again; modifies nothing.
     *
     * @throws IllegalArgumentException naming the file when a name is not in {@link #entries()}
     * @throws SafeTensorsFormatException when the file changed since this index was read, or when the
     *     tensors asked for need more heap than the JVM has free (nothing is allocated then)
     * @throws IOException when the file cannot be read
     */
    public SafeTensorsFile read(Collection<String> names) throws IOException {
        Objects.requireNonNull(names, "names");
        Set<String> wanted = new LinkedHashSet<>();
        for (String n : names) {
            if (!entries.containsKey(n)) {
                throw new IllegalArgumentException(source() + " has no tensor '" + Excerpt.of(n) + "'; it holds "
                        + SafeTensorsFile.listNames(entries.keySet()));
            }
            wanted.add(n);
        }
        return SafeTensors.read(path, this, wanted::contains);
    }

    /** Reads every tensor (see {@link #read(Collection)}). */
    public SafeTensorsFile readAll() throws IOException {
        return read(entries.keySet());
    }

    @Override
    public String toString() {
        return "SafeTensorsIndex[" + source() + ", " + entries.size() + " tensors]";
    }
}
