package org.rnn4j.audio;

import java.io.IOException;

/**
 * A file is not a WAV file {@link Wav} can read: not RIFF/WAVE, not 16-bit PCM, or truncated. The
 * one-line message names the file and the problem.
 */
public class WavFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source the file or stream name
     * @param message the full message, already naming {@code source}
     * @param cause the underlying error, or null
     */
    public WavFormatException(String source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** The file or stream name that was being read. */
    public String source() {
        return source;
    }
}
