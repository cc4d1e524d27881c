package org.rnn4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.autograd.Var;
import org.rnn4j.io.Checkpoint;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.StoredType;
import org.rnn4j.tensor.Tensor;

/**
 * Saves and loads a {@link Module}'s parameters as safetensors under PyTorch's names (so weights move
 * between rnn4j and PyTorch), plus the carried state of a {@link Stateful} module as
 * {@code state.NAME} and any extra tensors (optimizer state, vocabularies) the caller adds.
 *
 * <p>Saving is atomic: the file is written beside the target and renamed over it, so a crash or a full
 * disk leaves the previous checkpoint intact. Loading checks every tensor (presence, shape, dtype)
 * before changing anything.
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
     * into {@code module}. Every parameter must be present with the module's shape and dtype; nothing is
     * changed unless all are. Tensors that are neither parameters nor state are returned as extras.
     *
     * @throws org.rnn4j.io.CheckpointMismatchException naming each missing or mismatched tensor and both shapes
     * @throws org.rnn4j.io.SafeTensorsFormatException when the file is truncated or corrupt
     */
    public static Loaded load(Path path, Module module) throws IOException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<String, StoredType> types = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : module.parameters().entrySet()) {
            shapes.put(e.getKey(), e.getValue().shape());
            types.put(e.getKey(), StoredType.of(e.getValue().dtype()));
        }
        SafeTensorsFile f = SafeTensors.read(path);
        Checkpoint.checkCompatible(path.toString(), f.tensors(), shapes, types, false);
        List<Tensor> state = null;
        if (module instanceof Stateful s && f.has(STATE_PREFIX + s.stateNames().get(0))) {
            state = new ArrayList<>();
            Var any = module.parameters().values().iterator().next();
            for (String n : s.stateNames()) {
                HostTensor h = f.tensor(STATE_PREFIX + n);
                if (h == null) {
                    throw new IllegalArgumentException(path + ": checkpoint has " + STATE_PREFIX + s.stateNames().get(0)
                            + " but lacks " + STATE_PREFIX + n);
                }
                state.add(any.backend().fromDoubles(h.asDoubles(), any.dtype(), h.shape()));
            }
            s.setState(state); // validates shapes; parameters are not touched yet, so a bad state changes nothing
        }
        for (Map.Entry<String, Var> e : module.parameters().entrySet()) {
            Var v = e.getValue();
            HostTensor h = f.tensor(e.getKey());
            v.set(v.backend().fromDoubles(h.asDoubles(), v.dtype(), h.shape()));
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
