package org.rnn4j.examples.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.rnn4j.examples.data.Vocabulary;
import org.rnn4j.io.CheckpointCompatibility;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.io.Excerpt;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.io.SafeTensorsIndex;
import org.rnn4j.io.StoredType;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.nn.Module;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Checkpoint reading and writing for the examples, with every failure turned into a one-line
 * {@link UserError}. Writes are atomic ({@link SafeTensors#write}: temporary file, then rename). Reading
 * starts from the header alone ({@link #read}): the metadata and the declared tensors are checked
 * before any data is read, and then only the tensors a command needs are read.
 */
public final class CheckpointFiles {
    /** Prefix of the optimizer's state tensors inside a checkpoint. */
    public static final String OPTIM_PREFIX = "optim.";

    /** Name of the vocabulary tensor (I32 code points) in charrnn and names checkpoints. */
    public static final String VOCAB = "vocab";

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

    /** Reads a checkpoint's header (its metadata tells which model to build); no tensor data is read. */
    public static SafeTensorsIndex read(Path file, String trainHint) {
        try {
            return SafeTensors.readIndex(file);
        } catch (IOException e) {
            throw readError(file, e, trainHint);
        }
    }

    private static UserError readError(Path file, IOException e, String hint) {
        if (e instanceof NoSuchFileException) {
            return new UserError("no checkpoint at " + file + "; " + hint, e);
        }
        if (e instanceof AccessDeniedException) {
            return new UserError("cannot read checkpoint " + file + ": permission denied; check the file's permissions", e);
        }
        if (e instanceof SafeTensorsFormatException) {
            return new UserError("checkpoint " + file + " is not a valid safetensors file (" + CommonOptions.firstLine(e.getMessage())
                    + "); " + hint, e);
        }
        if (e instanceof CheckpointMismatchException m) {
            String first = m.problems().isEmpty() ? m.getMessage() : m.problems().get(0);
            return new UserError("checkpoint " + file + " does not fit this model: " + CommonOptions.firstLine(first)
                    + (m.problems().size() > 1 ? " (and " + (m.problems().size() - 1) + " more)" : "") + "; " + hint, e);
        }
        return new UserError("cannot read checkpoint " + file + ": " + e + "; " + hint, e);
    }

    /**
     * Refuses a checkpoint whose metadata describes a model of more parameters than the file holds
     * values in all (damaged metadata such as {@code layers=65536}), before the model is built.
     */
    public static void requireHolds(SafeTensorsIndex index, long modelParameters, String hint) {
        long held = 0;
        for (SafeTensorsIndex.Entry e : index.entries().values()) {
            held += e.size();
        }
        if (modelParameters > held) {
            throw new UserError("checkpoint " + index.path() + " is damaged: its metadata describes a model of "
                    + (modelParameters == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(modelParameters)) + " parameters but the file"
                    + " holds " + held + " values in all; " + hint);
        }
    }

    /**
     * Reads and checks the vocabulary tensor: present, I32 or I64 of shape [{@code size}], each a valid
     * code point (U+0000..U+10FFFF), none twice. Only that tensor is read.
     *
     * @param size the vocabulary size the checkpoint's metadata gives (at least 1)
     */
    public static Vocabulary vocabulary(SafeTensorsIndex index, int size, String hint) {
        Path file = index.path();
        SafeTensorsIndex.Entry e = index.find(VOCAB).orElseThrow(() -> new UserError("checkpoint " + file
                + " lacks its vocabulary tensor '" + VOCAB + "'; " + hint));
        if (e.type() != StoredType.I32 && e.type() != StoredType.I64) {
            throw new UserError("checkpoint " + file + " has a vocabulary tensor '" + VOCAB + "' stored as " + e.type()
                    + "; expected I32 code points; it is damaged; " + hint);
        }
        if (e.shape().length != 1 || e.size() != size) {
            throw new UserError("checkpoint " + file + " has a vocabulary tensor '" + VOCAB + "' of shape " + Shapes.str(e.shape())
                    + " but its metadata says vocabulary=" + size + " (expected shape [" + size + "]); it is damaged; " + hint);
        }
        long[] cps;
        try {
            cps = index.read(List.of(VOCAB)).tensor(VOCAB).asLongs();
        } catch (IOException ex) {
            throw readError(file, ex, hint);
        }
        int[] out = new int[cps.length];
        Map<Long, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < cps.length; i++) {
            long cp = cps[i];
            if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                throw new UserError("checkpoint " + file + " has a vocabulary whose entry " + i + " is " + cp + ", not a Unicode code point"
                        + " (0..0x10FFFF); it is damaged; " + hint);
            }
            Integer prev = seen.put(cp, i);
            if (prev != null) {
                throw new UserError("checkpoint " + file + " has a vocabulary listing code point U+" + String.format("%04X", cp)
                        + " twice (entries " + prev + " and " + i + "); it is damaged; " + hint);
            }
            out[i] = (int) cp;
        }
        return new Vocabulary(out);
    }

    /**
     * Loads {@code file} into {@code module} (all or nothing; parameters must be finite) and returns the
     * extra tensors {@code extras} selects, and the metadata; other extras are not read. A mismatch
     * becomes a {@link UserError} naming the first difference and {@code fix}.
     */
    public static Checkpoints.Loaded load(Path file, Module module, String fix, Predicate<String> extras) {
        try {
            return Checkpoints.load(file, module, extras);
        } catch (IOException e) {
            throw readError(file, e, fix);
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

    /**
     * Restores the optimizer's state from the {@code optim.*} entries of {@code extra}: they must be
     * finite and, when {@code stepsTaken} is positive, cover every one of {@code parameters}; the
     * optimizer checks names and shapes.
     */
    public static void loadOptimizerState(Optimizer optimizer, int parameters, long stepsTaken, Map<String, HostTensor> extra,
            Backend backend, Path file) {
        String fix = "resume with the settings it was trained with, or start afresh without --resume";
        Map<String, HostTensor> stored = new LinkedHashMap<>();
        extra.forEach((k, v) -> {
            if (k.startsWith(OPTIM_PREFIX)) {
                stored.put(k, v);
            }
        });
        try {
            CheckpointCompatibility.requireFinite(file.toString(), stored);
        } catch (CheckpointMismatchException e) {
            throw new UserError("checkpoint " + file + " holds optimizer state that is not finite ("
                    + CommonOptions.firstLine(e.problems().get(0)) + "); " + fix, e);
        }
        if (stepsTaken > 0) {
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < parameters; i++) {
                missing.add(i);
            }
            for (String k : stored.keySet()) {
                String rest = k.substring(OPTIM_PREFIX.length());
                int dot = rest.indexOf('.');
                if (rest.startsWith("p") && dot > 1) {
                    try {
                        missing.remove(Integer.parseInt(rest.substring(1, dot)));
                    } catch (NumberFormatException ignored) {
                        // the optimizer names the bad entry below
                    }
                }
            }
            if (!missing.isEmpty()) {
                throw new UserError("checkpoint " + file + " is at step " + stepsTaken + " but holds no optimizer state for parameter"
                        + (missing.size() == 1 ? " " : "s ") + Excerpt.of(missing.toString(), 60) + "; it is damaged; " + fix);
            }
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        stored.forEach((k, h) -> {
            DType d = h.type() == StoredType.F64 && backend.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
            state.put(k.substring(OPTIM_PREFIX.length()), h.toTensor(backend, d));
        });
        try {
            optimizer.loadState(state);
        } catch (IllegalArgumentException e) {
            throw new UserError("checkpoint " + file + " holds optimizer state that does not fit this model ("
                    + CommonOptions.firstLine(e.getMessage()) + "); " + fix, e);
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

    private static UserError damaged(Path file, String key, String value, String expected) {
        return new UserError("checkpoint " + file + " has metadata " + key + "='" + Excerpt.of(value, 60) + "', " + expected
                + "; it is damaged; pass another --checkpoint");
    }

    /** An integer metadata value of at least {@code min} (see {@link #meta}). */
    public static int metaInt(Map<String, String> metadata, String key, Path file, String expectedKind, int min) {
        return (int) metaLong(metadata, key, file, expectedKind, min, Integer.MAX_VALUE);
    }

    /** An integer metadata value in {@code [min, max]} (see {@link #meta}). */
    public static long metaLong(Map<String, String> metadata, String key, Path file, String expectedKind, long min, long max) {
        String v = meta(metadata, key, file, expectedKind);
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw damaged(file, key, v, "not an integer");
        }
        if (n < min || n > max) {
            throw damaged(file, key, v, "expected an integer from " + min + " to " + max);
        }
        return n;
    }

    /** A finite number metadata value in {@code [min, maxExclusive)} (see {@link #meta}). */
    public static double metaDouble(Map<String, String> metadata, String key, Path file, String expectedKind, double min, double maxExclusive) {
        String v = meta(metadata, key, file, expectedKind);
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw damaged(file, key, v, "not a number");
        }
        if (!(d >= min && d < maxExclusive)) {
            throw damaged(file, key, v, "expected a number in [" + min + ", " + maxExclusive + ")");
        }
        return d;
    }

    /** A metadata value that must be one of {@code allowed} (see {@link #meta}). */
    public static String metaChoice(Map<String, String> metadata, String key, Path file, String expectedKind, List<String> allowed) {
        String v = meta(metadata, key, file, expectedKind);
        if (!allowed.contains(v)) {
            throw damaged(file, key, v, "expected one of " + String.join(", ", allowed));
        }
        return v;
    }

    /** A metadata value that must be {@code true} or {@code false} (see {@link #meta}). */
    public static boolean metaBoolean(Map<String, String> metadata, String key, Path file, String expectedKind) {
        return Boolean.parseBoolean(metaChoice(metadata, key, file, expectedKind, List.of("true", "false")));
    }
}
