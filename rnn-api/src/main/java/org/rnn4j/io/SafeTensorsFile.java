package org.rnn4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of one safetensors file, as returned by {@link SafeTensors#read}.
 *
 * @param source the path or stream name it was read from (used in error messages)
 * @param tensors every tensor by name, in the order of the file's header; unmodifiable
 * @param metadata the header's {@code "__metadata__"} map (empty when absent), in file order; unmodifiable
 */
public record SafeTensorsFile(String source, Map<String, HostTensor> tensors, Map<String, String> metadata) {

    /** Copies both maps (keeping their iteration order) into unmodifiable maps. */
    public SafeTensorsFile {
        Objects.requireNonNull(source, "source");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws IllegalArgumentException naming the file and the tensors it does hold when there is none
     */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + " has no tensor '" + name + "'; it holds " + tensors.keySet());
        }
        return t;
    }

    /** True when the file holds a tensor called {@code name}. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }
}
