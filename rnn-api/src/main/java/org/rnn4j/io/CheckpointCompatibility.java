package org.rnn4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rnn4j.tensor.Shapes;

/**
 * Whether a checkpoint's tensors fit what a model expects: the same names, shapes and stored types,
 * and (once read) finite values. Generic over names, shapes and types, so the model layer
 * ({@link org.rnn4j.nn.Checkpoints}, which saves and loads modules) supplies what it expects (PyTorch
 * names such as {@code weight_ih_l0} [G*H, I]) and applies tensors only after the checks pass: a file
 * that does not fit never leaves a model half-loaded. Checking a {@link SafeTensorsIndex} happens before
 * any data is read, so a file declaring a wrong or huge tensor costs nothing.
 */
public final class CheckpointCompatibility {
    /** At most this many problems are spelled out in a message; the rest are counted. */
    static final int MAX_LISTED = 20;

    private CheckpointCompatibility() {
    }

    /** A tensor's stored type and shape, from a header entry or from a tensor already read. */
    private record Declared(StoredType type, int[] shape) {
    }

    /**
     * {@link #check(String, Map, Map, Map, boolean)} in strict mode (extra tensors are an error), as
     * PyTorch's {@code load_state_dict} defaults to.
     */
    public static void check(String file, Map<String, HostTensor> loaded, Map<String, int[]> expectedShapes,
            Map<String, StoredType> expectedTypes) throws CheckpointMismatchException {
        check(file, loaded, expectedShapes, expectedTypes, true);
    }

    /**
     * Throws unless {@code loaded} holds every tensor of {@code expectedShapes} with exactly that shape
     * and, where {@code expectedTypes} names one, that stored type. Reads its arguments and modifies
     * none of them.
     *
     * @param file the checkpoint's name for messages (e.g. its path)
     * @param loaded the tensors read from the checkpoint
     * @param expectedShapes every tensor the model needs, by name, with its shape; iteration order is
     *     the order problems are reported in
     * @param expectedTypes the required stored type per name; null, or a name left out, accepts any type
     *     (for callers that convert, e.g. F64 weights into a float32 model). Its names must be a subset
     *     of {@code expectedShapes}'.
     * @param strict when true, tensors in {@code loaded} that are not in {@code expectedShapes} are an
     *     error too; when false they are ignored
     * @throws CheckpointMismatchException listing every missing tensor, wrong shape, wrong type and (in
     *     strict mode) unexpected tensor
     * @throws IllegalArgumentException when {@code expectedTypes} names a tensor absent from
     *     {@code expectedShapes} (a bug in the caller, not in the file)
     */
    public static void check(String file, Map<String, HostTensor> loaded, Map<String, int[]> expectedShapes,
            Map<String, StoredType> expectedTypes, boolean strict) throws CheckpointMismatchException {
        Objects.requireNonNull(loaded, "loaded");
        Map<String, Declared> declared = new LinkedHashMap<>();
        loaded.forEach((name, t) -> declared.put(name, new Declared(t.type(), t.shape())));
        checkDeclared(file, declared, expectedShapes, expectedTypes, strict);
    }

    /**
     * {@link #check(String, Map, Map, Map, boolean)} on what a file's header declares, before any of its
     * data is read. Reads its arguments and modifies none of them.
     *
     * @throws CheckpointMismatchException as {@link #check(String, Map, Map, Map, boolean)} does, naming
     *     {@code index.source()}
     */
    public static void check(SafeTensorsIndex index, Map<String, int[]> expectedShapes, Map<String, StoredType> expectedTypes,
            boolean strict) throws CheckpointMismatchException {
        Objects.requireNonNull(index, "index");
        Map<String, Declared> declared = new LinkedHashMap<>();
        index.entries().forEach((name, e) -> declared.put(name, new Declared(e.type(), e.shapeRef())));
        checkDeclared(index.source(), declared, expectedShapes, expectedTypes, strict);
    }

