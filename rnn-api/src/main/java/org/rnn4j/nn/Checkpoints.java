package org.rnn4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.rnn4j.autograd.Var;
import org.rnn4j.io.CheckpointCompatibility;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.SafeTensorsIndex;
import org.rnn4j.io.StoredType;
import org.rnn4j.tensor.Tensor;

/**
 * Saves and loads a {@link Module}'s parameters as safetensors under PyTorch's names (so weights move
 * between rnn4j and PyTorch), plus the carried state of a {@link Stateful} module as
 * {@code state.NAME} and any extra tensors (optimizer state, vocabularies) the caller adds.
 *
 * <p>Saving is atomic: the file is written beside the target and renamed over it, so a crash or a full
 * disk leaves the previous checkpoint intact. Loading checks every tensor (presence, shape, dtype)
 * against the file's header before reading any data, reads only what it needs, refuses NaN or infinite
 * weights, and changes nothing unless every check passes ({@link CheckpointCompatibility} holds the
 * checks).
 */
public final class Checkpoints {
    /** Prefix of a stateful module's carried state in a checkpoint. */
    public static final String STATE_PREFIX = "state.";

    private Checkpoints() {
    }

    /** What {@link #load} read beyond the module: the extra tensors and the metadata. */
    public record Loaded(Map<String, HostTensor> extra, Map<String, String> metadata) {
    }

    /** Saves the module's parameters (and carried state, if any). Modifies only the file at {@code path}. */
    public static void save(Path path, Module module) throws IOException {
        save(path, module, Map.of(), Map.of());
    }

    /**
     * Saves the module's parameters, its carried state when it is {@link Stateful}, and {@code extra}
     * tensors (names must not clash with the parameters), with string {@code metadata}.
     */
    public static void save(Path path, Module module, Map<String, HostTensor> extra, Map<String, String> metadata)
            throws IOException {
        Map<String, HostTensor> all = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : module.parameters().entrySet()) {
            all.put(e.getKey(), HostTensor.of(e.getValue().value()));
        }
        if (module instanceof Stateful s && s.state() != null) {
            List<String> names = s.stateNames();
            List<Tensor> state = s.state();
            for (int i = 0; i < names.size(); i++) {
                all.put(STATE_PREFIX + names.get(i), HostTensor.of(state.get(i)));
            }
        }
        for (Map.Entry<String, HostTensor> e : extra.entrySet()) {
            if (all.containsKey(e.getKey())) {
                throw new IllegalArgumentException("Checkpoint extra tensor '" + e.getKey() + "' clashes with a model tensor of that name");
            }
            all.put(e.getKey(), e.getValue());
        }
        SafeTensors.write(path, all, metadata);
    }

    /**
     * Loads parameters (and carried state, when the file has it and the module is {@link Stateful})
     * into {@code module}, and returns every other tensor as an extra. See
     * {@link #load(Path, Module, Predicate)}.
     */
    public static Loaded load(Path path, Module module) throws IOException {
        return load(path, module, name -> true);
    }

    /**
     * Loads parameters (and carried state, when the file has it and the module is {@link Stateful})
     * into {@code module}. The file's header is checked first: every parameter must be present with the
     * module's shape and dtype, before any data is read. Then only the parameters, the state and the
     * extra tensors (neither parameters nor state) that {@code extras} selects are read, so a tensor the
     * caller does not need costs nothing however large it is declared. Parameters and state must hold
     * finite values. Nothing in {@code module} is changed unless every check passes.
     *
     * @param extras selects, by name, the extra tensors to read and return (e.g. {@code n -> false} for none)
     * @throws org.rnn4j.io.CheckpointMismatchException naming each missing or mismatched tensor and both
     *     shapes, or each parameter or state tensor holding NaN or infinite values
     * @throws org.rnn4j.io.SafeTensorsFormatException when the file is truncated or corrupt, or the
     *     tensors to read need more heap than is free
     * @throws IllegalArgumentException when the file holds some but not all of the module's state tensors,
     *     or state of a shape the module refuses
     */
    public static Loaded load(Path path, Module module, Predicate<String> extras) throws IOException {
        Objects.requireNonNull(extras, "extras");
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, StoredType> types = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : module.parameters().entrySet()) {
            shapes.put(e.getKey(), e.getValue().shape());
            types.put(e.getKey(), StoredType.of(e.getValue().dtype()));
        }
        SafeTensorsIndex index = SafeTensors.readIndex(path);
        CheckpointCompatibility.check(index, shapes, types, false);
        List<String> stateNames = new ArrayList<>();
        if (module instanceof Stateful s && index.has(STATE_PREFIX + s.stateNames().get(0))) {
            for (String n : s.stateNames()) {
                if (!index.has(STATE_PREFIX + n)) {
                    throw new IllegalArgumentException(path + ": checkpoint has " + STATE_PREFIX + s.stateNames().get(0)
                            + " but lacks " + STATE_PREFIX + n);
                }
                stateNames.add(STATE_PREFIX + n);
            }
        }
        List<String> wanted = new ArrayList<>(shapes.keySet());
        wanted.addAll(stateNames);
        for (String name : index.entries().keySet()) {
            if (!shapes.containsKey(name) && !name.startsWith(STATE_PREFIX) && extras.test(name)) {
                wanted.add(name);
            }
        }
        SafeTensorsFile f = index.read(wanted);
        Map<String, HostTensor> used = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            used.put(name, f.tensor(name));
        }
        for (String name : stateNames) {
            used.put(name, f.tensor(name));
        }
        CheckpointCompatibility.requireFinite(path.toString(), used);
        if (!stateNames.isEmpty()) {
            Var any = module.parameters().values().iterator().next();
            List<Tensor> state = new ArrayList<>();
            for (String n : stateNames) {
                state.add(f.tensor(n).toTensor(any.backend(), any.dtype()));
            }
            ((Stateful) module).setState(state); // validates shapes; parameters are not touched yet, so a bad state changes nothing
        }
        for (Map.Entry<String, Var> e : module.parameters().entrySet()) {
            Var v = e.getValue();
            v.set(f.tensor(e.getKey()).toTensor(v.backend(), v.dtype()));
        }
        Map<String, HostTensor> extra = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : f.tensors().entrySet()) {
            if (!shapes.containsKey(e.getKey()) && !e.getKey().startsWith(STATE_PREFIX)) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        return new Loaded(extra, f.metadata());
    }
}
