package org.rnn4j.backend;

/** A backend could not be found, selected or started; the message says what was found and what to do. */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
