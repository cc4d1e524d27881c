package org.rnn4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rnn4j.tensor.Shapes;

/**
 * Checks a loaded set of named tensors against what a model expects, before any of it is applied.
 * Generic over {@code Map<String, HostTensor>}: the model layer supplies the names, shapes and types
 * (PyTorch names such as {@code weight_ih_l0} [G*H, I]) and applies the tensors only after
 * {@link #checkCompatible} returns, so a mismatched file never leaves a model half-loaded.
 */
public final class Checkpoint {
    /** At most this many problems are spelled out in a message; the rest are counted. */
    static final int MAX_LISTED = 20;

    private Checkpoint() {
    }

    /**
     * {@link #checkCompatible(String, Map, Map, Map, boolean)} in strict mode (extra tensors are an
     * error), as PyTorch's {@code load_state_dict} defaults to.
     */
    public static void checkCompatible(String file, Map<String, HostTensor> loaded, Map<String, int[]> expectedShapes,
            Map<String, StoredType> expectedTypes) throws CheckpointMismatchException {
        checkCompatible(file, loaded, expectedShapes, expectedTypes, true);
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
    public static void checkCompatible(String file, Map<String, HostTensor> loaded, Map<String, int[]> expectedShapes,
            Map<String, StoredType> expectedTypes, boolean strict) throws CheckpointMismatchException {
        Objects.requireNonNull(loaded, "loaded");
        Objects.requireNonNull(expectedShapes, "expectedShapes");
        Map<String, StoredType> types = expectedTypes == null ? Map.of() : expectedTypes;
        for (String name : types.keySet()) {
            if (!expectedShapes.containsKey(name)) {
                throw new IllegalArgumentException("expectedTypes names tensor '" + name + "', which expectedShapes lacks; expected tensors: "
                        + expectedShapes.keySet());
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expectedShapes.entrySet()) {
            String name = e.getKey();
            int[] want = e.getValue();
            HostTensor t = loaded.get(name);
            if (t == null) {
                missing.add(name);
                problems.add("checkpoint " + file + " lacks tensor '" + name + "' " + Shapes.str(want) + " expected by the model");
                continue;
            }
            boolean bad = false;
            if (!Arrays.equals(t.shape(), want)) {
                problems.add("checkpoint " + file + ": tensor '" + name + "' has shape " + Shapes.str(t.shape())
                        + " but the model expects " + Shapes.str(want));
                bad = true;
            }
            StoredType wantType = types.get(name);
            if (wantType != null && t.type() != wantType) {
                problems.add("checkpoint " + file + ": tensor '" + name + "' is stored as " + t.type()
                        + " but the model expects " + wantType);
                bad = true;
            }
            if (bad) {
                mismatched.add(name);
            }
        }
        if (strict) {
            for (Map.Entry<String, HostTensor> e : loaded.entrySet()) {
                if (!expectedShapes.containsKey(e.getKey())) {
                    unexpected.add(e.getKey());
                    problems.add("checkpoint " + file + " has tensor '" + e.getKey() + "' " + Shapes.str(e.getValue().shape())
                            + " (" + e.getValue().type() + ") that the model does not expect (strict mode; pass strict=false to ignore extra tensors)");
                }
            }
        }
        if (problems.isEmpty()) {
            return;
        }
        String message;
        if (problems.size() == 1) {
            message = problems.get(0);
        } else {
            StringBuilder sb = new StringBuilder("checkpoint " + file + " does not match the model: " + problems.size() + " problems ("
                    + missing.size() + " missing, " + mismatched.size() + " mismatched, " + unexpected.size() + " unexpected)");
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
        throw new CheckpointMismatchException(file, message, problems, missing, mismatched, unexpected);
    }

    /**
     * Reads a safetensors checkpoint and checks it with
     * {@link #checkCompatible(String, Map, Map, Map, boolean)}; returns it only when it fits. Reads
     * {@code path}; modifies nothing.
     *
     * @throws SafeTensorsFormatException when the file is malformed
     * @throws CheckpointMismatchException when it does not fit
     */
    public static SafeTensorsFile load(Path path, Map<String, int[]> expectedShapes, Map<String, StoredType> expectedTypes,
            boolean strict) throws IOException {
        SafeTensorsFile f = SafeTensors.read(path);
        checkCompatible(path.toString(), f.tensors(), expectedShapes, expectedTypes, strict);
        return f;
    }
}
