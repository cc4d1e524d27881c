package org.rnn4j.io;

import java.io.IOException;
import java.util.List;

/**
 * A well-formed checkpoint does not fit the model it is loaded into: tensors missing, of the wrong
 * shape or dtype, (in strict mode) tensors the model does not expect, or weights that are NaN or
 * infinite.
 *
 * <p>It is an {@link IOException} (checked) rather than an {@link IllegalArgumentException}: the fault
 * lies in a file's contents, not in the calling code, and callers that load a checkpoint already handle
 * {@code IOException} for the file being absent or malformed. Every problem found is listed, not just
 * the first; the message holds one line per problem.
 */
public class CheckpointMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final List<String> problems;
    private final List<String> missing;
    private final List<String> mismatched;
    private final List<String> unexpected;
    private final List<String> nonFinite;

    CheckpointMismatchException(String file, String message, List<String> problems, List<String> missing,
            List<String> mismatched, List<String> unexpected, List<String> nonFinite) {
        super(message);
        this.file = file;
        this.problems = List.copyOf(problems);
        this.missing = List.copyOf(missing);
        this.mismatched = List.copyOf(mismatched);
        this.unexpected = List.copyOf(unexpected);
        this.nonFinite = List.copyOf(nonFinite);
    }

    /** The checkpoint's name as given to {@link CheckpointCompatibility}. */
    public String file() {
        return file;
    }

    /** One sentence per problem, in the order reported in the message. */
    public List<String> problems() {
        return problems;
    }

    /** Names the model expects that the checkpoint lacks. */
    public List<String> missing() {
        return missing;
    }

    /** Names present in both whose shape or dtype differs. */
    public List<String> mismatched() {
        return mismatched;
    }

    /** Names in the checkpoint that the model does not expect (reported in strict mode only). */
    public List<String> unexpected() {
        return unexpected;
    }

    /** Names of tensors holding NaN or infinite values ({@link CheckpointCompatibility#requireFinite}). */
    public List<String> nonFinite() {
        return nonFinite;
    }
}