    private static void checkDeclared(String file, Map<String, Declared> loaded, Map<String, int[]> expectedShapes,
            Map<String, StoredType> expectedTypes, boolean strict) throws CheckpointMismatchException {
        Objects.requireNonNull(expectedShapes, "expectedShapes");
        Map<String, StoredType> types = expectedTypes == null ? Map.of() : expectedTypes;
        for (String name : types.keySet()) {
            if (!expectedShapes.containsKey(name)) {
                throw new IllegalArgumentException("expectedTypes names tensor '" + name + "', which expectedShapes lacks; expected tensors: "
                        + expectedShapes.keySet());
            }
        }
        Problems p = new Problems(file);
        for (Map.Entry<String, int[]> e : expectedShapes.entrySet()) {
            String name = e.getKey();
            int[] want = e.getValue();
            Declared t = loaded.get(name);
            if (t == null) {
                p.missing.add(name);
                p.problems.add("checkpoint " + file + " lacks tensor '" + name + "' " + Shapes.str(want) + " expected by the model");
                continue;
            }
            boolean bad = false;
            if (!Arrays.equals(t.shape(), want)) {
                p.problems.add("checkpoint " + file + ": tensor '" + name + "' has shape " + Shapes.str(t.shape())
                        + " but the model expects " + Shapes.str(want));
                bad = true;
            }
            StoredType wantType = types.get(name);
            if (wantType != null && t.type() != wantType) {
                p.problems.add("checkpoint " + file + ": tensor '" + name + "' is stored as " + t.type()
                        + " but the model expects " + wantType);
                bad = true;
            }
            if (bad) {
                p.mismatched.add(name);
            }
        }
        if (strict) {
            for (Map.Entry<String, Declared> e : loaded.entrySet()) {
                if (!expectedShapes.containsKey(e.getKey())) {
                    p.unexpected.add(e.getKey());
                    p.problems.add("checkpoint " + file + " has tensor '" + Excerpt.of(e.getKey()) + "' " + Shapes.str(e.getValue().shape())
                            + " (" + e.getValue().type() + ") that the model does not expect (strict mode; pass strict=false to ignore extra tensors)");
                }
            }
        }
        p.throwIfAny();
    }

    /**
     * Throws unless every element of every floating-point tensor in {@code tensors} is finite: a NaN or
     * infinite weight makes every output NaN (a diverged run saved, or a damaged file), so a model must
     * not load it. Integer tensors always pass. Reads {@code tensors}; modifies nothing.
     *
     * @param file the checkpoint's name for messages
     * @throws CheckpointMismatchException naming each tensor with non-finite values, how many and the
     *     first one's index and value (listed by {@link CheckpointMismatchException#nonFinite()})
     */
    public static void requireFinite(String file, Map<String, HostTensor> tensors) throws CheckpointMismatchException {
        Objects.requireNonNull(tensors, "tensors");
        Problems p = new Problems(file);
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            int first = t.firstNonFinite();
            if (first >= 0) {
                p.nonFinite.add(e.getKey());
                p.problems.add("checkpoint " + file + ": tensor '" + Excerpt.of(e.getKey()) + "' " + Shapes.str(t.shape()) + " holds "
                        + t.nonFiniteCount() + " NaN or infinite value(s) (element " + first + " is " + t.asDoubles()[first]
                        + "); the run that saved it diverged or the file is damaged");
            }
        }
        p.throwIfAny();
    }

    /**
     * Reads a safetensors checkpoint for a model: checks its header with
     * {@link #check(SafeTensorsIndex, Map, Map, boolean)} before reading any data, then reads only the
     * expected tensors and checks them with {@link #requireFinite}. Reads {@code path}; modifies nothing.
     *
     * @return the expected tensors (tensors the model does not expect are not read) and the metadata
     * @throws SafeTensorsFormatException when the file is malformed
     * @throws CheckpointMismatchException when it does not fit or holds non-finite values
     */
    public static SafeTensorsFile load(Path path, Map<String, int[]> expectedShapes, Map<String, StoredType> expectedTypes,
            boolean strict) throws IOException {
        SafeTensorsIndex index = SafeTensors.readIndex(path);
        check(index, expectedShapes, expectedTypes, strict);
        SafeTensorsFile f = index.read(expectedShapes.keySet());
        requireFinite(index.source(), f.tensors());
        return f;
    }

    /** Problems found so far, thrown as one {@link CheckpointMismatchException}. */
    private static final class Problems {
        final String file;
        final List<String> problems = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        final List<String> mismatched = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        final List<String> nonFinite = new ArrayList<>();

        Problems(String file) {
            this.file = file;
        }

        void throwIfAny() throws CheckpointMismatchException {
            if (problems.isEmpty()) {
                return;
            }
            String message;
            if (problems.size() == 1) {
                message = problems.get(0);
            } else {
                StringBuilder sb = new StringBuilder("checkpoint " + file + " does not match the model: " + problems.size() + " problems ("
                        + missing.size() + " missing, " + mismatched.size() + " mismatched, " + unexpected.size() + " unexpected"
                        + (nonFinite.isEmpty() ? "" : ", " + nonFinite.size() + " not finite") + ")");
                for (int i = 0; i < Math.min(problems.size(), MAX_LISTED); i++) {
                    sb.append("\n  - ").append(problems.get(i));
                }
                if (problems.size() > MAX_LISTED) {
                    sb.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
                }
                if (!missing.isEmpty() && !unexpected.isEmpty()) {
                    sb.append("\n  (names differ on both sides: check for a prefix such as 'model.' or a renamed layer)");
                }
                message = sb.toString();
            }
            throw new CheckpointMismatchException(file, message, problems, missing, mismatched, unexpected, nonFinite);
        }
    }
}
