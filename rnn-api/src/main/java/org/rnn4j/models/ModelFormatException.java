package org.rnn4j.models;

/**
 * A model file that cannot be rebuilt: not an rnn4j model, a damaged or hostile architecture config,
 * an unknown module type, or weights that do not fit the architecture. The message names the file,
 * the module path and what was found and expected.
 */
public class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
