package org.rnn4j.examples.cli;

/**
 * A problem with what the user asked for (a missing file, a bad value, a checkpoint that does not fit):
 * reported as one line naming the problem and the fix, with exit code {@link #EXIT_CODE} and no stack
 * trace unless {@code --verbose}.
 */
public class UserError extends RuntimeException {
    /** Exit code of every bad-input error. */
    public static final int EXIT_CODE = 2;

    /** @param message one line: what is wrong and how to fix it */
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
