package org.rnn4j.examples.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.tensor.Backend;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.io.StoredType;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.nn.Module;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Checkpoint reading and writing for the examples, with every failure turned into a one-line
 * {@link UserError}. Writes are atomic ({@link SafeTensors#write}: temporary file, then rename).
 */
public final class CheckpointFiles {
    /** Prefix of the optimizer's state tensors inside a checkpoint. */
    public static final String OPTIM_PREFIX = "optim.";

    private CheckpointFiles() {
    }

    /** Saves {@code module} with {@code extra} tensors and {@code metadata}, creating the directory if needed. */
    public static void save(Path file, Module module, Map<String, HostTensor> extra, Map<String, String> metadata) {
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Checkpoints.save(abs, module, extra, metadata);
        } catch (IOException e) {
            throw new UserError("cannot write checkpoint " + file + ": " + e + "; pass a writable path with --checkpoint or --out-dir", e);
        }
    }

    /** Reads a checkpoint file without applying it (its metadata tells which model to build). */
    public static SafeTensorsFile read(Path file, String trainHint) {
        try {
            return SafeTensors.read(file);
        } catch (NoSuchFileException e) {
            throw new UserError("no checkpoint at " + file + "; " + trainHint, e);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read checkpoint " + file + ": permission denied; check the file's permissions", e);
        } catch (SafeTensorsFormatException e) {
            throw new UserError("checkpoint " + file + " is not a valid safetensors file (" + CommonOptions.firstLine(e.getMessage())
                    + "); " + trainHint, e);
        } catch (IOException e) {
            throw new UserError("cannot read checkpoint " + file + ": " + e + "; " + trainHint, e);
        }
    }

    /**
     * Loads {@code file} into {@code module} (all or nothing) and returns the extra tensors and metadata.
     * A mismatch becomes a {@link UserError} naming the first difference and {@code fix}.
     */
    public static Checkpoints.Loaded load(Path file, Module module, String fix) {
        try {
            return Checkpoints.load(file, module);
        } catch (CheckpointMismatchException e) {
            String first = e.problems().isEmpty() ? e.getMessage() : e.problems().get(0);
            throw new UserError("checkpoint " + file + " does not fit this model: " + CommonOptions.firstLine(first)
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : "") + "; " + fix, e);
        } catch (NoSuchFileException e) {
            throw new UserError("no checkpoint at " + file + "; " + fix, e);
        } catch (SafeTensorsFormatException e) {
            throw new UserError("checkpoint " + file + " is not a valid safetensors file (" + CommonOptions.firstLine(e.getMessage())
                    + "); " + fix, e);
        } catch (IOException e) {
            throw new UserError("cannot read checkpoint " + file + ": " + e + "; " + fix, e);
        } catch (IllegalArgumentException e) {
            throw new UserError("checkpoint " + file + " does not fit this model: " + CommonOptions.firstLine(e.getMessage()) + "; " + fix, e);
        }
    }

    /** The optimizer's state as host tensors named {@code optim.p{i}.NAME}. */
    public static Map<String, HostTensor> optimizerState(Optimizer optimizer) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        optimizer.state().forEach((k, v) -> out.put(OPTIM_PREFIX + k, HostTensor.of(v)));
        return out;
    }

    /** Restores the optimizer's state from the {@code optim.*} entries of {@code extra}. */
    public static void loadOptimizerState(Optimizer optimizer, Map<String, HostTensor> extra, Backend backend, Path file) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : extra.entrySet()) {
            if (e.getKey().startsWith(OPTIM_PREFIX)) {
                HostTensor h = e.getValue();
                DType d = h.type() == StoredType.F64 && backend.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
                state.put(e.getKey().substring(OPTIM_PREFIX.length()), backend.fromDoubles(h.asDoubles(), d, h.shape()));
            }
        }
        try {
            optimizer.loadState(state);
        } catch (IllegalArgumentException e) {
            throw new UserError("checkpoint " + file + " holds optimizer state that does not fit this model ("
                    + CommonOptions.firstLine(e.getMessage()) + "); resume with the settings it was trained with", e);
        }
    }

    /** A metadata value, or a {@link UserError} saying the file is not a checkpoint of the expected kind. */
    public static String meta(Map<String, String> metadata, String key, Path file, String expectedKind) {
        String v = metadata.get(key);
        if (v == null) {
            throw new UserError("checkpoint " + file + " lacks the metadata entry '" + key + "'; it is not a " + expectedKind
                    + " checkpoint written by rnn4j; pass one with --checkpoint");
        }
        return v;
    }

    /** An integer metadata value (see {@link #meta}). */
    public static int metaInt(Map<String, String> metadata, String key, Path file, String expectedKind) {
        String v = meta(metadata, key, file, expectedKind);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UserError("checkpoint " + file + " has metadata " + key + "='" + v + "', not an integer; it is damaged; "
                    + "pass another --checkpoint");
        }
    }
}
