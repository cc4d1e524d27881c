package org.rnn4j.io;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contents of one safetensors file (or of the tensors read from it), as returned by
 * {@link SafeTensors#read} and {@link SafeTensorsIndex#read}.
 *
 * @param source the path or stream name it was read from (used in error messages)
 * @param tensors every tensor by name, in the order of the file's header; unmodifiable
 * @param metadata the header's {@code "__metadata__"} map (empty when absent), in file order; unmodifiable
 */
public record SafeTensorsFile(String source, Map<String, HostTensor> tensors, Map<String, String> metadata) {
    /** Most names a message lists. */
    private static final int MAX_LISTED_NAMES = 20;

    /** Copies both maps (keeping their iteration order) into unmodifiable maps. */
    public SafeTensorsFile {
        Objects.requireNonNull(source, "source");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /**
     * The tensor called {@code name}, for callers that know it is there; {@link #find} is the lookup for
     * tensors that may be absent.
     *
     * @throws IllegalArgumentException naming the file and the tensors it does hold when there is none
     */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + " has no tensor '" + Excerpt.of(name) + "'; it holds " + listNames(tensors.keySet()));
        }
        return t;
    }

    /** The tensor called {@code name}, or empty when there is none. */
    public Optional<HostTensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** True when the file holds a tensor called {@code name}. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** {@code [a, b, c]}, at most 20 names each cut by {@link Excerpt}, then "... (N in all)". */
    static String listNames(Collection<String> names) {
        StringBuilder sb = new StringBuilder("[");
        int i = 0;
        for (String n : names) {
            if (i == MAX_LISTED_NAMES) {
                sb.append(", ... (").append(names.size()).append(" in all)");
                break;
            }
            sb.append(i == 0 ? "" : ", ").append(Excerpt.of(n, 60));
            i++;
        }
        return sb.append(']').toString();
    }
}
